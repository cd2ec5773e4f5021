import { and, asc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { run, type Store } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { usageCounters } from "./schema.js";

export type UsageCounter = typeof usageCounters.$inferSelect;

/** Metrics Argus counts per tenant. */
export type UsageMetric = "api_calls" | "notifications" | "matches" | (string & {});

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

/** Adds to a counter (created at 0 when absent) in one statement; returns the new value. */
async function increment(store: Store, parameters: IncrementUsageParameters, now: Date = new Date()): Promise<bigint> {
  const by = parameters.by ?? 1n;
  if (typeof by !== "bigint" || by < 0n) {
    throw new StoreError(StoreCode.InvalidArgument, "usage.increment: by must be a non-negative bigint.", {
      path: ["by"],
    });
  }
  return run(store, "usage.increment", async (db) => {
    const [row] = await db
      .insert(usageCounters)
      .values({
        tenantId: parameters.tenantId,
        metric: parameters.metric,
        period: parameters.period,
        value: by,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [usageCounters.tenantId, usageCounters.metric, usageCounters.period],
        set: { value: sql`${usageCounters.value} + ${by}`, updatedAt: now },
      })
      .returning({ value: usageCounters.value });
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
