import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import {
  createStore,
  DEFAULT_TENANT_ID,
  deliveries,
  deliveryId,
  matches,
  monitors,
  type NewMatch,
  type Store,
  tenants,
  usage,
  usagePeriod,
} from "../../../src/store/index.js";
import { describeStoreContract, newMatch, seedWorld, type TenantWorld } from "./support.js";

const T0 = new Date("2030-01-01T10:00:00Z");

/** A tenant whose `notificationsPerDay` is `limit`, with its world (network, monitor, two triggers). */
async function limitedWorld(store: Store, limit: number | null, id = "tenant-q"): Promise<TenantWorld> {
  await tenants.create(store, {
    id,
    slug: `${id}-slug`,
    name: id,
    limits: { notificationsPerDay: limit },
  });
  return seedWorld(store, id);
}

/** A match notifying only the world's first trigger (one delivery). */
function single(world: TenantWorld, block: bigint): NewMatch {
  // Match ids depend on the block and transaction only (see support.ts): give each tenant its own blocks.
  return newMatch(world, block, 0, { deliveries: [newMatch(world, block).deliveries[0]!] });
}

function blocks(world: TenantWorld, from: number, count: number): NewMatch[] {
  return Array.from({ length: count }, (_, i) => single(world, BigInt(from + i)));
}

async function counters(store: Store, tenantId: string, at: Date) {
  const day = usagePeriod("day", at);
  const value = async (metric: string) => Number(await usage.get(store, tenantId, metric, day));
  return {
    matches: await value("matches"),
    notifications: await value("notifications"),
    overQuota: await value("notifications_quota_exceeded"),
  };
}

async function statuses(store: Store, tenantId: string): Promise<Record<string, number>> {
  const result = (await store.db.execute(
    sql`select coalesce(suppressed_reason, status) as s, count(*)::int as n from deliveries where tenant_id = ${tenantId} group by 1`,
  )) as unknown as { rows: { s: string; n: number }[] };
  return Object.fromEntries(result.rows.map((row) => [row.s, row.n]));
}

describeStoreContract("notifications per day", (h) => {
  it("enqueues up to the limit as pending and stores the rest as suppressed quota_exceeded, in input order", async () => {
    const world = await limitedWorld(h.store, 5);
    const input = blocks(world, 1, 8);
    const result = await matches.insertMany(h.store, input, T0);
    const ids = input.map((m) => deliveryId(m.id, "ops"));
    expect(result.insertedMatchIds).toHaveLength(8);
    expect(result.pendingDeliveryIds).toEqual(ids.slice(0, 5));
    expect(result.suppressedDeliveryIds).toEqual(ids.slice(5));
    expect(result.quotaExceededDeliveryIds).toEqual(ids.slice(5));
    expect(result.suppressedByReason).toEqual({ quota_exceeded: 3 });
    expect(await deliveries.get(h.store, world.tenantId, ids[5]!)).toMatchObject({
      status: "suppressed",
      suppressedReason: "quota_exceeded",
    });
    expect(await statuses(h.store, world.tenantId)).toEqual({ pending: 5, quota_exceeded: 3 });
    expect(await counters(h.store, world.tenantId, T0)).toEqual({ matches: 8, notifications: 5, overQuota: 3 });

    // The delivery log shows them; the dispatcher never claims them.
    const listed = await deliveries.list(h.store, { tenantId: world.tenantId, status: "suppressed" });
    expect(listed.items.map((d) => d.id).sort()).toEqual(ids.slice(5).sort());
    const claimed = await deliveries.claimDue(h.store, { now: T0, limit: 100, owner: "d1", leaseMs: 60_000 });
    expect(claimed.map((c) => c.delivery.id).sort()).toEqual(ids.slice(0, 5).sort());

    // Later the same day: nothing fits any more; replaying the stored block counts nothing twice.
    const later = await matches.insertMany(
      h.store,
      [...input, single(world, 100n)],
      new Date(T0.getTime() + 3_600_000),
    );
    expect(later.insertedMatchIds).toEqual([single(world, 100n).id]);
    expect(later.pendingDeliveryIds).toEqual([]);
    expect(later.quotaExceededDeliveryIds).toEqual([deliveryId(single(world, 100n).id, "ops")]);
    expect(await counters(h.store, world.tenantId, T0)).toEqual({ matches: 9, notifications: 5, overQuota: 4 });
  });

  it("a match's deliveries share the quota one by one: the limit can fall between two triggers of a match", async () => {
    const world = await limitedWorld(h.store, 3);
    const result = await matches.insertMany(h.store, [newMatch(world, 1n), newMatch(world, 2n)], T0);
    expect(result.pendingDeliveryIds).toEqual([
      deliveryId(newMatch(world, 1n).id, "ops"),
      deliveryId(newMatch(world, 1n).id, "audit"),
      deliveryId(newMatch(world, 2n).id, "ops"),
    ]);
    expect(result.quotaExceededDeliveryIds).toEqual([deliveryId(newMatch(world, 2n).id, "audit")]);
  });

  it("the next UTC day starts from zero", async () => {
    const world = await limitedWorld(h.store, 5);
    const lastMoment = new Date("2030-01-01T23:59:59.999Z");
    const nextDay = new Date("2030-01-02T00:00:00.000Z");
    const first = await matches.insertMany(h.store, blocks(world, 1, 7), lastMoment);
    expect(first.pendingDeliveryIds).toHaveLength(5);
    const second = await matches.insertMany(h.store, blocks(world, 10, 7), nextDay);
    expect(second.pendingDeliveryIds).toHaveLength(5);
    expect(second.quotaExceededDeliveryIds).toHaveLength(2);
    expect(await counters(h.store, world.tenantId, lastMoment)).toEqual({ matches: 7, notifications: 5, overQuota: 2 });
    expect(await counters(h.store, world.tenantId, nextDay)).toEqual({ matches: 7, notifications: 5, overQuota: 2 });
    const days = (await usage.list(h.store, world.tenantId, { metric: "notifications" })).map((c) => c.period);
    expect(days).toEqual(["2030-01-01", "2030-01-02"]);
  });

  it("an unlimited tenant (the built-in self-hosted one, or a null override) is never held back, but counted", async () => {
    const builtIn = await seedWorld(h.store, DEFAULT_TENANT_ID);
    const lifted = await limitedWorld(h.store, null, "tenant-unlimited");
    const result = await matches.insertMany(
      h.store,
      [...Array.from({ length: 15 }, (_, i) => newMatch(builtIn, BigInt(i + 1))), ...blocks(lifted, 100, 1_200)],
      T0,
    );
    expect(result.suppressedDeliveryIds).toEqual([]);
    expect(result.pendingDeliveryIds).toHaveLength(30 + 1_200);
    expect(await counters(h.store, DEFAULT_TENANT_ID, T0)).toEqual({ matches: 15, notifications: 30, overQuota: 0 });
    // a null override lifts the free plan's 1,000 a day
    expect(await counters(h.store, lifted.tenantId, T0)).toEqual({
      matches: 1_200,
      notifications: 1_200,
      overQuota: 0,
    });
  });

  it("tenants in one call are held to their own limits", async () => {
    const a = await limitedWorld(h.store, 2, "tenant-a");
    const b = await limitedWorld(h.store, 4, "tenant-b");
    const result = await matches.insertMany(h.store, [...blocks(a, 1, 3), ...blocks(b, 10, 6)], T0);
    expect(result.quotaExceededDeliveryIds).toHaveLength(1 + 2);
    expect(await statuses(h.store, a.tenantId)).toEqual({ pending: 2, quota_exceeded: 1 });
    expect(await statuses(h.store, b.tenantId)).toEqual({ pending: 4, quota_exceeded: 2 });
    expect(await counters(h.store, b.tenantId, T0)).toEqual({ matches: 6, notifications: 4, overQuota: 2 });
  });

  it("throttled deliveries cost no quota", async () => {
    const world = await limitedWorld(h.store, 2);
    const throttled = await monitors.save(h.store, {
      tenantId: world.tenantId,
      id: world.monitor.id,
      name: world.monitor.name,
      config: world.monitor.config,
      throttle: { minIntervalMs: 3_600_000 },
    });
    const w = { ...world, monitor: throttled };
    const first = await matches.insertMany(h.store, blocks(w, 1, 4), T0);
    expect(first.pendingDeliveryIds).toHaveLength(1);
    expect(first.suppressedByReason).toEqual({ throttle_cooldown: 3 });
    expect(await counters(h.store, w.tenantId, T0)).toEqual({ matches: 4, notifications: 1, overQuota: 0 });
    // After the cooldown the second notification still fits (the three throttled ones took nothing)…
    const second = await matches.insertMany(h.store, [single(w, 10n)], new Date(T0.getTime() + 3_600_000));
    expect(second.pendingDeliveryIds).toHaveLength(1);
    // …and the third is over the limit.
    const third = await matches.insertMany(h.store, [single(w, 11n)], new Date(T0.getTime() + 7_200_000));
    expect(third.suppressedByReason).toEqual({ quota_exceeded: 1 });
    expect(await counters(h.store, w.tenantId, T0)).toEqual({ matches: 6, notifications: 2, overQuota: 1 });
  });

  it("a reorg gives never-attempted notifications back to the day's quota; attempted ones stay counted", async () => {
    const world = await limitedWorld(h.store, 4);
    await matches.insertMany(h.store, [newMatch(world, 10n), newMatch(world, 11n)], T0);
    expect(await counters(h.store, world.tenantId, T0)).toMatchObject({ notifications: 4 });
    const [attempted] = await deliveries.claimDue(h.store, { now: T0, limit: 1, owner: "d1", leaseMs: 60_000 });
    expect(attempted).toBeDefined();
    const orphaned = await matches.markOrphaned(h.store, world.network.id, 10n, T0);
    expect(orphaned.suppressedDeliveryIds).toHaveLength(4);
    expect(await counters(h.store, world.tenantId, T0)).toMatchObject({ notifications: 1 });
    const after = await matches.insertMany(h.store, blocks(world, 20, 4), new Date(T0.getTime() + 1_000));
    expect(after.pendingDeliveryIds).toHaveLength(3);
    expect(after.quotaExceededDeliveryIds).toHaveLength(1);
  });

  it("a delivery held back by the quota is replayable once the day has room, and is then counted", async () => {
    const world = await limitedWorld(h.store, 1);
    const result = await matches.insertMany(h.store, blocks(world, 1, 2), T0);
    const [held] = result.quotaExceededDeliveryIds;
    // Today's quota is used up: replaying would go around it, so it is refused and nothing changes.
    await expect(deliveries.replay(h.store, world.tenantId, held!, T0)).rejects.toMatchObject({
      code: "QUOTA_EXCEEDED",
      path: ["notificationsPerDay"],
    });
    expect(await counters(h.store, world.tenantId, T0)).toEqual({ matches: 2, notifications: 1, overQuota: 1 });
    const nextDay = new Date(T0.getTime() + 86_400_000);
    const replayed = await deliveries.replay(h.store, world.tenantId, held!, nextDay);
    expect(replayed).toMatchObject({ status: "pending", suppressedReason: null });
    expect(await counters(h.store, world.tenantId, nextDay)).toMatchObject({ notifications: 1 });
    const claimed = await deliveries.claimDue(h.store, { now: nextDay, limit: 10, owner: "d1", leaseMs: 60_000 });
    expect(claimed.map((c) => c.delivery.id)).toContain(held);
    // Other suppressed deliveries are not replayable.
    const throttled = await monitors.save(h.store, {
      tenantId: world.tenantId,
      id: world.monitor.id,
      name: world.monitor.name,
      config: world.monitor.config,
      throttle: { threshold: { count: 5, windowMs: 60_000 } },
    });
    const cooled = await matches.insertMany(h.store, [single({ ...world, monitor: throttled }, 9n)], T0);
    await expect(deliveries.replay(h.store, world.tenantId, cooled.suppressedDeliveryIds[0]!)).rejects.toMatchObject({
      code: "STORE_INVALID_STATE",
    });
  });

  it("concurrent inserts for one tenant never let more than the limit through", async () => {
    const world = await limitedWorld(h.store, 17);
    // PostgreSQL: several pools (as several dispatch processes); PGlite: one store, calls interleaved.
    const location = h.location;
    const extra =
      "databaseUrl" in location
        ? await Promise.all(Array.from({ length: 4 }, () => createStore({ databaseUrl: location.databaseUrl })))
        : [];
    const stores = extra.length > 0 ? extra : [h.store];
    try {
      const calls = Array.from({ length: 20 }, (_, call) => {
        const store = stores[call % stores.length]!;
        const input = [0, 1, 2].map((i) => newMatch(world, BigInt(call * 10 + i)));
        return matches.insertMany(store, input, T0);
      });
      const results = await Promise.all(calls);
      const pending = results.reduce((n, r) => n + r.pendingDeliveryIds.length, 0);
      const over = results.reduce((n, r) => n + r.quotaExceededDeliveryIds.length, 0);
      expect(pending).toBe(17);
      expect(over).toBe(120 - 17);
      expect(await statuses(h.store, world.tenantId)).toEqual({ pending: 17, quota_exceeded: 103 });
      expect(await counters(h.store, world.tenantId, T0)).toEqual({ matches: 60, notifications: 17, overQuota: 103 });
    } finally {
      await Promise.all(extra.map((store) => store.close()));
    }
  });
});
