/**
 * @module store
 *
 * The store: one drizzle schema and one migration set over embedded PGlite (a data directory, the default) or
 * PostgreSQL (`DATABASE_URL`), with identical result types on both (block numbers are `bigint`, timestamps `Date`).
 * It owns tenants, networks, monitors, triggers and trigger scripts (with config history), per-network cursors and
 * recent block hashes, matches (unique on the engine's deterministic id), the delivery outbox (leases, attempts,
 * retries, dead letters, replay), and the control plane's records: users, memberships, API keys, sessions and refresh
 * tokens, the audit log, usage counters and plan quotas. Repositories are plain functions taking the `Store` first;
 * each mutation is one transaction (a savepoint when the store is already a transaction).
 *
 * Tenant isolation has two walls: every repository filters by `tenant_id`, and `withTenant(store, tenantId, fn)` runs
 * `fn` as the database role `argus_tenant` under row-level security (on PGlite too). Platform code uses the plain
 * store. An Argus that connects as a non-superuser needs `CREATE ROLE argus_tenant NOLOGIN; GRANT argus_tenant TO
 * <its user>` run once by a superuser (the migration does it when it may).
 *
 * Depends only on `errors` and `secrets` (audit rows are redacted); no engine, no notify. Other modules use the store
 * only through this file.
 *
 * @example
 * const store = await createStore(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { dataDir });
 * await matches.insertMany(store, newMatches);                       // matches + deliveries, atomically
 * const batch = await deliveries.claimDue(store, { now: new Date(), limit: 10, owner: "dispatch-1", leaseMs: 30_000 });
 * for (const { delivery, attempt } of batch) {
 *   await deliveries.recordAttempt(store, { deliveryId: delivery.id, attempt, owner: "dispatch-1", report });
 * }
 * await withTenant(store, tenantId, async (scoped) => {
 *   await quotas.reserve(scoped, tenantId, "monitors");                // QUOTA_EXCEEDED at the plan's limit
 *   const saved = await monitors.save(scoped, { tenantId, name, config });
 *   await audit.record(scoped, { tenantId, actor, action: "monitor.create", resourceType: "monitor", resourceId: saved.id, after: saved });
 * });
 * await store.close();
 */
export {
  type ApiKeyRecord,
  type ApiKeyWithHash,
  apiKeys,
  type InsertApiKeyParameters,
} from "./api-keys.js";
export {
  type AuditActor,
  type AuditEntry,
  audit,
  type ListAuditParameters,
  type RecordAuditParameters,
} from "./audit.js";
export {
  type BlockHashInput,
  blockHashes,
  type RecordBlocksOptions,
  type RecordedBlock,
  type RewindResult,
} from "./block-hashes.js";
export { type BlockVerdict, canonical, type MatchedBlock, type StoredMatchRef } from "./canonical.js";
export {
  CONFIG_CHANNEL,
  type ConfigChange,
  type ConfigChangeKind,
  parseConfigChange,
} from "./config-events.js";
export { type AdvanceCursorParameters, cursors, type NetworkCursor } from "./cursors.js";
export type { Store, StoreDriver } from "./db.js";
export {
  type AttemptOutcomeKind,
  type AttemptReport,
  type ClaimDueParameters,
  type ClaimedDelivery,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryStatus,
  deliveries,
  type ListDeliveriesParameters,
  type RecordAttemptParameters,
  type RecordAttemptResult,
} from "./deliveries.js";
export { StoreCode, StoreError } from "./errors.js";
export { deliveryId } from "./ids.js";
export { LOCK_FILE_NAME } from "./lock.js";
export {
  type Channel,
  type DeliveryRequest,
  type InsertMatchesResult,
  type ListMatchesParameters,
  type MatchStatus,
  matches,
  type NewMatch,
  type OrphanResult,
  type Page,
  type StoredMatch,
  type SuppressedReason,
} from "./matches.js";
export {
  type AddMembershipParameters,
  type Member,
  type MemberRole,
  type Membership,
  memberships,
} from "./memberships.js";
export { loadMigrations, type MigrateResult, type Migration, migrate } from "./migrate.js";
export {
  monitors,
  type SaveMonitorParameters,
  type StoredMonitor,
  type StoredMonitorVersion,
} from "./monitors.js";
export { networks, type SaveNetworkParameters, type StoredNetwork } from "./networks.js";
export { limitsFor, PLAN_LIMITS, type PlanLimits, type QuotaKind, quotas } from "./quotas.js";
export { DEFAULT_TENANT_ID, MEMBER_ROLES, PLATFORM_ROLES, SCRIPT_LANGUAGES } from "./schema.js";
export { TENANT_ROLE, TENANT_SETTING, withPlatform, withTenant } from "./scope.js";
export { type CreateSessionParameters, type RefreshTokenRow, refreshTokens, type Session } from "./sessions.js";
export {
  type AdvisoryLockHolder,
  type DeliveryCounts,
  type DeliveryStatusName,
  type NetworkCursorRow,
  stats,
  type TenantMonitorLoad,
} from "./stats.js";
export { type CreateStoreOptions, createStore, redactDatabaseUrl, type StoreLocation } from "./store.js";
export { type CreateTenantParameters, type Tenant, type TenantStatus, tenants } from "./tenants.js";
export { decideThrottle, type ThrottleDecision, type ThrottlePolicy, type ThrottleState } from "./throttle.js";
export {
  type SaveTriggerScriptParameters,
  type ScriptLanguage,
  type StoredTriggerScript,
  type StoredTriggerScriptVersion,
  triggerScripts,
} from "./trigger-scripts.js";
export { type SaveTriggerParameters, type StoredTrigger, type StoredTriggerVersion, triggers } from "./triggers.js";
export {
  type IncrementUsageParameters,
  type UsageCounter,
  type UsageGranularity,
  type UsageMetric,
  usage,
  usagePeriod,
} from "./usage.js";
export {
  type CreateUserParameters,
  normalizeEmail,
  type PlatformRole,
  type User,
  type UserWithPasswordHash,
  users,
} from "./users.js";
