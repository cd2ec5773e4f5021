import type { LeaseError } from "./errors.js";

/**
 * A held lease: proof that this process is the one active holder of `name` until `signal` aborts.
 *
 * Invariants: `signal` aborts exactly once, when the lease ends for any reason, with a `LeaseError` as its reason
 * (`LEASE_RELEASED`, `LEASE_LOST` or `LEASE_CLOSED`); `onLost` listeners run at most once, only for an involuntary
 * end (lost or closed), after `signal` has aborted. Work guarded by the lease must stop when `signal` aborts.
 */
export interface Lease {
  readonly name: string;
  /** The identity of the manager that holds it (unique per manager instance). */
  readonly holderId: string;
  /** `Date.now()` when it was acquired. */
  readonly acquiredAt: number;
  /** Aborts when the lease ends; `signal.reason` is a `LeaseError`. */
  readonly signal: AbortSignal;
  /** True until the lease ends. */
  readonly held: boolean;
  /**
   * Runs `listener` if the lease is lost or its manager closed (not on `release`). Runs it on the next microtask if it
   * is already lost. Returns a function that removes it.
   */
  onLost(listener: (error: LeaseError) => void): () => void;
  /**
   * Re-verifies ownership with the backend now (a fence before an irreversible step, e.g. advancing a cursor).
   * Resolves `true` while held; on failure the lease is marked lost (signal aborted, listeners run) and it resolves
   * `false`.
   */
  confirm(): Promise<boolean>;
  /** Gives the lease up so another contender can take it. Idempotent; never throws. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Stops waiting; `acquire` then rejects with `LEASE_ABORTED`. */
  signal?: AbortSignal;
  /**
   * How often a waiting contender retries, for backends that cannot notify (PostgreSQL). Jittered by ±20 %.
   * @default 500
   */
  retryMs?: number;
}

/** Elects one holder per name among every manager on the same backend (across processes for PostgreSQL). */
export interface LeaseManager {
  /** Unique per manager instance; the `holderId` of its leases. */
  readonly holderId: string;
  /**
   * One attempt: the lease when it was free, `undefined` when someone holds it (including this manager: leases are not
   * re-entrant). Rejects with `LEASE_BACKEND_UNAVAILABLE` when the backend does not answer.
   */
  tryAcquire(name: string): Promise<Lease | undefined>;
  /** Waits until the lease is this manager's; backend outages are retried. Rejects only with `LEASE_ABORTED`/`LEASE_CLOSED`. */
  acquire(name: string, options?: AcquireOptions): Promise<Lease>;
  /** Names of the leases held now. */
  held(): string[];
  /** Ends every lease (`LEASE_CLOSED`) and disconnects. Idempotent. */
  close(): Promise<void>;
}
