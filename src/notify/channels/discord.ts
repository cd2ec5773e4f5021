import type { NotificationMessage } from "../../config/index.js";
import { formatTemplate, type TemplateVariables } from "../template.js";
import { truncateText } from "../truncate.js";
import type { RenderedBody } from "./types.js";

/** Discord rejects message `content` longer than 2,000 characters. */
export const DISCORD_CONTENT_LIMIT = 2000;

/**
 * The Discord webhook body (spec §9.3): `{"content":"*<title>*\n\n<body>"}`, both templated. Config validation
 * limits the body *template* to 2,000 bytes (as OZ does); substitution can still grow the content past Discord's
 * limit, so the rendered content is cut to 2,000 characters ending in `…` and the cut is reported.
 */
export function renderDiscordBody(message: NotificationMessage, vars: TemplateVariables): RenderedBody {
  const full = `*${formatTemplate(message.title, vars)}*\n\n${formatTemplate(message.body, vars)}`;
  const content = truncateText(full, DISCORD_CONTENT_LIMIT);
  const body = JSON.stringify({ content });
  return content === full
    ? { body }
    : {
        body,
        truncation: {
          field: "content",
          originalLength: full.length,
          deliveredLength: content.length,
          limit: DISCORD_CONTENT_LIMIT,
        },
      };
}
