import type { NotificationMessage, PayloadMode } from "../../config/index.js";
import { matchJsonText } from "../conditions/index.js";
import { ozSignature, standardWebhookSignature } from "../signing.js";
import { formatTemplate, type TemplateVariables } from "../template.js";

/** The method OZ uses when the webhook config names none. */
export const DEFAULT_WEBHOOK_METHOD = "POST";

/**
 * The webhook body (spec §9.3): template mode `{"body":<templated body>,"title":<templated title>}` (keys sorted,
 * as OZ's `serde_json` objects serialise), raw mode the match JSON (§7) as is, e.g. `{"EVM":{…}}`.
 */
export function renderWebhookBody(
  config: { payload_mode: PayloadMode; message: NotificationMessage },
  vars: TemplateVariables,
  matchJson: object,
): string {
  if (config.payload_mode === "raw") return matchJsonText(matchJson as Parameters<typeof matchJsonText>[0]);
  return JSON.stringify({
    body: formatTemplate(config.message.body, vars),
    title: formatTemplate(config.message.title, vars),
  });
}

export interface WebhookHeaderInput {
  /** The delivery id: `webhook-id`, identical on every attempt of a delivery (receivers deduplicate on it). */
  deliveryId: string;
  /** The exact body sent. */
  body: string;
  /** Current time, Unix milliseconds. */
  nowMs: number;
  /** The resolved webhook secret, if one is configured (must not be empty). */
  secret?: string | undefined;
  /** Custom headers; they override built-in ones of the same name (case-insensitive). */
  custom?: Readonly<Record<string, string>> | null | undefined;
}

/**
 * The webhook request headers, in order: `Content-Type: application/json`; with a secret, OZ's
 * `X-Signature` (hex HMAC-SHA256 over body + ms timestamp) and `X-Timestamp` (ms); the Standard Webhooks headers
 * `webhook-id`, `webhook-timestamp` (seconds) and, with a secret, `webhook-signature` (`v1,<base64>`); then the
 * custom headers, each replacing a built-in header of the same name.
 */
export function webhookHeaders(input: WebhookHeaderInput): Array<[string, string]> {
  const timestampMs = String(input.nowMs);
  const timestampSeconds = String(Math.floor(input.nowMs / 1000));
  const headers: Array<[string, string]> = [["Content-Type", "application/json"]];
  if (input.secret !== undefined) {
    headers.push(["X-Signature", ozSignature(input.secret, input.body, timestampMs)], ["X-Timestamp", timestampMs]);
  }
  headers.push(["webhook-id", input.deliveryId], ["webhook-timestamp", timestampSeconds]);
  if (input.secret !== undefined) {
    headers.push([
      "webhook-signature",
      standardWebhookSignature(input.secret, input.deliveryId, timestampSeconds, input.body),
    ]);
  }
  const custom = new Map<string, [string, string]>();
  for (const [name, value] of Object.entries(input.custom ?? {})) custom.set(name.toLowerCase(), [name, value]);
  return [...headers.filter(([name]) => !custom.has(name.toLowerCase())), ...custom.values()];
}
