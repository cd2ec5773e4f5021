import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AssignShardsInput,
  assignShards,
  parseShardOptions,
  SHARD_STRATEGIES,
  type ShardAssignment,
  ShardCode,
  type ShardOptions,
  shardsOwnedBy,
} from "../../../src/shard/index.js";

const workerId = fc.stringMatching(/^[a-z0-9-]{1,10}$/);
const workerSet = (min = 1, max = 10) => fc.uniqueArray(workerId, { minLength: min, maxLength: max });
const strategy = fc.constantFrom(...SHARD_STRATEGIES);

/** A shard count with monitor and tenant figures for each shard. */
const shardsWithLoad = fc.integer({ min: 1, max: 96 }).chain((shardCount) =>
  fc.record({
    shardCount: fc.constant(shardCount),
    monitors: fc.array(fc.nat(500), { minLength: shardCount, maxLength: shardCount }),
    activity: fc.array(fc.nat(500), { minLength: shardCount, maxLength: shardCount }),
    tenants: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: shardCount, maxLength: shardCount }),
  }),
);

function options(overrides: Partial<ShardOptions> & { shardCount: number }): ShardOptions {
  return parseShardOptions({ virtualNodes: 16, ...overrides });
}

function tenantsPerWorker(assignment: ShardAssignment, tenants: readonly number[]): Map<string, number> {
  const per = new Map<string, number>();
  assignment.owners.forEach((owner, shard) => {
    if (owner !== null) per.set(owner, (per.get(owner) ?? 0) + (tenants[shard] ?? 0));
  });
  return per;
}

function expectEveryShardOnceOnLiveWorkers(assignment: ShardAssignment, workers: readonly string[]): void {
  expect(assignment.owners).toHaveLength(assignment.shardCount);
  const live = new Set(workers);
  for (const owner of assignment.owners) expect(owner !== null && live.has(owner)).toBe(true);
  const owned = workers.flatMap((w) => shardsOwnedBy(assignment, w)).sort((a, b) => a - b);
  expect(owned).toEqual(Array.from({ length: assignment.shardCount }, (_, i) => i));
}

describe("assignShards(): every shard exactly once", () => {
  it("initial plans of every strategy put each shard on exactly one live worker", () => {
    fc.assert(
      fc.property(shardsWithLoad, workerSet(), strategy, (shards, workers, strat) => {
        const plan = assignShards({
          options: options({ shardCount: shards.shardCount, strategy: strat }),
          workers,
          load: shards,
        });
        expectEveryShardOnceOnLiveWorkers(plan.assignment, workers);
        expect(plan.unassigned).toEqual([]);
        expect(plan.problems).toEqual([]);
        expect(plan.reason).toBe("initial");
      }),
    );
  });

  it("after any membership change (joins and leaves at once), still exactly once on live workers", () => {
    fc.assert(
      fc.property(
        shardsWithLoad,
        workerSet(),
        workerSet(),
        strategy,
        fc.nat(100_000),
        (shards, before, after, strat, now) => {
          const opts = options({ shardCount: shards.shardCount, strategy: strat, minRebalanceIntervalMs: 50_000 });
          const previous = assignShards({ options: opts, workers: before, load: shards }).assignment;
          const plan = assignShards({ options: opts, workers: after, load: shards, previous, now });
          expectEveryShardOnceOnLiveWorkers(plan.assignment, after);
          // Shards whose owner stayed alive only move in a rebalance.
          if (plan.reason !== "rebalance") {
            for (const shard of plan.moved) expect(after).not.toContain(previous.owners[shard]);
          }
        },
      ),
    );
  });

  it("no workers: every shard unassigned, reported as SHARD_NO_WORKERS", () => {
    const plan = assignShards({ options: options({ shardCount: 8 }), workers: [] });
    expect(plan.unassigned).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(plan.problems.map((p) => p.code)).toEqual([ShardCode.NoWorkers]);
  });
});

describe("assignShards(): determinism", () => {
  it("the same input in any worker order yields the same plan", () => {
    fc.assert(
      fc.property(
        shardsWithLoad,
        workerSet(),
        strategy,
        fc.boolean(),
        fc.integer({ min: 0, max: 2 }).chain((n) => fc.constant(n)),
        (shards, workers, strat, bounded, extra) => {
          const opts = options({ shardCount: shards.shardCount, strategy: strat, loadFactor: bounded ? 1.1 : null });
          const previous = assignShards({ options: opts, workers: workers.slice(extra), load: shards }).assignment;
          const input = (order: string[]): AssignShardsInput => ({
            options: opts,
            workers: order,
            load: shards,
            previous,
            now: 123_456,
          });
          const reversed = [...workers].reverse();
          const doubled = [...workers, ...workers];
          const a = assignShards(input(workers));
          expect(assignShards(input(reversed))).toEqual(a);
          expect(assignShards(input(doubled))).toEqual(a);
          // A JSON round trip of the published assignment changes nothing (it is what workers share).
          const viaJson = assignShards({ ...input(workers), previous: JSON.parse(JSON.stringify(previous)) });
          expect(viaJson).toEqual(a);
        },
      ),
    );
  });
});

describe("assignShards(): minimal movement of the consistent-hash ring", () => {
  const plainRing = (shardCount: number): ShardOptions =>
    options({ shardCount, strategy: "consistent-hash", loadFactor: null });

  it("a joining worker only takes shards; no shard moves between the others", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), workerSet(1, 8), workerId, (shardCount, workers, joiner) => {
        fc.pre(!workers.includes(joiner));
        const opts = plainRing(shardCount);
        const before = assignShards({ options: opts, workers }).assignment;
        const after = assignShards({ options: opts, workers: [...workers, joiner] }).assignment;
        after.owners.forEach((owner, shard) => {
          if (owner !== before.owners[shard]) expect(owner).toBe(joiner);
        });
        // Also through the stateful path (which rebalances onto the joiner when it is idle).
        const plan = assignShards({ options: opts, workers: [...workers, joiner], previous: before, now: 1 });
        for (const shard of plan.moved) expect(plan.assignment.owners[shard]).toBe(joiner);
      }),
    );
  });

  it("a leaving worker's shards move and nothing else", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), workerSet(2, 8), fc.nat(), (shardCount, workers, pick) => {
        const leaver = workers[pick % workers.length] as string;
        const rest = workers.filter((w) => w !== leaver);
        const opts = plainRing(shardCount);
        const before = assignShards({ options: opts, workers }).assignment;
        const after = assignShards({ options: opts, workers: rest }).assignment;
        after.owners.forEach((owner, shard) => {
          if (owner !== before.owners[shard]) expect(before.owners[shard]).toBe(leaver);
        });
        const plan = assignShards({ options: { ...opts, rebalanceThreshold: 1e9 }, workers: rest, previous: before });
        expect(plan.moved.sort((a, b) => a - b)).toEqual(shardsOwnedBy(before, leaver));
        expect(plan.reason).toBe(plan.moved.length > 0 ? "membership" : "unchanged");
      }),
    );
  });
});

describe("assignShards(): caps and bounds", () => {
  it("never exceeds maxTenantsPerWorker; unplaceable shards are unassigned and reported", () => {
    fc.assert(
      fc.property(
        shardsWithLoad,
        workerSet(1, 6),
        strategy,
        fc.integer({ min: 1, max: 60 }),
        (shards, workers, strat, cap) => {
          const opts = options({ shardCount: shards.shardCount, strategy: strat, maxTenantsPerWorker: cap });
          const plan = assignShards({ options: opts, workers, load: shards });
          for (const count of tenantsPerWorker(plan.assignment, shards.tenants).values())
            expect(count).toBeLessThanOrEqual(cap);
          const total = shards.tenants.reduce((a, b) => a + b, 0);
          const biggest = Math.max(...shards.tenants);
          if (cap >= Math.ceil(total / workers.length) + biggest) expect(plan.unassigned).toEqual([]);
          if (plan.unassigned.length > 0) {
            const problem = plan.problems.find((p) => p.code === ShardCode.CapacityExceeded);
            expect(problem?.shards).toEqual(plan.unassigned);
          }
          // A later plan with the cap lowered still respects it (shards over it are shed, not kept).
          const lower = Math.max(1, cap - 5);
          const next = assignShards({
            options: { ...opts, maxTenantsPerWorker: lower },
            workers,
            load: shards,
            previous: plan.assignment,
          });
          for (const count of tenantsPerWorker(next.assignment, shards.tenants).values())
            expect(count).toBeLessThanOrEqual(lower);
        },
      ),
    );
  });

  it("a cap without tenant counts is reported as SHARD_TENANTS_UNKNOWN", () => {
    const plan = assignShards({ options: options({ shardCount: 4, maxTenantsPerWorker: 1 }), workers: ["a"] });
    expect(plan.problems.map((p) => p.code)).toEqual([ShardCode.TenantsUnknown]);
    expect(plan.unassigned).toEqual([]);
  });

  it("bounded loads: max/mean monitors ≤ loadFactor whenever no shard is heavier than the slack", () => {
    fc.assert(
      fc.property(
        shardsWithLoad,
        workerSet(1, 8),
        fc.double({ min: 1.05, max: 1.5, noNaN: true }),
        (shards, workers, lf) => {
          const total = shards.monitors.reduce((a, b) => a + b, 0);
          const mean = total / workers.length;
          fc.pre(total > 0 && Math.max(...shards.monitors) <= (lf - 1) * mean);
          const plan = assignShards({
            options: options({ shardCount: shards.shardCount, loadFactor: lf }),
            workers,
            load: shards,
          });
          expect(plan.imbalance).toBeLessThanOrEqual(lf + 1e-9);
        },
      ),
    );
  });

  it("least-loaded and activity balance their own weight; round-robin balances shard counts", () => {
    const load = { monitors: [100, 1, 1, 1, 50, 50], activity: [1, 100, 1, 1, 50, 50] };
    const plan = (strat: ShardOptions["strategy"]) =>
      assignShards({ options: options({ shardCount: 6, strategy: strat }), workers: ["a", "b"], load });
    // Heaviest first: 100 → a, 50 + 50 → b, then the light ones alternate (ties go to the worker with fewer shards).
    expect(plan("least-loaded").loads).toEqual({ a: 102, b: 101 });
    const activity = plan("activity");
    expect(activity.loads).toEqual({ a: 102, b: 101 });
    expect(activity.assignment.owners[1]).not.toBe(activity.assignment.owners[4]);
    expect(plan("least-loaded").assignment.owners[0]).not.toBe(plan("least-loaded").assignment.owners[4]);
    expect(plan("round-robin").assignment.owners).toEqual(["a", "b", "a", "b", "a", "b"]);
  });
});

describe("assignShards(): rebalancing threshold and interval", () => {
  const opts = options({ shardCount: 64, minRebalanceIntervalMs: 10_000 });

  it("a join rebalances at once the first time, then waits out the interval (deferred) before the next", () => {
    const first = assignShards({ options: opts, workers: ["a", "b"], now: 0 });
    expect(first.reason).toBe("initial");
    const joined = assignShards({ options: opts, workers: ["a", "b", "c"], previous: first.assignment, now: 1_000 });
    expect(joined.reason).toBe("rebalance");
    expect(joined.assignment.rebalancedAt).toBe(1_000);
    expect(shardsOwnedBy(joined.assignment, "c").length).toBeGreaterThan(0);
    expect(joined.assignment.epoch).toBe(first.assignment.epoch + 1);
    const again = assignShards({
      options: opts,
      workers: ["a", "b", "c", "d"],
      previous: joined.assignment,
      now: 5_000,
    });
    expect(again.reason).toBe("deferred");
    expect(again.nextRebalanceAt).toBe(11_000);
    expect(again.moved).toEqual([]);
    expect(shardsOwnedBy(again.assignment, "d")).toEqual([]);
    expect(again.assignment.epoch).toBe(joined.assignment.epoch);
    const later = assignShards({
      options: opts,
      workers: ["a", "b", "c", "d"],
      previous: again.assignment,
      now: 11_000,
    });
    expect(later.reason).toBe("rebalance");
    expect(shardsOwnedBy(later.assignment, "d").length).toBeGreaterThan(0);
  });

  it("a departed worker's shards move even inside the interval", () => {
    const base = assignShards({ options: opts, workers: ["a", "b", "c"], now: 0 });
    const stamped = { ...base.assignment, rebalancedAt: 0 };
    const plan = assignShards({ options: opts, workers: ["a", "b"], previous: stamped, now: 1 });
    expect(plan.moved.sort((x, y) => x - y)).toEqual(shardsOwnedBy(base.assignment, "c"));
    expectEveryShardOnceOnLiveWorkers(plan.assignment, ["a", "b"]);
  });

  it("load drift within the threshold moves nothing", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 50, max: 60 }), { minLength: 64, maxLength: 64 }), (monitors) => {
        const lpt = options({ shardCount: 64, strategy: "least-loaded", rebalanceThreshold: 1.3 });
        const even = Array.from({ length: 64 }, () => 55);
        const base = assignShards({ options: lpt, workers: ["a", "b", "c", "d"], load: { monitors: even } });
        const plan = assignShards({
          options: lpt,
          workers: ["a", "b", "c", "d"],
          load: { monitors },
          previous: base.assignment,
          now: 1e9,
        });
        expect(plan.moved).toEqual([]);
        expect(plan.reason).toBe("unchanged");
      }),
    );
  });

  it("a strategy change or a different shard count starts from scratch", () => {
    const base = assignShards({ options: opts, workers: ["a", "b"] }).assignment;
    expect(assignShards({ options: { ...opts, strategy: "round-robin" }, workers: ["a"], previous: base }).reason).toBe(
      "initial",
    );
  });

  it("rejects malformed input with SHARD_INPUT_INVALID", () => {
    expect(() => assignShards({ options: opts, workers: [""] })).toThrow(
      expect.objectContaining({ code: ShardCode.InputInvalid, path: ["workers", 0] }),
    );
    expect(() => assignShards({ options: opts, workers: ["a"], load: { monitors: [1, -1] } })).toThrow(
      expect.objectContaining({ code: ShardCode.InputInvalid, path: ["load", "monitors", 1] }),
    );
  });
});

describe("parseShardOptions()", () => {
  it("fills the defaults and rejects unknown or out-of-range fields with their path", () => {
    expect(parseShardOptions({})).toEqual({
      shardCount: 512,
      strategy: "consistent-hash",
      virtualNodes: 128,
      loadFactor: 1.1,
      rebalanceThreshold: 1.15,
      minRebalanceIntervalMs: 30_000,
      maxTenantsPerWorker: null,
    });
    expect(() => parseShardOptions({ strategy: "random" })).toThrow(
      expect.objectContaining({ code: ShardCode.OptionsInvalid, path: ["strategy"] }),
    );
    expect(() => parseShardOptions({ shardCount: 0 })).toThrow(expect.objectContaining({ path: ["shardCount"] }));
    expect(() => parseShardOptions({ shards: 4 })).toThrow(expect.objectContaining({ code: ShardCode.OptionsInvalid }));
  });
});
