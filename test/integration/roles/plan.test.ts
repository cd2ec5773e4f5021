/**
 * The shared shard plan: workers compute the next plan from the one in force and store it with a compare-and-set, so
 * rebalancing honours the threshold and the minimum interval across workers, departed workers' shards move at once,
 * and racing workers settle on one plan. In-process and on a real Redis (two clients, as two processes).
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/ops/index.js";
import {
  createMemoryShardPlanStore,
  createRedisShardPlanStore,
  type ShardPlanStore,
  settlePlan,
} from "../../../src/roles/index.js";
import { parseShardOptions, shardsOwnedBy } from "../../../src/shard/index.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const logger = createLogger({ level: "silent" });
const options = parseShardOptions({ shardCount: 32, minRebalanceIntervalMs: 30_000 });
const monitors = Array.from({ length: 32 }, (_, shard) => 1 + ((shard * 7) % 5));
const load = { monitors, tenants: monitors.map(() => 1) };

const opened: ShardPlanStore[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
});

const backends: Array<[string, () => [ShardPlanStore, ShardPlanStore]]> = [
  [
    "in-process",
    () => {
      const store = createMemoryShardPlanStore();
      return [store, store];
    },
  ],
  [
    "redis",
    () => {
      const prefix = `plan-test-${randomBytes(4).toString("hex")}:`;
      const pair: [ShardPlanStore, ShardPlanStore] = [
        createRedisShardPlanStore({ url: REDIS_URL, prefix, ttlMs: 60_000 }),
        createRedisShardPlanStore({ url: REDIS_URL, prefix, ttlMs: 60_000 }),
      ];
      opened.push(...pair);
      return pair;
    },
  ],
];

for (const [name, open] of backends) {
  describe(`the shared shard plan (${name})`, () => {
    it("defers a voluntary rebalance within the interval, places departed workers' shards at once", async () => {
      const [a, b] = open();
      const settle = (store: ShardPlanStore, workers: string[], at: number) =>
        settlePlan({ options, workers, load }, store, () => at, logger);

      const alone = await settle(a, ["w1"], 0);
      expect([alone.reason, alone.shared, alone.assignment.epoch]).toEqual(["initial", true, 1]);
      expect(shardsOwnedBy(alone.assignment, "w1")).toHaveLength(32);

      // w2 joins: the first voluntary rebalance is due at once. The other worker (other client) reads the result.
      const two = await settle(b, ["w1", "w2"], 1_000);
      expect([two.reason, two.assignment.epoch, two.assignment.rebalancedAt]).toEqual(["rebalance", 2, 1_000]);
      expect(shardsOwnedBy(two.assignment, "w2").length).toBeGreaterThan(0);
      const seen = await settle(a, ["w1", "w2"], 1_500);
      expect(seen.assignment).toEqual(two.assignment);

      // w3 joins 9 s later: within the 30 s interval, nothing moves and nothing is stored.
      const deferred = await settle(a, ["w1", "w2", "w3"], 10_000);
      expect(deferred.assignment.epoch).toBe(2);
      expect(shardsOwnedBy(deferred.assignment, "w3")).toEqual([]);
      expect((await b.read()).epoch).toBe(2);

      // Once the interval has passed, the next replan (any worker) rebalances.
      const due = await settle(b, ["w1", "w2", "w3"], 31_001);
      expect([due.reason, due.assignment.epoch]).toEqual(["rebalance", 3]);
      expect(shardsOwnedBy(due.assignment, "w3").length).toBeGreaterThan(0);

      // w2 dies: its shards go to the live workers at once, whatever the interval; nobody else's move.
      const left = await settle(a, ["w1", "w3"], 32_000);
      expect([left.reason, left.assignment.epoch]).toEqual(["membership", 4]);
      expect(shardsOwnedBy(left.assignment, "w2")).toEqual([]);
      for (const shard of shardsOwnedBy(due.assignment, "w1")) expect(left.assignment.owners[shard]).toBe("w1");
      for (const shard of shardsOwnedBy(due.assignment, "w3")) expect(left.assignment.owners[shard]).toBe("w3");
    });

    it("racing workers settle on one stored plan", async () => {
      const [a, b] = open();
      const workers = ["w1", "w2", "w3"];
      const results = await Promise.all([
        settlePlan({ options, workers, load }, a, () => 0, logger),
        settlePlan({ options, workers: [...workers].reverse(), load }, b, () => 0, logger),
        settlePlan({ options, workers, load }, b, () => 0, logger),
      ]);
      const stored = (await a.read()).assignment;
      for (const result of results) expect(result.assignment.owners).toEqual(stored?.owners);
      expect(stored?.epoch).toBe(1);
    });
  });
}

describe("an unusable stored plan", () => {
  it("is replaced (another shard count), with a growing epoch", async () => {
    const store = createRedisShardPlanStore({ url: REDIS_URL, prefix: `plan-test-${randomBytes(4).toString("hex")}:` });
    opened.push(store);
    const other = parseShardOptions({ shardCount: 8 });
    await settlePlan({ options: other, workers: ["w1"] }, store, () => 0, logger);
    const next = await settlePlan({ options, workers: ["w1"], load }, store, () => 0, logger);
    expect([next.reason, next.assignment.shardCount, next.assignment.epoch]).toEqual(["initial", 32, 2]);
  });
});
