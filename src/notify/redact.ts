/**
 * Keeping secrets out of messages. Slack and Discord webhook URLs, Telegram bot URLs and many webhook URLs carry
 * their credential in the path; tokens, webhook secrets and SMTP credentials are secrets outright. Messages name a
 * destination by `origin` (scheme, host, port) only, and any text from below (Node, nodemailer, a receiver's
 * reply) is scrubbed of every known secret before it is shown.
 */

const REDACTED = "***";

/** `scheme://host[:port]` of a URL, or `<invalid url>`: the only form of a destination URL a message may show. */
export function urlOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "<invalid url>";
  }
}

/**
 * The secret substrings of a URL: the whole URL, userinfo, path and query, key-like path segments (with a digit, or
 * 16+ characters: `T0123ABCD`, a Discord webhook token, `bot<id>:<token>`) and query values.
 */
export function urlSecretParts(url: string): string[] {
  const parts = [url];
  try {
    const parsed = new URL(url);
    parts.push(parsed.username, parsed.password, parsed.pathname, parsed.search.slice(1));
    for (const segment of parsed.pathname.split("/"))
      if (/\d/.test(segment) || segment.length >= 16) parts.push(segment);
    for (const value of parsed.searchParams.values()) parts.push(value);
  } catch {
    // unparseable: the whole text is the secret
  }
  return parts;
}

/**
 * Normalises a list of secrets for `scrub`: decoded variants added, short fragments dropped (a 3-character path
 * segment such as `api` would redact ordinary words), longest first so a secret's parts do not break it up.
 */
export function secretList(values: ReadonlyArray<string | undefined>): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (value === undefined || value.length < 6) continue;
    out.add(value);
    try {
      out.add(decodeURIComponent(value));
    } catch {
      // not percent-encoded text
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of each secret replaced by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== "" && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
