/**
 * Shard → worker assignment: pure and deterministic. Every worker that computes a plan from the same input (live
 * workers in any order, per-shard load, the previous assignment, the time) gets the same assignment, so the cluster
 * needs no coordinator to agree — only a shared `previous` (the published assignment) and the same options.
 *
 * Strategies (each computes a target from scratch):
 * - `consistent-hash` (default): a ring of `virtualNodes` points per worker; a shard belongs to the first point
 *   clockwise of its own hash. With `loadFactor` (bounded loads, Mirrokni–Thorup–Zadimoghaddam), a shard walks on
 *   past workers that already carry `loadFactor` × the mean monitor load, heaviest shards first.
 * - `round-robin`: shard i → the i-th worker mod the count, by sorted id (ignores load).
 * - `least-loaded`: heaviest shard first, each to the worker with the least monitors (greedy LPT).
 * - `activity`: as least-loaded, weighted by `load.activity` (recent matches and evaluations).
 *
 * A plan then keeps what it can: shards on live workers stay put, departed workers' shards (orphans) go to their
 * target owner (consistent-hash, round-robin) or the least-loaded worker, and shards move between live workers only
 * when max/mean or mean/min load exceeds `rebalanceThreshold`, at most once per `minRebalanceIntervalMs`, and only if that
 * improves the balance. `maxTenantsPerWorker` is never exceeded: a shard that fits nowhere stays unassigned.
 */
import { ShardCode, ShardError } from "./errors.js";
import { hash32 } from "./hash.js";
import type { ShardOptions, ShardStrategy } from "./options.js";

/** Per-shard figures, indexed by shard number (missing entries count as 0). */
export interface ShardLoad {
  /** Monitors in each shard: the load of `consistent-hash` (bounded) and `least-loaded`. */
  monitors?: readonly number[];
  /** Recent activity of each shard (e.g. matches + evaluations): the load of `activity` (falls back to monitors). */
  activity?: readonly number[];
  /** Tenants in each shard: needed by `maxTenantsPerWorker`. */
  tenants?: readonly number[];
}

/** Who owns which shard: the state a cluster publishes and feeds back as `previous`. Plain JSON. */
export interface ShardAssignment {
  readonly shardCount: number;
  readonly strategy: ShardStrategy;
  /** `owners[shard]`: a worker id, or `null` while unassigned. */
  readonly owners: readonly (string | null)[];
  /** Increases by one whenever an owner changes. */
  readonly epoch: number;
  /** When shards last moved between live workers voluntarily; `null` before the first such rebalance. */
  readonly rebalancedAt: number | null;
}

export interface AssignShardsInput {
  options: ShardOptions;
  /** Live worker ids (any order; duplicates ignored). */
  workers: readonly string[];
  load?: ShardLoad;
  /** The assignment in force; omitted (or of another shard count/strategy) means "compute from scratch". */
  previous?: ShardAssignment;
  /** Milliseconds, for `minRebalanceIntervalMs` (the caller's wall clock). @default 0 */
  now?: number;
}

export type ShardPlanReason =
  /** No usable previous assignment: the strategy's target. */
  | "initial"
  /** Only shards of departed workers (or unassigned ones) were placed. */
  | "membership"
  /** Shards moved between live workers to restore balance. */
  | "rebalance"
  /** Balance is over the threshold but the minimum interval has not passed: see `nextRebalanceAt`. */
  | "deferred"
  | "unchanged";

export interface ShardPlan {
  assignment: ShardAssignment;
  reason: ShardPlanReason;
  /** Shards whose owner differs from `previous` (every assigned shard for an initial plan). */
  moved: number[];
  unassigned: number[];
  /** max / mean of the strategy's load over live workers (1 = perfectly even). */
  imbalance: number;
  /** The strategy's load per worker. */
  loads: Record<string, number>;
  /** When a deferred rebalance becomes due. */
  nextRebalanceAt: number | null;
  /** Problems as values: no workers, capacity exceeded, tenant counts missing. */
  problems: ShardError[];
}

/** The shards a worker owns, ascending. */
export function shardsOwnedBy(assignment: ShardAssignment, workerId: string): number[] {
  const owned: number[] = [];
  assignment.owners.forEach((owner, shard) => {
    if (owner === workerId) owned.push(shard);
  });
  return owned;
}

const EPSILON = 1e-9;

function figure(values: readonly number[] | undefined, shard: number, what: string): number {
  const value = values?.[shard] ?? 0;
  if (!Number.isFinite(value) || value < 0) {
    throw new ShardError(
      ShardCode.InputInvalid,
      `Invalid ${what} for shard ${shard}: ${value}. Expected a number ≥ 0.`,
      {
        path: ["load", what, shard],
      },
    );
  }
  return value;
}

function strategyWeights(strategy: ShardStrategy, load: ShardLoad | undefined, shardCount: number): number[] {
  // Round-robin balances shard counts by design; weighing it by monitors would judge it by what it ignores.
  if (strategy === "round-robin") return Array.from({ length: shardCount }, () => 1);
  const source = strategy === "activity" && load?.activity !== undefined ? "activity" : "monitors";
  const values = load?.[source];
  // Without figures every shard weighs the same, so balance means an even number of shards.
  if (values === undefined) return Array.from({ length: shardCount }, () => 1);
  return Array.from({ length: shardCount }, (_, shard) => figure(values, shard, source));
}

/** Mutable placement state with loads and tenant counts per worker. */
class Packing {
  readonly owners: (string | null)[];
  readonly load = new Map<string, number>();
  readonly tenantsOn = new Map<string, number>();
  readonly count = new Map<string, number>();

  constructor(
    readonly workers: readonly string[],
    readonly weights: readonly number[],
    readonly tenants: readonly number[] | null,
    readonly cap: number | null,
  ) {
    this.owners = weights.map(() => null);
    for (const worker of workers) {
      this.load.set(worker, 0);
      this.tenantsOn.set(worker, 0);
      this.count.set(worker, 0);
    }
  }

  weight(shard: number): number {
    return this.weights[shard] ?? 0;
  }

  fits(worker: string, shard: number): boolean {
    if (this.cap === null || this.tenants === null) return true;
    return (this.tenantsOn.get(worker) ?? 0) + (this.tenants[shard] ?? 0) <= this.cap;
  }

  place(shard: number, worker: string): void {
    this.owners[shard] = worker;
    this.load.set(worker, (this.load.get(worker) ?? 0) + this.weight(shard));
    this.tenantsOn.set(worker, (this.tenantsOn.get(worker) ?? 0) + (this.tenants?.[shard] ?? 0));
    this.count.set(worker, (this.count.get(worker) ?? 0) + 1);
  }

  remove(shard: number): void {
    const worker = this.owners[shard];
    if (worker === null || worker === undefined) return;
    this.owners[shard] = null;
    this.load.set(worker, (this.load.get(worker) ?? 0) - this.weight(shard));
    this.tenantsOn.set(worker, (this.tenantsOn.get(worker) ?? 0) - (this.tenants?.[shard] ?? 0));
    this.count.set(worker, (this.count.get(worker) ?? 0) - 1);
  }

  /** The worker with the least load that can take `shard` (ties: fewer shards, then id), or null. */
  leastLoaded(shard: number): string | null {
    let best: string | null = null;
    for (const worker of this.workers) {
      if (!this.fits(worker, shard)) continue;
      if (best === null || this.before(worker, best)) best = worker;
    }
    return best;
  }

  private before(a: string, b: string): boolean {
    const [la, lb] = [this.load.get(a) ?? 0, this.load.get(b) ?? 0];
    if (la !== lb) return la < lb;
    const [ca, cb] = [this.count.get(a) ?? 0, this.count.get(b) ?? 0];
    if (ca !== cb) return ca < cb;
    return a < b;
  }

  total(): number {
    let sum = 0;
    for (const worker of this.workers) sum += this.load.get(worker) ?? 0;
    return sum;
  }

  imbalance(): number {
    const total = this.total();
    if (this.workers.length === 0 || total <= 0) return 1;
    let max = 0;
    for (const worker of this.workers) max = Math.max(max, this.load.get(worker) ?? 0);
    return max / (total / this.workers.length);
  }

  /**
   * max(max/mean, mean/min): over the threshold when a worker carries too much *or* too little (an idle new worker
   * is infinitely under-loaded, so a join is never ignored however many workers share the rest).
   */
  spread(): number {
    const total = this.total();
    if (this.workers.length === 0 || total <= 0) return 1;
    const mean = total / this.workers.length;
    let [max, min] = [0, Number.POSITIVE_INFINITY];
    for (const worker of this.workers) {
      const load = this.load.get(worker) ?? 0;
      max = Math.max(max, load);
      min = Math.min(min, load);
    }
    return Math.max(max / mean, min <= 0 ? Number.POSITIVE_INFINITY : mean / min);
  }

  clone(): Packing {
    const copy = new Packing(this.workers, this.weights, this.tenants, this.cap);
    this.owners.forEach((owner, shard) => {
      if (owner !== null) copy.place(shard, owner);
    });
    return copy;
  }
}

/** Shards heaviest first (ties by index): placing big items first packs tighter. */
function heaviestFirst(weights: readonly number[]): number[] {
  return weights.map((_, shard) => shard).sort((a, b) => (weights[b] ?? 0) - (weights[a] ?? 0) || a - b);
}

interface Ring {
  hashes: number[];
  workers: string[];
}

function buildRing(workers: readonly string[], virtualNodes: number): Ring {
  const points: Array<{ hash: number; worker: string }> = [];
  for (const worker of workers) {
    for (let v = 0; v < virtualNodes; v++) points.push({ hash: hash32(`${worker}#${v}`), worker });
  }
  points.sort((a, b) => a.hash - b.hash || (a.worker < b.worker ? -1 : a.worker > b.worker ? 1 : 0));
  return { hashes: points.map((p) => p.hash), workers: points.map((p) => p.worker) };
}

/** Index of the first ring point at or after `hash`, wrapping. */
function ringStart(ring: Ring, hash: number): number {
  let lo = 0;
  let hi = ring.hashes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ring.hashes[mid] ?? 0) < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo === ring.hashes.length ? 0 : lo;
}

export function shardRingHash(shard: number): number {
  return hash32(`shard:${shard}`);
}

function consistentHashTarget(packing: Packing, options: ShardOptions): void {
  const ring = buildRing(packing.workers, options.virtualNodes);
  const capacity =
    options.loadFactor === null
      ? Number.POSITIVE_INFINITY
      : (options.loadFactor * packing.weights.reduce((a, b) => a + b, 0)) / packing.workers.length;
  for (const shard of heaviestFirst(packing.weights)) {
    const weight = packing.weight(shard);
    const start = ringStart(ring, shardRingHash(shard));
    const seen = new Set<string>();
    let chosen: string | null = null;
    for (let i = 0; i < ring.workers.length && seen.size < packing.workers.length; i++) {
      const worker = ring.workers[(start + i) % ring.workers.length] as string;
      if (seen.has(worker)) continue;
      seen.add(worker);
      if (packing.fits(worker, shard) && (packing.load.get(worker) ?? 0) + weight <= capacity + EPSILON) {
        chosen = worker;
        break;
      }
    }
    // A shard heavier than any room left goes where it hurts least.
    chosen ??= packing.leastLoaded(shard);
    if (chosen !== null) packing.place(shard, chosen);
  }
}

function roundRobinTarget(packing: Packing): void {
  packing.weights.forEach((_, shard) => {
    const preferred = packing.workers[shard % packing.workers.length] as string;
    const chosen = packing.fits(preferred, shard) ? preferred : packing.leastLoaded(shard);
    if (chosen !== null) packing.place(shard, chosen);
  });
}

function leastLoadedTarget(packing: Packing): void {
  for (const shard of heaviestFirst(packing.weights)) {
    const chosen = packing.leastLoaded(shard);
    if (chosen !== null) packing.place(shard, chosen);
  }
}

function target(packing: Packing, options: ShardOptions): Packing {
  if (options.strategy === "consistent-hash") consistentHashTarget(packing, options);
  else if (options.strategy === "round-robin") roundRobinTarget(packing);
  else leastLoadedTarget(packing);
  return packing;
}

/**
 * Moves single shards from the most to the least loaded worker while that lowers the maximum, until the balance is
 * within `threshold`: few moves, each an improvement (for the weight-driven strategies, whose from-scratch target
 * would reshuffle everything on a small change).
 */
function incrementalRebalance(packing: Packing, threshold: number): Packing {
  const result = packing.clone();
  const mean = result.total() / result.workers.length;
  if (mean <= 0) return result;
  for (let step = 0; step < result.owners.length * 2; step++) {
    if (result.spread() <= threshold + EPSILON) break;
    const sorted = [...result.workers].sort(
      (a, b) => (result.load.get(a) ?? 0) - (result.load.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
    );
    const lightest = sorted[0] as string;
    const heaviest = sorted[sorted.length - 1] as string;
    const high = result.load.get(heaviest) ?? 0;
    const gap = high - (result.load.get(lightest) ?? 0);
    let best = -1;
    result.owners.forEach((owner, shard) => {
      if (owner !== heaviest) return;
      const weight = result.weight(shard);
      if (weight <= 0 || weight >= gap - EPSILON || !result.fits(lightest, shard)) return;
      if (best < 0 || Math.abs(gap / 2 - weight) < Math.abs(gap / 2 - result.weight(best)) - EPSILON) best = shard;
    });
    if (best < 0) break;
    result.remove(best);
    result.place(best, lightest);
  }
  return result;
}

function normalizeWorkers(workers: readonly string[]): string[] {
  for (const [index, worker] of workers.entries()) {
    if (typeof worker !== "string" || worker.length === 0) {
      throw new ShardError(
        ShardCode.InputInvalid,
        `Invalid worker id at index ${index}: expected a non-empty string.`,
        {
          path: ["workers", index],
        },
      );
    }
  }
  return [...new Set(workers)].sort();
}

function usablePrevious(input: AssignShardsInput): ShardAssignment | undefined {
  const previous = input.previous;
  if (previous === undefined) return undefined;
  if (previous.shardCount !== input.options.shardCount || previous.strategy !== input.options.strategy)
    return undefined;
  if (previous.owners.length !== previous.shardCount) {
    throw new ShardError(
      ShardCode.InputInvalid,
      `Invalid previous assignment: ${previous.owners.length} owners for ${previous.shardCount} shards.`,
      { path: ["previous", "owners"] },
    );
  }
  return previous;
}

/**
 * Plans the assignment of every shard to the live workers (see the module comment for the rules).
 *
 * Invariants: each shard has exactly one owner among `workers` or is in `unassigned`; no worker exceeds
 * `maxTenantsPerWorker`; the same input always yields the same plan.
 */
export function assignShards(input: AssignShardsInput): ShardPlan {
  const { options } = input;
  const now = input.now ?? 0;
  const workers = normalizeWorkers(input.workers);
  const weights = strategyWeights(options.strategy, input.load, options.shardCount);
  const problems: ShardError[] = [];
  let tenants: number[] | null = null;
  if (input.load?.tenants !== undefined) {
    const counts = input.load.tenants;
    tenants = weights.map((_, shard) => figure(counts, shard, "tenants"));
  } else if (options.maxTenantsPerWorker !== null) {
    problems.push(
      new ShardError(
        ShardCode.TenantsUnknown,
        "maxTenantsPerWorker is set but no tenant counts per shard were given (load.tenants); the cap was not applied.",
        { path: ["load", "tenants"] },
      ),
    );
  }
  const fresh = (): Packing => new Packing(workers, weights, tenants, options.maxTenantsPerWorker);
  const previous = usablePrevious(input);

  let packing: Packing;
  let reason: ShardPlanReason;
  let rebalancedAt: number | null = previous?.rebalancedAt ?? null;
  let nextRebalanceAt: number | null = null;
  if (workers.length === 0) {
    packing = fresh();
    reason = previous === undefined ? "initial" : "membership";
  } else if (previous === undefined) {
    packing = target(fresh(), options);
    reason = "initial";
  } else {
    packing = fresh();
    const live = new Set(workers);
    const orphans: number[] = [];
    previous.owners.forEach((owner, shard) => {
      if (owner !== null && live.has(owner) && packing.fits(owner, shard)) packing.place(shard, owner);
      else orphans.push(shard);
    });
    const ideal =
      options.strategy === "consistent-hash" || options.strategy === "round-robin" ? target(fresh(), options) : null;
    const orphaned = new Set(orphans);
    for (const shard of heaviestFirst(weights).filter((s) => orphaned.has(s))) {
      const preferred = ideal?.owners[shard] ?? null;
      const chosen = preferred !== null && packing.fits(preferred, shard) ? preferred : packing.leastLoaded(shard);
      if (chosen !== null) packing.place(shard, chosen);
    }
    reason = "membership";
    const spread = packing.spread();
    if (spread > options.rebalanceThreshold + EPSILON) {
      const dueAt = rebalancedAt === null ? Number.NEGATIVE_INFINITY : rebalancedAt + options.minRebalanceIntervalMs;
      if (now >= dueAt) {
        const candidate = ideal ?? incrementalRebalance(packing, options.rebalanceThreshold);
        if (candidate.spread() < spread - EPSILON) {
          packing = candidate;
          reason = "rebalance";
          rebalancedAt = now;
        }
      } else {
        reason = "deferred";
        nextRebalanceAt = dueAt;
      }
    }
  }

  const owners = packing.owners;
  const unassigned = owners.flatMap((owner, shard) => (owner === null ? [shard] : []));
  const moved = owners.flatMap((owner, shard) =>
    owner !== null && owner !== (previous?.owners[shard] ?? null) ? [shard] : [],
  );
  const changed = previous === undefined || owners.some((owner, shard) => owner !== previous.owners[shard]);
  if (previous !== undefined && !changed && reason === "membership") reason = "unchanged";
  if (workers.length === 0) {
    problems.push(
      new ShardError(ShardCode.NoWorkers, "No live workers: every shard is unassigned.", { path: ["workers"] }),
    );
  } else if (unassigned.length > 0) {
    problems.push(
      new ShardError(
        ShardCode.CapacityExceeded,
        `${unassigned.length} shard(s) fit on no worker under maxTenantsPerWorker=${options.maxTenantsPerWorker}.`,
        {
          path: ["maxTenantsPerWorker"],
          shards: unassigned,
          hint: "Add workers or raise maxTenantsPerWorker; these shards' tenants are not evaluated meanwhile.",
        },
      ),
    );
  }
  const loads: Record<string, number> = {};
  for (const worker of workers) loads[worker] = packing.load.get(worker) ?? 0;
  return {
    assignment: {
      shardCount: options.shardCount,
      strategy: options.strategy,
      owners,
      epoch: previous === undefined ? 1 : previous.epoch + (changed ? 1 : 0),
      rebalancedAt,
    },
    reason,
    moved,
    unassigned,
    imbalance: packing.imbalance(),
    loads,
    nextRebalanceAt,
    problems,
  };
}
