/**
 * The shard plan in force, shared by every worker of a cluster: `assignShards` is deterministic only given the same
 * `previous` assignment, and its anti-flapping rules (`rebalanceThreshold`, `minRebalanceIntervalMs`) need that
 * previous one to mean anything. Workers read it, compute the next plan from it, and store a changed plan with a
 * compare-and-set on its epoch: when two workers race, one wins and the other computes again from the winner's plan,
 * so they never act on two different plans for long.
 *
 * On Redis (with `REDIS_URL`): one key `<prefix>shard-plan` holding the `ShardAssignment` as JSON, with a TTL renewed
 * on every read (a cluster gone for a day starts from scratch). In-process otherwise (one process, one plan).
 */
import { Redis } from "ioredis";
import { z } from "zod";
import type { ShardAssignment } from "../shard/index.js";
import { SHARD_STRATEGIES } from "../shard/index.js";

export interface StoredShardPlan {
  /** The plan in force, or `null` when none is stored or it is unreadable (the next write replaces it). */
  assignment: ShardAssignment | null;
  /** The stored plan's epoch, what `write` compares with (`null` when there is none, or it has no epoch). */
  epoch: number | null;
}

export interface ShardPlanStore {
  read(): Promise<StoredShardPlan>;
  /**
   * Stores `next` if the stored plan still has `expectedEpoch` (`null`: none stored). Resolves `false` when another
   * worker stored a plan in between: read again and recompute.
   */
  write(next: ShardAssignment, expectedEpoch: number | null): Promise<boolean>;
  close(): Promise<void>;
}

/** The stored form is read back from Redis: checked, never trusted. */
const assignmentSchema = z.object({
  shardCount: z.number().int().min(1),
  strategy: z.enum(SHARD_STRATEGIES),
  owners: z.array(z.string().min(1).nullable()),
  epoch: z.number().int().min(0),
  rebalancedAt: z.number().nullable(),
});

export function parseShardPlan(text: string | null): StoredShardPlan {
  if (text === null) return { assignment: null, epoch: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { assignment: null, epoch: null };
  }
  // The epoch as the compare-and-set script reads it: any number, even in a plan that is otherwise unusable.
  const raw = typeof json === "object" && json !== null ? (json as { epoch?: unknown }).epoch : undefined;
  const epoch = typeof raw === "number" ? raw : null;
  const parsed = assignmentSchema.safeParse(json);
  const usable = parsed.success && parsed.data.owners.length === parsed.data.shardCount;
  return { assignment: usable ? parsed.data : null, epoch };
}

export function createMemoryShardPlanStore(): ShardPlanStore {
  let stored: ShardAssignment | null = null;
  return {
    read: async () => ({ assignment: stored, epoch: stored?.epoch ?? null }),
    async write(next, expectedEpoch) {
      if ((stored?.epoch ?? null) !== expectedEpoch) return false;
      stored = next;
      return true;
    },
    close: async () => undefined,
  };
}

/** KEYS[1] = plan key. ARGV: plan JSON, expected epoch (-1: none stored), TTL ms. An unreadable plan counts as none. */
const COMPARE_AND_SET = `local current = redis.call('GET', KEYS[1])
local epoch = -1
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and type(decoded.epoch) == 'number' then epoch = decoded.epoch end
end
if epoch ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

export interface RedisShardPlanStoreOptions {
  url: string;
  /** Key prefix (`settings.redis.keyPrefix`). @default "argus:" */
  prefix?: string;
  /** @default 24 h */
  ttlMs?: number;
}

export function createRedisShardPlanStore(options: RedisShardPlanStoreOptions): ShardPlanStore {
  const key = `${options.prefix ?? "argus:"}shard-plan`;
  const ttlMs = options.ttlMs ?? 24 * 3_600_000;
  const redis = new Redis(options.url, { maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  // Failures reach the caller through its commands; without a listener ioredis would also print each one.
  redis.on("error", () => undefined);
  return {
    async read() {
      // Read and renew in one command: a plan in use never expires.
      const text = await redis.getex(key, "PX", ttlMs);
      return parseShardPlan(text);
    },
    async write(next, expectedEpoch) {
      const done = await redis.eval(COMPARE_AND_SET, 1, key, JSON.stringify(next), expectedEpoch ?? -1, ttlMs);
      return done === 1;
    },
    async close() {
      redis.disconnect();
    },
  };
}
