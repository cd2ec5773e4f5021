/** Small shape checks for decoded frame bodies; each failure names the JSON path it found. */
import { type ErrorPath, formatJsonPath } from "../errors/index.js";
import { CodecCode, CodecError } from "./errors.js";

export type JsonObject = { [key: string]: unknown };

function invalid(path: ErrorPath, expected: string, got: unknown): CodecError {
  const seen = got === null ? "null" : Array.isArray(got) ? "an array" : typeof got;
  return new CodecError(CodecCode.Invalid, `Expected ${expected} at ${formatJsonPath(path)}, got ${seen}.`, { path });
}

export function asObject(value: unknown, path: ErrorPath): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(path, "an object", value);
  return value as JsonObject;
}

export function asArray(value: unknown, path: ErrorPath): unknown[] {
  if (!Array.isArray(value)) throw invalid(path, "an array", value);
  return value;
}

export function asString(value: unknown, path: ErrorPath): string {
  if (typeof value !== "string") throw invalid(path, "a string", value);
  return value;
}

export function asNullableString(value: unknown, path: ErrorPath): string | null {
  return value === null ? null : asString(value, path);
}

/** Big integers travel as decimal strings (JSON numbers lose precision above 2^53). */
export function parseBigint(value: unknown, path: ErrorPath): bigint {
  if (typeof value !== "string" || !/^-?(0|[1-9][0-9]*)$/.test(value)) {
    throw invalid(path, "a decimal integer string", value);
  }
  return BigInt(value);
}
