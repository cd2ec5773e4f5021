/** Comparison operators of the expression language; keyword operators are matched case-insensitively. */
export type ComparisonOperator = "==" | "!=" | ">" | ">=" | "<" | "<=" | "contains" | "starts_with" | "ends_with";

/** One step of a left-hand-side path: `[3]` (index) or `.key` / `.0` (key; numeric keys stay strings). */
export type Accessor = { readonly index: number } | { readonly key: string };

/** The left-hand side of a condition: a parameter name (possibly numeric, e.g. `0`) plus an access path. */
export interface ConditionLeft {
  readonly base: string;
  readonly path: readonly Accessor[];
}

/**
 * A right-hand-side literal. Strings come from quoted text (quotes removed, backslashes kept), hex (`0xAB`) and bare
 * words (`foo-bar`, `1e5`); numbers keep their original text (`+7`, `007`, `-0.5`); interpretation is the dialect's.
 */
export type Literal =
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "str"; readonly raw: string }
  | { readonly type: "num"; readonly raw: string };

export interface ConditionExpression {
  readonly kind: "cond";
  readonly left: ConditionLeft;
  readonly op: ComparisonOperator;
  readonly right: Literal;
}

export interface LogicalExpression {
  readonly kind: "and" | "or";
  readonly left: Expression;
  readonly right: Expression;
}

/** A parsed filter expression. `AND` binds tighter than `OR`; both are left-associative. */
export type Expression = ConditionExpression | LogicalExpression;
