/**
 * Character classes shared by the parser and the dialects. No regexes: every helper is a single linear scan.
 */

/** Whitespace in expression text: everything JavaScript calls whitespace (§15 widens OZ's space/tab). */
export function isExpressionWhitespace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Rust's `char::is_whitespace` (Unicode White_Space), which OZ's `trim()` and tuple normalisation use. */
export function isRustWhitespace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Rust's `str::trim()`. */
export function rustTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isRustWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isRustWhitespace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Removes every whitespace character (Rust's definition). */
export function removeWhitespace(s: string): string {
  let out = "";
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    if (isRustWhitespace(s.charCodeAt(i))) {
      out += s.slice(runStart, i);
      runStart = i + 1;
    }
  }
  return runStart === 0 ? s : out + s.slice(runStart);
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** `[A-Za-z_]` */
export function isIdentStart(c: number): boolean {
  return isAsciiLetter(c) || c === 0x5f;
}

/** `[A-Za-z0-9_]` */
export function isIdentPart(c: number): boolean {
  return isAsciiLetter(c) || isDigit(c) || c === 0x5f;
}

/** True when every character of `s` from `start` is a hex digit (vacuously true for an empty tail). */
export function allHexFrom(s: string, start: number): boolean {
  for (let i = start; i < s.length; i++) if (!isHexDigit(s.charCodeAt(i))) return false;
  return true;
}

/** ASCII-only case-insensitive equality (Rust's `eq_ignore_ascii_case`). */
export function equalsIgnoreAsciiCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** Rust's `str::trim_matches('"')`: strips every leading and trailing double quote. */
export function trimQuotes(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) === 0x22) start++;
  while (end > start && s.charCodeAt(end - 1) === 0x22) end--;
  return s.slice(start, end);
}

/** A short, quoted excerpt of user input for error messages. */
export function excerpt(s: string, max = 40): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}
