/**
 * The one drizzle schema, shared by PGlite and PostgreSQL. The committed SQL under `./migrations/` is generated from
 * it with drizzle-kit (`npx drizzle-kit generate`) and applied by `./migrate.ts`; a test fails when this file and
 * the migrations drift apart.
 *
 * Conventions:
 * - every table has `created_at` / `updated_at`; configuration tables have `deleted_at` (soft delete);
 * - every tenant-owned row carries `tenant_id`, and every reference to a tenant-owned row is a composite foreign key
 *   `(tenant_id, x_id) → x(tenant_id, id)`, so a row can never point into another tenant;
 * - ids are text (the engine's match ids and Argus's delivery ids are hex strings; other ids default to UUIDs);
 * - OZ documents (network/monitor/trigger config, match payload) are `json`, not `jsonb`: `json` keeps the text as
 *   written, so the key order OZ's serde emits survives a round trip (raw webhook bodies and scripts see it);
 * - block numbers are `bigint` and come back as JS `bigint` on both drivers.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
};

const deletedAt = () => timestamp("deleted_at", { withTimezone: true, mode: "date" });
const uuidText = (name: string) => text(name).default(sql`gen_random_uuid()::text`);
const blockNumber = (name: string) => bigint(name, { mode: "bigint" });

/** The built-in tenant of single-tenant (embedded) mode; created by the first migration. */
export const DEFAULT_TENANT_ID = "00000000-0000-0000-0000-000000000000";

export const tenants = pgTable(
  "tenants",
  {
    id: uuidText("id").primaryKey(),
    slug: text("slug").notNull().unique("tenants_slug_unique"),
    name: text("name").notNull(),
    plan: text("plan").notNull().default("free"),
    status: text("status", { enum: ["active", "suspended"] })
      .notNull()
      .default("active"),
    limits: jsonb("limits").$type<Record<string, unknown>>().notNull().default({}),
    /**
     * When `status` last changed (`NULL`: never, active since `created_at`). A reactivated tenant's monitors match
     * only blocks from this time on: blocks mined while it was suspended are not matched after the fact.
     */
    statusChangedAt: timestamp("status_changed_at", { withTimezone: true, mode: "date" }),
    ...timestamps,
    deletedAt: deletedAt(),
  },
  (t) => [check("tenants_status_check", sql`${t.status} in ('active', 'suspended')`)],
);

export const networks = pgTable(
  "networks",
  {
    id: uuidText("id").primaryKey(),
    /** `NULL` = platform-wide (every tenant may monitor it); otherwise private to that tenant. */
    tenantId: text("tenant_id").references(() => tenants.id),
    slug: text("slug").notNull(),
    networkType: text("network_type").notNull(),
    config: json("config").$type<unknown>().notNull(),
    version: integer("version").notNull().default(1),
    /** Where an import found it (`networks/eth.json`), for a file-by-file export; not part of the OZ JSON. */
    sourceFile: text("source_file"),
    ...timestamps,
    deletedAt: deletedAt(),
  },
  (t) => [
    uniqueIndex("networks_platform_slug_unique")
      .on(t.slug)
      .where(sql`${t.tenantId} is null and ${t.deletedAt} is null`),
    uniqueIndex("networks_tenant_slug_unique")
      .on(t.tenantId, t.slug)
      .where(sql`${t.tenantId} is not null and ${t.deletedAt} is null`),
    check("networks_version_check", sql`${t.version} >= 1`),
  ],
);

export const monitors = pgTable(
  "monitors",
  {
    id: uuidText("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    config: json("config").$type<unknown>().notNull(),
    /** Argus's per-monitor notification throttle (Defender-style); `NULL` = none. */
    throttle: jsonb("throttle").$type<ThrottlePolicyJson>(),
    version: integer("version").notNull().default(1),
    paused: boolean("paused").notNull().default(false),
    /** Where an import found it (`networks/eth.json`), for a file-by-file export; not part of the OZ JSON. */
    sourceFile: text("source_file"),
    ...timestamps,
    deletedAt: deletedAt(),
  },
  (t) => [
    unique("monitors_tenant_id_unique").on(t.tenantId, t.id),
    uniqueIndex("monitors_tenant_name_unique").on(t.tenantId, t.name).where(sql`${t.deletedAt} is null`),
    check("monitors_version_check", sql`${t.version} >= 1`),
  ],
);

/** Config history: one row per saved version of a monitor (the match id includes the version). */
export const monitorVersions = pgTable(
  "monitor_versions",
  {
    tenantId: text("tenant_id").notNull(),
    monitorId: text("monitor_id").notNull(),
    version: integer("version").notNull(),
    name: text("name").notNull(),
    config: json("config").$type<unknown>().notNull(),
    throttle: jsonb("throttle").$type<ThrottlePolicyJson>(),
    paused: boolean("paused").notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "monitor_versions_pk", columns: [t.monitorId, t.version] }),
    unique("monitor_versions_tenant_unique").on(t.tenantId, t.monitorId, t.version),
    foreignKey({
      name: "monitor_versions_monitor_fk",
      columns: [t.tenantId, t.monitorId],
      foreignColumns: [monitors.tenantId, monitors.id],
    }),
  ],
);

export const triggers = pgTable(
  "triggers",
  {
    id: uuidText("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    /** The key monitors list in `triggers: [...]`. */
    key: text("key").notNull(),
    triggerType: text("trigger_type").notNull(),
    config: json("config").$type<unknown>().notNull(),
    version: integer("version").notNull().default(1),
    /** Where an import found it (`networks/eth.json`), for a file-by-file export; not part of the OZ JSON. */
    sourceFile: text("source_file"),
    ...timestamps,
    deletedAt: deletedAt(),
  },
  (t) => [
    unique("triggers_tenant_id_unique").on(t.tenantId, t.id),
    uniqueIndex("triggers_tenant_key_unique").on(t.tenantId, t.key).where(sql`${t.deletedAt} is null`),
    check("triggers_version_check", sql`${t.version} >= 1`),
  ],
);

export const triggerVersions = pgTable(
  "trigger_versions",
  {
    tenantId: text("tenant_id").notNull(),
    triggerId: text("trigger_id").notNull(),
    version: integer("version").notNull(),
    key: text("key").notNull(),
    triggerType: text("trigger_type").notNull(),
    config: json("config").$type<unknown>().notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "trigger_versions_pk", columns: [t.triggerId, t.version] }),
    foreignKey({
      name: "trigger_versions_trigger_fk",
      columns: [t.tenantId, t.triggerId],
      foreignColumns: [triggers.tenantId, triggers.id],
    }),
  ],
);

/** Platform-owned: the last block ingest processed per network (the cursor is the truth). */
export const cursors = pgTable("cursors", {
  networkId: text("network_id")
    .primaryKey()
    .references(() => networks.id),
  blockNumber: blockNumber("block_number").notNull(),
  blockHash: text("block_hash").notNull(),
  ...timestamps,
});

/** Platform-owned: recent block hashes per network, for reorg detection; pruned beyond a depth. */
export const blockHashes = pgTable(
  "block_hashes",
  {
    networkId: text("network_id")
      .notNull()
      .references(() => networks.id),
    blockNumber: blockNumber("block_number").notNull(),
    blockHash: text("block_hash").notNull(),
    parentHash: text("parent_hash").notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ name: "block_hashes_pk", columns: [t.networkId, t.blockNumber] })],
);

export const matches = pgTable(
  "matches",
  {
    /** The engine's deterministic match id. */
    id: text("id").primaryKey(),
    /** Insertion order, for stable cursor pagination. */
    seq: bigint("seq", { mode: "bigint" }).generatedAlwaysAsIdentity().notNull(),
    tenantId: text("tenant_id").notNull(),
    monitorId: text("monitor_id").notNull(),
    monitorVersion: integer("monitor_version").notNull(),
    networkId: text("network_id")
      .notNull()
      .references(() => networks.id),
    blockNumber: blockNumber("block_number").notNull(),
    blockHash: text("block_hash").notNull(),
    txHash: text("tx_hash"),
    txIndex: integer("tx_index").notNull(),
    /** The OZ match JSON (`{"EVM": {...}}`), exactly as the engine produced it. */
    payload: json("payload").$type<unknown>().notNull(),
    status: text("status", { enum: ["active", "orphaned"] })
      .notNull()
      .default("active"),
    orphanedAt: timestamp("orphaned_at", { withTimezone: true, mode: "date" }),
    ...timestamps,
  },
  (t) => [
    unique("matches_seq_unique").on(t.seq),
    unique("matches_tenant_id_unique").on(t.tenantId, t.id),
    foreignKey({
      name: "matches_monitor_fk",
      columns: [t.tenantId, t.monitorId],
      foreignColumns: [monitors.tenantId, monitors.id],
    }),
    foreignKey({
      name: "matches_monitor_version_fk",
      columns: [t.tenantId, t.monitorId, t.monitorVersion],
      foreignColumns: [monitorVersions.tenantId, monitorVersions.monitorId, monitorVersions.version],
    }),
    index("matches_network_block_idx").on(t.networkId, t.blockNumber),
    index("matches_tenant_seq_idx").on(t.tenantId, t.seq),
    index("matches_tenant_monitor_seq_idx").on(t.tenantId, t.monitorId, t.seq),
    check("matches_status_check", sql`${t.status} in ('active', 'orphaned')`),
    check("matches_tx_index_check", sql`${t.txIndex} >= 0`),
  ],
);

export const DELIVERY_STATUSES = ["pending", "in_flight", "delivered", "dead", "suppressed"] as const;
/**
 * Why a delivery was not sent: its match was orphaned by a reorg, the monitor's throttle held it back, or the
 * tenant's `notificationsPerDay` was used up (`quota_exceeded`: kept, and replayable, never dropped).
 */
export const SUPPRESSED_REASONS = ["orphaned", "throttle_cooldown", "throttle_threshold", "quota_exceeded"] as const;
export const CHANNELS = ["slack", "discord", "telegram", "webhook", "email", "script"] as const;

/** The outbox: one row per (match, trigger), enqueued in the transaction that stores the match. */
export const deliveries = pgTable(
  "deliveries",
  {
    /** Deterministic: `deliveryId(matchId, triggerKey)`; receivers see it as the webhook id. */
    id: text("id").primaryKey(),
    seq: bigint("seq", { mode: "bigint" }).generatedAlwaysAsIdentity().notNull(),
    tenantId: text("tenant_id").notNull(),
    matchId: text("match_id").notNull(),
    /** Denormalised from the match for per-monitor listing. */
    monitorId: text("monitor_id").notNull(),
    triggerId: text("trigger_id").notNull(),
    triggerKey: text("trigger_key").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    suppressedReason: text("suppressed_reason", { enum: SUPPRESSED_REASONS }),
    /** Attempts started so far (a claim starts one); attempt numbers are 1-based and never reused. */
    attempts: integer("attempts").notNull().default(0),
    /** Attempts allowed per run: 1 + the channel's `max_retries`. */
    maxAttempts: integer("max_attempts").notNull(),
    /** `attempts` when the current run began (0, or the count at the last replay). */
    attemptBase: integer("attempt_base").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull(),
    leaseOwner: text("lease_owner"),
    leaseUntil: timestamp("lease_until", { withTimezone: true, mode: "date" }),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }),
    ...timestamps,
  },
  (t) => [
    unique("deliveries_seq_unique").on(t.seq),
    unique("deliveries_tenant_id_unique").on(t.tenantId, t.id),
    foreignKey({
      name: "deliveries_match_fk",
      columns: [t.tenantId, t.matchId],
      foreignColumns: [matches.tenantId, matches.id],
    }),
    foreignKey({
      name: "deliveries_trigger_fk",
      columns: [t.tenantId, t.triggerId],
      foreignColumns: [triggers.tenantId, triggers.id],
    }),
    index("deliveries_pending_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("deliveries_lease_idx").on(t.leaseUntil).where(sql`${t.status} = 'in_flight'`),
    index("deliveries_match_idx").on(t.matchId),
    index("deliveries_tenant_seq_idx").on(t.tenantId, t.seq),
    check("deliveries_status_check", sql`${t.status} in ('pending', 'in_flight', 'delivered', 'dead', 'suppressed')`),
    check(
      "deliveries_channel_check",
      sql`${t.channel} in ('slack', 'discord', 'telegram', 'webhook', 'email', 'script')`,
    ),
    check(
      "deliveries_suppressed_reason_check",
      sql`(${t.status} = 'suppressed') = (${t.suppressedReason} is not null) and (${t.suppressedReason} is null or ${t.suppressedReason} in ('orphaned', 'throttle_cooldown', 'throttle_threshold', 'quota_exceeded'))`,
    ),
    check(
      "deliveries_lease_check",
      sql`${t.status} <> 'in_flight' or (${t.leaseOwner} is not null and ${t.leaseUntil} is not null)`,
    ),
    check("deliveries_delivered_check", sql`${t.status} <> 'delivered' or ${t.deliveredAt} is not null`),
    check(
      "deliveries_attempts_check",
      sql`${t.maxAttempts} >= 1 and ${t.attempts} >= 0 and ${t.attemptBase} >= 0 and ${t.attemptBase} <= ${t.attempts}`,
    ),
  ],
);

export const ATTEMPT_OUTCOMES = [
  "in_flight",
  "delivered",
  "retryable_failure",
  "permanent_failure",
  "lease_expired",
] as const;

/** Every attempt, including the ones a crash interrupted (`lease_expired`). */
export const deliveryAttempts = pgTable(
  "delivery_attempts",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text("tenant_id").notNull(),
    deliveryId: text("delivery_id").notNull(),
    attempt: integer("attempt").notNull(),
    leaseOwner: text("lease_owner").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
    latencyMs: integer("latency_ms"),
    /** HTTP status, or SMTP reply code, or a script's exit code. */
    responseCode: integer("response_code"),
    outcome: text("outcome", { enum: ATTEMPT_OUTCOMES }).notNull().default("in_flight"),
    error: text("error"),
    retryAfterMs: integer("retry_after_ms"),
    ...timestamps,
  },
  (t) => [
    unique("delivery_attempts_attempt_unique").on(t.deliveryId, t.attempt),
    foreignKey({
      name: "delivery_attempts_delivery_fk",
      columns: [t.tenantId, t.deliveryId],
      foreignColumns: [deliveries.tenantId, deliveries.id],
    }),
    index("delivery_attempts_tenant_idx").on(t.tenantId, t.deliveryId),
    check(
      "delivery_attempts_outcome_check",
      sql`${t.outcome} in ('in_flight', 'delivered', 'retryable_failure', 'permanent_failure', 'lease_expired')`,
    ),
    check("delivery_attempts_attempt_check", sql`${t.attempt} >= 1`),
  ],
);

/** Per-monitor throttle state, locked and updated in the transaction that stores the monitor's new matches. */
export const throttleState = pgTable(
  "throttle_state",
  {
    tenantId: text("tenant_id").notNull(),
    monitorId: text("monitor_id").notNull(),
    lastNotifiedAt: timestamp("last_notified_at", { withTimezone: true, mode: "date" }),
    windowStartedAt: timestamp("window_started_at", { withTimezone: true, mode: "date" }),
    windowCount: integer("window_count").notNull().default(0),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "throttle_state_pk", columns: [t.tenantId, t.monitorId] }),
    foreignKey({
      name: "throttle_state_monitor_fk",
      columns: [t.tenantId, t.monitorId],
      foreignColumns: [monitors.tenantId, monitors.id],
    }),
  ],
);

/** The stored form of a monitor's throttle policy (see `ThrottlePolicy` in `./throttle.ts`). */
export interface ThrottlePolicyJson {
  min_interval_ms?: number;
  threshold?: { count: number; window_ms: number };
}

// ---------------------------------------------------------------------------------------------------------------
// Identity, access and accounting (issue 5). Users are platform-wide (one login, many tenants); everything else here
// is tenant-owned and covered by row-level security (see the hand-written part of migration 0002).

export const PLATFORM_ROLES = ["operator"] as const;
export const MEMBER_ROLES = ["owner", "admin", "member", "viewer"] as const;

/** A person who logs in. Not tenant-owned: tenants reach users through `memberships`. */
export const users = pgTable(
  "users",
  {
    id: uuidText("id").primaryKey(),
    /** Stored trimmed and lower-cased; unique among live users. */
    email: text("email").notNull(),
    /** argon2id PHC string (`$argon2id$v=19$…`). */
    passwordHash: text("password_hash").notNull(),
    displayName: text("display_name"),
    /** `operator` may manage platform networks and suspend tenants; `NULL` = an ordinary user. */
    platformRole: text("platform_role", { enum: PLATFORM_ROLES }),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true, mode: "date" }),
    ...timestamps,
    deletedAt: deletedAt(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email).where(sql`${t.deletedAt} is null`),
    check("users_platform_role_check", sql`${t.platformRole} is null or ${t.platformRole} in ('operator')`),
  ],
);

/** A user's role in a tenant; at most one live membership per (tenant, user). */
export const memberships = pgTable(
  "memberships",
  {
    id: uuidText("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    role: text("role", { enum: MEMBER_ROLES }).notNull(),
    ...timestamps,
    deletedAt: deletedAt(),
  },
  (t) => [
    unique("memberships_tenant_id_unique").on(t.tenantId, t.id),
    uniqueIndex("memberships_tenant_user_unique").on(t.tenantId, t.userId).where(sql`${t.deletedAt} is null`),
    index("memberships_user_idx").on(t.userId),
    check("memberships_role_check", sql`${t.role} in ('owner', 'admin', 'member', 'viewer')`),
  ],
);

/**
 * A tenant's API key. The key itself (`argus_<prefix>_<secret>`) is shown once; the row keeps its public `prefix`
 * (the lookup key) and the SHA-256 of the whole key.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuidText("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    /** Hex SHA-256 of the full key. */
    keyHash: text("key_hash").notNull(),
    scopes: jsonb("scopes").$type<string[]>().notNull(),
    role: text("role", { enum: MEMBER_ROLES }).notNull(),
    /** The user who created it (`NULL` when created by the platform). */
    createdBy: text("created_by").references(() => users.id),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    ...timestamps,
    deletedAt: deletedAt(),
  },
  (t) => [
    unique("api_keys_prefix_unique").on(t.prefix),
    unique("api_keys_tenant_id_unique").on(t.tenantId, t.id),
    index("api_keys_tenant_idx").on(t.tenantId, t.createdAt),
    check("api_keys_role_check", sql`${t.role} in ('owner', 'admin', 'member', 'viewer')`),
  ],
);

/** A login session: the family of refresh tokens issued from one login. Revoking it ends every token of it. */
export const sessions = pgTable(
  "sessions",
  {
    id: uuidText("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    ip: text("ip"),
    userAgent: text("user_agent"),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    /** `logout`, `refresh_reused`, `revoked_all`, … */
    revokedReason: text("revoked_reason"),
    ...timestamps,
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** Refresh tokens (opaque, stored as SHA-256); each is used once and replaced by the next of its session. */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuidText("id").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /** When it was exchanged for its successor; a second use is a reuse (the session is revoked). */
    usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
    ...timestamps,
  },
  (t) => [unique("refresh_tokens_hash_unique").on(t.tokenHash), index("refresh_tokens_session_idx").on(t.sessionId)],
);

/**
 * Append-only audit trail. No foreign keys on purpose: rows outlive the users, keys and resources they name.
 * `tenant_id` is `NULL` for platform actions (login, operator changes).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigint("seq", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    id: uuidText("id").notNull(),
    tenantId: text("tenant_id"),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id"),
    before: jsonb("before").$type<unknown>(),
    after: jsonb("after").$type<unknown>(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    ...timestamps,
  },
  (t) => [
    unique("audit_log_id_unique").on(t.id),
    index("audit_log_tenant_seq_idx").on(t.tenantId, t.seq),
    index("audit_log_actor_idx").on(t.actorId, t.seq),
  ],
);

/** Counters per tenant × metric × period (`2026-07-01` for days, `2026-07-01T12:34` for minutes, …). */
export const usageCounters = pgTable(
  "usage_counters",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    metric: text("metric").notNull(),
    period: text("period").notNull(),
    value: bigint("value", { mode: "bigint" }).notNull().default(sql`0`),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "usage_counters_pk", columns: [t.tenantId, t.metric, t.period] }),
    check("usage_counters_value_check", sql`${t.value} >= 0`),
  ],
);

export const SCRIPT_LANGUAGES = ["Python", "JavaScript", "Bash"] as const;

/** A tenant's trigger scripts (what a trigger's `script_path` names), versioned like triggers. */
export const triggerScripts = pgTable(
  "trigger_scripts",
  {
    id: uuidText("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    /** Relative path as OZ configs reference it, e.g. `filters/evm_filter.py`. */
    path: text("path").notNull(),
    language: text("language", { enum: SCRIPT_LANGUAGES }).notNull(),
    content: text("content").notNull(),
    version: integer("version").notNull().default(1),
    ...timestamps,
    deletedAt: deletedAt(),
  },
  (t) => [
    unique("trigger_scripts_tenant_id_unique").on(t.tenantId, t.id),
    uniqueIndex("trigger_scripts_tenant_path_unique").on(t.tenantId, t.path).where(sql`${t.deletedAt} is null`),
    check("trigger_scripts_version_check", sql`${t.version} >= 1`),
    check("trigger_scripts_language_check", sql`${t.language} in ('Python', 'JavaScript', 'Bash')`),
  ],
);

export const triggerScriptVersions = pgTable(
  "trigger_script_versions",
  {
    tenantId: text("tenant_id").notNull(),
    scriptId: text("script_id").notNull(),
    version: integer("version").notNull(),
    path: text("path").notNull(),
    language: text("language", { enum: SCRIPT_LANGUAGES }).notNull(),
    content: text("content").notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "trigger_script_versions_pk", columns: [t.scriptId, t.version] }),
    foreignKey({
      name: "trigger_script_versions_script_fk",
      columns: [t.tenantId, t.scriptId],
      foreignColumns: [triggerScripts.tenantId, triggerScripts.id],
    }),
  ],
);
