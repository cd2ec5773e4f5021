// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OZ notification templates use ${…} placeholders in plain strings
/** Trigger builders and assertions shared by the notification integration tests. */
import { expect } from "vitest";
import type { NotificationMessage, RetryPolicy, SecretValue, Trigger } from "../../../src/config/index.js";
import { compileMonitors, evaluateBlock, type MonitorMatchJson, toMatchJson } from "../../../src/engine/index.js";
import type { DeliveryOutcome } from "../../../src/notify/index.js";
import { block, define, loadMonitor } from "../../unit/engine/fixtures.js";

export const plain = (value: string): SecretValue => ({ type: "Plain", value });

/** Fast retries for tests: 1 ms, 2 ms, 4 ms… capped at 5 s, no jitter. */
export const FAST_RETRY: RetryPolicy = {
  max_retries: 3,
  base_for_backoff: 2,
  initial_backoff: { secs: 0, nanos: 1_000_000 },
  max_backoff: { secs: 5, nanos: 0 },
  jitter: "none",
};

export const MESSAGE: NotificationMessage = {
  title: "${monitor.name} matched",
  body: "Transfer of ${functions.0.args.value} to ${functions.0.args.to} in ${transaction.hash}${functions}",
};

let cached: MonitorMatchJson | undefined;

/** The USDC `transfer` match of OZ's EVM fixture block 0x1451aca, as JSON. */
export function usdcMatch(): MonitorMatchJson {
  if (cached === undefined) {
    const { compiled } = compileMonitors([define(loadMonitor("monitor.json"))]);
    const { matches } = evaluateBlock(compiled, "ethereum_mainnet", block("0x1451aca"));
    const match = matches[0];
    if (match === undefined) throw new Error("fixture block produced no match");
    cached = toMatchJson(match);
  }
  return cached;
}

export function slackTrigger(url: string, message: NotificationMessage = MESSAGE): Trigger {
  return { name: "Slack", trigger_type: "slack", config: { slack_url: plain(url), message, retry_policy: FAST_RETRY } };
}

export function discordTrigger(url: string, message: NotificationMessage = MESSAGE): Trigger {
  return {
    name: "Discord",
    trigger_type: "discord",
    config: { discord_url: plain(url), message, retry_policy: FAST_RETRY },
  };
}

export const TELEGRAM_TOKEN = "1234567890:ABCdefGHIjklMNOpqrSTUvwxYZ123456789";

export function telegramTrigger(message: NotificationMessage = MESSAGE): Trigger {
  return {
    name: "Telegram",
    trigger_type: "telegram",
    config: {
      token: plain(TELEGRAM_TOKEN),
      chat_id: "-1001234",
      disable_web_preview: true,
      message,
      retry_policy: FAST_RETRY,
    },
  };
}

export function webhookTrigger(
  url: string,
  overrides: Partial<Extract<Trigger, { trigger_type: "webhook" }>["config"]> = {},
): Trigger {
  return {
    name: "Webhook",
    trigger_type: "webhook",
    config: {
      url: plain(url),
      method: null,
      secret: null,
      headers: null,
      message: MESSAGE,
      payload_mode: "template",
      retry_policy: FAST_RETRY,
      ...overrides,
    },
  };
}

/** Asserts `outcome` failed and returns it narrowed. */
export function failed(outcome: DeliveryOutcome): Extract<DeliveryOutcome, { ok: false }> {
  if (outcome.ok) throw new Error(`expected a failed delivery, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** Everything of an outcome a log line or API response could show. */
export function shownText(outcome: DeliveryOutcome): string {
  if (outcome.ok) return JSON.stringify(outcome);
  const { error, ...rest } = outcome;
  return JSON.stringify({
    ...rest,
    message: error.message,
    hint: error.hint,
    code: error.code,
    path: error.path,
    causeCode: error.causeCode,
    stack: error.stack,
    string: String(error),
  });
}

export function expectNoSecrets(outcome: DeliveryOutcome, secrets: readonly string[]): void {
  const text = shownText(outcome);
  for (const secret of secrets) expect(text, `outcome shows the secret ${secret}`).not.toContain(secret);
}
