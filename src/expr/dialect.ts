import type { ComparisonOperator, Literal } from "./ast.js";
import { ExpressionError } from "./errors.js";
import type { JsonValue } from "./json.js";
import { excerpt } from "./text.js";

/**
 * A chain's comparison rules (spec §2.4–2.6). `compare` receives the left side as OZ does — a kind and the value's
 * text — and the literal from the expression. It returns the comparison result and throws {@link ExpressionError}
 * for the taxonomy's failures; the evaluator turns those into values. Dialects are pure and stateless (apart from
 * caches keyed by literal objects), so one instance serves every monitor.
 */
export interface Dialect {
  readonly name: "evm" | "stellar";
  compare(kind: string, value: string, op: ComparisonOperator, right: Literal): boolean;
  /** The kind OZ assigns to a JSON value reached through an accessor path (`args.to`, `arr[0]`). */
  kindOfJson(value: JsonValue): string;
}

export const ORDERED_OPERATORS = "==, !=, >, >=, <, <=";

/** Applies an ordering operator; `undefined` for the text-only operators. */
export function compareOrdered(left: bigint, op: ComparisonOperator, right: bigint): boolean | undefined {
  switch (op) {
    case "==":
      return left === right;
    case "!=":
      return left !== right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    default:
      return undefined;
  }
}

/** {@link compareOrdered} for safe integers (the common case, no BigInt). */
export function compareNumbers(left: number, op: ComparisonOperator, right: number): boolean | undefined {
  switch (op) {
    case "==":
      return left === right;
    case "!=":
      return left !== right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    default:
      return undefined;
  }
}

/**
 * `normalize(value) === target` where normalize drops whitespace and lowercases (and, with `stripHexPrefix`, a
 * leading `0x`/`0X`), without allocating for ASCII input; other input goes through `normalize`. `target` must
 * already be normalised.
 */
export function equalsNormalizedAddress(
  value: string,
  target: string,
  stripHexPrefix: boolean,
  normalize: (text: string) => string,
): boolean {
  let i =
    stripHexPrefix && value.length >= 2 && value.charCodeAt(0) === 0x30 && (value.charCodeAt(1) | 0x20) === 0x78
      ? 2
      : 0;
  let j = 0;
  for (; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c >= 0x80) return normalize(value) === target;
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) continue;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (j >= target.length || target.charCodeAt(j) !== c) return false;
    j++;
  }
  return j === target.length;
}

export function describeLiteral(right: Literal): string {
  switch (right.type) {
    case "bool":
      return `boolean ${right.value}`;
    case "num":
      return `number ${right.raw}`;
    case "str":
      return `string ${excerpt(right.raw)}`;
  }
}

export function typeMismatch(message: string): ExpressionError {
  return new ExpressionError("TypeMismatch", message);
}

export function parseFailure(message: string): ExpressionError {
  return new ExpressionError("ParseError", message);
}

export function unsupportedOperator(op: ComparisonOperator, kind: string, supported: string): ExpressionError {
  return new ExpressionError(
    "UnsupportedOperator",
    `Operator "${op}" is not supported for ${kind} values; use ${supported}`,
  );
}

/**
 * A per-literal memo: each literal's parsed form is computed once per process, not once per evaluation.
 * `compute` must not return `undefined`.
 */
export function literalMemo<T>(compute: (raw: string) => T): (literal: Literal & { raw: string }) => T {
  const memo = new WeakMap<object, T>();
  return (literal) => {
    let value = memo.get(literal);
    if (value === undefined) {
      value = compute(literal.raw);
      memo.set(literal, value);
    }
    return value;
  };
}

/** Rust's `str::parse::<bool>()`: exactly `true` or `false`. */
export function parseRustBool(value: string, kind: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw parseFailure(`Value ${excerpt(value)} of kind ${kind} is not a boolean (expected exactly true or false)`);
}

/** Boolean comparison shared by EVM and Stellar: LHS must read as a bool, RHS must be a bool literal, == / != only. */
export function compareBool(kind: string, value: string, op: ComparisonOperator, right: Literal): boolean {
  const left = parseRustBool(value, kind);
  if (right.type !== "bool") {
    throw typeMismatch(`A ${kind} value can only be compared with true or false, found ${describeLiteral(right)}`);
  }
  if (op === "==") return left === right.value;
  if (op === "!=") return left !== right.value;
  throw unsupportedOperator(op, kind, "== or !=");
}

/** Rust string operators on already-normalised text. */
export function compareText(
  left: string,
  op: ComparisonOperator,
  right: string,
  kind: string,
  supported: string,
): boolean {
  switch (op) {
    case "==":
      return left === right;
    case "!=":
      return left !== right;
    case "starts_with":
      return left.startsWith(right);
    case "ends_with":
      return left.endsWith(right);
    case "contains":
      return left.includes(right);
    default:
      throw unsupportedOperator(op, kind, supported);
  }
}

/**
 * Memoises the kind → handler lookup (kinds are a small closed set in practice; the cache is bounded anyway so a
 * stream of unique junk kinds cannot grow memory).
 */
export function kindDispatcher<H>(resolve: (lowerKind: string) => H): (kind: string) => H {
  const cache = new Map<string, H>();
  return (kind) => {
    let handler = cache.get(kind);
    if (handler === undefined) {
      handler = resolve(kind.toLowerCase());
      if (cache.size >= 1024) cache.clear();
      cache.set(kind, handler);
    }
    return handler;
  };
}
