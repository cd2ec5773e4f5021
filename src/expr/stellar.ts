/**
 * Stellar comparison rules (spec §2.5). Kinds dispatch on the part before `<`, lowercased (`Vec<Address>` → `vec`).
 * Integer kinds compare exactly in their own width and require an unquoted number literal, as OZ does.
 */
import type { ComparisonOperator, Literal } from "./ast.js";
import {
  compareBool,
  compareNumbers,
  compareOrdered,
  compareText,
  type Dialect,
  describeLiteral,
  equalsNormalizedAddress,
  kindDispatcher,
  literalMemo,
  ORDERED_OPERATORS,
  parseFailure,
  typeMismatch,
  unsupportedOperator,
} from "./dialect.js";
import { ExpressionError } from "./errors.js";
import { isIntegerNumberText, type JsonValue, jsonEquals, parseJson, stringifyJson, tryParseJson } from "./json.js";
import { type IntegerWidth, integerWidth, type NumberParseFailure, parseStdInteger, smallDecimal } from "./numbers.js";
import { equalsIgnoreAsciiCase, excerpt, removeWhitespace, rustTrim, trimQuotes } from "./text.js";

type Handler = (kind: string, value: string, op: ComparisonOperator, right: Literal) => boolean;

const TEXT_OPERATORS = "==, !=, starts_with, ends_with, contains";

const U64 = integerWidth("u64", false, 64);
const I64 = integerWidth("i64", true, 64);

type IntegerLiteral = { readonly value: bigint; readonly small: number | undefined } | NumberParseFailure;

function compareNumeric(width: IntegerWidth): Handler {
  const rhs = literalMemo((raw): IntegerLiteral => {
    const value = parseStdInteger(raw, width);
    if (typeof value === "string") return value;
    const small = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
    return { value, small: small ? Number(value) : undefined };
  });
  // Plain-digit values up to this bound are read as numbers (exact), skipping BigInt on the hot path.
  const smallMax = width.max < BigInt(Number.MAX_SAFE_INTEGER) ? Number(width.max) : Number.MAX_SAFE_INTEGER;
  return (kind, value, op, right) => {
    const small = smallDecimal(value);
    const left = small >= 0 && small <= smallMax ? small : parseStdInteger(value, width);
    if (typeof left === "string") {
      throw parseFailure(`Value ${excerpt(value)} of kind ${kind} could not be read as ${width.name}: ${left}`);
    }
    if (right.type !== "num") {
      throw new ExpressionError(
        "TypeMismatch",
        `A ${kind} value can only be compared with an unquoted number, found ${describeLiteral(right)}`,
        { hint: right.type === "str" ? "Remove the quotes around the number." : undefined },
      );
    }
    const r = rhs(right);
    if (typeof r === "string") {
      throw parseFailure(`The literal ${excerpt(right.raw)} could not be read as ${width.name}: ${r}`);
    }
    const result =
      typeof left === "number" && r.small !== undefined
        ? compareNumbers(left, op, r.small)
        : compareOrdered(typeof left === "number" ? BigInt(left) : left, op, r.value);
    if (result === undefined) throw unsupportedOperator(op, kind, ORDERED_OPERATORS);
    return result;
  };
}

/** u256/i256: OZ compares the text only (no ordering). */
const compareLargeInteger: Handler = (kind, value, op, right) => {
  if (right.type === "bool") {
    throw typeMismatch(`A ${kind} value can only be compared with a number or string, found ${describeLiteral(right)}`);
  }
  if (op === "==") return value === right.raw;
  if (op === "!=") return value !== right.raw;
  throw unsupportedOperator(op, kind, "== or != (256-bit values are compared as text)");
};

/** Stellar address normalisation: whitespace removed anywhere, lowercased. */
export function normalizeStellarAddress(address: string): string {
  return removeWhitespace(rustTrim(address)).toLowerCase();
}

const rhsAddress = literalMemo(normalizeStellarAddress);
const rhsLower = literalMemo((raw) => raw.toLowerCase());

function compareString(base: string): Handler {
  return (kind, value, op, right) => {
    if (right.type !== "str") {
      throw typeMismatch(`A ${kind} value can only be compared with a quoted string, found ${describeLiteral(right)}`);
    }
    if (base === "address" && (op === "==" || op === "!=")) {
      const equal = equalsNormalizedAddress(value, rhsAddress(right), false, normalizeStellarAddress);
      return op === "==" ? equal : !equal;
    }
    return compareText(value.toLowerCase(), op, rhsLower(right), kind, TEXT_OPERATORS);
  };
}

/** OZ Stellar element rule: strings ASCII case-insensitive, objects by their `value` field, the rest by JSON text. */
function elementMatches(value: JsonValue, target: string): boolean {
  switch (value.type) {
    case "string":
      return equalsIgnoreAsciiCase(value.value, target);
    case "object": {
      const inner = value.entries.get("value");
      if (inner === undefined) return false;
      if (inner.type === "string") return inner.value === target;
      return trimQuotes(stringifyJson(inner)) === target;
    }
    default:
      return trimQuotes(stringifyJson(value)) === target;
  }
}

function normalizedCsv(text: string): string[] {
  return text.split(",").map((part) => rustTrim(part).toLowerCase());
}

const compareVec: Handler = (kind, value, op, right) => {
  if (right.type === "bool") {
    throw typeMismatch(`A ${kind} value can only be compared with a string or number, found ${describeLiteral(right)}`);
  }
  const target = right.raw;
  if (op === "==" || op === "!=") {
    const left = tryParseJson(value);
    const other = tryParseJson(target);
    let equal: boolean;
    if (left !== undefined && other !== undefined) {
      const leftArray = left.type === "array";
      const otherArray = other.type === "array";
      if (leftArray && otherArray) equal = jsonEquals(left, other);
      else if (leftArray || otherArray) equal = false;
      else equal = csvEqual(value, target);
    } else if (left === undefined && other === undefined) {
      equal = csvEqual(value, target);
    } else {
      equal = false;
    }
    return op === "==" ? equal : !equal;
  }
  if (op === "contains") {
    const parsed = tryParseJson(value);
    if (parsed !== undefined && parsed.type === "array") {
      for (const item of parsed.items) {
        if (item.type === "object") {
          for (const field of item.entries.values()) if (elementMatches(field, target)) return true;
        } else if (elementMatches(item, target)) {
          return true;
        }
      }
      return false;
    }
    const body = value.length >= 2 && value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
    for (const part of body.split(",")) if (rustTrim(part) === target) return true;
    return false;
  }
  throw unsupportedOperator(op, kind, "==, != or contains");
};

function csvEqual(a: string, b: string): boolean {
  const left = normalizedCsv(a);
  const right = normalizedCsv(b);
  if (left.length !== right.length) return false;
  for (let k = 0; k < left.length; k++) if (left[k] !== right[k]) return false;
  return true;
}

const compareMap: Handler = (kind, value, op, right) => {
  let target: string;
  if (right.type === "str") target = right.raw;
  else if (right.type === "num" && op === "contains") target = right.raw;
  else {
    const expected = op === "contains" ? "a quoted string or a number" : "a quoted JSON object";
    throw typeMismatch(`A ${kind} value with "${op}" needs ${expected}, found ${describeLiteral(right)}`);
  }
  if (op === "==" || op === "!=") {
    const left = parseJson(value);
    if (!left.ok) throw parseFailure(`Value ${excerpt(value)} of kind ${kind} is not valid JSON: ${left.message}`);
    const other = parseJson(target);
    if (!other.ok) throw parseFailure(`The literal ${excerpt(target)} is not valid JSON: ${other.message}`);
    if (left.value.type !== "object" || other.value.type !== "object") {
      throw typeMismatch(`Both sides of a ${kind} "${op}" comparison must be JSON objects`);
    }
    const equal = jsonEquals(left.value, other.value);
    return op === "==" ? equal : !equal;
  }
  if (op === "contains") {
    const parsed = parseJson(value);
    if (!parsed.ok) throw parseFailure(`Value ${excerpt(value)} of kind ${kind} is not valid JSON: ${parsed.message}`);
    if (parsed.value.type !== "object") {
      throw parseFailure(`Value ${excerpt(value)} of kind ${kind} is not a JSON object`);
    }
    for (const field of parsed.value.entries.values()) if (elementMatches(field, target)) return true;
    return false;
  }
  throw unsupportedOperator(op, kind, "==, != or contains");
};

const unknownKind: Handler = (kind) => {
  throw new ExpressionError(
    "TypeMismatch",
    `Unknown parameter type ${excerpt(kind)}: Stellar expressions support bool, u32, i32, u64, i64, u128, i128, u256, i256, timepoint, duration, string, symbol, address, bytes, vec and map`,
  );
};

const numericHandlers = new Map<string, Handler>([
  ["u32", compareNumeric(integerWidth("u32", false, 32))],
  ["i32", compareNumeric(integerWidth("i32", true, 32))],
  ["u64", compareNumeric(U64)],
  ["timepoint", compareNumeric(integerWidth("timepoint", false, 64))],
  ["duration", compareNumeric(integerWidth("duration", false, 64))],
  ["i64", compareNumeric(I64)],
  ["u128", compareNumeric(integerWidth("u128", false, 128))],
  ["i128", compareNumeric(integerWidth("i128", true, 128))],
]);

const resolveHandler = kindDispatcher<Handler>((lowerKind) => {
  const lt = lowerKind.indexOf("<");
  const base = lt < 0 ? lowerKind : lowerKind.slice(0, lt);
  const numeric = numericHandlers.get(base);
  if (numeric !== undefined) return numeric;
  switch (base) {
    case "bool":
      return compareBool;
    case "u256":
    case "i256":
      return compareLargeInteger;
    case "string":
    case "symbol":
    case "address":
    case "bytes":
      return compareString(base);
    case "vec":
      return compareVec;
    case "map":
      return compareMap;
    default:
      return unknownKind;
  }
});

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const VERSION_ACCOUNT = 6 << 3; // G…
const VERSION_CONTRACT = 2 << 3; // C…

function crc16Xmodem(bytes: Uint8Array, length: number): number {
  let crc = 0;
  for (let k = 0; k < length; k++) {
    crc ^= (bytes[k] as number) << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** A valid Stellar strkey account id (`G…`) or contract id (`C…`): base32, version byte and CRC16 checksum. */
export function isStellarAddress(s: string): boolean {
  if (s.length !== 56) return false;
  const first = s.charCodeAt(0);
  if (first !== 0x47 && first !== 0x43) return false;
  const bytes = new Uint8Array(35);
  let buffer = 0;
  let bits = 0;
  let n = 0;
  for (let k = 0; k < 56; k++) {
    const v = BASE32.indexOf(s.charAt(k));
    if (v < 0) return false;
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = (buffer >> bits) & 0xff;
      buffer &= (1 << bits) - 1;
    }
  }
  const version = bytes[0];
  if (version !== VERSION_ACCOUNT && version !== VERSION_CONTRACT) return false;
  const checksum = (bytes[33] as number) | ((bytes[34] as number) << 8);
  return checksum === crc16Xmodem(bytes, 33);
}

/** Stellar `kindOfJson` (spec §2.5): U64 / I64 / F64 by range, Address for strkeys, Vec, Map, Bool, Null. */
export function stellarKindOfJson(value: JsonValue): string {
  switch (value.type) {
    case "number": {
      if (!isIntegerNumberText(value.raw)) return "F64";
      if (typeof parseStdInteger(value.raw, U64) === "bigint") return "U64";
      if (typeof parseStdInteger(value.raw, I64) === "bigint") return "I64";
      return "F64";
    }
    case "bool":
      return "Bool";
    case "string":
      return isStellarAddress(value.value) ? "Address" : "String";
    case "array":
      return "Vec";
    case "object":
      return "Map";
    case "null":
      return "Null";
  }
}

export const stellarDialect: Dialect = {
  name: "stellar",
  compare(kind, value, op, right) {
    return resolveHandler(kind)(kind, value, op, right);
  },
  kindOfJson: stellarKindOfJson,
};
