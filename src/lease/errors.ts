import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the lease module. Branch on these, never on message text. */
export const LeaseCode = {
  /** Options are out of range (e.g. a check interval not shorter than the check time-out). */
  OptionsInvalid: "LEASE_OPTIONS_INVALID",
  /** A lease name is empty or too long. */
  NameInvalid: "LEASE_NAME_INVALID",
  /**
   * The lease was lost without being released: the backend connection ended or was terminated, a health check failed
   * or timed out, or the lock was no longer found. The holder must stop the work the lease guards at once.
   */
  Lost: "LEASE_LOST",
  /** The holder released the lease (the reason of its signal; not a failure). */
  Released: "LEASE_RELEASED",
  /** The lease manager was closed: every lease it held ended. */
  Closed: "LEASE_CLOSED",
  /** Waiting for a lease was aborted through the caller's signal. */
  Aborted: "LEASE_ABORTED",
  /** The backend did not answer (connect or query failed); retryable. */
  BackendUnavailable: "LEASE_BACKEND_UNAVAILABLE",
} as const;

export type LeaseCode = (typeof LeaseCode)[keyof typeof LeaseCode];

/** The lease module's error; also the `reason` of a lease's `signal` when it ends. */
export class LeaseError extends ArgusError {
  override name = "LeaseError";
  declare readonly code: LeaseCode;
  /** The lease (or membership) name concerned, when there is one. */
  readonly lease: string | undefined;

  constructor(code: LeaseCode, message: string, options: ArgusErrorOptions & { lease?: string } = {}) {
    super(code, message, { ...options, path: options.path ?? (options.lease === undefined ? [] : [options.lease]) });
    this.lease = options.lease;
  }
}
