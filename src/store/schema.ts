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
export const SUPPRESSED_REASONS = ["orphaned", "throttle_cooldown", "throttle_threshold"] as const;
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
      sql`(${t.status} = 'suppressed') = (${t.suppressedReason} is not null) and (${t.suppressedReason} is null or ${t.suppressedReason} in ('orphaned', 'throttle_cooldown', 'throttle_threshold'))`,
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
