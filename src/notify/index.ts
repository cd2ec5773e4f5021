/**
 * Notifications: OZ's template variables and substitution (spec §9.1–9.2), the payload of every channel (§9.3:
 * Slack, Discord, Telegram, webhook, email, script, with §15's email changes), one delivery attempt with a typed
 * outcome (`deliver`) and OZ's in-memory retry policy on top (`deliverWithRetry`, §9.4).
 *
 * Renderers are pure. Senders connect only to public addresses unless the operator allows private networks
 * (`allowPrivateNetworks`), pinning sockets to the checked addresses. Nothing here logs; messages and outcomes
 * never contain webhook paths, tokens, secrets or passwords. Durable delivery (outbox, attempts, dead letter)
 * builds on `deliver`. `notify/conditions` (trigger-condition scripts) is a separate module.
 *
 * @example
 * import { deliver } from "../notify/index.js";
 * const outcome = await deliver({ id: match.id, trigger, match: toMatchJson(match) }, { signal });
 * if (!outcome.ok) console.warn(outcome.error.code, outcome.retryable, outcome.retryAfterMs);
 */
export { DISCORD_CONTENT_LIMIT, renderDiscordBody } from "./channels/discord.js";
export {
  type RenderedEmail,
  renderEmail,
  renderMarkdown,
  type SmtpTlsMode,
  smtpTlsModeForPort,
} from "./channels/email.js";
export { scriptNotificationInput } from "./channels/script.js";
export { renderSlackBody, SLACK_SECTION_TEXT_LIMIT } from "./channels/slack.js";
export {
  renderTelegramBody,
  TELEGRAM_API_BASE_URL,
  TELEGRAM_TEXT_LIMIT,
  telegramSendMessageUrl,
} from "./channels/telegram.js";
export type { RenderedBody } from "./channels/types.js";
export {
  DEFAULT_WEBHOOK_METHOD,
  renderWebhookBody,
  type WebhookHeaderInput,
  webhookHeaders,
} from "./channels/webhook.js";
export { deliver, deliverWithRetry, retryDelayMs } from "./deliver.js";
export {
  type ChannelEndpoints,
  channelEndpointsFromEnv,
  DISCORD_ORIGIN,
  rebaseUrl,
  SLACK_ORIGIN,
} from "./endpoints.js";
export { NotifyError, type NotifyErrorCode } from "./errors.js";
export { escapeMarkdownV2 } from "./markdown-v2.js";
export { ozSignature, standardWebhookKey, standardWebhookSignature } from "./signing.js";
export {
  buildTemplateVariables,
  formatMatchReasons,
  formatTemplate,
  matchJsonOf,
  type TemplateVariables,
} from "./template.js";
export { TRUNCATION_MARKER, type Truncation, truncateText } from "./truncate.js";
export type {
  DeliverOptions,
  DeliverWithRetryOptions,
  DeliveryFailure,
  DeliveryOutcome,
  DeliveryReport,
  DeliverySuccess,
  Notification,
} from "./types.js";
