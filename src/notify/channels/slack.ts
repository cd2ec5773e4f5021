import type { NotificationMessage } from "../../config/index.js";
import { formatTemplate, type TemplateVariables } from "../template.js";
import { truncateText } from "../truncate.js";
import type { RenderedBody } from "./types.js";

/** Slack caps a section block's text at 3,000 characters (and rejects the whole message beyond). */
export const SLACK_SECTION_TEXT_LIMIT = 3000;

/**
 * The Slack webhook body (spec §9.3): one `section` block of `mrkdwn` text `*<title>*\n\n<body>`, both templated.
 * Keys are sorted, as OZ's `serde_json` objects serialise:
 * `{"blocks":[{"text":{"text":"*T*\n\nB","type":"mrkdwn"},"type":"section"}]}`.
 */
export function renderSlackBody(message: NotificationMessage, vars: TemplateVariables): RenderedBody {
  const full = `*${formatTemplate(message.title, vars)}*\n\n${formatTemplate(message.body, vars)}`;
  const text = truncateText(full, SLACK_SECTION_TEXT_LIMIT);
  const body = JSON.stringify({ blocks: [{ text: { text, type: "mrkdwn" }, type: "section" }] });
  return text === full
    ? { body }
    : {
        body,
        truncation: {
          field: "text",
          originalLength: full.length,
          deliveredLength: text.length,
          limit: SLACK_SECTION_TEXT_LIMIT,
        },
      };
}
