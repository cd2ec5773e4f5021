/**
 * One delivery attempt per call (`deliver`), and an in-memory retry loop on top (`deliverWithRetry`) for callers
 * without durable delivery. A durable dispatcher calls `deliver` once per stored attempt and schedules the next one
 * from the outcome (`retryable`, `retryAfterMs`).
 */
import { backoffDelay, parseRetryAfter } from "../chains/rpc/index.js";
import {
  type Duration,
  defaultRetryPolicy,
  type RetryPolicy,
  resolveSecret,
  type SecretValue,
  type Trigger,
} from "../config/index.js";
import { renderDiscordBody } from "./channels/discord.js";
import { renderEmail, sendEmail } from "./channels/email.js";
import { runScriptNotification } from "./channels/script.js";
import { renderSlackBody } from "./channels/slack.js";
import { renderTelegramBody, TELEGRAM_API_BASE_URL, telegramSendMessageUrl } from "./channels/telegram.js";
import type { RenderedBody } from "./channels/types.js";
import { DEFAULT_WEBHOOK_METHOD, renderWebhookBody, webhookHeaders } from "./channels/webhook.js";
import { DISCORD_ORIGIN, rebaseUrl, SLACK_ORIGIN } from "./endpoints.js";
import { NotifyError } from "./errors.js";
import { httpLabel, sendHttp } from "./http.js";
import { scrub, secretList, urlSecretParts } from "./redact.js";
import { buildTemplateVariables, matchJsonOf } from "./template.js";
import type {
  DeliverOptions,
  DeliverWithRetryOptions,
  DeliveryOutcome,
  DeliveryReport,
  Notification,
} from "./types.js";

const DEFAULT_TIMEOUT_MS = 10_000;
const SNIPPET_LIMIT = 512;

/** HTTP statuses after which the same request may succeed later. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

type Attempt =
  | { ok: true; status?: number | undefined; snippet?: string | undefined }
  | {
      ok: false;
      error: NotifyError;
      status?: number | undefined;
      snippet?: string | undefined;
      retryAfterMs?: number | undefined;
    };

class SecretError extends Error {
  constructor(readonly error: NotifyError) {
    super(error.message);
  }
}

function secretValue(secret: SecretValue, field: string, options: DeliverOptions): string {
  try {
    return resolveSecret(secret, { env: options.env, field });
  } catch (error) {
    throw new SecretError(
      new NotifyError(
        "NOTIFY_SECRET_UNRESOLVED",
        `The trigger's ${field} could not be resolved: ${error instanceof Error ? error.message : String(error)}`,
        { retryable: false, path: ["config", field] },
      ),
    );
  }
}

function snippet(text: string, secrets: readonly string[]): string | undefined {
  if (text === "") return undefined;
  return scrub(text, secrets).slice(0, SNIPPET_LIMIT);
}

/** Sends a rendered JSON body and classifies the answer. */
async function postJson(args: {
  url: string;
  method: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: string;
  label: string;
  secrets: readonly string[];
  options: DeliverOptions;
}): Promise<Attempt> {
  const { options, label, secrets } = args;
  const result = await sendHttp(
    { url: args.url, method: args.method, headers: args.headers, body: Buffer.from(args.body, "utf8") },
    {
      label,
      secrets,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: options.signal,
      guard: { allowPrivateNetworks: options.allowPrivateNetworks ?? false, resolve: options.resolve },
    },
  );
  if (result.kind === "failed") return { ok: false, error: result.error };
  const { status } = result;
  const text = snippet(result.body, secrets);
  if (status >= 200 && status <= 299) return { ok: true, status, snippet: text };
  const retryAfter = result.headers["retry-after"];
  const retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  const redirect = status >= 300 && status <= 399;
  const shown = text === undefined ? "" : `: ${text.slice(0, 200)}`;
  return {
    ok: false,
    status,
    snippet: text,
    retryAfterMs,
    error: new NotifyError("NOTIFY_HTTP_STATUS", `${label} answered HTTP ${status}${shown}`, {
      retryable: isRetryableStatus(status),
      status,
      hint: redirect
        ? "Redirects are not followed; configure the final URL."
        : status === 401 || status === 403 || status === 404
          ? "Check the URL and credentials of the trigger (the webhook may have been deleted or rotated)."
          : undefined,
    }),
  };
}

/** Custom header names that carry credentials (`Authorization`, `X-API-Key`, `X-Auth-Token`, `Cookie`…). */
const CREDENTIAL_HEADER = /auth|key|token|secret|signature|cookie|password/i;

function credentialHeaderValues(headers: Readonly<Record<string, string>> | null): string[] {
  return Object.entries(headers ?? {})
    .filter(([name]) => CREDENTIAL_HEADER.test(name))
    .flatMap(([, value]) => [value, value.replace(/^(Bearer|Basic|Token)\s+/i, "")]);
}

const JSON_HEADERS: ReadonlyArray<readonly [string, string]> = [["Content-Type", "application/json"]];

async function attempt(notification: Notification, options: DeliverOptions): Promise<Attempt & RenderedInfo> {
  const trigger: Trigger = notification.trigger;
  const match = matchJsonOf(notification.match);
  const vars = notification.variables ?? buildTemplateVariables(match);
  switch (trigger.trigger_type) {
    case "slack": {
      const configured = secretValue(trigger.config.slack_url, "slack_url", options);
      const url = rebaseUrl(configured, SLACK_ORIGIN, options.slackBaseUrl);
      const rendered = renderSlackBody(trigger.config.message, vars);
      return withRender(rendered, await postRendered("Slack webhook", url, rendered, [], options));
    }
    case "discord": {
      const configured = secretValue(trigger.config.discord_url, "discord_url", options);
      const url = rebaseUrl(configured, DISCORD_ORIGIN, options.discordBaseUrl);
      const rendered = renderDiscordBody(trigger.config.message, vars);
      return withRender(rendered, await postRendered("Discord webhook", url, rendered, [], options));
    }
    case "telegram": {
      const token = secretValue(trigger.config.token, "token", options);
      const url = telegramSendMessageUrl(token, options.telegramApiBaseUrl ?? TELEGRAM_API_BASE_URL);
      const rendered = renderTelegramBody(trigger.config, vars);
      return withRender(rendered, await postRendered("Telegram Bot API", url, rendered, [token], options));
    }
    case "webhook": {
      const config = trigger.config;
      const url = secretValue(config.url, "url", options);
      const secret = config.secret === null ? undefined : secretValue(config.secret, "secret", options);
      const secrets = secretList([...urlSecretParts(url), secret, ...credentialHeaderValues(config.headers)]);
      const label = httpLabel("Webhook", url);
      if (secret === "") {
        return {
          ok: false,
          error: new NotifyError("NOTIFY_WEBHOOK_SECRET_EMPTY", `${label}: the webhook secret is empty.`, {
            retryable: false,
            path: ["config", "secret"],
            hint: "Set a non-empty secret or remove the secret field.",
          }),
        };
      }
      const body = renderWebhookBody(config, vars, match);
      const headers = webhookHeaders({
        deliveryId: notification.id,
        body,
        nowMs: (options.now ?? Date.now)(),
        secret,
        custom: config.headers,
      });
      const method = config.method ?? DEFAULT_WEBHOOK_METHOD;
      return postJson({ url, method, headers, body, label, secrets, options });
    }
    case "email": {
      const config = trigger.config;
      const username = secretValue(config.username, "username", options);
      const password = secretValue(config.password, "password", options);
      const email = renderEmail(config, vars);
      const result = await sendEmail(email, {
        host: config.host,
        port: config.port,
        username,
        password,
        tlsMode: options.smtpTlsMode,
        tls: options.smtpTls,
        guard: { allowPrivateNetworks: options.allowPrivateNetworks ?? false, resolve: options.resolve },
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal: options.signal,
        label: `SMTP server ${config.host}:${config.port}`,
        secrets: secretList([username, password]),
      });
      return result.ok
        ? { ok: true, status: result.status, snippet: result.response.slice(0, SNIPPET_LIMIT) || undefined }
        : { ok: false, error: result.error, status: result.error.status };
    }
    case "script": {
      const result = await runScriptNotification(trigger.config, match, {
        cwd: options.scriptCwd,
        configDir: options.scriptConfigDir,
        readScript: options.readScript,
        settings: options.scriptSettings,
        signal: options.signal,
      });
      return result.ok ? { ok: true, status: 0 } : { ok: false, error: result.error, status: result.exitCode };
    }
  }
}

interface RenderedInfo {
  truncation?: RenderedBody["truncation"];
}

function withRender(rendered: RenderedBody, result: Attempt): Attempt & RenderedInfo {
  return rendered.truncation === undefined ? result : { ...result, truncation: rendered.truncation };
}

function postRendered(
  what: string,
  url: string,
  rendered: RenderedBody,
  extraSecrets: string[],
  options: DeliverOptions,
): Promise<Attempt> {
  return postJson({
    url,
    method: "POST",
    headers: JSON_HEADERS,
    body: rendered.body,
    label: httpLabel(what, url),
    secrets: secretList([...urlSecretParts(url), ...extraSecrets]),
    options,
  });
}

/**
 * Performs ONE delivery attempt of `notification` and reports how it went. Never throws: failures come back as
 * `{ ok: false, retryable, error }`, classified as 408/429/5xx/timeouts/connection errors/SMTP 4xx retryable and
 * everything else permanent; `retryAfterMs` carries a `Retry-After`. Errors name destinations by host only and
 * never contain URLs' paths, tokens, secrets or passwords.
 *
 * @example
 * const outcome = await deliver({ id: match.id, trigger, match: toMatchJson(match) }, { signal });
 * if (!outcome.ok && outcome.retryable) scheduleRetry(outcome.retryAfterMs);
 */
export async function deliver(notification: Notification, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
  const channel = notification.trigger.trigger_type;
  const started = performance.now();
  let result: Attempt & RenderedInfo;
  try {
    result = await attempt(notification, options);
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    result = { ok: false, error: error.error };
  }
  const latencyMs = Math.round(performance.now() - started);
  const base = {
    channel,
    latencyMs,
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.snippet !== undefined ? { responseBodySnippet: result.snippet } : {}),
    ...(result.truncation !== undefined ? { truncation: result.truncation } : {}),
  };
  if (result.ok) return { ok: true, ...base };
  return {
    ok: false,
    ...base,
    retryable: result.error.retryable,
    ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
    error: result.error,
  };
}

function durationMs(duration: Duration): number {
  return duration.secs * 1000 + Math.floor(duration.nanos / 1_000_000);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The pause before retry number `retry` (0-based) under an OZ retry policy (spec §9.4):
 * `min(max_backoff, initial_backoff × base_for_backoff^retry)`, or a uniform draw up to that bound with
 * `jitter: "full"`.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const shape = {
    retries: policy.max_retries,
    base: policy.base_for_backoff,
    initialDelayMs: durationMs(policy.initial_backoff),
    maxDelayMs: durationMs(policy.max_backoff),
  };
  return backoffDelay(shape, retry, undefined, policy.jitter === "none" ? () => 1 : random);
}

/**
 * Delivers with OZ's in-memory retries (spec §9.4): up to `max_retries` further attempts after a retryable failure,
 * spaced by `retryDelayMs`. A `Retry-After` is honoured: the pause is at least that long, and when it exceeds
 * `max_backoff` the loop stops and returns the failure (with `retryAfterMs`) for a caller that can wait longer.
 * Scripts get one attempt (they have no retry policy). Aborting `signal` stops between attempts.
 *
 * For callers that need no durability (`argus test-monitor --notify`); the dispatcher persists attempts instead.
 */
export async function deliverWithRetry(
  notification: Notification,
  options: DeliverWithRetryOptions = {},
): Promise<DeliveryReport> {
  const trigger = notification.trigger;
  const policy =
    options.retryPolicy ??
    (trigger.trigger_type === "script" ? { ...defaultRetryPolicy(), max_retries: 0 } : trigger.config.retry_policy);
  const attempts: DeliveryOutcome[] = [];
  for (let retry = 0; ; retry += 1) {
    const outcome = await deliver(notification, options);
    attempts.push(outcome);
    options.onAttempt?.(outcome, attempts.length);
    if (outcome.ok || !outcome.retryable || retry >= policy.max_retries) break;
    let delay = retryDelayMs(policy, retry, options.random);
    if (outcome.retryAfterMs !== undefined) {
      if (outcome.retryAfterMs > durationMs(policy.max_backoff)) break;
      delay = Math.max(delay, outcome.retryAfterMs);
    }
    if (!(await sleep(delay, options.signal))) break;
  }
  const final = attempts[attempts.length - 1] as DeliveryOutcome;
  return { ok: final.ok, final, attempts };
}
