/**
 * Channel length limits. Argus truncates a rendered message that exceeds its channel's limit rather than let the
 * receiver reject it (OZ sends it and the channel answers 400), and reports the cut in the delivery outcome.
 */

/** Appended where text was cut: U+2026 HORIZONTAL ELLIPSIS (one character). */
export const TRUNCATION_MARKER = "…";

/** A message was shortened to fit its channel. Lengths are in UTF-16 code units (JavaScript `length`). */
export interface Truncation {
  /** The payload field that was cut: `content` (Discord), `text` (Slack, Telegram). */
  field: string;
  originalLength: number;
  deliveredLength: number;
  limit: number;
}

/**
 * `text` cut to at most `limit` UTF-16 code units, the last one being `TRUNCATION_MARKER`, or `text` unchanged when
 * it fits. Never splits a surrogate pair. Measuring code units is conservative: Discord and Slack count characters,
 * which are never more than code units.
 */
export function truncateText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = Math.max(0, limit - TRUNCATION_MARKER.length);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + TRUNCATION_MARKER;
}
