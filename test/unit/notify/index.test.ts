import { describe, expect, it } from "vitest";
import * as notify from "../../../src/notify/index.js";

describe("notify public surface", () => {
  it("exports exactly these names", () => {
    expect(Object.keys(notify).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_WEBHOOK_METHOD",
        "DISCORD_CONTENT_LIMIT",
        "DISCORD_ORIGIN",
        "NotifyError",
        "SLACK_ORIGIN",
        "SLACK_SECTION_TEXT_LIMIT",
        "TELEGRAM_API_BASE_URL",
        "TELEGRAM_TEXT_LIMIT",
        "TRUNCATION_MARKER",
        "buildTemplateVariables",
        "channelEndpointsFromEnv",
        "deliver",
        "deliverWithRetry",
        "escapeMarkdownV2",
        "formatMatchReasons",
        "formatTemplate",
        "matchJsonOf",
        "ozSignature",
        "rebaseUrl",
        "renderDiscordBody",
        "renderEmail",
        "renderMarkdown",
        "renderSlackBody",
        "renderTelegramBody",
        "renderWebhookBody",
        "retryDelayMs",
        "scriptNotificationInput",
        "smtpTlsModeForPort",
        "standardWebhookKey",
        "standardWebhookSignature",
        "telegramSendMessageUrl",
        "truncateText",
        "webhookHeaders",
      ]
    `);
  });
});
