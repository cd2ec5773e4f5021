import { ArgusError } from "../errors/index.js";

/**
 * The error taxonomy of OZ's expression language (spec §2.3). Conformance tables name these kinds; branch on
 * `kind` or `code`, never on message text.
 */
export type ExpressionErrorKind =
  | "ParseError"
  | "VariableNotFound"
  | "TypeMismatch"
  | "UnsupportedOperator"
  | "FieldNotFound"
  | "IndexOutOfBounds";

export type ExpressionErrorCode =
  | "EXPR_EMPTY"
  | "EXPR_PARSE"
  | "EXPR_VARIABLE_NOT_FOUND"
  | "EXPR_TYPE_MISMATCH"
  | "EXPR_UNSUPPORTED_OPERATOR"
  | "EXPR_FIELD_NOT_FOUND"
  | "EXPR_INDEX_OUT_OF_BOUNDS";

const codeByKind: Record<ExpressionErrorKind, ExpressionErrorCode> = {
  ParseError: "EXPR_PARSE",
  VariableNotFound: "EXPR_VARIABLE_NOT_FOUND",
  TypeMismatch: "EXPR_TYPE_MISMATCH",
  UnsupportedOperator: "EXPR_UNSUPPORTED_OPERATOR",
  FieldNotFound: "EXPR_FIELD_NOT_FOUND",
  IndexOutOfBounds: "EXPR_INDEX_OUT_OF_BOUNDS",
};

export interface ExpressionErrorOptions {
  /** Character offset in the expression text (syntax errors only). */
  position?: number;
  /** Base variable name of the condition that failed (evaluation errors only). */
  variable?: string;
  /** Overrides the code derived from `kind` (used for `EXPR_EMPTY`). */
  code?: ExpressionErrorCode;
  hint?: string;
  cause?: unknown;
}

/**
 * An expression that could not be parsed or evaluated. Syntax errors carry `position` (0-based offset into the
 * expression text); evaluation errors carry the `variable` of the failing condition.
 */
export class ExpressionError extends ArgusError {
  override name = "ExpressionError";
  override readonly code: ExpressionErrorCode;
  readonly kind: ExpressionErrorKind;
  readonly position: number | undefined;
  readonly variable: string | undefined;

  constructor(kind: ExpressionErrorKind, message: string, options: ExpressionErrorOptions = {}) {
    const code = options.code ?? codeByKind[kind];
    super(code, message, { hint: options.hint, cause: options.cause });
    this.code = code;
    this.kind = kind;
    this.position = options.position;
    this.variable = options.variable;
  }
}
