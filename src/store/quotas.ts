import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { z } from "zod";
import { chunks, run, type Store, type StoreTransaction } from "./db.js";
import { StoreCode, StoreError, toStoreError } from "./errors.js";
import { monitors, networks, tenants, triggers } from "./schema.js";
import { addToCounters, subtractFromCounters, usagePeriod } from "./usage.js";

/** What a tenant may have and do; `null` = unlimited. */
export interface PlanLimits {
  monitors: number | null;
  triggers: number | null;
  /** Private (tenant-owned) networks; platform networks do not count. */
  networks: number | null;
  apiCallsPerMinute: number | null;
  notificationsPerDay: number | null;
}

export type QuotaKind = "monitors" | "triggers" | "networks";

/**
 * Limits per plan. A tenant's `limits` JSON overrides single entries (`{"monitors": 500}`; `null` = unlimited).
 * An unknown plan gets the free plan's limits. `self-hosted` (the built-in default tenant) is unlimited.
 */
export const PLAN_LIMITS: Readonly<Record<"free" | "team" | "enterprise" | "self-hosted", Readonly<PlanLimits>>> = {
  free: { monitors: 10, triggers: 10, networks: 2, apiCallsPerMinute: 120, notificationsPerDay: 1_000 },
  team: { monitors: 200, triggers: 200, networks: 20, apiCallsPerMinute: 1_200, notificationsPerDay: 50_000 },
  enterprise: {
    monitors: 5_000,
    triggers: 5_000,
    networks: 200,
    apiCallsPerMinute: 12_000,
    notificationsPerDay: 1_000_000,
  },
  "self-hosted": { monitors: null, triggers: null, networks: null, apiCallsPerMinute: null, notificationsPerDay: null },
};

const limit = z.number().int().nonnegative().nullable().optional();
const Overrides = z.object({
  monitors: limit,
  triggers: limit,
  networks: limit,
  apiCallsPerMinute: limit,
  notificationsPerDay: limit,
});

/**
 * A tenant's effective limits: its plan's, with its own `limits` overrides applied. Malformed override entries are
 * ignored (the plan's value stands) rather than lifting a limit by accident.
 */
export function limitsFor(tenant: { plan: string; limits: Record<string, unknown> }): PlanLimits {
  const plan = PLAN_LIMITS[tenant.plan as keyof typeof PLAN_LIMITS] ?? PLAN_LIMITS.free;
  const out: PlanLimits = { ...plan };
  for (const key of Object.keys(out) as (keyof PlanLimits)[]) {
    const parsed = Overrides.shape[key].safeParse(tenant.limits[key]);
    if (parsed.success && parsed.data !== undefined && key in tenant.limits) out[key] = parsed.data;
  }
  return out;
}

async function limits(store: Store, tenantId: string): Promise<PlanLimits> {
  return run(store, "quotas.limits", async (db) => {
    const [tenant] = await db
      .select({ plan: tenants.plan, limits: tenants.limits })
      .from(tenants)
      .where(and(eq(tenants.id, tenantId), isNull(tenants.deletedAt)));
    if (tenant === undefined) throw new StoreError(StoreCode.NotFound, `quotas.limits: no tenant ${tenantId}.`);
    return limitsFor(tenant);
  });
}

function liveCount(kind: QuotaKind, tenantId: string) {
  switch (kind) {
    case "monitors":
      return and(eq(monitors.tenantId, tenantId), isNull(monitors.deletedAt));
    case "triggers":
      return and(eq(triggers.tenantId, tenantId), isNull(triggers.deletedAt));
    case "networks":
      return and(eq(networks.tenantId, tenantId), isNull(networks.deletedAt));
  }
}

const TABLES = { monitors, triggers, networks } as const;

/**
 * Makes room for one more `kind` of the tenant, or throws `QUOTA_EXCEEDED`. Locks the tenant's row `FOR UPDATE`
 * and counts its live rows, so concurrent creates of one tenant serialise until the caller's transaction ends: call
 * it inside the transaction that then creates the row (`withTenant` / `withPlatform`), never before it.
 *
 * @example
 * await withTenant(store, tenantId, async (scoped) => {
 *   await quotas.reserve(scoped, tenantId, "monitors");
 *   return monitors.save(scoped, { tenantId, name, config });
 * });
 */
async function reserve(
  store: Store,
  tenantId: string,
  kind: QuotaKind,
): Promise<{ limit: number | null; used: number }> {
  return withLockedTenant(store, tenantId, "quotas.reserve", async (allowed, usedOf) => {
    const max = allowed[kind];
    const used = await usedOf(kind);
    if (max !== null && used >= max) {
      throw new StoreError(
        StoreCode.QuotaExceeded,
        `The tenant's plan allows ${max} ${kind}, and it has ${used}. Delete one, or ask the operator for a larger plan.`,
        { path: [kind] },
      );
    }
    return { limit: max, used };
  });
}

/**
 * After a bulk write (an import) in the caller's transaction: locks the tenant row and refuses (`QUOTA_EXCEEDED`,
 * rolling the whole write back) when the tenant now has more live rows of a kind than its plan allows. Creates that
 * go one by one use `reserve` before inserting instead.
 */
async function enforce(store: Store, tenantId: string, kinds: readonly QuotaKind[]): Promise<void> {
  await withLockedTenant(store, tenantId, "quotas.enforce", async (allowed, usedOf) => {
    for (const kind of kinds) {
      const max = allowed[kind];
      if (max === null) continue;
      const used = await usedOf(kind);
      if (used > max) {
        throw new StoreError(
          StoreCode.QuotaExceeded,
          `The tenant's plan allows ${max} ${kind}; this change would leave it with ${used}. Nothing was changed.`,
          { path: [kind], hint: "Import fewer, delete some first, or ask the operator for a larger plan." },
        );
      }
    }
  });
}

/**
 * Locks the tenant row for the rest of the caller's transaction (so quota decisions of concurrent writers
 * serialise) and hands `fn` the tenant's limits and a counter of its live rows per kind.
 */
async function withLockedTenant<T>(
  store: Store,
  tenantId: string,
  operation: string,
  fn: (allowed: PlanLimits, usedOf: (kind: QuotaKind) => Promise<number>) => Promise<T>,
): Promise<T> {
  if (!(store.db instanceof PgTransaction)) {
    throw new StoreError(
      StoreCode.InvalidArgument,
      `${operation}: call it inside withTenant() or withPlatform(); outside a transaction the lock would end at once.`,
      { path: ["store"] },
    );
  }
  const db = store.db;
  try {
    const [tenant] = await db
      .select({ plan: tenants.plan, limits: tenants.limits })
      .from(tenants)
      .where(and(eq(tenants.id, tenantId), isNull(tenants.deletedAt)))
      .for("update");
    if (tenant === undefined) throw new StoreError(StoreCode.NotFound, `${operation}: no tenant ${tenantId}.`);
    const usedOf = async (kind: QuotaKind) => {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(TABLES[kind])
        .where(liveCount(kind, tenantId));
      return row?.n ?? 0;
    };
    return await fn(limitsFor(tenant), usedOf);
  } catch (error) {
    throw toStoreError(error, operation);
  }
}

/** What one `matches.insertMany` call adds to a tenant's day. */
export interface DailyCharge {
  tenantId: string;
  /** New matches stored. */
  matches: number;
  /** Deliveries that would be sent (not held back by throttling): what `notificationsPerDay` limits. */
  notifications: number;
}

/**
 * @internal Counts a tenant's new matches and takes up to `notifications` of its UTC day's `notificationsPerDay`,
 * inside the caller's transaction; returns, per tenant, how many notifications fit (the rest are over quota).
 *
 * One upsert adds every counter and locks its rows (sorted: no deadlock) until the caller commits, so concurrent
 * callers for a tenant serialise on its `notifications` row and each sees the value the previous one committed:
 * the sum of what fits never exceeds the limit. The upsert's returned value decides; a tenant that went over gets its
 * counter set back to what fit (before anyone else can read it) and `notifications_quota_exceeded` counts the rest.
 * Unlimited tenants cost nothing beyond that upsert.
 */
export async function chargeDailyUsage(
  tx: StoreTransaction,
  charges: readonly DailyCharge[],
  now: Date,
): Promise<Map<string, number>> {
  const fits = new Map<string, number>();
  const period = usagePeriod("day", now);
  const limitOf = new Map<string, number | null>();
  const limited = charges.filter((c) => c.notifications > 0).map((c) => c.tenantId);
  for (const part of chunks(limited, 500)) {
    const rows = await tx
      .select({ id: tenants.id, plan: tenants.plan, limits: tenants.limits })
      .from(tenants)
      .where(inArray(tenants.id, part));
    for (const row of rows) limitOf.set(row.id, limitsFor(row).notificationsPerDay);
  }
  const counted = await addToCounters(
    tx,
    charges.flatMap((c) => [
      ...(c.matches > 0 ? [{ tenantId: c.tenantId, metric: "matches", period, by: BigInt(c.matches) }] : []),
      ...(c.notifications > 0
        ? [{ tenantId: c.tenantId, metric: "notifications", period, by: BigInt(c.notifications) }]
        : []),
    ]),
    now,
  );
  const over: { tenantId: string; excess: bigint }[] = [];
  for (const row of counted) {
    if (row.metric !== "notifications") continue;
    const limit = limitOf.get(row.tenantId) ?? null;
    const want = row.by;
    let fit = want;
    if (limit !== null) {
      const before = row.value - want;
      const room = BigInt(limit) - before;
      fit = room <= 0n ? 0n : room < want ? room : want;
    }
    fits.set(row.tenantId, Number(fit));
    if (fit < want) over.push({ tenantId: row.tenantId, excess: want - fit });
  }
  await subtractFromCounters(
    tx,
    over.map(({ tenantId, excess }) => ({ tenantId, metric: "notifications", period, by: excess })),
    now,
  );
  await addToCounters(
    tx,
    over.map(({ tenantId, excess }) => ({ tenantId, metric: "notifications_quota_exceeded", period, by: excess })),
    now,
  );
  return fits;
}

/** Plan limits and their transactional enforcement. */
export const quotas = { limits, reserve, enforce, limitsFor };
