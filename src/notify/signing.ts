/**
 * Webhook signatures: OZ's `X-Signature` / `X-Timestamp` pair and the Standard Webhooks
 * (https://www.standardwebhooks.com) `webhook-id` / `webhook-timestamp` / `webhook-signature` triple. Both sign the
 * exact bytes of the request body.
 */
import { createHmac } from "node:crypto";

/**
 * OZ's signature (spec §9.3): lowercase hex of HMAC-SHA256 with the secret's UTF-8 bytes as key, over the body
 * followed by the timestamp (Unix milliseconds as decimal text).
 *
 * @example
 * ozSignature("s", '{"title":"t","body":"b"}', "1700000000000") // 64 hex characters
 */
export function ozSignature(secret: string, body: string | Uint8Array, timestampMs: string): string {
  return createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(typeof body === "string" ? Buffer.from(body, "utf8") : body)
    .update(Buffer.from(timestampMs, "utf8"))
    .digest("hex");
}

/**
 * The Standard Webhooks signing key of a secret: a `whsec_`-prefixed secret is the Standard Webhooks format, whose
 * key is the base64 text after the prefix, decoded; any other secret (an OZ `secret`) is used as its UTF-8 bytes,
 * the same key `X-Signature` uses.
 */
export function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith("whsec_")
    ? Buffer.from(secret.slice("whsec_".length), "base64")
    : Buffer.from(secret, "utf8");
}

/**
 * Standard Webhooks signature header value: `v1,` + base64 HMAC-SHA256(key, `<id>.<timestamp>.<body>`), with the
 * timestamp in Unix seconds.
 */
export function standardWebhookSignature(
  secret: string,
  id: string,
  timestampSeconds: string,
  body: string | Uint8Array,
): string {
  const mac = createHmac("sha256", standardWebhookKey(secret))
    .update(Buffer.from(`${id}.${timestampSeconds}.`, "utf8"))
    .update(typeof body === "string" ? Buffer.from(body, "utf8") : body)
    .digest("base64");
  return `v1,${mac}`;
}
