/**
 * @module roles
 *
 * Argus as separate processes: `argus start --role ingest|worker|dispatch|api` (any combination) over a block log and
 * a match log (`bus`), with no block lost and no notification duplicated whatever process dies.
 *
 * ```
 * ingest (lease per network) ──► block log ──► worker (durable consumer per shard) ──► match log ──► dispatch
 *   watcher from the cursor      blocks.<network id>   engine of the shard's tenants     matches.<id>   store + outbox
 * ```
 * - **ingest** (`startIngestRole`): per network with an active monitor, the lease `ingest:<network id>` elects one
 *   process; it runs the block watcher from the persisted cursor, publishes each block (dedup id = network id + block
 *   hash), and acknowledges it to the watcher — advancing the cursor, after `lease.confirm()` as a fence — only once
 *   the log confirmed it. Another ingest process takes over from the cursor when the lease is lost.
 * - **worker** (`startWorkerRole`): membership (Redis with `REDIS_URL`, else in-process) → `assignShards` → for each
 *   owned shard the durable consumer `shard-<n>` (strict order, no drop). The shard's position lives in the log, so
 *   a shard resumes on its next owner right after its last acknowledged block. Matches go to the match log (dedup id
 *   = match id) before the block is acknowledged.
 * - **dispatch** (`startDispatchRole`): the durable consumer `dispatch` on the match log → `recordMatches` (trigger
 *   conditions, match + outbox in one transaction, idempotent on the match id) → ack; the dispatcher delivers the
 *   outbox under per-delivery leases, so several dispatch processes are safe.
 * - **api**: mounted by the caller (`StartRolesOptions.api`) on the role process's HTTP server.
 *
 * Exactly-once outcome = at-least-once transport + deterministic ids: a crash anywhere replays a block or a match
 * whose ids are the same, and every effect (log entry within its duplicate window, stored match, outbox row,
 * `webhook-id`) is idempotent on them.
 *
 * `argus start` uses `startRoles` when `--role` is not all roles or when `NATS_URL` is set; with every role and no
 * NATS the one-process runtime (`runtime/startArgus`, no logs in between) stays the embedded default. Without NATS,
 * `startRoles` runs on the in-process logs, so ingest, worker and dispatch must be in the same process.
 *
 * - **block cache**: the ingest leader writes every block it fetches and every head it sees to the block cache (Redis
 *   with `REDIS_URL`, else in-process; keys `<redis prefix>{<network id>}:…`) and reads it before fetching, so a
 *   successor after a takeover, and the API's test-a-monitor, do not fetch again what was fetched.
 * - **reorgs**: the ingester applies a reorg to the store when it has published it; dispatch checks every match
 *   against the recorded canonical hashes, so a match of an orphaned block still in the logs then is stored
 *   `orphaned` with its notifications suppressed (`dispatch.ts`).
 * - **plan**: workers share the shard plan in force (`<redis prefix>shard-plan`, compare-and-set on its epoch), so
 *   rebalancing honours `rebalanceThreshold` and `minRebalanceIntervalMs`: a joining worker gets shards at once only
 *   when the last voluntary rebalance is older than the interval (30 s), otherwise at the next replan after it.
 *   Departed workers' shards move at once.
 * - **decoding**: each block is decoded once per worker, whatever the number of shards it owns (`decoded.ts`); it
 *   still crosses the network once per shard consumer, hence a modest default shard count (64).
 *
 * Known limits: a notification of an orphaned block already delivered is not recalled (as in one process); a worker
 * that cannot reach the shared plan (Redis down) plans from scratch until it can.
 *
 * Imports `bus`, `lease`, `shard`, `runtime` (desired state, config listener, store ingest state), `ingest`,
 * `engine`, `dispatch`, `store`; nothing imports it but `cli`.
 *
 * @example
 * const settings = await loadSettings({ flags: { role: "worker" }, env: process.env, cwd: process.cwd() });
 * const running = await startRoles({ settings, env: process.env, logger });
 * // SIGTERM
 * await running.stop();
 */

export { cachingBlockSource, forgetOrphaned } from "./block-cache.js";
export { shardOptionsOf, wantsRoles } from "./cli.js";
export { createDecodedCache, type DecodedCache, type DecodedCacheOptions } from "./decoded.js";
export { type DispatchRole, type DispatchRoleOptions, startDispatchRole } from "./dispatch.js";
export { RoleCode, RoleError } from "./errors.js";
export { type DesiredStateFeed, type WatchDesiredStateOptions, watchDesiredState } from "./feed.js";
export {
  blockLogKey,
  type IngestNetworkState,
  type IngestRole,
  type IngestRoleOptions,
  startIngestRole,
} from "./ingest.js";
export {
  createMemoryShardPlanStore,
  createRedisShardPlanStore,
  parseShardPlan,
  type RedisShardPlanStoreOptions,
  type ShardPlanStore,
  type StoredShardPlan,
} from "./plan.js";
export { type RunningRoles, type StartRolesOptions, startRoles } from "./start.js";
export { type SettledPlan, settlePlan, startWorkerRole, type WorkerRole, type WorkerRoleOptions } from "./worker.js";
