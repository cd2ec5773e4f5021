import { describe, expect, it } from "vitest";
import {
  type ClaimedDelivery,
  createStore,
  deliveries,
  deliveryId,
  matches,
  type Store,
} from "../../../src/store/index.js";
import { describeStoreContract, newMatch, seedWorld, type TenantWorld, useStore } from "./support.js";

const T0 = new Date("2030-01-01T00:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

/** Enqueues one match with a single webhook delivery allowing `maxAttempts` attempts. */
async function enqueue(store: Store, world: TenantWorld, block: bigint, maxAttempts = 3): Promise<string> {
  const m = newMatch(world, block, 0, {
    deliveries: [{ triggerId: world.trigger.id, triggerKey: "ops", channel: "webhook", maxAttempts }],
  });
  await matches.insertMany(store, [m], T0);
  return deliveryId(m.id, "ops");
}

function retryable(
  finishedAt: Date,
  retryAt: Date,
  extra: Partial<{ responseCode: number; retryAfterMs: number }> = {},
) {
  return {
    result: "retryable_failure" as const,
    finishedAt,
    latencyMs: 12,
    responseCode: extra.responseCode ?? 503,
    error: "HTTP 503",
    retryAt,
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
  };
}

describeStoreContract("deliveries", (h) => {
  it("deliveries.claimDue() leases due deliveries, starts attempt 1 and returns the match with each", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 1n);
    const claimed = await deliveries.claimDue(h.store, { now: T0, limit: 10, owner: "d1", leaseMs: 30_000 });
    expect(claimed).toHaveLength(1);
    const [c] = claimed as [ClaimedDelivery];
    expect(c.attempt).toBe(1);
    expect(c.delivery).toMatchObject({
      id,
      status: "in_flight",
      attempts: 1,
      leaseOwner: "d1",
      leaseUntil: at(30_000),
    });
    expect(c.match.id).toBe(c.delivery.matchId);
    expect(c.match.payload).toEqual(newMatch(world, 1n).payload);
    expect(await deliveries.attempts(h.store, world.tenantId, id)).toMatchObject([
      { attempt: 1, outcome: "in_flight", leaseOwner: "d1", startedAt: T0, finishedAt: null },
    ]);
    // Leased rows are not due again while the lease runs.
    expect(await deliveries.claimDue(h.store, { now: at(29_999), limit: 10, owner: "d2", leaseMs: 30_000 })).toEqual(
      [],
    );
  });

  it("deliveries.claimDue() skips deliveries not yet due and honours the limit, oldest first", async () => {
    const world = await seedWorld(h.store);
    const a = await enqueue(h.store, world, 1n);
    const b = await enqueue(h.store, world, 2n);
    const c = await enqueue(h.store, world, 3n);
    expect(await deliveries.claimDue(h.store, { now: at(-1), limit: 10, owner: "d", leaseMs: 1000 })).toEqual([]);
    const first = await deliveries.claimDue(h.store, { now: T0, limit: 2, owner: "d", leaseMs: 1000 });
    expect(first).toHaveLength(2);
    const second = await deliveries.claimDue(h.store, { now: T0, limit: 2, owner: "d", leaseMs: 1000 });
    expect(second).toHaveLength(1);
    expect([...first, ...second].map((x) => x.delivery.id).sort()).toEqual([a, b, c].sort());
  });

  it("deliveries.recordAttempt() records a success: delivered, lease released, attempt row complete", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 1n);
    const [c] = await deliveries.claimDue(h.store, { now: T0, limit: 1, owner: "d1", leaseMs: 30_000 });
    const result = await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: c!.attempt,
      owner: "d1",
      report: { result: "delivered", startedAt: at(5), finishedAt: at(125), latencyMs: 120, responseCode: 204 },
    });
    expect(result.applied).toBe(true);
    expect(result.delivery).toMatchObject({
      status: "delivered",
      deliveredAt: at(125),
      leaseOwner: null,
      leaseUntil: null,
      lastError: null,
    });
    expect(await deliveries.attempts(h.store, world.tenantId, id)).toMatchObject([
      { attempt: 1, outcome: "delivered", startedAt: at(5), finishedAt: at(125), latencyMs: 120, responseCode: 204 },
    ]);
    // Recording the same attempt again changes nothing.
    const again = await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: 1,
      owner: "d1",
      report: { result: "permanent_failure", finishedAt: at(200), latencyMs: 1, error: "late duplicate" },
    });
    expect(again.applied).toBe(false);
    expect(again.delivery.status).toBe("delivered");
  });

  it("a retryable failure goes back to pending at retryAt, keeping Retry-After and the error on the attempt", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 1n);
    const [c] = await deliveries.claimDue(h.store, { now: T0, limit: 1, owner: "d1", leaseMs: 30_000 });
    const result = await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: c!.attempt,
      owner: "d1",
      report: retryable(at(100), at(5_100), { responseCode: 429, retryAfterMs: 5_000 }),
    });
    expect(result.delivery).toMatchObject({
      status: "pending",
      nextAttemptAt: at(5_100),
      lastError: "HTTP 503",
      attempts: 1,
      leaseOwner: null,
    });
    expect(await deliveries.claimDue(h.store, { now: at(5_099), limit: 1, owner: "d1", leaseMs: 1 })).toEqual([]);
    const [retry] = await deliveries.claimDue(h.store, { now: at(5_100), limit: 1, owner: "d1", leaseMs: 30_000 });
    expect(retry?.delivery.id).toBe(id);
    expect(retry?.attempt).toBe(2);
    const attempts = await deliveries.attempts(h.store, world.tenantId, id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.responseCode, a.retryAfterMs, a.error])).toEqual([
      [1, "retryable_failure", 429, 5_000, "HTTP 503"],
      [2, "in_flight", null, null, null],
    ]);
  });

  it("a delivery is dead-lettered after its last allowed attempt fails, with every attempt recorded", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 1n, 3);
    let now = 0;
    let last: Awaited<ReturnType<typeof deliveries.recordAttempt>> | undefined;
    for (let n = 1; n <= 3; n++) {
      const [c] = await deliveries.claimDue(h.store, { now: at(now), limit: 1, owner: "d", leaseMs: 10_000 });
      expect(c?.attempt).toBe(n);
      last = await deliveries.recordAttempt(h.store, {
        deliveryId: id,
        attempt: n,
        owner: "d",
        report: retryable(at(now + 10), at(now + 1_000)),
      });
      now += 1_000;
    }
    expect(last?.delivery).toMatchObject({ status: "dead", attempts: 3 });
    expect(last?.delivery.lastError).toContain("after 3 of 3 attempts");
    expect(await deliveries.claimDue(h.store, { now: at(1e9), limit: 10, owner: "d", leaseMs: 1 })).toEqual([]);
    expect((await deliveries.attempts(h.store, world.tenantId, id)).map((a) => a.outcome)).toEqual([
      "retryable_failure",
      "retryable_failure",
      "retryable_failure",
    ]);
    const dead = await deliveries.list(h.store, { tenantId: world.tenantId, status: "dead" });
    expect(dead.items.map((d) => d.id)).toEqual([id]);
  });

  it("a permanent failure dead-letters at once", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 1n, 5);
    const [c] = await deliveries.claimDue(h.store, { now: T0, limit: 1, owner: "d", leaseMs: 10_000 });
    const result = await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: c!.attempt,
      owner: "d",
      report: { result: "permanent_failure", finishedAt: at(1), latencyMs: 1, responseCode: 404, error: "HTTP 404" },
    });
    expect(result.delivery).toMatchObject({ status: "dead", lastError: "HTTP 404", attempts: 1 });
  });

  it("deliveries.replay() sends a dead delivery again under the same id, with a fresh run and the history kept", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 1n, 1);
    const [c] = await deliveries.claimDue(h.store, { now: T0, limit: 1, owner: "d", leaseMs: 10_000 });
    await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: c!.attempt,
      owner: "d",
      report: retryable(at(1), at(1_000)),
    });
    expect((await deliveries.get(h.store, world.tenantId, id))?.status).toBe("dead");

    const replayed = await deliveries.replay(h.store, world.tenantId, id, at(50_000));
    expect(replayed).toMatchObject({ id, status: "pending", nextAttemptAt: at(50_000), attempts: 1, attemptBase: 1 });
    const [again] = await deliveries.claimDue(h.store, { now: at(50_000), limit: 1, owner: "d", leaseMs: 10_000 });
    expect(again?.delivery.id).toBe(id);
    expect(again?.attempt).toBe(2);
    const done = await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: 2,
      owner: "d",
      report: { result: "delivered", finishedAt: at(50_010), latencyMs: 10, responseCode: 200 },
    });
    expect(done.delivery.status).toBe("delivered");
    expect((await deliveries.attempts(h.store, world.tenantId, id)).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, "retryable_failure"],
      [2, "delivered"],
    ]);
  });

  it("deliveries.replay() refuses deliveries that are not dead, and other tenants' deliveries", async () => {
    const world = await seedWorld(h.store, "tenant-a");
    await seedWorld(h.store, "tenant-b");
    const id = await enqueue(h.store, world, 1n);
    await expect(deliveries.replay(h.store, world.tenantId, id)).rejects.toMatchObject({ code: "STORE_INVALID_STATE" });
    await expect(deliveries.replay(h.store, "tenant-b", id)).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
  });

  it("deliveries.replay() refuses a dead delivery whose match was orphaned by a reorg", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 8n, 1);
    const [c] = await deliveries.claimDue(h.store, { now: T0, limit: 1, owner: "d", leaseMs: 10_000 });
    await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: c!.attempt,
      owner: "d",
      report: { result: "permanent_failure", finishedAt: at(1), latencyMs: 1, responseCode: 410 },
    });
    await matches.markOrphaned(h.store, world.network.id, 8n, at(2));
    expect((await deliveries.get(h.store, world.tenantId, id))?.status).toBe("dead");
    await expect(deliveries.replay(h.store, world.tenantId, id)).rejects.toMatchObject({ code: "STORE_INVALID_STATE" });
  });

  it("a crash mid-delivery: the lease expires, the attempt is marked lease_expired and the SAME delivery is retried", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 1n);
    const [first] = await deliveries.claimDue(h.store, { now: T0, limit: 1, owner: "crashed", leaseMs: 1_000 });
    expect(first?.delivery.id).toBe(id);
    // "crashed" never reports. Before the lease ends nobody else gets it; after, another dispatcher does.
    expect(await deliveries.claimDue(h.store, { now: at(999), limit: 1, owner: "d2", leaseMs: 1_000 })).toEqual([]);
    const [second] = await deliveries.claimDue(h.store, { now: at(1_000), limit: 1, owner: "d2", leaseMs: 1_000 });
    expect(second?.delivery).toMatchObject({ id, leaseOwner: "d2", attempts: 2 });
    expect(second?.attempt).toBe(2);
    const attempts = await deliveries.attempts(h.store, world.tenantId, id);
    expect(attempts.map((a) => [a.attempt, a.leaseOwner, a.outcome])).toEqual([
      [1, "crashed", "lease_expired"],
      [2, "d2", "in_flight"],
    ]);
    expect(attempts[0]?.error).toContain("expired");

    // A late report from the former holder is kept as its attempt's record but does not move the delivery.
    const late = await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: 1,
      owner: "crashed",
      report: { result: "delivered", finishedAt: at(1_500), latencyMs: 1_500, responseCode: 200 },
    });
    expect(late.applied).toBe(false);
    expect(late.delivery).toMatchObject({ status: "in_flight", leaseOwner: "d2" });
    expect((await deliveries.attempts(h.store, world.tenantId, id))[0]?.outcome).toBe("delivered");
    const current = await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: 2,
      owner: "d2",
      report: { result: "delivered", finishedAt: at(1_600), latencyMs: 100, responseCode: 200 },
    });
    expect(current).toMatchObject({ applied: true, delivery: { status: "delivered" } });
  });

  it("a lease that expires on the last allowed attempt dead-letters the delivery", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 1n, 1);
    await deliveries.claimDue(h.store, { now: T0, limit: 1, owner: "crashed", leaseMs: 1_000 });
    expect(await deliveries.claimDue(h.store, { now: at(5_000), limit: 1, owner: "d2", leaseMs: 1_000 })).toEqual([]);
    const dead = await deliveries.get(h.store, world.tenantId, id);
    expect(dead).toMatchObject({ status: "dead", leaseOwner: null });
    expect(dead?.lastError).toContain("interrupted");
    expect((await deliveries.attempts(h.store, world.tenantId, id)).map((a) => a.outcome)).toEqual(["lease_expired"]);
  });

  it("deliveries.recordAttempt() validates its input and refuses attempts that were never started", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 1n);
    await expect(
      deliveries.recordAttempt(h.store, {
        deliveryId: id,
        attempt: 1,
        owner: "d",
        report: { result: "retryable_failure", finishedAt: T0, latencyMs: 1 },
      }),
    ).rejects.toMatchObject({ code: "STORE_INVALID_ARGUMENT", path: ["report.retryAt"] });
    await expect(
      deliveries.recordAttempt(h.store, {
        deliveryId: id,
        attempt: 1,
        owner: "d",
        report: { result: "delivered", finishedAt: T0, latencyMs: 1 },
      }),
    ).rejects.toMatchObject({ code: "STORE_INVALID_ARGUMENT", path: ["attempt"] });
    await expect(
      deliveries.recordAttempt(h.store, {
        deliveryId: "0xnope",
        attempt: 1,
        owner: "d",
        report: { result: "delivered", finishedAt: T0, latencyMs: 1 },
      }),
    ).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
    await expect(deliveries.claimDue(h.store, { now: T0, limit: 0, owner: "d", leaseMs: 1 })).rejects.toMatchObject({
      code: "STORE_INVALID_ARGUMENT",
    });
  });

  it("a reorg during an attempt suppresses the delivery; the attempt's late report is kept but does not reschedule it", async () => {
    const world = await seedWorld(h.store);
    const id = await enqueue(h.store, world, 5n);
    const [c] = await deliveries.claimDue(h.store, { now: T0, limit: 1, owner: "d", leaseMs: 60_000 });
    // The reorg suppresses the in-flight delivery; the running attempt's report no longer moves it.
    await matches.markOrphaned(h.store, world.network.id, 5n, at(10));
    const result = await deliveries.recordAttempt(h.store, {
      deliveryId: id,
      attempt: c!.attempt,
      owner: "d",
      report: retryable(at(20), at(1_000)),
    });
    expect(result.applied).toBe(false);
    expect(result.delivery).toMatchObject({ status: "suppressed", suppressedReason: "orphaned" });
    expect((await deliveries.attempts(h.store, world.tenantId, id))[0]?.outcome).toBe("retryable_failure");
    expect(await deliveries.claimDue(h.store, { now: at(1e9), limit: 10, owner: "d", leaseMs: 1 })).toEqual([]);
  });

  it("deliveries.list() filters by status, match and monitor, newest first, with pagination", async () => {
    const world = await seedWorld(h.store);
    const other = await seedWorld(h.store);
    const ids: string[] = [];
    for (let block = 1n; block <= 3n; block++) ids.push(await enqueue(h.store, world, block));
    await enqueue(h.store, other, 9n);
    const page1 = await deliveries.list(h.store, { tenantId: world.tenantId, monitorId: world.monitor.id, limit: 2 });
    expect(page1.items.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    const page2 = await deliveries.list(h.store, {
      tenantId: world.tenantId,
      monitorId: world.monitor.id,
      limit: 2,
      cursor: page1.nextCursor!,
    });
    expect(page2).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    const byMatch = await deliveries.list(h.store, {
      tenantId: world.tenantId,
      matchId: newMatch(world, 2n).id,
    });
    expect(byMatch.items.map((d) => d.id)).toEqual([ids[1]]);
    expect((await deliveries.list(h.store, { tenantId: world.tenantId, status: "delivered" })).items).toEqual([]);
  });
});

describe("deliveries [postgres, concurrent dispatchers]", () => {
  const h = useStore("postgres");

  it("two pools claiming in parallel never claim the same delivery", async () => {
    const world = await seedWorld(h.store);
    const expected: string[] = [];
    const batch = Array.from({ length: 120 }, (_, i) =>
      newMatch(world, BigInt(i + 1), 0, {
        deliveries: [{ triggerId: world.trigger.id, triggerKey: "ops", channel: "webhook", maxAttempts: 3 }],
      }),
    );
    await matches.insertMany(h.store, batch, T0);
    for (const m of batch) expected.push(deliveryId(m.id, "ops"));

    const other = await createStore(h.location, { poolSize: 4 });
    try {
      const claimed: string[] = [];
      const worker = async (store: Store, owner: string) => {
        for (;;) {
          const got = await deliveries.claimDue(store, { now: at(1), limit: 7, owner, leaseMs: 60_000 });
          if (got.length === 0) return;
          claimed.push(...got.map((c) => c.delivery.id));
        }
      };
      await Promise.all([
        worker(h.store, "a1"),
        worker(h.store, "a2"),
        worker(h.store, "a3"),
        worker(other, "b1"),
        worker(other, "b2"),
        worker(other, "b3"),
      ]);
      expect(claimed).toHaveLength(expected.length);
      expect(new Set(claimed).size).toBe(expected.length);
      expect([...claimed].sort()).toEqual([...expected].sort());
    } finally {
      await other.close();
    }
  });
});
