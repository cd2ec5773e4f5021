/**
 * Cursor pagination for lists the store returns whole (a tenant's monitors, triggers, networks: bounded by quotas).
 * The cursor is opaque to clients: base64url of the last item's sort key.
 */
import { ApiCode, ApiError } from "./errors.js";

export interface ApiPage<T> {
  items: T[];
  nextCursor: string | null;
}

function encode(key: string): string {
  return Buffer.from(JSON.stringify({ k: key })).toString("base64url");
}

function decode(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { k?: unknown };
    if (typeof value.k === "string") return value.k;
  } catch {
    // fall through
  }
  throw new ApiError(ApiCode.BadRequest, "The pagination cursor is not valid.", {
    errors: [
      { path: "$.cursor", message: "pass back the nextCursor of a previous page unchanged", code: "API_CURSOR" },
    ],
  });
}

/** One page of `items` ordered by `keyOf` (ascending, unique), after `cursor`. */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  limit: number,
  cursor?: string,
): ApiPage<T> {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const after = cursor === undefined ? undefined : decode(cursor);
  const rest = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page, nextCursor: rest.length > limit && last !== undefined ? encode(keyOf(last)) : null };
}
