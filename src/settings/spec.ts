/**
 * Every operator setting Argus reads, in one table: its key in the settings file, its flag, its environment
 * variables and its default. The table is the documentation (`argus start --help` and the README render it).
 */

export const ROLES = ["ingest", "worker", "dispatch", "api"] as const;
export type Role = (typeof ROLES)[number];

export const MODES = ["development", "production"] as const;
export type Mode = (typeof MODES)[number];

export const SHARD_STRATEGIES = ["consistent-hash", "round-robin", "least-loaded", "activity"] as const;
export type ShardStrategy = (typeof SHARD_STRATEGIES)[number];

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** How a raw value (a flag's or variable's text, or a file's JSON value) becomes a typed one. */
export type SettingKind =
  | { type: "string"; secret?: boolean; minLength?: number }
  | { type: "path" }
  | { type: "url"; protocols: readonly string[]; secret?: boolean }
  | { type: "int"; min: number; max: number }
  | { type: "number"; min: number; max: number }
  | { type: "bool" }
  | { type: "enum"; values: readonly string[] }
  | { type: "roles" };

export interface SettingSpec {
  /** Key path in the settings file (`{"redis": {"url": …}}` → `["redis", "url"]`). */
  path: readonly string[];
  kind: SettingKind;
  /** Long flag without dashes, when the setting has one. */
  flag?: string;
  /** Environment variables, first set wins. */
  env: readonly string[];
  default?: unknown;
  /** The default in production mode, where it differs (safer). */
  productionDefault?: unknown;
  /** Production mode refuses to start without it (secrets must never have a default). */
  requiredInProduction?: boolean;
  description: string;
}

export const SETTINGS = [
  {
    path: ["mode"],
    kind: { type: "enum", values: MODES },
    flag: "mode",
    env: ["ARGUS_MODE"],
    default: "development",
    description: "production refuses default secrets; NODE_ENV=production implies it when ARGUS_MODE is unset",
  },
  {
    path: ["roles"],
    kind: { type: "roles" },
    flag: "role",
    env: ["ARGUS_ROLE"],
    default: [...ROLES],
    description: "roles this process runs: ingest, worker, dispatch, api or all (comma-separated)",
  },
  {
    path: ["configDir"],
    kind: { type: "path" },
    flag: "config-dir",
    env: ["ARGUS_CONFIG_DIR"],
    description: "OZ config directory imported for the default tenant at start",
  },
  {
    path: ["dataDir"],
    kind: { type: "path" },
    flag: "data-dir",
    env: ["ARGUS_DATA_DIR"],
    default: ".argus/data",
    description: "embedded database (PGlite) directory, used when no database URL is set",
  },
  {
    path: ["database", "url"],
    kind: { type: "url", protocols: ["postgres:", "postgresql:"], secret: true },
    flag: "database-url",
    env: ["DATABASE_URL", "ARGUS_DATABASE_URL"],
    description: "PostgreSQL URL; unset = embedded PGlite",
  },
  {
    path: ["redis", "url"],
    kind: { type: "url", protocols: ["redis:", "rediss:"], secret: true },
    flag: "redis-url",
    env: ["REDIS_URL", "ARGUS_REDIS_URL"],
    description: "Redis URL for the block cache, rate limits and config fan-out; unset = in-process",
  },
  {
    path: ["redis", "keyPrefix"],
    kind: { type: "string" },
    env: ["ARGUS_REDIS_PREFIX"],
    default: "argus:",
    description: "prefix of every Redis key Argus writes",
  },
  {
    path: ["nats", "url"],
    kind: { type: "url", protocols: ["nats:", "tls:"], secret: true },
    flag: "nats-url",
    env: ["NATS_URL", "ARGUS_NATS_URL"],
    description: "NATS JetStream URL for the block and match logs; unset = in-process logs",
  },
  {
    path: ["nats", "subjectPrefix"],
    kind: { type: "string" },
    env: ["ARGUS_NATS_PREFIX"],
    default: "argus",
    description: "prefix of Argus's JetStream subjects and stream names",
  },
  {
    path: ["http", "port"],
    kind: { type: "int", min: 0, max: 65535 },
    flag: "port",
    env: ["ARGUS_PORT"],
    default: 8081,
    description: "HTTP port of the API, /healthz, /readyz and /metrics (0 = any free port)",
  },
  {
    path: ["http", "host"],
    kind: { type: "string" },
    flag: "host",
    env: ["ARGUS_HOST"],
    default: "127.0.0.1",
    description: "address the HTTP server listens on",
  },
  {
    path: ["security", "allowPrivateNetworks"],
    kind: { type: "bool" },
    flag: "allow-private-networks",
    env: ["ARGUS_ALLOW_PRIVATE_NETWORKS"],
    default: false,
    description: "let tenant webhook/chat URLs reach loopback and private addresses (self-hosted use, tests)",
  },
  {
    path: ["security", "jwtSecret"],
    kind: { type: "string", secret: true, minLength: 32 },
    env: ["ARGUS_JWT_SECRET"],
    requiredInProduction: true,
    description: "HMAC secret for access tokens (at least 32 characters)",
  },
  {
    path: ["security", "masterKeys"],
    kind: { type: "string", secret: true },
    env: ["ARGUS_MASTER_KEYS"],
    requiredInProduction: true,
    description: "keys encrypting secrets at rest: id:base64(32 bytes),… (the first one encrypts)",
  },
  {
    path: ["scripts", "allowPython"],
    kind: { type: "bool" },
    productionDefault: false,
    env: ["ARGUS_ALLOW_PYTHON_SCRIPTS"],
    default: true,
    description: "run Python trigger conditions and script notifications (unsandboxed subprocesses)",
  },
  {
    path: ["scripts", "allowBash"],
    kind: { type: "bool" },
    productionDefault: false,
    env: ["ARGUS_ALLOW_BASH_SCRIPTS"],
    default: true,
    description: "run Bash trigger conditions and script notifications (unsandboxed subprocesses)",
  },
  {
    path: ["log", "level"],
    kind: { type: "enum", values: LOG_LEVELS },
    env: ["ARGUS_LOG_LEVEL"],
    default: "info",
    description: "log level (logs are JSON lines on stderr)",
  },
  {
    path: ["shards", "count"],
    kind: { type: "int", min: 1, max: 4096 },
    env: ["ARGUS_SHARD_COUNT"],
    // Each shard is one durable consumer on the block log that receives every block: the log sends each block
    // `count` times per worker group. 64 keeps that fan-out small and still meets the balance target (max/mean
    // monitors per worker ≤ 1.15 with 2, 4 and 8 workers, `npm run bench:shards`); at most `count` workers share work.
    default: 64,
    description:
      "number of tenant shards workers divide among themselves (fixed for a cluster's life: changing it moves almost every tenant; at most this many workers get work)",
  },
  {
    path: ["shards", "strategy"],
    kind: { type: "enum", values: SHARD_STRATEGIES },
    env: ["ARGUS_SHARD_STRATEGY"],
    default: "consistent-hash",
    description: "how shards are assigned to live workers",
  },
  {
    path: ["shards", "maxTenantsPerWorker"],
    kind: { type: "int", min: 1, max: 10_000_000 },
    env: ["ARGUS_MAX_TENANTS_PER_WORKER"],
    description:
      "at most this many tenants per worker (unset: no cap); shards that fit nowhere stay unassigned and are reported",
  },
  {
    path: ["shards", "rebalanceThreshold"],
    kind: { type: "number", min: 1, max: 10 },
    env: ["ARGUS_REBALANCE_THRESHOLD"],
    default: 1.15,
    description: "move shards between live workers only when max/mean (or mean/min) load exceeds this",
  },
  {
    path: ["shards", "minRebalanceIntervalMs"],
    kind: { type: "int", min: 0, max: 86_400_000 },
    env: ["ARGUS_MIN_REBALANCE_INTERVAL_MS"],
    default: 30_000,
    description:
      "at most one rebalance between live workers per this interval (a departed worker's shards move at once)",
  },
  {
    path: ["membership", "ttlMs"],
    kind: { type: "int", min: 1_000, max: 600_000 },
    env: ["ARGUS_MEMBERSHIP_TTL_MS"],
    default: 10_000,
    description:
      "a worker without a heartbeat for this long is gone and its shards move (takeover time after a crash ≈ this + the ack wait)",
  },
  {
    path: ["membership", "heartbeatMs"],
    kind: { type: "int", min: 100, max: 300_000 },
    env: ["ARGUS_MEMBERSHIP_HEARTBEAT_MS"],
    description: "how often a worker renews its membership (default a third of membership.ttlMs; must be below it)",
  },
  {
    path: ["worker", "ackWaitMs"],
    kind: { type: "int", min: 1_000, max: 600_000 },
    env: ["ARGUS_WORKER_ACK_WAIT_MS"],
    default: 10_000,
    description:
      "a block in flight on a worker that died is redelivered after this (a live worker extends it while it works); lower = faster takeover, more redeliveries of slow blocks. Applies when a shard consumer is created",
  },
  {
    path: ["worker", "pullMs"],
    kind: { type: "int", min: 1_000, max: 60_000 },
    env: ["ARGUS_WORKER_PULL_MS"],
    // An idle shard consumer holds one pull request open on NATS and renews it at this interval: the idle load is
    // shards.count / pullMs pull requests per second per worker group. Blocks arrive at once whatever the value.
    // Measured on NATS 2.x (client message counts, idle): 512 shards × 1 s ≈ 1,490 messages/s; 64 × 1 s ≈ 190/s;
    // 64 × 5 s (the defaults) ≈ 32/s.
    default: 5_000,
    description:
      "how long an idle shard consumer's pull waits on the block log before renewing it (idle NATS load ≈ shards.count ÷ this, per second); does not delay blocks",
  },
  {
    path: ["worker", "id"],
    kind: { type: "string" },
    env: ["ARGUS_WORKER_ID"],
    description: "this process's identity among workers (default: host name and process id)",
  },
] as const satisfies readonly SettingSpec[];
