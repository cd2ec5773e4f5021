import type { TelegramConfig } from "../../config/index.js";
import { escapeMarkdownV2 } from "../markdown-v2.js";
import { formatTemplate, type TemplateVariables } from "../template.js";
import { truncateText } from "../truncate.js";
import type { RenderedBody } from "./types.js";

/** Telegram's limit on a message's text after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** The Bot API base OZ posts to; tests point it at a local receiver. */
export const TELEGRAM_API_BASE_URL = "https://api.telegram.org";

/** `<base>/bot<token>/sendMessage`. The result is a secret (it holds the token). */
export function telegramSendMessageUrl(token: string, baseUrl: string = TELEGRAM_API_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, "")}/bot${token}/sendMessage`;
}

/** Separator between the bold title and the body (note the space after the closing `*`). */
const SEPARATOR = " \n\n";

/**
 * The Telegram `sendMessage` body (spec §9.3), keys sorted:
 * `{"chat_id":"…","disable_web_page_preview":false,"parse_mode":"MarkdownV2","text":"*<escT>* \n\n<escB>"}` where
 * escT/escB are the templated title and body escaped for MarkdownV2 (`escapeMarkdownV2`).
 *
 * Over-long messages: the visible text is at most title + separator + body before escaping (escapes and markup
 * vanish when Telegram parses), so the templated body (then the title) is cut to keep that within 4,096 characters,
 * before escaping, so the escaping still sees well-formed input.
 */
export function renderTelegramBody(
  config: Pick<TelegramConfig, "chat_id" | "disable_web_preview" | "message">,
  vars: TemplateVariables,
): RenderedBody {
  const fullTitle = formatTemplate(config.message.title, vars);
  const fullBody = formatTemplate(config.message.body, vars);
  const originalLength = fullTitle.length + SEPARATOR.length + fullBody.length;
  let title = fullTitle;
  let bodyText = fullBody;
  if (originalLength > TELEGRAM_TEXT_LIMIT) {
    title = truncateText(fullTitle, TELEGRAM_TEXT_LIMIT - SEPARATOR.length - 1);
    bodyText = truncateText(fullBody, Math.max(1, TELEGRAM_TEXT_LIMIT - SEPARATOR.length - title.length));
  }
  const text = `*${escapeMarkdownV2(title)}*${SEPARATOR}${escapeMarkdownV2(bodyText)}`;
  const body = JSON.stringify({
    chat_id: config.chat_id,
    disable_web_page_preview: config.disable_web_preview,
    parse_mode: "MarkdownV2",
    text,
  });
  if (originalLength <= TELEGRAM_TEXT_LIMIT) return { body };
  return {
    body,
    truncation: {
      field: "text",
      originalLength,
      deliveredLength: title.length + SEPARATOR.length + bodyText.length,
      limit: TELEGRAM_TEXT_LIMIT,
    },
  };
}
