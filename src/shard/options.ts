import { z } from "zod";
import { ShardCode, ShardError } from "./errors.js";

export const SHARD_STRATEGIES = ["consistent-hash", "round-robin", "least-loaded", "activity"] as const;
export type ShardStrategy = (typeof SHARD_STRATEGIES)[number];

/**
 * How tenants are sharded and shards assigned. Every worker of a cluster must use the same options: they are inputs
 * of the (deterministic) assignment.
 */
export const shardOptionsSchema = z
  .object({
    /**
     * Tenants hash into this many shards. Fixed for a cluster's lifetime (changing it moves almost every tenant).
     * @default 512
     */
    shardCount: z.number().int().min(1).max(65_536).default(512),
    /** @default "consistent-hash" */
    strategy: z.enum(SHARD_STRATEGIES).default("consistent-hash"),
    /**
     * Ring points per worker (consistent-hash).
     * @default 128
     */
    virtualNodes: z.number().int().min(1).max(4_096).default(128),
    /**
     * Consistent hashing with bounded loads: no worker takes more than `loadFactor` × the mean load while another
     * has room (a shard walks on along the ring). `null` is the plain ring (minimal movement, weight-blind).
     * @default 1.1
     */
    loadFactor: z.number().min(1).nullable().default(1.1),
    /**
     * Shards on live workers move only when max/mean (or mean/min) load exceeds this (departed workers' shards always move).
     * @default 1.15
     */
    rebalanceThreshold: z.number().min(1).default(1.15),
    /**
     * At most one voluntary rebalance per this interval (anti-flapping); membership changes still place orphans.
     * @default 30000
     */
    minRebalanceIntervalMs: z.number().int().min(0).default(30_000),
    /**
     * No worker gets shards holding more tenants than this; shards that fit nowhere stay unassigned.
     * @default null (no cap)
     */
    maxTenantsPerWorker: z.number().int().min(1).nullable().default(null),
  })
  .strict();

export type ShardOptionsInput = z.input<typeof shardOptionsSchema>;
export type ShardOptions = z.output<typeof shardOptionsSchema>;

/** Parses shard options (from config, env or flags), reporting every problem with its field path. */
export function parseShardOptions(input: unknown = {}): ShardOptions {
  const result = shardOptionsSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0];
  const detail = issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
  throw new ShardError(ShardCode.OptionsInvalid, `Invalid shard options: ${detail}.`, {
    path: (first?.path ?? []).filter((p): p is string | number => typeof p !== "symbol"),
  });
}
