/**
 * RPC URLs carry credentials in three common places: `user:password@` userinfo, query-string API keys
 * (`?apikey=…`) and path tokens (`/v2/<key>` at Alchemy, `/v3/<key>` at Infura, QuickNode's `/<token>/`).
 * Only the redacted form may reach an error message, a log line or a metric label.
 */

const REDACTED = "***";

/** A path segment that looks like a key: long, URL-safe, with at least one digit (so `mainnet-archive` survives). */
const TOKEN_SEGMENT = /^(?=.*[0-9])[A-Za-z0-9_\-.~]{16,}$/;

/**
 * Returns `url` with userinfo replaced by `***`, every query value replaced by `***` (names kept) and key-like path
 * segments replaced by `***`. Input that does not parse as a URL comes back as `<invalid url>`.
 *
 * @example
 * redactUrl("https://user:pw@eth.example.com/v2/4f9c2a7b1e0d4c3b8a6f?apikey=s3cret")
 * // "https://***@eth.example.com/v2/***?apikey=***"
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "<invalid url>";
  }
  const auth = parsed.username !== "" || parsed.password !== "" ? `${REDACTED}@` : "";
  const path = parsed.pathname
    .split("/")
    .map((segment) => (TOKEN_SEGMENT.test(decodeSafe(segment)) ? REDACTED : segment))
    .join("/");
  let query = "";
  if (parsed.search !== "") {
    const names = [...parsed.searchParams.keys()];
    query =
      names.length === 0
        ? `?${REDACTED}`
        : `?${names.map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join("&")}`;
  }
  return `${parsed.protocol}//${auth}${parsed.host}${path}${query}`;
}

/**
 * The secret substrings of `url` (userinfo parts, query values, key-like path segments), raw and URL-decoded, so that
 * text from elsewhere (an error's message from the HTTP stack) can be scrubbed before it is shown.
 * @internal
 */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const secrets = new Set<string>();
  const add = (value: string) => {
    if (value.length < 3) return;
    secrets.add(value);
    secrets.add(decodeSafe(value));
  };
  add(parsed.username);
  add(parsed.password);
  for (const value of parsed.searchParams.values()) add(value);
  if (parsed.search.length > 1) add(parsed.search.slice(1));
  for (const segment of parsed.pathname.split("/")) if (TOKEN_SEGMENT.test(decodeSafe(segment))) add(segment);
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** Replaces every secret of `secrets` occurring in `text` by `***`. @internal */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== "") out = out.split(secret).join(REDACTED);
  return out;
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
