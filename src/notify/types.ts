import type { RetryPolicy, SecretEnv, Trigger, TriggerType } from "../config/index.js";
import type { MonitorMatch, MonitorMatchJson } from "../engine/index.js";
import type { HostResolver } from "../net/index.js";
import type { SmtpTlsMode } from "./channels/email.js";
import type { ScriptSettings } from "./conditions/index.js";
import type { NotifyError } from "./errors.js";
import type { TemplateVariables } from "./template.js";
import type { Truncation } from "./truncate.js";

/** One notification to deliver: a trigger applied to a match. */
export interface Notification {
  /**
   * The delivery id: stable across every attempt of this delivery (a retry or a replay sends the same id). Sent as
   * the Standard Webhooks `webhook-id`, which receivers use to deduplicate. The match id is a good choice when a
   * match is delivered once per trigger; a durable dispatcher passes its own delivery id.
   */
  id: string;
  /** The trigger as loaded (its secrets resolved; unresolved `Environment` secrets are resolved per attempt). */
  trigger: Trigger;
  /** The match: the engine's `MonitorMatch` or its JSON form (`{"EVM": {…}}`, `{"Stellar": {…}}`, …). */
  match: MonitorMatch | MonitorMatchJson | object;
  /** Template variables; default `buildTemplateVariables(match)`. */
  variables?: TemplateVariables;
}

export interface DeliverOptions {
  signal?: AbortSignal;
  /**
   * Operator setting: allow destinations on loopback, private, link-local, metadata and other non-public addresses.
   * Tenants must not be able to set it.
   * @default false
   */
  allowPrivateNetworks?: boolean;
  /** DNS resolution for the address guard (tests simulate hostnames resolving to private addresses). */
  resolve?: HostResolver;
  /**
   * Budget of one HTTP or SMTP attempt (DNS, connect, TLS, request, answer). Scripts use their `timeout_ms`.
   * @default 10_000
   */
  timeoutMs?: number;
  /** Clock for webhook timestamps, Unix milliseconds. @default Date.now */
  now?: () => number;
  /** Environment for trigger secrets still of type `Environment`. @default process.env */
  env?: SecretEnv;
  /** Telegram Bot API base URL. @default "https://api.telegram.org" */
  telegramApiBaseUrl?: string;
  /** Operator setting: replaces the `https://hooks.slack.com` origin of Slack URLs (a relay, a test receiver). */
  slackBaseUrl?: string;
  /** Operator setting: replaces the `https://discord.com` origin of Discord URLs (a relay, a test receiver). */
  discordBaseUrl?: string;
  /** SMTP session security; default by port (§15: 465 implicit TLS, other ports STARTTLS). */
  smtpTlsMode?: SmtpTlsMode;
  /**
   * SMTP certificate trust, for tests and private CAs only: `ca` trusts that CA, `rejectUnauthorized: false`
   * skips verification. Unset: system CAs, full verification.
   */
  smtpTls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Script triggers: where relative `script_path`s are found. @default process.cwd() */
  scriptCwd?: string;
  /** Script triggers: the config directory, a second root for relative `script_path`s. */
  scriptConfigDir?: string;
  /** Script triggers: reads a script's content (e.g. from a cache filled at startup, as OZ does). */
  readScript?: (scriptPath: string) => Promise<string>;
  /** Script triggers: operator settings of the shared script runner (`notify/conditions`). */
  scriptSettings?: ScriptSettings;
}

interface DeliveryOutcomeBase {
  channel: TriggerType;
  /** Wall time of the attempt, ms. */
  latencyMs: number;
  /** HTTP status, SMTP reply code or script exit code, when there was one. */
  status?: number;
  /** The start of the receiver's answer (HTTP body, SMTP reply), secrets scrubbed; at most 512 characters. */
  responseBodySnippet?: string;
  /** Set when the message was cut to fit the channel's limit (Discord 2,000, Slack 3,000, Telegram 4,096). */
  truncation?: Truncation;
}

export interface DeliverySuccess extends DeliveryOutcomeBase {
  ok: true;
}

export interface DeliveryFailure extends DeliveryOutcomeBase {
  ok: false;
  /** Whether another attempt may succeed: 408, 429, 5xx, timeouts, connection errors, SMTP 4xx. */
  retryable: boolean;
  /** The receiver's `Retry-After`, in ms, when it sent one. */
  retryAfterMs?: number;
  error: NotifyError;
}

/** The result of one delivery attempt. */
export type DeliveryOutcome = DeliverySuccess | DeliveryFailure;

export interface DeliverWithRetryOptions extends DeliverOptions {
  /** Default: the trigger's `retry_policy` (scripts have none: one attempt). */
  retryPolicy?: RetryPolicy;
  /** Random source for full jitter. @default Math.random */
  random?: () => number;
  /** Called after every attempt (1-based), e.g. to log it. */
  onAttempt?: (outcome: DeliveryOutcome, attempt: number) => void;
}

/** Every attempt of an in-memory delivery; `final` is the last one. */
export interface DeliveryReport {
  ok: boolean;
  final: DeliveryOutcome;
  attempts: DeliveryOutcome[];
}
