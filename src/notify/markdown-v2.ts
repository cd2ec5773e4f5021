/**
 * Telegram MarkdownV2 escaping exactly as OZ does it (spec §9.3): formatting spans the template author wrote are
 * kept, every other special character gets a backslash.
 */

/** Characters MarkdownV2 reserves; each gets a backslash outside kept spans. */
const SPECIAL = new Set([
  "_",
  "*",
  "[",
  "]",
  "(",
  ")",
  "~",
  "`",
  ">",
  "#",
  "+",
  "-",
  "=",
  "|",
  "{",
  "}",
  ".",
  "!",
  "\\",
]);

/**
 * Scanned left to right, first alternative wins at a position (leftmost-first, like Rust's `regex`): code fence
 * (non-greedy, across lines), inline code, bold, italic, strikethrough, link.
 */
const SPANS = /```[\s\S]*?```|`[^`]*`|\*[^*]*\*|_[^_]*_|~[^~]*~|\[([^\]]+)\]\(([^)]+)\)/g;

function escapePlain(text: string): string {
  let out = "";
  for (const ch of text) out += SPECIAL.has(ch) ? `\\${ch}` : ch;
  return out;
}

/**
 * Escapes `text` for Telegram's MarkdownV2: text between spans gets a backslash before each of
 * ``_ * [ ] ( ) ~ ` > # + - = | { } . ! \``; code, bold, italic and strikethrough spans are copied verbatim; a link
 * `[label](url)` is re-emitted with label and url escaped with the same set.
 *
 * @example
 * escapeMarkdownV2("Hello *world*!") // "Hello *world*\\!"
 * escapeMarkdownV2("[link](https://example.com/test.html)") // "[link](https://example\\.com/test\\.html)"
 */
export function escapeMarkdownV2(text: string): string {
  let out = "";
  let at = 0;
  for (const match of text.matchAll(SPANS)) {
    const start = match.index;
    out += escapePlain(text.slice(at, start));
    const label = match[1];
    const url = match[2];
    out += label !== undefined && url !== undefined ? `[${escapePlain(label)}](${escapePlain(url)})` : match[0];
    at = start + match[0].length;
  }
  return out + escapePlain(text.slice(at));
}
