/**
 * Redaction for API responses, audit rows and logs: secrets are write-only. Pure.
 */
import { mapSecrets } from "./walk.js";

/** What a redacted secret reads as. */
export const REDACTED = "***";

/** The prefix of an encrypted secret (see `./envelope.ts`); such strings are redacted wherever they appear. */
export const ENVELOPE_PREFIX = "argus:v1:";

/**
 * Keys whose string values are credentials in Argus's own records (users, sessions, API keys), in both spellings
 * the store and the API use. Kept narrow on purpose: a `hash` in a match is a transaction hash, not a secret.
 */
const SECRET_KEYS = new Set([
  "password",
  "passwordHash",
  "password_hash",
  "keyHash",
  "key_hash",
  "tokenHash",
  "token_hash",
  "refreshToken",
  "refresh_token",
  "accessToken",
  "access_token",
  "apiKey",
  "api_key",
]);

function redactPlain(json: unknown): unknown {
  if (typeof json === "string") return json.startsWith(ENVELOPE_PREFIX) ? REDACTED : json;
  if (Array.isArray(json)) return json.map(redactPlain);
  if (typeof json === "object" && json !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(json)) {
      out[key] = SECRET_KEYS.has(key) && typeof value === "string" ? REDACTED : redactPlain(value);
    }
    return out;
  }
  return json;
}

/**
 * A copy of `json` with every secret value replaced by `"***"`: the `value` of each OZ `SecretValue` (its `type`
 * stays, so a reader still sees that a secret is set and how), encrypted envelopes anywhere, and credential fields
 * of Argus records (`password_hash`, `key_hash`, `token_hash`, …). `Date`s become ISO strings and `bigint`s decimal
 * strings, so the result is plain JSON.
 *
 * @example
 * redactSecrets({ slack_url: { type: "Plain", value: "https://hooks.slack.com/…" } })
 * // { slack_url: { type: "Plain", value: "***" } }
 */
export function redactSecrets<T>(json: T): T {
  const plain = toJson(json);
  return redactPlain(mapSecrets(plain, (_secret, node) => ({ ...node, value: REDACTED }))) as T;
}

/** Dates, bigints and `undefined` (dropped) turned into what JSON can hold; cycles are not expected. */
function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toJson(item);
    return out;
  }
  return value;
}
