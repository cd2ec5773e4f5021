import { ArgusError, type ErrorPath } from "../errors/index.js";

/**
 * Why one delivery attempt failed. Messages name the channel and the destination by host only (scheme + host +
 * port, or the SMTP host): webhook paths, bot tokens, secrets and passwords never appear in a message.
 */
export type NotifyErrorCode =
  /** The destination URL does not parse or is not http(s). Permanent. */
  | "NOTIFY_URL_INVALID"
  /** The destination host is (or resolves to) a loopback, private, link-local, metadata… address. Permanent. */
  | "NOTIFY_URL_FORBIDDEN"
  /** The receiver answered outside 2xx (redirects are not followed). Retryable for 408, 429 and 5xx. */
  | "NOTIFY_HTTP_STATUS"
  /** No complete answer within the attempt's timeout. Retryable. */
  | "NOTIFY_TIMEOUT"
  /** DNS failure, connection refused or reset, socket closed early. Retryable (except an unknown host). */
  | "NOTIFY_NETWORK"
  /** TLS handshake or certificate verification failed. Permanent: the same certificate fails again. */
  | "NOTIFY_TLS"
  /** The caller's signal aborted the attempt (shutdown); the outcome of the attempt is unknown. Retryable. */
  | "NOTIFY_ABORTED"
  /** A secret of the trigger could not be resolved (environment variable missing…). Permanent. */
  | "NOTIFY_SECRET_UNRESOLVED"
  /** The webhook's `secret` is configured but empty (OZ fails the send). Permanent. */
  | "NOTIFY_WEBHOOK_SECRET_EMPTY"
  /** The SMTP server refused a command (4xx: retryable, 5xx: permanent). */
  | "NOTIFY_SMTP_REJECTED"
  /** SMTP authentication failed (535…: permanent; 4xx: retryable). */
  | "NOTIFY_SMTP_AUTH"
  /** The script exited non-zero (message `Script execution failed: <stderr>`), or broke the runner's limits. Permanent. */
  | "NOTIFY_SCRIPT_FAILED"
  /** The script ran longer than `timeout_ms` and was killed. Permanent (OZ does not retry scripts). */
  | "NOTIFY_SCRIPT_TIMEOUT"
  /** The script file was not found or could not be read. Permanent. */
  | "NOTIFY_SCRIPT_NOT_FOUND"
  /** The interpreter could not be started. Permanent. */
  | "NOTIFY_SCRIPT_SPAWN"
  /** The operator disabled the script's language on this server. Permanent. */
  | "NOTIFY_SCRIPT_REFUSED";

export interface NotifyErrorOptions {
  retryable: boolean;
  hint?: string | undefined;
  path?: ErrorPath;
  /** HTTP status or SMTP reply code, when the receiver answered. */
  status?: number | undefined;
  /** Low-level error code (`ECONNREFUSED`, `ETIMEDOUT`, `EAUTH`, …) when there was one. */
  causeCode?: string | undefined;
}

/**
 * A failed delivery attempt. The raw cause is deliberately not attached (low-level errors can quote URLs or server
 * replies); `causeCode` keeps the part worth branching on.
 */
export class NotifyError extends ArgusError {
  override name = "NotifyError";
  override readonly code: NotifyErrorCode;
  readonly status: number | undefined;
  readonly causeCode: string | undefined;

  constructor(code: NotifyErrorCode, message: string, options: NotifyErrorOptions) {
    super(code, message, { retryable: options.retryable, hint: options.hint, path: options.path ?? [] });
    this.code = code;
    this.status = options.status;
    this.causeCode = options.causeCode;
  }
}
