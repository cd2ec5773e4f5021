/**
 * The OZ filter-expression language: parse once, evaluate many times against a chain dialect.
 *
 * Owns the grammar (spec §2.2, widened by §15), the evaluator (§2.3) and the EVM/Stellar comparison rules
 * (§2.4–2.5). Pure: imports no I/O, never logs, never throws — failures are {@link ExpressionError} values.
 *
 * @example
 * const parsed = parseExpression("value > 1000 AND to == 0xf423d9c1ffeb6386639d024f3b241dab2331b635");
 * if (parsed.ok) {
 *   const result = evaluateExpression(parsed.expression, params, evmDialect); // { ok: true, value: true }
 * }
 */
export type {
  Accessor,
  ComparisonOperator,
  ConditionExpression,
  ConditionLeft,
  Expression,
  Literal,
  LogicalExpression,
} from "./ast.js";
export type { Dialect } from "./dialect.js";
export type { ExpressionErrorCode, ExpressionErrorKind } from "./errors.js";
export { ExpressionError } from "./errors.js";
export type { EvaluateExpressionResult, ExpressionParam } from "./evaluate.js";
export { evaluateExpression, evaluateExpressionText, referencedVariables } from "./evaluate.js";
export { EVM_SIGNED_KINDS, EVM_UNSIGNED_KINDS, evmDialect } from "./evm.js";
export type { JsonValue } from "./json.js";
export type { ParseExpressionResult } from "./parser.js";
export { MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH, parseExpression } from "./parser.js";
export { stellarDialect } from "./stellar.js";
