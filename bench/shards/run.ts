/**
 * Shard-balance benchmark: 1,000 tenants with Zipf-skewed monitor counts (10,000 monitors, exponent 0.8, as in the
 * engine benchmark) hashed into shards and assigned to 2, 4 and 8 workers by each strategy. Reports max/mean monitors
 * per worker (target ≤ 1.15 for the default strategy), and how much moves when a worker joins or leaves.
 *
 * The shard count is the one `argus start` uses (the `shards.count` setting's default, `ARGUS_SHARD_COUNT`) unless
 * `--shards` says otherwise.
 *
 * Usage: `npx tsx bench/shards/run.ts [--seed N] [--shards N] [--vnodes N]` (or `npm run bench:shards`). Prints one
 * JSON document on stdout.
 */
import { pathToFileURL } from "node:url";
import { SETTINGS, type SettingSpec } from "../../src/settings/index.js";
import {
  assignShards,
  parseShardOptions,
  SHARD_STRATEGIES,
  type ShardLoad,
  type ShardOptions,
  type ShardStrategy,
  shardOf,
} from "../../src/shard/index.js";
import { createRng, createZipf } from "../engine/prng.js";
import { round } from "../stats.js";

export const TARGET_MAX_MEAN = 1.15;
export const WORKER_COUNTS = [2, 4, 8] as const;

export interface ShardBenchOptions {
  seed: number;
  tenants: number;
  monitors: number;
  zipfExponent: number;
  shardCount?: number;
  virtualNodes?: number;
}

/** The shard count Argus runs with when the operator sets none (`shards.count`). */
export const ARGUS_SHARD_COUNT = (SETTINGS as readonly SettingSpec[]).find(
  (spec) => spec.path.join(".") === "shards.count",
)?.default as number;

export const DEFAULT_BENCH_OPTIONS: ShardBenchOptions = {
  seed: 42,
  tenants: 1_000,
  monitors: 10_000,
  zipfExponent: 0.8,
};

export interface Population {
  /** Monitors per tenant, index = tenant rank. */
  monitorsPerTenant: number[];
  load: Required<ShardLoad>;
}

/** Tenants with Zipf-skewed monitor counts, summed per shard; activity = monitors × a per-tenant match rate. */
export function population(options: ShardBenchOptions, shardCount: number): Population {
  const rng = createRng(options.seed);
  const zipf = createZipf(options.tenants, options.zipfExponent);
  const monitorsPerTenant = Array.from({ length: options.tenants }, () => 0);
  for (let i = 0; i < options.monitors; i++) {
    const tenant = zipf.sample(rng);
    monitorsPerTenant[tenant] = (monitorsPerTenant[tenant] ?? 0) + 1;
  }
  const load = {
    monitors: Array.from({ length: shardCount }, () => 0),
    activity: Array.from({ length: shardCount }, () => 0),
    tenants: Array.from({ length: shardCount }, () => 0),
  };
  monitorsPerTenant.forEach((count, rank) => {
    if (count === 0) return;
    const shard = shardOf(`tenant-${String(rank + 1).padStart(4, "0")}`, shardCount);
    // Match rates differ by tenant (0.1× to 10×): activity-based balancing weighs this, not monitor counts.
    const rate = 10 ** (rng.next() * 2 - 1);
    load.monitors[shard] = (load.monitors[shard] ?? 0) + count;
    load.activity[shard] = (load.activity[shard] ?? 0) + count * rate;
    load.tenants[shard] = (load.tenants[shard] ?? 0) + 1;
  });
  return { monitorsPerTenant, load };
}

function workerIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `worker-${i + 1}`);
}

/** max/mean of `values` summed per owner over `workers`. */
function maxMean(owners: readonly (string | null)[], values: readonly number[], workers: readonly string[]): number {
  const per = new Map<string, number>(workers.map((w) => [w, 0]));
  owners.forEach((owner, shard) => {
    if (owner !== null) per.set(owner, (per.get(owner) ?? 0) + (values[shard] ?? 0));
  });
  const total = [...per.values()].reduce((a, b) => a + b, 0);
  return Math.max(...per.values()) / (total / workers.length);
}

export interface StrategyResult {
  strategy: ShardStrategy | "consistent-hash (plain ring)";
  /** max/mean monitors per worker, by worker count. */
  maxMeanMonitors: Record<string, number>;
  /** max/mean activity per worker, by worker count. */
  maxMeanActivity: Record<string, number>;
  /** Share of monitors that moved when a 9th worker joined 8 (ideal: 1/9 ≈ 0.111), after rebalancing. */
  movedOnJoin: number;
  /** Share of monitors that moved when one of 8 workers left (ideal: that worker's share, ≈ 0.125). */
  movedOnLeave: number;
  /** max/mean monitors after the join and after the leave. */
  afterJoin: number;
  afterLeave: number;
}

function movedShare(
  before: readonly (string | null)[],
  after: readonly (string | null)[],
  monitors: readonly number[],
) {
  const total = monitors.reduce((a, b) => a + b, 0);
  let moved = 0;
  after.forEach((owner, shard) => {
    if (owner !== before[shard]) moved += monitors[shard] ?? 0;
  });
  return moved / total;
}

function runStrategy(
  options: ShardOptions,
  load: Required<ShardLoad>,
  label: StrategyResult["strategy"],
): StrategyResult {
  const maxMeanMonitors: Record<string, number> = {};
  const maxMeanActivity: Record<string, number> = {};
  for (const count of WORKER_COUNTS) {
    const workers = workerIds(count);
    const plan = assignShards({ options, workers, load });
    maxMeanMonitors[count] = round(maxMean(plan.assignment.owners, load.monitors, workers));
    maxMeanActivity[count] = round(maxMean(plan.assignment.owners, load.activity, workers));
  }
  const eight = workerIds(8);
  const base = assignShards({ options, workers: eight, load, now: 0 }).assignment;
  const joined = assignShards({ options, workers: [...eight, "worker-9"], load, previous: base, now: 1e9 }).assignment;
  const left = assignShards({ options, workers: eight.slice(1), load, previous: base, now: 1e9 }).assignment;
  return {
    strategy: label,
    maxMeanMonitors,
    maxMeanActivity,
    movedOnJoin: round(movedShare(base.owners, joined.owners, load.monitors)),
    movedOnLeave: round(movedShare(base.owners, left.owners, load.monitors)),
    afterJoin: round(maxMean(joined.owners, load.monitors, [...eight, "worker-9"])),
    afterLeave: round(maxMean(left.owners, load.monitors, eight.slice(1))),
  };
}

export interface ShardBenchReport {
  tenants: number;
  monitors: number;
  zipfExponent: number;
  largestTenantShare: number;
  shardCount: number;
  virtualNodes: number;
  loadFactor: number | null;
  target: number;
  defaultStrategy: ShardStrategy;
  defaultMeetsTarget: boolean;
  results: StrategyResult[];
  durationMs: number;
}

export function runShardBenchmark(bench: ShardBenchOptions = DEFAULT_BENCH_OPTIONS): ShardBenchReport {
  const started = performance.now();
  const base = parseShardOptions({
    shardCount: bench.shardCount ?? ARGUS_SHARD_COUNT,
    ...(bench.virtualNodes === undefined ? {} : { virtualNodes: bench.virtualNodes }),
  });
  const { monitorsPerTenant, load } = population(bench, base.shardCount);
  const results = SHARD_STRATEGIES.map((strategy) => runStrategy({ ...base, strategy }, load, strategy));
  results.splice(1, 0, runStrategy({ ...base, loadFactor: null }, load, "consistent-hash (plain ring)"));
  const defaults = results[0] as StrategyResult;
  return {
    tenants: bench.tenants,
    monitors: bench.monitors,
    zipfExponent: bench.zipfExponent,
    largestTenantShare: round(Math.max(...monitorsPerTenant) / bench.monitors, 4),
    shardCount: base.shardCount,
    virtualNodes: base.virtualNodes,
    loadFactor: base.loadFactor,
    target: TARGET_MAX_MEAN,
    defaultStrategy: base.strategy,
    defaultMeetsTarget: Object.values(defaults.maxMeanMonitors).every((ratio) => ratio <= TARGET_MAX_MEAN),
    results,
    durationMs: round(performance.now() - started, 1),
  };
}

function argument(args: readonly string[], name: string): number | undefined {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} expects a positive integer`);
  return value;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const shardCount = argument(args, "shards");
  const virtualNodes = argument(args, "vnodes");
  const report = runShardBenchmark({
    ...DEFAULT_BENCH_OPTIONS,
    seed: argument(args, "seed") ?? DEFAULT_BENCH_OPTIONS.seed,
    ...(shardCount === undefined ? {} : { shardCount }),
    ...(virtualNodes === undefined ? {} : { virtualNodes }),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
