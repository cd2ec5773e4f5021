import type { ErrorPath } from "../../errors/index.js";
import { StellarXdrError } from "./errors.js";

/** A generated XDR type that can read itself from raw bytes. */
export interface XdrReadable<T> {
  fromXDR(input: Buffer, format?: "raw"): T;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 → bytes (Node's decoder skips invalid characters silently, which would hide corruption). */
export function base64Bytes(value: string): Buffer | undefined {
  return BASE64.test(value) ? Buffer.from(value, "base64") : undefined;
}

export interface XdrFieldContext {
  path: ErrorPath;
  /** The transaction the field belongs to, named in the error. */
  txHash?: string | undefined;
}

/**
 * Decodes base64 XDR of type `type` (named `typeName` in errors). Anything wrong (not a string, not base64, a
 * truncated or over-long buffer, an unknown union arm, nesting deeper than js-xdr's limit) becomes a
 * `StellarXdrError` naming the field and transaction; nothing else escapes.
 */
export function decodeXdr<T>(type: XdrReadable<T>, typeName: string, value: unknown, context: XdrFieldContext): T {
  if (typeof value !== "string") {
    throw new StellarXdrError({
      xdrType: typeName,
      ...context,
      detail: `expected a base64 string, got ${typeof value}`,
    });
  }
  const bytes = base64Bytes(value);
  if (bytes === undefined) {
    throw new StellarXdrError({ xdrType: typeName, ...context, detail: "the text is not base64" });
  }
  try {
    return type.fromXDR(bytes);
  } catch (error) {
    throw new StellarXdrError({
      xdrType: typeName,
      ...context,
      detail: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
}

/**
 * Runs a conversion of already-decoded XDR (to JSON, to operations) and turns an unexpected throw into a
 * `StellarXdrError` for the same field, so no SDK exception escapes a fetch.
 */
export function convertXdr<T>(typeName: string, context: XdrFieldContext, convert: () => T): T {
  try {
    return convert();
  } catch (error) {
    if (error instanceof StellarXdrError) throw error;
    throw new StellarXdrError({
      xdrType: typeName,
      ...context,
      detail: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
}
