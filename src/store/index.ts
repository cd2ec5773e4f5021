/**
 * @module store
 *
 * The store: one drizzle schema and one migration set over embedded PGlite (a data directory, the default) or
 * PostgreSQL (`DATABASE_URL`), with identical result types on both (block numbers are `bigint`, timestamps `Date`).
 * It owns tenants, networks, monitors and triggers (with config history), per-network cursors and recent block
 * hashes, matches (unique on the engine's deterministic id) and the delivery outbox (leases, attempts, retries,
 * dead letters, replay). Repositories are plain functions taking the `Store` first; each mutation is one transaction.
 *
 * Depends on nothing above it (no engine, no notify); other modules use the store only through this file.
 *
 * @example
 * const store = await createStore(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { dataDir });
 * await matches.insertMany(store, newMatches);                       // matches + deliveries, atomically
 * const batch = await deliveries.claimDue(store, { now: new Date(), limit: 10, owner: "dispatch-1", leaseMs: 30_000 });
 * for (const { delivery, attempt } of batch) {
 *   await deliveries.recordAttempt(store, { deliveryId: delivery.id, attempt, owner: "dispatch-1", report });
 * }
 * await store.close();
 */
export {
  type BlockHashInput,
  blockHashes,
  type RecordBlocksOptions,
  type RecordedBlock,
  type RewindResult,
} from "./block-hashes.js";
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
} from "./matches.js";
export { loadMigrations, type MigrateResult, type Migration, migrate } from "./migrate.js";
export {
  monitors,
  type SaveMonitorParameters,
  type StoredMonitor,
  type StoredMonitorVersion,
} from "./monitors.js";
export { networks, type SaveNetworkParameters, type StoredNetwork } from "./networks.js";
export { DEFAULT_TENANT_ID } from "./schema.js";
export { type CreateStoreOptions, createStore, redactDatabaseUrl, type StoreLocation } from "./store.js";
export { type CreateTenantParameters, type Tenant, type TenantStatus, tenants } from "./tenants.js";
export { decideThrottle, type ThrottleDecision, type ThrottlePolicy, type ThrottleState } from "./throttle.js";
export { type SaveTriggerParameters, type StoredTrigger, type StoredTriggerVersion, triggers } from "./triggers.js";
