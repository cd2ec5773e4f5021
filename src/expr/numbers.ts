/**
 * Exact integer and decimal readers with the acceptance rules of the Rust parsers OZ uses. Each returns a value or
 * an error message (a string), never throws, and refuses over-long input before building a BigInt, so 10^4-digit
 * numbers cost a scan, not a big-number parse.
 */
import { isDigit, rustTrim } from "./text.js";

export const U256_MAX = (1n << 256n) - 1n;
const I256_MIN_ABS = 1n << 255n;
const I256_MAX = (1n << 255n) - 1n;
const TWO_256 = 1n << 256n;
/** rust_decimal's largest magnitude (96-bit mantissa). */
const DECIMAL_MAX = (1n << 96n) - 1n;

/** A parse failure: the reason, phrased to follow "could not be read: ". */
export type NumberParseFailure = string;

/** Maximum significant digits of a 256-bit value in each radix. */
const MAX_DIGITS: Record<number, number> = { 2: 256, 8: 86, 10: 78, 16: 64 };

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x57;
  if (c >= 0x41 && c <= 0x5a) return c - 0x37;
  return -1;
}

/**
 * ruint's `from_str_radix` for a 256-bit unsigned integer: `_` is ignored, letters are digits of the radix, an empty
 * digit string is zero.
 */
function parseRadix256(s: string, radix: 2 | 8 | 10 | 16): bigint | NumberParseFailure {
  // Fast path: plain digits of a short decimal, the overwhelmingly common case.
  if (radix === 10 && s.length > 0 && s.length <= 15) {
    let plain = true;
    for (let k = 0; k < s.length; k++) {
      if (!isDigit(s.charCodeAt(k))) {
        plain = false;
        break;
      }
    }
    if (plain) return BigInt(s);
  }
  let digits = "";
  const maxDigits = MAX_DIGITS[radix] as number;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x5f) continue;
    const d = digitValue(c);
    if (d < 0 || d >= radix) return `invalid digit ${JSON.stringify(s[k])}`;
    if (digits.length === 0 && d === 0) continue;
    if (digits.length >= maxDigits) return "the number is larger than 256 bits";
    digits += s[k];
  }
  if (digits.length === 0) return 0n;
  const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : radix === 2 ? "0b" : "";
  const value = BigInt(prefix + digits);
  return value > U256_MAX ? "the number is larger than 256 bits" : value;
}

/** A value of 1–15 plain decimal digits as a number (exact), else -1. Valid for both signed and unsigned kinds. */
export function smallDecimal(value: string): number {
  const n = value.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = value.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** ruint's `Uint::from_str`: `0x`/`0o`/`0b` prefixes select the radix, otherwise decimal. */
function parseRuint(s: string): bigint | NumberParseFailure {
  if (s.length >= 2 && s.charCodeAt(0) === 0x30) {
    const p = s.charCodeAt(1) | 0x20;
    if (p === 0x78) return parseRadix256(s.slice(2), 16);
    if (p === 0x6f) return parseRadix256(s.slice(2), 8);
    if (p === 0x62) return parseRadix256(s.slice(2), 2);
  }
  return parseRadix256(s, 10);
}

function hexBody(t: string): string | undefined {
  return t.length >= 2 && t.charCodeAt(0) === 0x30 && (t.charCodeAt(1) | 0x20) === 0x78 ? t.slice(2) : undefined;
}

/** OZ `string_to_u256`: trimmed; `0x`/`0X` hex (digits required) or a decimal integer; 0 ≤ v < 2^256. */
export function parseU256(text: string): bigint | NumberParseFailure {
  const t = rustTrim(text);
  if (t.length === 0) return "the text is empty";
  const hex = hexBody(t);
  if (hex !== undefined) {
    if (hex.length === 0) return '"0x" is missing its hex digits';
    return parseRadix256(hex, 16);
  }
  return parseRuint(t);
}

/**
 * OZ `string_to_i256`: trimmed; `0x`/`0X` hex is a 256-bit two's-complement pattern; otherwise an optionally signed
 * decimal integer in [-2^255, 2^255 - 1].
 */
export function parseI256(text: string): bigint | NumberParseFailure {
  const t = rustTrim(text);
  if (t.length === 0) return "the text is empty";
  const hex = hexBody(t);
  if (hex !== undefined) {
    if (hex.length === 0) return '"0x" is missing its hex digits';
    const raw = parseRadix256(hex, 16);
    if (typeof raw === "string") return raw;
    return raw >= I256_MIN_ABS ? raw - TWO_256 : raw;
  }
  let negative = false;
  let body = t;
  const first = t.charCodeAt(0);
  if (first === 0x2b || first === 0x2d) {
    negative = first === 0x2d;
    body = t.slice(1);
  }
  const abs = parseRuint(body);
  if (typeof abs === "string") return abs;
  if (negative) return abs > I256_MIN_ABS ? "the number is below the signed 256-bit minimum" : -abs;
  return abs > I256_MAX ? "the number is above the signed 256-bit maximum" : abs;
}

export interface IntegerWidth {
  readonly name: string;
  readonly signed: boolean;
  readonly bits: number;
  readonly min: bigint;
  readonly max: bigint;
  /** Longest significant-digit count a value of this width can have. */
  readonly maxDigits: number;
}

export function integerWidth(name: string, signed: boolean, bits: number): IntegerWidth {
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  return { name, signed, bits, min, max, maxDigits: (signed ? -min : max).toString().length };
}

/** Rust's `str::parse::<u32/i64/…>()`: optional `+` (or `-` when signed), ASCII digits only, in range. */
export function parseStdInteger(s: string, width: IntegerWidth): bigint | NumberParseFailure {
  if (s.length === 0) return "the text is empty";
  let k = 0;
  let negative = false;
  const first = s.charCodeAt(0);
  if (first === 0x2b || (first === 0x2d && width.signed)) {
    if (s.length === 1) return `invalid digit ${JSON.stringify(s)}`;
    negative = first === 0x2d;
    k = 1;
  }
  let start = -1;
  for (let j = k; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (!isDigit(c)) return `invalid digit ${JSON.stringify(s[j])}`;
    if (start < 0 && c !== 0x30) start = j;
  }
  if (start < 0) return 0n;
  if (s.length - start > width.maxDigits) return `the number does not fit in ${width.name}`;
  const magnitude = BigInt(s.slice(start));
  const value = negative ? -magnitude : magnitude;
  if (value < width.min || value > width.max) return `the number does not fit in ${width.name}`;
  return value;
}

/** An exact decimal: sign, integer digits without leading zeros, fraction digits without trailing zeros. */
export interface ExactDecimal {
  readonly negative: boolean;
  readonly integer: string;
  readonly fraction: string;
}

/**
 * rust_decimal's `Decimal::from_str`, exactly: `[+-]? digits [. digits]` (either side may be empty but not both);
 * fails when the integer part exceeds the 96-bit mantissa (about 28 significant digits).
 */
export function parseDecimal(s: string): ExactDecimal | undefined {
  let k = 0;
  let negative = false;
  const first = s.charCodeAt(0);
  if (first === 0x2b || first === 0x2d) {
    negative = first === 0x2d;
    k = 1;
  }
  let integerStart = -1;
  let integerEnd = k;
  while (integerEnd < s.length && isDigit(s.charCodeAt(integerEnd))) {
    if (integerStart < 0 && s.charCodeAt(integerEnd) !== 0x30) integerStart = integerEnd;
    integerEnd++;
  }
  let sawDigit = integerEnd > k;
  let fraction = "";
  let j = integerEnd;
  if (s.charCodeAt(j) === 0x2e) {
    j++;
    const fractionStart = j;
    while (j < s.length && isDigit(s.charCodeAt(j))) j++;
    if (j > fractionStart) sawDigit = true;
    let fractionEnd = j;
    while (fractionEnd > fractionStart && s.charCodeAt(fractionEnd - 1) === 0x30) fractionEnd--;
    fraction = s.slice(fractionStart, fractionEnd);
  }
  if (!sawDigit || j !== s.length) return undefined;
  const integer = integerStart < 0 ? "" : s.slice(integerStart, integerEnd);
  if (integer.length > 29 || (integer.length === 29 && BigInt(integer) > DECIMAL_MAX)) return undefined;
  return { negative, integer, fraction };
}

/**
 * Reads a JSON number's text as an exact decimal (so `1e2` = `100` and `10…0e-9999` = `1`), with the same 96-bit
 * integer-part limit as {@link parseDecimal}; `undefined` when out of range or when the fraction would be absurdly
 * long (rust_decimal rounds such values away; they fall back to text comparison).
 */
export function jsonNumberToDecimal(raw: string): ExactDecimal | undefined {
  let k = 0;
  const negative = raw.charCodeAt(0) === 0x2d;
  if (negative) k = 1;
  let firstSignificant = -1;
  let lastSignificant = -1;
  let pointIndex = -1; // digit count before the decimal point
  let digitCount = 0;
  for (; k < raw.length; k++) {
    const c = raw.charCodeAt(k);
    if (c === 0x2e) {
      pointIndex = digitCount;
      continue;
    }
    if (!isDigit(c)) break;
    if (c !== 0x30) {
      if (firstSignificant < 0) firstSignificant = digitCount;
      lastSignificant = digitCount;
    }
    digitCount++;
  }
  if (pointIndex < 0) pointIndex = digitCount;
  let exponent = 0;
  if (k < raw.length) {
    exponent = Number(raw.slice(k + 1));
    if (!Number.isFinite(exponent) || Math.abs(exponent) > 1e6) {
      return firstSignificant < 0 ? { negative: false, integer: "", fraction: "" } : undefined;
    }
  }
  if (firstSignificant < 0) return { negative: false, integer: "", fraction: "" };
  // significant digits d[first..last], value = 0.d… × 10^(pointIndex + exponent - first)
  const digitsText = raw.replace(".", "").slice(negative ? 1 : 0);
  const digits = digitsText.slice(firstSignificant, lastSignificant + 1);
  const pointAt = pointIndex + exponent - firstSignificant;
  if (pointAt > 29) return undefined;
  let integer: string;
  let fraction: string;
  if (pointAt <= 0) {
    if (digits.length - pointAt > 400) return undefined;
    integer = "";
    fraction = "0".repeat(-pointAt) + digits;
  } else if (pointAt >= digits.length) {
    integer = digits + "0".repeat(pointAt - digits.length);
    fraction = "";
  } else {
    integer = digits.slice(0, pointAt);
    fraction = digits.slice(pointAt);
  }
  if (fraction.length > 400) return undefined;
  if (integer.length === 29 && BigInt(integer) > DECIMAL_MAX) return undefined;
  return { negative, integer, fraction };
}

export function decimalsEqual(a: ExactDecimal, b: ExactDecimal): boolean {
  if (a.integer !== b.integer || a.fraction !== b.fraction) return false;
  return a.negative === b.negative || (a.integer === "" && a.fraction === "");
}
