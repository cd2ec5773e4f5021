/**
 * A small lossless JSON reader for parameter values: numbers keep their source text (2^256 values and long
 * decimals stay exact), objects keep insertion order (a repeated key keeps its last value, as serde_json does).
 * Nesting is capped like serde_json's default recursion limit, so hostile input is an error, never a stack overflow.
 */

export type JsonValue =
  | { readonly type: "null" }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "number"; readonly raw: string }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "array"; readonly items: readonly JsonValue[] }
  | { readonly type: "object"; readonly entries: ReadonlyMap<string, JsonValue> };

export type JsonParseResult = { ok: true; value: JsonValue } | { ok: false; message: string };

/** Deepest array/object nesting accepted (serde_json's default limit of 128 allows 127 levels). */
export const MAX_JSON_DEPTH = 127;

const NULL: JsonValue = { type: "null" };
const TRUE: JsonValue = { type: "bool", value: true };
const FALSE: JsonValue = { type: "bool", value: false };

class JsonSyntaxError extends Error {}

/** Parses a complete JSON document (surrounding whitespace allowed, nothing else). */
export function parseJson(text: string): JsonParseResult {
  const reader = new Reader(text);
  try {
    reader.skipWs();
    const value = reader.value(0);
    reader.skipWs();
    if (reader.i < text.length) reader.fail("trailing characters");
    return { ok: true, value };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, message: error.message };
    return { ok: false, message: String(error) };
  }
}

/** The parsed value, or `undefined` when `text` is not JSON. */
export function tryParseJson(text: string): JsonValue | undefined {
  const result = parseJson(text);
  return result.ok ? result.value : undefined;
}

class Reader {
  i = 0;
  constructor(private readonly s: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(`${message} at position ${this.i}`);
  }

  skipWs(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }

  value(depth: number): JsonValue {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    switch (c) {
      case 0x7b: // {
        return this.object(depth + 1);
      case 0x5b: // [
        return this.array(depth + 1);
      case 0x22: // "
        return { type: "string", value: this.string() };
      case 0x74: // t
        this.literal("true");
        return TRUE;
      case 0x66: // f
        this.literal("false");
        return FALSE;
      case 0x6e: // n
        this.literal("null");
        return NULL;
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return { type: "number", raw: this.number() };
        if (this.i >= s.length) this.fail("unexpected end of input, expected a value");
        return this.fail("expected a value");
    }
  }

  private literal(word: string): void {
    if (!this.s.startsWith(word, this.i)) this.fail(`expected "${word}"`);
    this.i += word.length;
  }

  private array(depth: number): JsonValue {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    this.i++;
    const items: JsonValue[] = [];
    this.skipWs();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return { type: "array", items };
    }
    for (;;) {
      this.skipWs();
      items.push(this.value(depth));
      this.skipWs();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return { type: "array", items };
      }
      this.fail('expected "," or "]"');
    }
  }

  private object(depth: number): JsonValue {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    this.i++;
    const entries = new Map<string, JsonValue>();
    this.skipWs();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return { type: "object", entries };
    }
    for (;;) {
      this.skipWs();
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail("expected a string key");
      const key = this.string();
      this.skipWs();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail('expected ":"');
      this.i++;
      this.skipWs();
      const value = this.value(depth);
      entries.delete(key);
      entries.set(key, value);
      this.skipWs();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        return { type: "object", entries };
      }
      this.fail('expected "," or "}"');
    }
  }

  private string(): string {
    const s = this.s;
    this.i++; // opening quote
    let out = "";
    let runStart = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail("unterminated string");
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(runStart, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail("control character in string");
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(runStart, this.i);
      const e = s.charCodeAt(this.i + 1);
      this.i += 2;
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += "\\";
          break;
        case 0x2f:
          out += "/";
          break;
        case 0x62:
          out += "\b";
          break;
        case 0x66:
          out += "\f";
          break;
        case 0x6e:
          out += "\n";
          break;
        case 0x72:
          out += "\r";
          break;
        case 0x74:
          out += "\t";
          break;
        case 0x75: {
          const unit = this.hex4();
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (s.charCodeAt(this.i) !== 0x5c || s.charCodeAt(this.i + 1) !== 0x75) this.fail("lone leading surrogate");
            this.i += 2;
            const low = this.hex4();
            if (low < 0xdc00 || low > 0xdfff) this.fail("invalid trailing surrogate");
            out += String.fromCharCode(unit, low);
          } else if (unit >= 0xdc00 && unit <= 0xdfff) {
            this.fail("lone trailing surrogate");
          } else {
            out += String.fromCharCode(unit);
          }
          break;
        }
        default:
          this.i--;
          this.fail("invalid escape");
      }
      runStart = this.i;
    }
  }

  private hex4(): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.s.charCodeAt(this.i);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else return this.fail("invalid \\u escape");
      v = v * 16 + d;
      this.i++;
    }
    return v;
  }

  private number(): string {
    const s = this.s;
    const start = this.i;
    if (s.charCodeAt(this.i) === 0x2d) this.i++;
    const first = s.charCodeAt(this.i);
    if (first === 0x30) {
      this.i++;
      if (isDigitCode(s.charCodeAt(this.i))) this.fail("invalid number (leading zero)");
    } else if (first >= 0x31 && first <= 0x39) {
      while (isDigitCode(s.charCodeAt(this.i))) this.i++;
    } else {
      this.fail("invalid number");
    }
    if (s.charCodeAt(this.i) === 0x2e) {
      this.i++;
      if (!isDigitCode(s.charCodeAt(this.i))) this.fail("invalid number (digit expected after '.')");
      while (isDigitCode(s.charCodeAt(this.i))) this.i++;
    }
    const e = s.charCodeAt(this.i);
    if (e === 0x65 || e === 0x45) {
      this.i++;
      const sign = s.charCodeAt(this.i);
      if (sign === 0x2b || sign === 0x2d) this.i++;
      if (!isDigitCode(s.charCodeAt(this.i))) this.fail("invalid number (digit expected in exponent)");
      while (isDigitCode(s.charCodeAt(this.i))) this.i++;
    }
    return s.slice(start, this.i);
  }
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Compact JSON text (serde_json `to_string` style: no spaces; numbers verbatim). */
export function stringifyJson(value: JsonValue): string {
  switch (value.type) {
    case "null":
      return "null";
    case "bool":
      return value.value ? "true" : "false";
    case "number":
      return value.raw;
    case "string":
      return JSON.stringify(value.value);
    case "array": {
      let out = "[";
      for (let k = 0; k < value.items.length; k++) {
        if (k > 0) out += ",";
        out += stringifyJson(value.items[k] as JsonValue);
      }
      return `${out}]`;
    }
    case "object": {
      let out = "{";
      let first = true;
      for (const [key, item] of value.entries) {
        if (!first) out += ",";
        first = false;
        out += `${JSON.stringify(key)}:${stringifyJson(item)}`;
      }
      return `${out}}`;
    }
  }
}

/**
 * The text OZ gives a resolved JSON value (spec §2.3 step 4): strings raw, numbers as written, `true`/`false`,
 * `null`, compact JSON for arrays and objects.
 */
export function jsonToText(value: JsonValue): string {
  switch (value.type) {
    case "string":
      return value.value;
    case "number":
      return value.raw;
    default:
      return stringifyJson(value);
  }
}

/** True when a JSON number is written as an integer (serde_json reads it as u64/i64 when it fits). */
export function isIntegerNumberText(raw: string): boolean {
  for (let k = 0; k < raw.length; k++) {
    const c = raw.charCodeAt(k);
    if (c === 0x2e || c === 0x65 || c === 0x45) return false;
  }
  return raw !== "-0";
}

/**
 * Structural equality with serde_json's number semantics made exact: integers equal integers with the same value,
 * numbers written with a fraction or exponent equal each other by exact decimal value, and the two never mix
 * (`1` ≠ `1.0`, as serde's PosInt ≠ Float). Object key order is irrelevant.
 */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  switch (a.type) {
    case "null":
      return b.type === "null";
    case "bool":
      return b.type === "bool" && a.value === b.value;
    case "string":
      return b.type === "string" && a.value === b.value;
    case "number":
      return b.type === "number" && numbersEqual(a.raw, b.raw);
    case "array": {
      if (b.type !== "array" || a.items.length !== b.items.length) return false;
      for (let k = 0; k < a.items.length; k++) {
        if (!jsonEquals(a.items[k] as JsonValue, b.items[k] as JsonValue)) return false;
      }
      return true;
    }
    case "object": {
      if (b.type !== "object" || a.entries.size !== b.entries.size) return false;
      for (const [key, item] of a.entries) {
        const other = b.entries.get(key);
        if (other === undefined || !jsonEquals(item, other)) return false;
      }
      return true;
    }
  }
}

function numbersEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const aInt = isIntegerNumberText(a);
  if (aInt !== isIntegerNumberText(b)) return false;
  if (aInt) return false; // canonical JSON integers are equal only when their text is
  return canonicalDecimalKey(a) === canonicalDecimalKey(b);
}

/**
 * A canonical key for the exact value of a JSON number (`-1.50e1` → `-15e0`, every zero → `0`). Exponents of any
 * size are handled as text/BigInt, so `1e999999` costs nothing.
 */
export function canonicalDecimalKey(raw: string): string {
  let k = 0;
  let negative = false;
  if (raw.charCodeAt(0) === 0x2d) {
    negative = true;
    k = 1;
  }
  let digits = "";
  let fractionLength = 0;
  let inFraction = false;
  for (; k < raw.length; k++) {
    const c = raw.charCodeAt(k);
    if (c === 0x2e) {
      inFraction = true;
      continue;
    }
    if (c === 0x65 || c === 0x45) break;
    if (!inFraction && digits.length === 0 && c === 0x30) continue;
    if (digits.length === 0 && c === 0x30) {
      fractionLength++;
      continue;
    }
    digits += raw[k];
    if (inFraction) fractionLength++;
  }
  let exponentText = "0";
  if (k < raw.length) exponentText = raw.slice(k + 1);
  // strip trailing zeros of the significand
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 0x30) end--;
  if (end === 0) return "0";
  const trailing = digits.length - end;
  digits = digits.slice(0, end);
  const shift = trailing - fractionLength;
  let exponent: string;
  if (exponentText.length <= 15) {
    exponent = String(Number(exponentText) + shift);
  } else {
    exponent = (BigInt(exponentText) + BigInt(shift)).toString();
  }
  return `${negative ? "-" : ""}${digits}e${exponent}`;
}
