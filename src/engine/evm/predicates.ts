/**
 * Compile-time analysis of filter expressions for the predicate index (the classic publish/subscribe "predicate
 * index"): which simple comparisons must hold for an expression to possibly be true, and which comparisons can
 * never fail with an error.
 *
 * The index built from this analysis is only a *pre-filter*: a condition it selects is still evaluated by the
 * expression module exactly as before, so matches and diagnostics do not depend on how the index groups
 * comparisons. What the index must guarantee is the converse: when none of an expression's triggers holds, the
 * expression evaluates to false **without an error** (an error would be a diagnostic the evaluation must report).
 * Every rule below serves that guarantee.
 */
import {
  type ConditionExpression,
  type Expression,
  evmDialect,
  type Literal,
  EVM_SIGNED_KINDS as SIGNED_KINDS,
  EVM_UNSIGNED_KINDS as UNSIGNED_KINDS,
} from "../../expr/index.js";
import type { AbiParam, AbiType } from "./abi.js";

/** How the evaluator presents a parameter's value text, which decides the comparisons that cannot fail. */
export interface ParamSlot {
  readonly name: string;
  /** The parameter's kind as expressions see it (ABI type string, or the kind of the transaction table). */
  readonly kind: string;
  /**
   * The decoded type, when the value is the decoder's output for it (`null` for transaction parameters and for
   * indexed dynamic event parameters, whose value is a topic hash).
   */
  readonly type: AbiType | null;
  /** The value can be text the kind's comparisons reject (the empty `gas_used` of a transaction without receipt). */
  readonly mayBeMalformed: boolean;
}

/** The parameters of a scope (a decoded call or log, or a transaction), in evaluation order. */
export interface ParamLayout {
  readonly params: readonly ParamSlot[];
  /** Name → index of the first parameter with that name (the expression module looks names up that way). */
  readonly byName: ReadonlyMap<string, number>;
}

export function layoutOf(params: readonly ParamSlot[]): ParamLayout {
  const byName = new Map<string, number>();
  params.forEach((param, i) => {
    if (!byName.has(param.name)) byName.set(param.name, i);
  });
  return { params, byName };
}

/** The layout of a decoded call or log of an ABI item. */
export function abiLayout(inputs: readonly AbiParam[]): ParamLayout {
  return layoutOf(
    inputs.map((input) => ({
      name: input.name,
      kind: input.kind,
      // Indexed dynamic values (strings, bytes, arrays, tuples) are reported as their topic hash.
      type: input.indexed && !isValueType(input.type) ? null : input.type,
      mayBeMalformed: false,
    })),
  );
}

function isValueType(type: AbiType): boolean {
  return type.tag !== "array" && type.tag !== "tuple" && type.tag !== "bytes" && type.tag !== "string";
}

/**
 * A comparison the index can look up for many conditions at once:
 * - `order`: an integer parameter against a threshold (`value > 1000`);
 * - `key`: equality or inequality of a normalised value (`to == 0x…`, `value == 5`, `symbol == 'usdc'`);
 * - `contains`: an address inside an array or tuple of hex/number/bool values (`path contains 0x…`).
 */
export type Atom =
  | {
      readonly group: "order";
      readonly param: number;
      readonly signed: boolean;
      readonly op: ">" | ">=" | "<" | "<=";
      readonly threshold: bigint;
      /** The value is the decoder's canonical text for the kind (no format check needed). */
      readonly trusted: boolean;
    }
  | {
      readonly group: "key";
      readonly param: number;
      /** How the parameter's value text becomes a key (see `trigger-index.ts`). */
      readonly keying: KeyKind;
      readonly op: "==" | "!=";
      readonly key: string;
      /** The value is the decoder's canonical text for the kind (no format check needed). */
      readonly trusted: boolean;
    }
  | { readonly group: "contains"; readonly param: number; readonly key: string };

/**
 * `uint`/`int`: canonical decimal text; `address`: `0x` + 40 lowercase hex digits; `text`: Unicode-lowercased text.
 */
export type KeyKind = "uint" | "int" | "address" | "text";

/** The EVM dialect's array kinds whose decoded value is a JSON array (not `tuple[]`: `[(…),(…)]` is not JSON). */
const JSON_ARRAY_KINDS = new Set([
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
  "address[]",
  "bool[]",
  "bytes32[]",
]);
const TEXT_KINDS = new Set(["string", "bytes", "bytes32"]);
const TEXT_OPERATORS = new Set(["==", "!=", "starts_with", "ends_with", "contains"]);

const U256_MAX = (1n << 256n) - 1n;
const I256_MIN = -(1n << 255n);
const I256_MAX = (1n << 255n) - 1n;

/** What a comparison of a layout's parameter can be relied on for. */
interface AtomFacts {
  /** Evaluating it can never raise an expression error. */
  readonly safe: boolean;
  /** The index can look it up (implies `safe`); `null` when it cannot. */
  readonly atom: Atom | null;
}

/**
 * A conjunction of atoms: it holds when all of its atoms hold. An expression's triggers are a list of
 * conjunctions (a disjunctive normal form over atoms) such that, when none of them holds, the expression evaluates
 * to false without an error. They need not describe the expression exactly — any atom may be left out of a
 * conjunction (it then holds more often) — only soundly.
 */
export type Conjunction = readonly Atom[];

/**
 * Triggers of an expression on a layout, `null` when there are none (the condition must then be evaluated
 * whenever its scope occurs). An empty list means the expression is never true.
 */
export function expressionTriggers(expression: Expression, layout: ParamLayout): Conjunction[] | null {
  return triggersOf(expression, layout, new Map());
}

/** Whether evaluating the expression on the layout's values can never raise an expression error. */
export function expressionNeverFails(expression: Expression, layout: ParamLayout): boolean {
  return allSafe(expression, layout, new Map());
}

/** Bounds on one expression's triggers (beyond them, triggers are simplified, which stays sound). */
const MAX_CONJUNCTIONS = 16;
const MAX_ATOMS_PER_CONJUNCTION = 3;

type FactsCache = Map<ConditionExpression, AtomFacts>;

function triggersOf(expression: Expression, layout: ParamLayout, cache: FactsCache): Conjunction[] | null {
  if (expression.kind === "cond") {
    const { atom } = factsOf(expression, layout, cache);
    return atom ? [[atom]] : null;
  }
  if (expression.kind === "or") {
    // false ∨ false without errors: both sides must be silenced.
    const left = triggersOf(expression.left, layout, cache);
    if (!left) return null;
    const right = triggersOf(expression.right, layout, cache);
    if (!right) return null;
    const both = [...left, ...right];
    return both.length <= MAX_CONJUNCTIONS ? both : null;
  }
  // AND short-circuits: when no trigger of the left side holds, the left side is false without an error and the
  // whole is false. When the left side can never raise an error, the right side's triggers silence the whole too
  // (the left side is evaluated first, whatever its value) — and then both at once: when no pair holds, one side
  // is false without an error.
  const left = triggersOf(expression.left, layout, cache);
  const right = allSafe(expression.left, layout, cache) ? triggersOf(expression.right, layout, cache) : null;
  if (!left || !right) return left ?? right;
  if (left.length * right.length > MAX_CONJUNCTIONS) return cost(left) <= cost(right) ? left : right;
  const pairs: Conjunction[] = [];
  for (const a of left) for (const b of right) pairs.push(selective([...a, ...b]));
  return pairs;
}

/** A conjunction's most selective atoms (at most a few; `!=` only when nothing else is there). */
function selective(atoms: readonly Atom[]): Conjunction {
  const sorted = [...atoms].sort((a, b) => atomCost(a) - atomCost(b));
  const kept = sorted.filter((atom, i) => i === 0 || atomCost(atom) < INEQUALITY_COST);
  return kept.slice(0, MAX_ATOMS_PER_CONJUNCTION);
}

/** Estimated firing frequency of triggers (lower is more selective). */
function cost(conjunctions: readonly Conjunction[]): number {
  let total = 0;
  for (const conjunction of conjunctions) {
    let best = INEQUALITY_COST;
    for (const atom of conjunction) best = Math.min(best, atomCost(atom));
    total += best;
  }
  return total;
}

const INEQUALITY_COST = 1000;

/** Relative firing frequency of an atom. */
function atomCost(atom: Atom): number {
  switch (atom.group) {
    case "contains":
      return 1;
    case "key":
      if (atom.op === "!=") return INEQUALITY_COST;
      return atom.keying === "address" ? 1 : atom.keying === "text" ? 2 : 3;
    case "order":
      return 10;
  }
}

function allSafe(expression: Expression, layout: ParamLayout, cache: FactsCache): boolean {
  const stack: Expression[] = [expression];
  while (stack.length > 0) {
    const node = stack.pop() as Expression;
    if (node.kind === "cond") {
      if (!factsOf(node, layout, cache).safe) return false;
    } else {
      stack.push(node.left, node.right);
    }
  }
  return true;
}

const UNSAFE: AtomFacts = { safe: false, atom: null };
const SAFE_ONLY: AtomFacts = { safe: true, atom: null };

function factsOf(condition: ConditionExpression, layout: ParamLayout, cache: FactsCache): AtomFacts {
  let facts = cache.get(condition);
  if (!facts) {
    facts = analyse(condition, layout);
    cache.set(condition, facts);
  }
  return facts;
}

/**
 * The rules of the EVM dialect (spec §2.4) for values the decoder produces: a comparison is safe when the
 * parameter exists, has no accessor path, its kind supports the operator, the literal has the type the kind
 * requires (and, for integers, parses), and the value text has the decoder's format for the kind.
 */
function analyse(condition: ConditionExpression, layout: ParamLayout): AtomFacts {
  const { left, op, right } = condition;
  if (left.path.length > 0) return UNSAFE;
  const index = layout.byName.get(left.base);
  if (index === undefined) return UNSAFE;
  const param = layout.params[index] as ParamSlot;
  const kind = param.kind.toLowerCase();
  const trusted = param.type !== null;

  if (UNSIGNED_KINDS.has(kind) || SIGNED_KINDS.has(kind)) {
    const signed = SIGNED_KINDS.has(kind);
    // The decoder (and the transaction table) give canonical decimal text for integer kinds.
    if (param.mayBeMalformed || !isIntegerLayout(param, signed)) return UNSAFE;
    if (right.type === "bool") return UNSAFE;
    const threshold = integerLiteral(right.raw, signed);
    if (threshold === undefined || !dialectAgreesOnInteger(param.kind, threshold, right)) return UNSAFE;
    switch (op) {
      case ">":
      case ">=":
      case "<":
      case "<=":
        return { safe: true, atom: { group: "order", param: index, signed, op, threshold, trusted } };
      case "==":
      case "!=":
        return {
          safe: true,
          atom: { group: "key", param: index, keying: signed ? "int" : "uint", op, key: threshold.toString(), trusted },
        };
      default:
        return UNSAFE;
    }
  }

  if (kind === "address") {
    // Any value text compares (normalised) with a string literal.
    if (right.type !== "str" || (op !== "==" && op !== "!=")) return UNSAFE;
    const key = addressLiteralKey(right.raw);
    if (key === undefined || !dialectSays(param.kind, key, "==", right)) return SAFE_ONLY;
    return { safe: true, atom: { group: "key", param: index, keying: "address", op, key, trusted } };
  }

  if (TEXT_KINDS.has(kind)) {
    // Any value text compares (lowercased) with a string literal.
    if (right.type !== "str" || !TEXT_OPERATORS.has(op)) return UNSAFE;
    if (op !== "==" && op !== "!=") return SAFE_ONLY;
    const key = right.raw.toLowerCase();
    return { safe: true, atom: { group: "key", param: index, keying: "text", op, key, trusted } };
  }

  if (kind === "bool") {
    const type = param.type;
    if (type === null || type.tag !== "bool" || right.type !== "bool" || (op !== "==" && op !== "!=")) return UNSAFE;
    return SAFE_ONLY;
  }

  if (JSON_ARRAY_KINDS.has(kind) || kind === "tuple") {
    // `contains` with a string literal on arrays/tuples of hex, number and bool values: the decoded text is then
    // always valid JSON (or a well-formed tuple), so the comparison cannot fail.
    const type = param.type;
    if (type === null || op !== "contains" || right.type !== "str") return UNSAFE;
    const shapeOk =
      kind === "tuple"
        ? type.tag === "tuple" && type.components.every((c) => plainInTuple(c, true))
        : type.tag === "array" && isPlainLeaf(type.element);
    if (!shapeOk) return UNSAFE;
    const key = ADDRESS_LITERAL.test(right.raw) ? `0x${right.raw.slice(2).toLowerCase()}` : undefined;
    if (key === undefined) return SAFE_ONLY;
    const sample = kind === "tuple" ? `("${key}")` : `["${key}"]`;
    if (!dialectSays(param.kind, sample, "contains", right)) return SAFE_ONLY;
    return { safe: true, atom: { group: "contains", param: index, key } };
  }

  return UNSAFE;
}

/** Integer parameters: transaction fields, or decoded `uint*`/`int*` values of the matching signedness. */
function isIntegerLayout(param: ParamSlot, signed: boolean): boolean {
  if (param.type === null) return true;
  return param.type.tag === (signed ? "int" : "uint");
}

/** Hex (`0x…`/`0X…`), number and bool leaves: their decoded text needs no quoting rules beyond `"0x…"`. */
function isPlainLeaf(type: AbiType): boolean {
  return (
    type.tag === "uint" ||
    type.tag === "int" ||
    type.tag === "bool" ||
    type.tag === "address" ||
    type.tag === "fixedBytes" ||
    type.tag === "function"
  );
}

/**
 * Inside a tuple: plain leaves, arrays (of arrays) of plain leaves, and — one level deep only — tuples of those.
 * The dialect re-scans nested tuples once per level within a budget of about two passes over the value, so deeper
 * nesting could exhaust it on a large value (an error).
 */
function plainInTuple(type: AbiType, nestedTupleAllowed: boolean): boolean {
  if (type.tag === "tuple") return nestedTupleAllowed && type.components.every((c) => plainInTuple(c, false));
  if (type.tag === "array") return plainArray(type.element, 1);
  return isPlainLeaf(type);
}

function plainArray(element: AbiType, depth: number): boolean {
  if (depth > 8) return false;
  if (element.tag === "array") return plainArray(element.element, depth + 1);
  return isPlainLeaf(element);
}

/** The dialect's own answer for a sample value, `false` when it raises an error. */
function dialectSays(kind: string, value: string, op: "==" | "contains", literal: Literal): boolean {
  try {
    return evmDialect.compare(kind, value, op, literal);
  } catch {
    return false;
  }
}

const ADDRESS_LITERAL = /^0[xX][0-9a-fA-F]{40}$/;
const BARE_ADDRESS_LITERAL = /^[0-9a-fA-F]{40}$/;

/** `0x` + lowercase hex for `0x…`/`0X…`/bare 40-hex-digit literals; other literals are not indexed. */
function addressLiteralKey(raw: string): string | undefined {
  if (ADDRESS_LITERAL.test(raw)) return `0x${raw.slice(2).toLowerCase()}`;
  if (BARE_ADDRESS_LITERAL.test(raw)) return `0x${raw.toLowerCase()}`;
  return undefined;
}

const DECIMAL = /^[0-9]+$/;
const SIGNED_DECIMAL = /^[+-]?[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;

/**
 * The integer a literal denotes for a kind, for the plain spellings only (decimal digits, a sign for signed kinds,
 * `0x` hex); `undefined` for anything else (such literals are left to the evaluator).
 */
function integerLiteral(raw: string, signed: boolean): bigint | undefined {
  if (raw.length > 90) return undefined;
  let value: bigint;
  if (HEX.test(raw)) {
    value = BigInt(`0x${raw.slice(2)}`);
    if (value > U256_MAX) return undefined;
    if (signed && value > I256_MAX) value -= 1n << 256n;
  } else if (signed ? SIGNED_DECIMAL.test(raw) : DECIMAL.test(raw)) {
    value = BigInt(raw.startsWith("+") ? raw.slice(1) : raw);
  } else {
    return undefined;
  }
  if (signed ? value < I256_MIN || value > I256_MAX : value < 0n || value > U256_MAX) return undefined;
  return value;
}

/** Cross-check with the dialect itself: it must read the literal as the same integer, without an error. */
function dialectAgreesOnInteger(kind: string, value: bigint, literal: Literal): boolean {
  try {
    // Equality with exactly this value holds only if the dialect reads the literal as this value.
    return evmDialect.compare(kind, value.toString(), "==", literal);
  } catch {
    return false;
  }
}
