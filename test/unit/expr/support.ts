import { expect } from "vitest";
import {
  type Dialect,
  ExpressionError,
  type ExpressionErrorKind,
  type ExpressionParam,
  evaluateExpressionText,
} from "../../../src/expr/index.js";

export type Expected = boolean | ExpressionErrorKind;

export interface EvalCase {
  readonly id: string;
  readonly expression: string;
  readonly params: readonly ExpressionParam[];
  readonly expected: Expected;
}

/** `p("amount", "uint256", "1000")` */
export function p(name: string, kind: string, value: string): ExpressionParam {
  return { name, kind, value };
}

const codes: Record<ExpressionErrorKind, string> = {
  ParseError: "EXPR_PARSE",
  VariableNotFound: "EXPR_VARIABLE_NOT_FOUND",
  TypeMismatch: "EXPR_TYPE_MISMATCH",
  UnsupportedOperator: "EXPR_UNSUPPORTED_OPERATOR",
  FieldNotFound: "EXPR_FIELD_NOT_FOUND",
  IndexOutOfBounds: "EXPR_INDEX_OUT_OF_BOUNDS",
};

/** Evaluates `expression` and asserts the boolean result or the error kind (and its code). */
export function expectEvaluation(
  expression: string,
  params: readonly ExpressionParam[],
  dialect: Dialect,
  expected: Expected,
): void {
  const result = evaluateExpressionText(expression, params, dialect);
  if (typeof expected === "boolean") {
    if (!result.ok) throw new Error(`expected ${expected}, got ${result.error.kind}: ${result.error.message}`);
    expect(result.value).toBe(expected);
  } else {
    if (result.ok) throw new Error(`expected ${expected}, got ${result.value}`);
    expect(result.error).toBeInstanceOf(ExpressionError);
    expect(result.error.kind).toBe(expected);
    expect(result.error.code).toBe(codes[expected]);
  }
}

/**
 * Runs `fn` and fails if it takes longer than `boundMs` of CPU time, or ten times that of wall time (measured with
 * `performance.now()`). A safety bound against hangs and runaway work, not a benchmark: CPU time keeps it stable
 * when other processes load the machine, the wall-clock bound still catches anything that blocks.
 */
export function within<T>(boundMs: number, fn: () => T): T {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  expect(cpuMs, `used ${cpuMs.toFixed(1)} ms of CPU`).toBeLessThan(boundMs);
  expect(elapsed, `took ${elapsed.toFixed(1)} ms`).toBeLessThan(boundMs * 10);
  return value;
}
