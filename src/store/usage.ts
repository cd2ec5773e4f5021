import { and, asc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { chunks, run, type Store, type StoreExecutor } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { usageCounters } from "./schema.js";

export type UsageCounter = typeof usageCounters.$inferSelect;

/**
 * Metrics Argus counts per tenant: `api_calls` (by the API); per UTC day, counted by the store in the transaction
 * that stores matches: `matches` (new matches), `notifications` (deliveries enqueued to be sent, what
 * `notificationsPerDay` limits) and `notifications_quota_exceeded` (deliveries held back by that limit).
 */
export type UsageMetric = "api_calls" | "notifications" | "matches" | "notifications_quota_exceeded" | (string & {});

export type UsageGranularity = "minute" | "hour" | "day" | "month";

/**
 * The period key of `at` (UTC): `2026-07-01T12:34` (minute), `2026-07-01T12` (hour), `2026-07-01` (day),
 * `2026-07` (month). Keys sort chronologically as text.
 */
export function usagePeriod(granularity: UsageGranularity, at: Date = new Date()): string {
  const iso = at.toISOString();
  switch (granularity) {
    case "minute":
      return iso.slice(0, 16);
    case "hour":
      return iso.slice(0, 13);
    case "day":
      return iso.slice(0, 10);
    case "month":
      return iso.slice(0, 7);
  }
}

export interface IncrementUsageParameters {
  tenantId: string;
  metric: UsageMetric;
  period: string;
  /** @default 1n */
  by?: bigint;
}

/** One addition for `addToCounters`. */
export interface CounterAddition {
  tenantId: string;
  metric: UsageMetric;
  period: string;
  by: bigint;
}

const counterKey = (a: { tenantId: string; metric: string; period: string }) =>
  `${a.tenantId}\u0000${a.metric}\u0000${a.period}`;

/**
 * One entry per counter (amounts of a repeated counter summed), in one fixed order: every writer takes counter row
 * locks in this order, so two transactions never wait for each other's counters crosswise.
 */
function mergeSorted(additions: readonly CounterAddition[]): CounterAddition[] {
  const merged = new Map<string, CounterAddition>();
  for (const a of additions) {
    const key = counterKey(a);
    const seen = merged.get(key);
    merged.set(key, seen === undefined ? { ...a } : { ...seen, by: seen.by + a.by });
  }
  return [...merged.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, a]) => a);
}

/** Rows per upsert statement (6 parameters each; PostgreSQL allows 65535 per statement). */
const UPSERT_CHUNK = 1_000;

/**
 * @internal Adds to several counters (each created at 0 when absent) and returns their new values, one entry per
 * counter (repeated counters are summed) in `(tenant, metric, period)` order. The upsert locks each counter row until
 * the caller's transaction ends, taking them in that sorted order, so concurrent callers serialise per counter and
 * cannot deadlock on each other.
 */
export async function addToCounters(
  executor: StoreExecutor,
  additions: readonly CounterAddition[],
  now: Date,
): Promise<(CounterAddition & { value: bigint })[]> {
  const sorted = mergeSorted(additions);
  const values = new Map<string, bigint>();
  for (const part of chunks(sorted, UPSERT_CHUNK)) {
    const rows = await executor
      .insert(usageCounters)
      .values(
        part.map((a) => ({
          tenantId: a.tenantId,
          metric: a.metric,
          period: a.period,
          value: a.by,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: [usageCounters.tenantId, usageCounters.metric, usageCounters.period],
        set: { value: sql`${usageCounters.value} + excluded.value`, updatedAt: now },
      })
      .returning({
        tenantId: usageCounters.tenantId,
        metric: usageCounters.metric,
        period: usageCounters.period,
        value: usageCounters.value,
      });
    for (const row of rows) values.set(counterKey(row), row.value);
  }
  return sorted.map((a) => ({ ...a, value: values.get(counterKey(a)) ?? a.by }));
}

/**
 * @internal Takes amounts back from counters (never below 0; absent counters stay absent), in the same sorted order
 * as `addToCounters` takes its locks.
 */
export async function subtractFromCounters(
  executor: StoreExecutor,
  subtractions: readonly CounterAddition[],
  now: Date,
): Promise<void> {
  for (const a of mergeSorted(subtractions)) {
    if (a.by <= 0n) continue;
    await executor
      .update(usageCounters)
      .set({ value: sql`greatest(0, ${usageCounters.value} - ${a.by})`, updatedAt: now })
      .where(
        and(
          eq(usageCounters.tenantId, a.tenantId),
          eq(usageCounters.metric, a.metric),
          eq(usageCounters.period, a.period),
        ),
      );
  }
}

/** Adds to a counter (created at 0 when absent) in one statement; returns the new value. */
async function increment(store: Store, parameters: IncrementUsageParameters, now: Date = new Date()): Promise<bigint> {
  const by = parameters.by ?? 1n;
  if (typeof by !== "bigint" || by < 0n) {
    throw new StoreError(StoreCode.InvalidArgument, "usage.increment: by must be a non-negative bigint.", {
      path: ["by"],
    });
  }
  return run(store, "usage.increment", async (db) => {
    const [row] = await addToCounters(
      db,
      [{ tenantId: parameters.tenantId, metric: parameters.metric, period: parameters.period, by }],
      now,
    );
    return row!.value;
  });
}

/** A counter's value (0n when never incremented). */
async function get(store: Store, tenantId: string, metric: UsageMetric, period: string): Promise<bigint> {
  return run(store, "usage.get", async (db) => {
    const [row] = await db
      .select({ value: usageCounters.value })
      .from(usageCounters)
      .where(
        and(eq(usageCounters.tenantId, tenantId), eq(usageCounters.metric, metric), eq(usageCounters.period, period)),
      );
    return row?.value ?? 0n;
  });
}

/** A tenant's counters, by metric then period; `from`/`to` bound the period keys (inclusive). */
async function list(
  store: Store,
  tenantId: string,
  filter: { metric?: UsageMetric; from?: string; to?: string } = {},
): Promise<UsageCounter[]> {
  const where: SQL[] = [eq(usageCounters.tenantId, tenantId)];
  if (filter.metric !== undefined) where.push(eq(usageCounters.metric, filter.metric));
  if (filter.from !== undefined) where.push(gte(usageCounters.period, filter.from));
  if (filter.to !== undefined) where.push(lte(usageCounters.period, filter.to));
  return run(store, "usage.list", (db) =>
    db
      .select()
      .from(usageCounters)
      .where(and(...where))
      .orderBy(asc(usageCounters.metric), asc(usageCounters.period)),
  );
}

/** Usage counters per tenant × metric × period (API calls per minute, notifications per day, …). */
export const usage = { increment, get, list };
