/**
 * `argus start --role …` (or with `NATS_URL` set) runs roles as separate processes over the block and match logs;
 * with every role and no NATS, Argus stays the one-process runtime.
 */
import { ROLES, type Settings } from "../settings/index.js";
import { parseShardOptions, type ShardOptions } from "../shard/index.js";

/** Whether `argus start` should run the roles over the logs instead of the one-process runtime. */
export function wantsRoles(settings: Pick<Settings, "roles" | "nats">): boolean {
  return settings.nats.url !== undefined || ROLES.some((role) => !settings.roles.includes(role));
}

/** The workers' shard options from the operator's settings (the status view computes with the same). */
export function shardOptionsOf(settings: Pick<Settings, "shards">): ShardOptions {
  const { shards } = settings;
  return parseShardOptions({
    shardCount: shards.count,
    strategy: shards.strategy,
    rebalanceThreshold: shards.rebalanceThreshold,
    minRebalanceIntervalMs: shards.minRebalanceIntervalMs,
    maxTenantsPerWorker: shards.maxTenantsPerWorker ?? null,
  });
}
