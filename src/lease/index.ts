/**
 * @module lease
 *
 * Leader election for singletons such as "one active ingester per network": a `LeaseManager` hands out at most one
 * `Lease` per name among every manager on the same backend, and ends it (its `signal` aborts, `onLost` listeners
 * run) the moment it can no longer be sure it holds it. Backends: PostgreSQL session advisory locks on a dedicated
 * connection (`createPostgresLeaseManager`, across processes and hosts) and in-process (`createMemoryLeaseManager`,
 * the embedded default, same contract).
 *
 * Imports no other Argus module except `errors`; owns no tables (advisory locks need none).
 *
 * @example
 * const leases = process.env.DATABASE_URL
 *   ? createPostgresLeaseManager({ connectionString: process.env.DATABASE_URL })
 *   : createMemoryLeaseManager();
 * const lease = await leases.acquire("ingest:ethereum_mainnet", { signal: shutdown.signal });
 * lease.onLost((error) => logger.warn({ code: error.code }, "Ingest lease lost"));
 * await watchNetwork({ signal: lease.signal }); // stops at once when the lease is lost
 * await lease.release();
 */
export { LeaseCode, LeaseError } from "./errors.js";
export { leaseKey } from "./key.js";
export { type RunAsLeaderOptions, runAsLeader } from "./leader.js";
export {
  createMemoryLeaseManager,
  createMemoryLeaseSpace,
  type MemoryLeaseOptions,
  type MemoryLeaseSpace,
  processLeaseSpace,
} from "./memory.js";
export { createPostgresLeaseManager, type PostgresLeaseOptions } from "./postgres.js";
export type { AcquireOptions, Lease, LeaseManager } from "./types.js";
