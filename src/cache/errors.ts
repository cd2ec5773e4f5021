import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the cache module. */
export const CacheCode = {
  /** Redis did not answer or the connection broke (retryable; callers usually fall back to the chain). */
  Unavailable: "CACHE_UNAVAILABLE",
  /** A network name, block number or option is out of range. */
  InvalidArgument: "CACHE_INVALID_ARGUMENT",
  /** The cache was used after `close()`. */
  Closed: "CACHE_CLOSED",
} as const;

export type CacheCode = (typeof CacheCode)[keyof typeof CacheCode];

export class CacheError extends ArgusError {
  override name = "CacheError";
  declare readonly code: CacheCode;

  constructor(code: CacheCode, message: string, options: ArgusErrorOptions = {}) {
    super(code, message, options);
  }
}
