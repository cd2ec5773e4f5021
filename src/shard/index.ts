/**
 * @module shard
 *
 * Tenant sharding for workers: `shardOf` hashes a tenant into one of a fixed number of shards; `assignShards` plans
 * which live worker owns each shard (consistent hashing with virtual nodes and bounded loads by default;
 * round-robin, least-loaded, activity-based), with anti-flapping rebalancing and a cap of tenants per worker; it is
 * pure and deterministic, so every worker computes the same plan. Membership (`createMemoryMembership`,
 * `createRedisMembership`) tells who is alive: workers join, heartbeat, leave or expire after a TTL, and every
 * registry is notified of changes.
 *
 * The assignment files import no I/O (a test enforces it); only `membership/` does (ioredis).
 *
 * @example
 * const options = parseShardOptions(config.shards);
 * const membership = createRedisMembership({ url: process.env.REDIS_URL, prefix: "argus:" });
 * await membership.join({ id: workerId });
 * membership.onChange(async ({ members }) => {
 *   const plan = assignShards({ options, workers: members.map((m) => m.id), load, previous, now: Date.now() });
 *   consume(shardsOwnedBy(plan.assignment, workerId));
 * });
 */
export {
  type AssignShardsInput,
  assignShards,
  type ShardAssignment,
  type ShardLoad,
  type ShardPlan,
  type ShardPlanReason,
  shardsOwnedBy,
} from "./assign.js";
export { ShardCode, ShardError } from "./errors.js";
export { hash32, shardOf } from "./hash.js";
export { createMemoryMembership, type MemoryMembershipOptions } from "./membership/memory.js";
export { createRedisMembership, type RedisMembershipOptions } from "./membership/redis.js";
export type {
  Member,
  MemberInfo,
  MemberMeta,
  Membership,
  MembershipChange,
  MembershipOptions,
} from "./membership/types.js";
export {
  parseShardOptions,
  SHARD_STRATEGIES,
  type ShardOptions,
  type ShardOptionsInput,
  type ShardStrategy,
  shardOptionsSchema,
} from "./options.js";
