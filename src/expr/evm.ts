/**
 * EVM comparison rules (spec §2.4), with Argus's §15 change: an uppercase `0X` address prefix is normalised like
 * `0x`. Integers are compared exactly as 256-bit values; JSON inside array/tuple values is read losslessly.
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
import { isIntegerNumberText, type JsonValue, jsonEquals, parseJson } from "./json.js";
import {
  decimalsEqual,
  type ExactDecimal,
  jsonNumberToDecimal,
  type NumberParseFailure,
  parseDecimal,
  parseI256,
  parseU256,
  smallDecimal,
} from "./numbers.js";
import { allHexFrom, excerpt, isRustWhitespace, removeWhitespace } from "./text.js";

/** Kinds (lowercased) compared as signed 256-bit integers. */
export const EVM_SIGNED_KINDS: ReadonlySet<string> = new Set(["int8", "int16", "int32", "int64", "int128", "int256"]);
/** Kinds (lowercased) compared as unsigned 256-bit integers. */
export const EVM_UNSIGNED_KINDS: ReadonlySet<string> = new Set([
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "uint128",
  "uint256",
  "number",
]);
const ARRAY_KINDS = new Set([
  "array",
  "uint8[]",
  "uint16[]",
  "uint32[]",
  "uint64[]",
  "uint128[]",
  "uint256[]",
  "int8[]",
  "int16[]",
  "int32[]",
  "int64[]",
  "int128[]",
  "int256[]",
  "string[]",
  "address[]",
  "bool[]",
  "bytes[]",
  "bytes32[]",
  "tuple[]",
]);

/** Deepest `(…)` nesting read inside a tuple value. */
export const MAX_TUPLE_DEPTH = 64;

/**
 * Nested tuples are re-scanned once per level (as in OZ), so the work is bounded explicitly: characters scanned
 * across all levels may not exceed a few passes over the value (plus slack for small values).
 */
function tupleScanBudget(length: number): number {
  return 2 * length + 100_000;
}

interface ScanBudget {
  remaining: number;
}

const TEXT_OPERATORS = "==, !=, starts_with, ends_with, contains";

type Handler = (kind: string, value: string, op: ComparisonOperator, right: Literal) => boolean;

/** A parsed integer literal; `small` is set when it is a safe integer, for the allocation-free fast path. */
type IntegerLiteral = { readonly value: bigint; readonly small: number | undefined } | NumberParseFailure;

function integerLiteral(parse: (text: string) => bigint | NumberParseFailure) {
  return literalMemo((raw): IntegerLiteral => {
    const value = parse(raw);
    if (typeof value === "string") return value;
    const small = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
    return { value, small: small ? Number(value) : undefined };
  });
}

const rhsU256 = integerLiteral(parseU256);
const rhsI256 = integerLiteral(parseI256);

function compareInteger(
  parse: (text: string) => bigint | NumberParseFailure,
  rhs: (literal: Literal & { raw: string }) => IntegerLiteral,
  description: string,
): Handler {
  return (kind, value, op, right) => {
    const small = smallDecimal(value);
    const left = small >= 0 ? small : parse(value);
    if (typeof left === "string") {
      throw parseFailure(`Value ${excerpt(value)} of kind ${kind} could not be read as ${description}: ${left}`);
    }
    if (right.type === "bool") {
      throw typeMismatch(`A ${kind} value can only be compared with a number, found ${describeLiteral(right)}`);
    }
    const r = rhs(right);
    if (typeof r === "string") {
      throw parseFailure(`The literal ${excerpt(right.raw)} could not be read as ${description}: ${r}`);
    }
    const result =
      typeof left === "number" && r.small !== undefined
        ? compareNumbers(left, op, r.small)
        : compareOrdered(typeof left === "number" ? BigInt(left) : left, op, r.value);
    if (result === undefined) throw unsupportedOperator(op, kind, ORDERED_OPERATORS);
    return result;
  };
}

const compareUnsigned = compareInteger(parseU256, rhsU256, "an unsigned 256-bit integer");
const compareSigned = compareInteger(parseI256, rhsI256, "a signed 256-bit integer");

/** OZ `normalize_address`: drop a leading `0x` (and, in Argus, `0X`), delete whitespace, lowercase. */
export function normalizeEvmAddress(address: string): string {
  const body =
    address.length >= 2 && address.charCodeAt(0) === 0x30 && (address.charCodeAt(1) | 0x20) === 0x78
      ? address.slice(2)
      : address;
  return removeWhitespace(body).toLowerCase();
}

const rhsAddress = literalMemo(normalizeEvmAddress);

const compareAddress: Handler = (kind, value, op, right) => {
  if (right.type !== "str") {
    throw typeMismatch(
      `An ${kind} value can only be compared with a quoted or 0x-hex address, found ${describeLiteral(right)}`,
    );
  }
  if (op === "==") return equalsNormalizedAddress(value, rhsAddress(right), true, normalizeEvmAddress);
  if (op === "!=") return !equalsNormalizedAddress(value, rhsAddress(right), true, normalizeEvmAddress);
  throw unsupportedOperator(op, kind, "== or !=");
};

const rhsLower = literalMemo((raw) => raw.toLowerCase());

const compareString: Handler = (kind, value, op, right) => {
  if (right.type !== "str") {
    throw typeMismatch(`A ${kind} value can only be compared with a quoted string, found ${describeLiteral(right)}`);
  }
  return compareText(value.toLowerCase(), op, rhsLower(right), kind, TEXT_OPERATORS);
};

/** The RHS text of an array/tuple comparison: a string, or a number for `contains` only. */
function containerTarget(kind: string, op: ComparisonOperator, right: Literal): string {
  if (right.type === "str") return right.raw;
  if (right.type === "num" && op === "contains") return right.raw;
  const expected = op === "contains" ? "a quoted string or a number" : "a quoted JSON text";
  throw typeMismatch(`A ${kind} value with "${op}" needs ${expected}, found ${describeLiteral(right)}`);
}

const compareArray: Handler = (kind, value, op, right) => {
  const target = containerTarget(kind, op, right);
  if (op === "==" || op === "!=") {
    const left = parseJson(value.toLowerCase());
    if (!left.ok) throw parseFailure(`Value ${excerpt(value)} of kind ${kind} is not valid JSON: ${left.message}`);
    const other = parseJson(target.toLowerCase());
    if (!other.ok) throw parseFailure(`The literal ${excerpt(target)} is not valid JSON: ${other.message}`);
    if (left.value.type !== "array" || other.value.type !== "array") {
      throw typeMismatch(`Both sides of an ${kind} "${op}" comparison must be JSON arrays`);
    }
    const equal = jsonEquals(left.value, other.value);
    return op === "==" ? equal : !equal;
  }
  if (op === "contains") {
    const parsed = parseJson(value);
    if (!parsed.ok)
      throw parseFailure(`Value ${excerpt(value)} of kind ${kind} is not a JSON array: ${parsed.message}`);
    if (parsed.value.type !== "array")
      throw parseFailure(`Value ${excerpt(value)} of kind ${kind} is not a JSON array`);
    const matcher = new ElementMatcher(target);
    for (const item of parsed.value.items) if (matcher.matches(item)) return true;
    return false;
  }
  throw unsupportedOperator(op, kind, "==, != or contains");
};

/** OZ's element rule for array/tuple `contains` (recursive into arrays and objects). */
class ElementMatcher {
  private readonly lower: string;
  private address: string | undefined;
  private decimal: ExactDecimal | undefined | null = null;

  constructor(private readonly target: string) {
    this.lower = target.toLowerCase();
  }

  matches(value: JsonValue): boolean {
    switch (value.type) {
      case "string":
        if (looksLikeAddress(value.value)) {
          this.address ??= normalizeEvmAddress(this.target);
          return normalizeEvmAddress(value.value) === this.address;
        }
        return value.value.toLowerCase() === this.lower;
      case "number": {
        if (this.decimal === null) this.decimal = parseDecimal(this.target);
        if (this.decimal !== undefined) {
          const left = jsonNumberToDecimal(value.raw);
          if (left !== undefined) return decimalsEqual(left, this.decimal);
        }
        return value.raw === this.target;
      }
      case "bool":
        return (value.value ? "true" : "false") === this.lower;
      case "null":
        return this.target === "null";
      case "array":
        for (const item of value.items) if (this.matches(item)) return true;
        return false;
      case "object":
        for (const item of value.entries.values()) if (this.matches(item)) return true;
        return false;
    }
  }
}

/** `0x` (any case) followed by exactly 40 hex digits. */
function looksLikeAddress(s: string): boolean {
  return s.length === 42 && s.charCodeAt(0) === 0x30 && (s.charCodeAt(1) | 0x20) === 0x78 && allHexFrom(s, 2);
}

const compareTuple: Handler = (kind, value, op, right) => {
  const target = containerTarget(kind, op, right);
  if (op === "==" || op === "!=") {
    const equal = normalizeTupleWhitespace(value) === normalizeTupleWhitespace(target);
    return op === "==" ? equal : !equal;
  }
  if (op === "contains") {
    if (!value.startsWith("(") || !value.endsWith(")")) {
      throw parseFailure(`Value ${excerpt(value)} of kind ${kind} is not a tuple; expected (value1,value2,...)`);
    }
    const elements = parseTupleElements(value.slice(1, -1), 1, { remaining: tupleScanBudget(value.length) });
    const matcher = new ElementMatcher(target);
    for (const element of elements) if (matcher.matches(element)) return true;
    return false;
  }
  throw unsupportedOperator(op, kind, "==, != or contains");
};

/** Removes whitespace outside single/double quotes (OZ `normalize_tuple_whitespace`). */
export function normalizeTupleWhitespace(text: string): string {
  let out = "";
  let quote = 0;
  let runStart = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (quote === 0) {
      if (c === 0x22 || c === 0x27) quote = c;
      else if (isRustWhitespace(c)) {
        out += text.slice(runStart, k);
        runStart = k + 1;
      }
    } else if (c === quote) {
      quote = 0;
    }
  }
  return out + text.slice(runStart);
}

/**
 * Splits the inside of `(…)` at top-level commas (OZ `parse_tuple_elements`): `(…)` elements recurse into arrays,
 * `[`/`{` elements must be JSON, anything else is JSON when it parses and plain text otherwise. Elements are not
 * trimmed, as in OZ.
 */
export function parseTupleElements(content: string, depth: number, budget: ScanBudget): JsonValue[] {
  if (depth > MAX_TUPLE_DEPTH) throw parseFailure(`Tuple value is nested deeper than ${MAX_TUPLE_DEPTH} levels`);
  budget.remaining -= content.length;
  if (budget.remaining < 0) throw parseFailure("Tuple value is too large or too deeply nested to search");
  const elements: JsonValue[] = [];
  let onlyWhitespace = true;
  for (let k = 0; k < content.length; k++) {
    if (!isRustWhitespace(content.charCodeAt(k))) {
      onlyWhitespace = false;
      break;
    }
  }
  if (onlyWhitespace) return elements;
  let k = 0;
  while (k < content.length) {
    const start = k;
    let nesting = 0;
    let quote = 0;
    while (k < content.length) {
      const c = content.charCodeAt(k);
      if (nesting === 0 && quote === 0 && c === 0x2c) break;
      k++;
      if (c === 0x22 || c === 0x27) {
        if (quote === 0) quote = c;
        else if (quote === c) quote = 0;
      } else if (quote === 0 && (c === 0x5b || c === 0x7b || c === 0x28)) {
        nesting++;
      } else if (quote === 0 && (c === 0x5d || c === 0x7d || c === 0x29)) {
        nesting--;
      }
    }
    if (k > start) {
      const current = content.slice(start, k);
      const first = current.charCodeAt(0);
      if (first === 0x28 && current.length >= 2 && current.endsWith(")")) {
        elements.push({ type: "array", items: parseTupleElements(current.slice(1, -1), depth + 1, budget) });
      } else if (first === 0x5b || first === 0x7b) {
        const parsed = parseJson(current);
        if (!parsed.ok) throw parseFailure(`Tuple element ${excerpt(current)} is not valid JSON: ${parsed.message}`);
        elements.push(parsed.value);
      } else {
        const parsed = parseJson(current);
        elements.push(parsed.ok ? parsed.value : { type: "string", value: current });
      }
    }
    if (content.charCodeAt(k) === 0x2c) k++;
  }
  return elements;
}

const resolveHandler = kindDispatcher<Handler>((kind) => {
  if (EVM_SIGNED_KINDS.has(kind)) return compareSigned;
  if (EVM_UNSIGNED_KINDS.has(kind)) return compareUnsigned;
  if (ARRAY_KINDS.has(kind)) return compareArray;
  switch (kind) {
    case "address":
      return compareAddress;
    case "string":
    case "bytes":
    case "bytes32":
      return compareString;
    case "bool":
      return compareBool;
    case "tuple":
      return compareTuple;
    default:
      return unsupportedKind;
  }
});

const unsupportedKind: Handler = (kind) => {
  throw new ExpressionError(
    "TypeMismatch",
    `Values of kind ${excerpt(kind)} cannot be compared on EVM; supported kinds are uintN/intN (8…256), number, address, string, bytes, bytes32, bool, tuple and arrays`,
  );
};

/** EVM `kindOfJson` (spec §2.4): hex strings become address/bytes32/bytes, negative integers int64. */
export function evmKindOfJson(value: JsonValue): string {
  switch (value.type) {
    case "string": {
      const s = value.value;
      if (s.length >= 2 && s.charCodeAt(0) === 0x30 && (s.charCodeAt(1) | 0x20) === 0x78 && allHexFrom(s, 2)) {
        return s.length === 42 ? "address" : s.length === 66 ? "bytes32" : "bytes";
      }
      return "string";
    }
    case "number":
      return value.raw.charCodeAt(0) === 0x2d && isIntegerNumberText(value.raw) ? "int64" : "number";
    case "bool":
      return "bool";
    case "array":
      return "array";
    case "object":
      return "map";
    case "null":
      return "null";
  }
}

export const evmDialect: Dialect = {
  name: "evm",
  compare(kind, value, op, right) {
    return resolveHandler(kind)(kind, value, op, right);
  },
  kindOfJson: evmKindOfJson,
};
