import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the bus module. Branch on these (or `retryable`), never on message text. */
export const BusCode = {
  /** The log server did not answer or the connection broke (retryable: the client reconnects on its own). */
  Unavailable: "BUS_UNAVAILABLE",
  /** A publish was not confirmed in time (retryable: publish again with the same dedup id). */
  PublishFailed: "BUS_PUBLISH_FAILED",
  /** An encoded payload is larger than the log accepts (NATS `max_payload`, 1 MiB by default). */
  PayloadTooLarge: "BUS_PAYLOAD_TOO_LARGE",
  /** A subject key or consumer name has characters the log cannot carry. */
  InvalidName: "BUS_INVALID_NAME",
  /** An option is out of range. */
  InvalidOption: "BUS_INVALID_OPTION",
  /** The consumer does not exist (deleted, or never created). */
  ConsumerNotFound: "BUS_CONSUMER_NOT_FOUND",
  /** A durable consumer exists with another subject filter than the one asked for. */
  ConsumerConflict: "BUS_CONSUMER_CONFLICT",
  /** The bus was used after `close()`. */
  Closed: "BUS_CLOSED",
  /** The operation was aborted through its `signal`. */
  Aborted: "BUS_ABORTED",
} as const;

export type BusCode = (typeof BusCode)[keyof typeof BusCode];

export class BusError extends ArgusError {
  override name = "BusError";
  declare readonly code: BusCode;

  constructor(code: BusCode, message: string, options: ArgusErrorOptions = {}) {
    super(code, message, options);
  }
}
