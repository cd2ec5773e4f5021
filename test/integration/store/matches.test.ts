import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import {
  DEFAULT_TENANT_ID,
  deliveries,
  deliveryId,
  matches,
  monitors,
  type Store,
  StoreError,
} from "../../../src/store/index.js";
import { describeStoreContract, newMatch, seedWorld } from "./support.js";

async function count(store: Store, table: "matches" | "deliveries"): Promise<number> {
  const result = (await store.db.execute(sql.raw(`select count(*)::int as n from ${table}`))) as unknown as {
    rows: { n: number }[];
  };
  return result.rows[0]!.n;
}

describeStoreContract("matches", (h) => {
  it("matches.insertMany() stores each match and enqueues one pending delivery per trigger", async () => {
    const world = await seedWorld(h.store);
    const m = newMatch(world, 42n, 3);
    const result = await matches.insertMany(h.store, [m]);
    expect(result.insertedMatchIds).toEqual([m.id]);
    expect(result.pendingDeliveryIds).toEqual([deliveryId(m.id, "ops"), deliveryId(m.id, "audit")]);
    expect(result.suppressedDeliveryIds).toEqual([]);

    const stored = await matches.get(h.store, world.tenantId, m.id);
    expect(stored).toMatchObject({
      id: m.id,
      tenantId: world.tenantId,
      monitorId: world.monitor.id,
      monitorVersion: 1,
      networkId: world.network.id,
      blockNumber: 42n,
      blockHash: m.blockHash,
      txHash: m.txHash,
      txIndex: 3,
      status: "active",
      orphanedAt: null,
    });
    expect(stored?.createdAt).toBeInstanceOf(Date);
    const delivery = await deliveries.get(h.store, world.tenantId, deliveryId(m.id, "ops"));
    expect(delivery).toMatchObject({
      matchId: m.id,
      monitorId: world.monitor.id,
      triggerId: world.trigger.id,
      triggerKey: "ops",
      channel: "webhook",
      status: "pending",
      attempts: 0,
      maxAttempts: 3,
      leaseOwner: null,
    });
  });

  it("matches.insertMany() keeps the payload's JSON key order (json, not jsonb)", async () => {
    const world = await seedWorld(h.store);
    const payload = {
      EVM: { monitor: { name: "x" }, transaction: { to: "0x1", from: "0x2" }, logs: [], network_slug: "n" },
    };
    const m = newMatch(world, 1n, 0, { payload });
    await matches.insertMany(h.store, [m]);
    const stored = await matches.get(h.store, world.tenantId, m.id);
    expect(JSON.stringify(stored?.payload)).toBe(JSON.stringify(payload));
  });

  it("matches.insertMany() is idempotent on the match id: the same match twice is one row with its deliveries once", async () => {
    const world = await seedWorld(h.store);
    const m = newMatch(world, 7n);
    await matches.insertMany(h.store, [m]);
    const second = await matches.insertMany(h.store, [m, newMatch(world, 8n)]);
    expect(second.insertedMatchIds).toEqual([newMatch(world, 8n).id]);
    expect(second.pendingDeliveryIds).toHaveLength(2);
    // duplicates inside one call are also stored once
    const third = await matches.insertMany(h.store, [newMatch(world, 9n), newMatch(world, 9n)]);
    expect(third.insertedMatchIds).toHaveLength(1);
    expect(await count(h.store, "matches")).toBe(3);
    expect(await count(h.store, "deliveries")).toBe(6);
  });

  it("matches.insertMany() is all-or-nothing: a delivery that cannot be enqueued leaves neither match nor delivery", async () => {
    const world = await seedWorld(h.store);
    const good = newMatch(world, 1n);
    const bad = newMatch(world, 2n, 0, {
      deliveries: [{ triggerId: "no-such-trigger", triggerKey: "ghost", channel: "webhook", maxAttempts: 3 }],
    });
    const attempt = matches.insertMany(h.store, [good, bad]);
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toMatchObject({
      code: "STORE_REFERENCE_INVALID",
      constraint: "deliveries_trigger_fk",
    });
    expect(await count(h.store, "matches")).toBe(0);
    expect(await count(h.store, "deliveries")).toBe(0);
  });

  it("matches.insertMany() rolls back on a check violation in the delivery rows too", async () => {
    const world = await seedWorld(h.store);
    const m = newMatch(world, 1n, 0, {
      deliveries: [
        { triggerId: world.trigger.id, triggerKey: "ops", channel: "carrier-pigeon" as "webhook", maxAttempts: 3 },
      ],
    });
    await expect(matches.insertMany(h.store, [m])).rejects.toMatchObject({ code: "STORE_CONSTRAINT_VIOLATED" });
    expect(await count(h.store, "matches")).toBe(0);
  });

  it("a match of tenant A cannot reference tenant B's monitor (tenant-scoped foreign key)", async () => {
    const a = await seedWorld(h.store, "tenant-a");
    const b = await seedWorld(h.store, "tenant-b");
    const crossing = newMatch(a, 1n, 0, { monitorId: b.monitor.id, deliveries: [] });
    await expect(matches.insertMany(h.store, [crossing])).rejects.toMatchObject({
      code: "STORE_REFERENCE_INVALID",
      constraint: "matches_monitor_fk",
    });
    expect(await count(h.store, "matches")).toBe(0);
  });

  it("a delivery of tenant A cannot reference tenant B's trigger", async () => {
    const a = await seedWorld(h.store, "tenant-a");
    const b = await seedWorld(h.store, "tenant-b");
    const crossing = newMatch(a, 1n, 0, {
      deliveries: [{ triggerId: b.trigger.id, triggerKey: "ops", channel: "webhook", maxAttempts: 3 }],
    });
    await expect(matches.insertMany(h.store, [crossing])).rejects.toMatchObject({
      code: "STORE_REFERENCE_INVALID",
      constraint: "deliveries_trigger_fk",
    });
  });

  it("a match must name a monitor version that exists", async () => {
    const world = await seedWorld(h.store);
    await expect(matches.insertMany(h.store, [newMatch(world, 1n, 0, { monitorVersion: 2 })])).rejects.toMatchObject({
      code: "STORE_REFERENCE_INVALID",
      constraint: "matches_monitor_version_fk",
    });
  });

  it("matches are read per tenant: another tenant's id is not found", async () => {
    const a = await seedWorld(h.store, "tenant-a");
    await seedWorld(h.store, "tenant-b");
    const m = newMatch(a, 5n);
    await matches.insertMany(h.store, [m]);
    expect(await matches.get(h.store, "tenant-b", m.id)).toBeNull();
    expect(await deliveries.get(h.store, "tenant-b", deliveryId(m.id, "ops"))).toBeNull();
    expect((await matches.list(h.store, { tenantId: "tenant-b" })).items).toEqual([]);
  });

  it("matches.insertMany() rejects malformed input before touching the database", async () => {
    const world = await seedWorld(h.store);
    await expect(matches.insertMany(h.store, [newMatch(world, 1n, 0, { txIndex: -1 })])).rejects.toMatchObject({
      code: "STORE_INVALID_ARGUMENT",
      path: [0, "txIndex"],
    });
    const twice = newMatch(world, 1n);
    await expect(
      matches.insertMany(h.store, [{ ...twice, deliveries: [twice.deliveries[0]!, twice.deliveries[0]!] }]),
    ).rejects.toMatchObject({ code: "STORE_INVALID_ARGUMENT" });
  });

  it("matches.markOrphaned() orphans matches from a block on and suppresses their unfinished deliveries", async () => {
    const world = await seedWorld(h.store);
    const t0 = new Date("2030-01-01T00:00:00Z");
    const before = newMatch(world, 10n);
    const at = newMatch(world, 11n);
    const after = newMatch(world, 12n);
    await matches.insertMany(h.store, [after], t0); // due first
    await matches.insertMany(h.store, [before, at], new Date(t0.getTime() + 1));
    // One delivery of `after` is delivered before the reorg is seen: it stays delivered.
    const [claim] = await deliveries.claimDue(h.store, { now: t0, limit: 1, owner: "w", leaseMs: 60_000 });
    expect(claim?.match.id).toBe(after.id);
    await deliveries.recordAttempt(h.store, {
      deliveryId: claim!.delivery.id,
      attempt: claim!.attempt,
      owner: "w",
      report: { result: "delivered", finishedAt: t0, latencyMs: 5, responseCode: 200 },
    });

    const result = await matches.markOrphaned(h.store, world.network.id, 11n, new Date(t0.getTime() + 5));
    expect(result.matchIds.sort()).toEqual([at.id, after.id].sort());
    const unfinished = [at, after]
      .flatMap((m) => [deliveryId(m.id, "ops"), deliveryId(m.id, "audit")])
      .filter((id) => id !== claim!.delivery.id);
    expect(result.suppressedDeliveryIds.sort()).toEqual(unfinished.sort());
    expect((await matches.get(h.store, world.tenantId, before.id))?.status).toBe("active");
    expect((await deliveries.get(h.store, world.tenantId, claim!.delivery.id))?.status).toBe("delivered");
    for (const id of unfinished) {
      expect(await deliveries.get(h.store, world.tenantId, id)).toMatchObject({
        status: "suppressed",
        suppressedReason: "orphaned",
      });
    }
    expect(await matches.markOrphaned(h.store, world.network.id, 11n)).toEqual({
      matchIds: [],
      suppressedDeliveryIds: [],
    });
  });

  it("matches.list() pages newest first with an opaque cursor and filters", async () => {
    const world = await seedWorld(h.store);
    const other = await seedWorld(h.store);
    const ids: string[] = [];
    for (let block = 1n; block <= 5n; block++) {
      const m = newMatch(world, block);
      ids.push(m.id);
      await matches.insertMany(h.store, [m]);
    }
    await matches.insertMany(h.store, [newMatch(other, 99n, 1)]);
    const first = await matches.list(h.store, { tenantId: world.tenantId, monitorId: world.monitor.id, limit: 2 });
    expect(first.items.map((m) => m.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await matches.list(h.store, {
      tenantId: world.tenantId,
      monitorId: world.monitor.id,
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second.items.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    const last = await matches.list(h.store, {
      tenantId: world.tenantId,
      monitorId: world.monitor.id,
      limit: 2,
      cursor: second.nextCursor!,
    });
    expect(last.items.map((m) => m.id)).toEqual([ids[0]]);
    expect(last.nextCursor).toBeNull();
    await expect(matches.list(h.store, { tenantId: world.tenantId, cursor: "garbage" })).rejects.toMatchObject({
      code: "STORE_INVALID_ARGUMENT",
    });
  });

  it("a monitor's alert threshold suppresses deliveries until N matches fall in the window", async () => {
    const world = await seedWorld(h.store);
    const throttled = await monitors.save(h.store, {
      tenantId: world.tenantId,
      id: world.monitor.id,
      name: world.monitor.name,
      config: world.monitor.config,
      throttle: { threshold: { count: 3, windowMs: 60_000 } },
    });
    const w = { ...world, monitor: throttled };
    const t0 = new Date("2030-01-01T00:00:00Z");
    const r1 = await matches.insertMany(h.store, [newMatch(w, 1n), newMatch(w, 2n)], t0);
    expect(r1.pendingDeliveryIds).toEqual([]);
    expect(r1.suppressedDeliveryIds).toHaveLength(4);
    const r2 = await matches.insertMany(h.store, [newMatch(w, 3n)], new Date(t0.getTime() + 1_000));
    expect(r2.pendingDeliveryIds).toHaveLength(2);
    const suppressed = await deliveries.get(h.store, w.tenantId, r1.suppressedDeliveryIds[0]!);
    expect(suppressed).toMatchObject({ status: "suppressed", suppressedReason: "throttle_threshold" });
    // Replaying the block changes no throttle state: nothing new is stored.
    const replay = await matches.insertMany(h.store, [newMatch(w, 3n)], new Date(t0.getTime() + 2_000));
    expect(replay.insertedMatchIds).toEqual([]);
  });

  it("a monitor's minimum interval suppresses deliveries inside the cooldown", async () => {
    const world = await seedWorld(h.store);
    const throttled = await monitors.save(h.store, {
      tenantId: world.tenantId,
      id: world.monitor.id,
      name: world.monitor.name,
      config: world.monitor.config,
      throttle: { minIntervalMs: 10_000 },
    });
    const w = { ...world, monitor: throttled };
    const t0 = new Date("2030-01-01T00:00:00Z");
    const first = await matches.insertMany(h.store, [newMatch(w, 1n), newMatch(w, 2n)], t0);
    expect(first.pendingDeliveryIds).toEqual([
      deliveryId(newMatch(w, 1n).id, "ops"),
      deliveryId(newMatch(w, 1n).id, "audit"),
    ]);
    const inCooldown = await matches.insertMany(h.store, [newMatch(w, 3n)], new Date(t0.getTime() + 9_999));
    expect(inCooldown.suppressedDeliveryIds).toHaveLength(2);
    expect(await deliveries.get(h.store, w.tenantId, inCooldown.suppressedDeliveryIds[0]!)).toMatchObject({
      suppressedReason: "throttle_cooldown",
    });
    const afterCooldown = await matches.insertMany(h.store, [newMatch(w, 4n)], new Date(t0.getTime() + 10_000));
    expect(afterCooldown.pendingDeliveryIds).toHaveLength(2);
  });

  it("the built-in default tenant exists from the first migration", async () => {
    const world = await seedWorld(h.store, DEFAULT_TENANT_ID);
    await matches.insertMany(h.store, [newMatch(world, 1n)]);
    expect((await matches.list(h.store, { tenantId: DEFAULT_TENANT_ID })).items).toHaveLength(1);
  });
});
