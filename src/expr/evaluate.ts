import type { ConditionExpression, Expression, LogicalExpression } from "./ast.js";
import type { Dialect } from "./dialect.js";
import { ExpressionError } from "./errors.js";
import { type JsonValue, jsonToText, parseJson } from "./json.js";
import { emptyExpressionError, isBlankExpression, parseExpression } from "./parser.js";
import { excerpt } from "./text.js";

/** One named parameter a condition can refer to: the decoded value's text and its ABI/SEP-48 kind. */
export interface ExpressionParam {
  readonly name: string;
  readonly value: string;
  readonly kind: string;
}

export type EvaluateExpressionResult = { ok: true; value: boolean } | { ok: false; error: ExpressionError };

/**
 * Evaluates a parsed expression against parameters (spec §2.3). `AND`/`OR` short-circuit, so errors in branches
 * that are not evaluated never surface. Never throws; evaluation is iterative, so any tree the parser accepts is safe.
 */
export function evaluateExpression(
  expression: Expression,
  params: readonly ExpressionParam[],
  dialect: Dialect,
): EvaluateExpressionResult {
  try {
    return { ok: true, value: evaluateTree(expression, params, dialect) };
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, error };
    return {
      ok: false,
      error: new ExpressionError("ParseError", `Expression evaluation failed unexpectedly: ${String(error)}`, {
        cause: error,
      }),
    };
  }
}

/** Parses and evaluates in one step; empty or whitespace-only text is the error "Expression cannot be empty". */
export function evaluateExpressionText(
  text: string,
  params: readonly ExpressionParam[],
  dialect: Dialect,
): EvaluateExpressionResult {
  if (typeof text === "string" && isBlankExpression(text)) return { ok: false, error: emptyExpressionError() };
  const parsed = parseExpression(text);
  if (!parsed.ok) return parsed;
  return evaluateExpression(parsed.expression, params, dialect);
}

function evaluateTree(root: Expression, params: readonly ExpressionParam[], dialect: Dialect): boolean {
  if (root.kind === "cond") return evaluateCondition(root, params, dialect);
  // Explicit stack: a left-deep chain of thousands of ANDs must not grow the call stack. The stack arrays are
  // shared across calls (evaluation is synchronous); `base` keeps nested use correct and `finally` resets them.
  const pending = pendingNodes;
  const inRight = pendingInRight;
  const base = pending.length;
  try {
    return walk(root, params, dialect, pending, inRight, base);
  } finally {
    // Only an error leaves entries behind; setting `length` is not free, so skip it on the normal path.
    if (pending.length !== base) {
      pending.length = base;
      inRight.length = base;
    }
  }
}

const pendingNodes: LogicalExpression[] = [];
const pendingInRight: boolean[] = [];

function walk(
  root: LogicalExpression,
  params: readonly ExpressionParam[],
  dialect: Dialect,
  pending: LogicalExpression[],
  inRight: boolean[],
  base: number,
): boolean {
  let current: Expression = root;
  let result = false;
  for (;;) {
    while (current.kind !== "cond") {
      pending.push(current);
      inRight.push(false);
      current = current.left;
    }
    result = evaluateCondition(current, params, dialect);
    let descended = false;
    while (pending.length > base) {
      const top = pending.length - 1;
      const node = pending[top] as LogicalExpression;
      if (!inRight[top] && (node.kind === "and" ? result : !result)) {
        inRight[top] = true;
        current = node.right;
        descended = true;
        break;
      }
      pending.pop();
      inRight.pop();
    }
    if (!descended) return result;
  }
}

function findParam(params: readonly ExpressionParam[], name: string): ExpressionParam | undefined {
  for (let k = 0; k < params.length; k++) {
    const param = params[k] as ExpressionParam;
    if (param.name === name) return param;
  }
  return undefined;
}

function evaluateCondition(condition: ConditionExpression, params: readonly ExpressionParam[], dialect: Dialect) {
  const { base, path } = condition.left;
  const param = findParam(params, base);
  if (param === undefined) {
    throw new ExpressionError("VariableNotFound", `Variable "${base}" not found; ${describeAvailable(params)}`, {
      variable: base,
    });
  }
  let kind = param.kind;
  let value = param.value;
  if (path.length > 0) {
    const resolved = resolvePath(condition, param);
    kind = dialect.kindOfJson(resolved);
    value = jsonToText(resolved);
  }
  try {
    return dialect.compare(kind, value, condition.op, condition.right);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    throw new ExpressionError(error.kind, `${error.message} (in condition on "${formatLeft(condition)}")`, {
      variable: base,
      hint: error.hint,
      cause: error,
    });
  }
}

function resolvePath(condition: ConditionExpression, param: ExpressionParam): JsonValue {
  const { base, path } = condition.left;
  const parsed = parseJson(param.value);
  if (!parsed.ok) {
    throw new ExpressionError(
      "ParseError",
      `Value of "${base}" (kind ${param.kind}) is not JSON, so "${formatLeft(condition)}" cannot be resolved: ${parsed.message}`,
      { variable: base },
    );
  }
  let current = parsed.value;
  let at = base;
  for (const step of path) {
    if ("index" in step) {
      const next = `${at}[${step.index}]`;
      if (current.type !== "array") {
        throw new ExpressionError(
          "TypeMismatch",
          `Cannot index "${next}": "${at}" is ${article(current)}, not an array`,
          {
            variable: base,
          },
        );
      }
      const item = current.items[step.index];
      if (item === undefined) {
        throw new ExpressionError(
          "IndexOutOfBounds",
          `Index ${step.index} is out of bounds at "${next}": "${at}" has ${current.items.length} element(s)`,
          { variable: base },
        );
      }
      current = item;
      at = next;
    } else {
      const next = `${at}.${step.key}`;
      if (current.type !== "object") {
        throw new ExpressionError(
          "TypeMismatch",
          `Cannot read field "${step.key}" at "${next}": "${at}" is ${article(current)}, not an object`,
          { variable: base },
        );
      }
      const item = current.entries.get(step.key);
      if (item === undefined) {
        throw new ExpressionError(
          "FieldNotFound",
          `Field "${step.key}" not found at "${next}"; ${describeKeys(current)}`,
          {
            variable: base,
          },
        );
      }
      current = item;
      at = next;
    }
  }
  return current;
}

function article(value: JsonValue): string {
  switch (value.type) {
    case "array":
      return "an array";
    case "object":
      return "an object";
    case "null":
      return "null";
    default:
      return `a ${value.type}`;
  }
}

function describeKeys(value: JsonValue & { type: "object" }): string {
  if (value.entries.size === 0) return "the object is empty";
  const keys = [...value.entries.keys()].slice(0, 10).map((key) => excerpt(key, 30));
  return `available fields: ${keys.join(", ")}${value.entries.size > 10 ? ", …" : ""}`;
}

function describeAvailable(params: readonly ExpressionParam[]): string {
  if (params.length === 0) return "no parameters are available here";
  const names = params.slice(0, 12).map((param) => param.name);
  return `available parameters: ${names.join(", ")}${params.length > 12 ? ", …" : ""}`;
}

function formatLeft(condition: ConditionExpression): string {
  let out = condition.left.base;
  for (const step of condition.left.path) out += "index" in step ? `[${step.index}]` : `.${step.key}`;
  return out;
}

/** Base parameter names a parsed expression refers to, in first-use order, without duplicates. */
export function referencedVariables(expression: Expression): string[] {
  const seen = new Set<string>();
  const stack: Expression[] = [expression];
  while (stack.length > 0) {
    const node = stack.pop() as Expression;
    if (node.kind === "cond") seen.add(node.left.base);
    else stack.push(node.right, node.left);
  }
  return [...seen];
}
