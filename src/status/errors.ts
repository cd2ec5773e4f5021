import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";
import type { SectionError } from "./report.js";

/** Stable codes of the status module. Branch on these, never on message text. */
export const StatusCode = {
  /** The chain's head was not read within the time-out. */
  HeadTimeout: "STATUS_HEAD_TIMEOUT",
  /** The stored network config could not be opened or parsed to ask its RPC for the head. */
  NetworkUnusable: "STATUS_NETWORK_UNUSABLE",
  /** A source of the report (store, bus, membership, leases) failed with something that is not an `ArgusError`. */
  SourceFailed: "STATUS_SOURCE_FAILED",
} as const;

export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export class StatusError extends ArgusError {
  override name = "StatusError";
  declare readonly code: StatusCode;
  constructor(code: StatusCode, message: string, options: ArgusErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Any failure as the report shows it: the `ArgusError`'s own code, or `STATUS_SOURCE_FAILED`. */
export function sectionError(error: unknown): SectionError {
  if (error instanceof ArgusError) return { code: error.code, message: error.message };
  return { code: StatusCode.SourceFailed, message: error instanceof Error ? error.message : String(error) };
}
