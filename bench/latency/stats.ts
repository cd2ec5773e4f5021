/** Pure helpers of the latency benchmark: quantiles, summaries and the computed OZ cron baseline. */
import { quantile, round as roundTo } from "../stats.js";

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export { quantile } from "../stats.js";

/** Latency figures are milliseconds: one decimal by default. */
export function round(value: number, digits = 1): number {
  return roundTo(value, digits);
}

export function summarize(values: readonly number[], digits = 1): Summary {
  const mean = values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    count: values.length,
    min: round(values.length === 0 ? Number.NaN : Math.min(...values), digits),
    mean: round(mean, digits),
    p50: round(quantile(values, 0.5), digits),
    p90: round(quantile(values, 0.9), digits),
    p99: round(quantile(values, 0.99), digits),
    max: round(values.length === 0 ? Number.NaN : Math.max(...values), digits),
  };
}

export interface CronBaseline {
  method: "computed";
  cronIntervalMs: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  assumptions: string;
}

/**
 * OZ Monitor polls on a cron schedule: a block that appears at a uniformly random moment waits for the next firing,
 * so its wait is uniform on [0, interval): mean interval/2, quantile q at q × interval. Processing after the firing
 * (OZ's fetch, filter and notify) comes on top and is not included: this is a lower bound, computed, not measured.
 */
export function cronBaseline(intervalMs = 60_000): CronBaseline {
  return {
    method: "computed",
    cronIntervalMs: intervalMs,
    mean: intervalMs / 2,
    p50: round(intervalMs * 0.5),
    p90: round(intervalMs * 0.9),
    p99: round(intervalMs * 0.99),
    max: intervalMs,
    assumptions:
      "Wait for the next firing of a once-a-minute cron poll, block arrival uniform over the minute (wait ~ U(0, 60 s)); " +
      "OZ's processing after the firing (fetch, filter, notify) is not included, so real OZ latency is higher.",
  };
}

/** Blocks per second, rounded; 0 when no time passed (never Infinity in the JSON). */
export function rate(blocks: number, seconds: number): number {
  return seconds > 0 ? round(blocks / seconds, 1) : 0;
}

/**
 * Splits `total` blocks into `transfers` single-block transfers and `transfers + 1` runs of empty mined blocks
 * (as equal as possible), so the transfers sit inside the range, not at its ends.
 */
export function interleave(total: number, transfers: number): number[] {
  if (!Number.isInteger(total) || !Number.isInteger(transfers) || transfers < 0 || total < transfers) {
    throw new Error(`cannot place ${transfers} transfers in ${total} blocks`);
  }
  const empty = total - transfers;
  const runs = transfers + 1;
  return Array.from({ length: runs }, (_, i) => Math.floor(empty / runs) + (i < empty % runs ? 1 : 0));
}
