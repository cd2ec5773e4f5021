import type { Accessor, ComparisonOperator, ConditionExpression, ConditionLeft, Expression, Literal } from "./ast.js";
import { ExpressionError } from "./errors.js";
import { allHexFrom, excerpt, isDigit, isExpressionWhitespace, isHexDigit, isIdentPart, isIdentStart } from "./text.js";

/** Longest expression text accepted, in UTF-16 code units. */
export const MAX_EXPRESSION_LENGTH = 65_536;
/** Deepest parenthesis nesting accepted; deeper input is a parse error, never a stack overflow. */
export const MAX_NESTING_DEPTH = 256;

const OPERATOR_LIST = "==, !=, >, >=, <, <=, contains, starts_with, ends_with";
const VALUE_FORMS = "a quoted string, a number, true/false, 0x-hex or a bare word";
/** Reserved words (case-insensitive): never a variable name, never a bare-word value. */
const KEYWORDS: ReadonlySet<string> = new Set(["true", "false", "and", "or", "contains", "starts_with", "ends_with"]);

const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DOT = 0x2e;
const EQUALS = 0x3d;
const BANG = 0x21;
const GT = 0x3e;
const LT = 0x3c;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKSLASH = 0x5c;
const PLUS = 0x2b;
const MINUS = 0x2d;

export type ParseExpressionResult = { ok: true; expression: Expression } | { ok: false; error: ExpressionError };

/** The error for empty or whitespace-only expression text (OZ: "Expression cannot be empty"). */
export function emptyExpressionError(): ExpressionError {
  return new ExpressionError("ParseError", "Expression cannot be empty", {
    code: "EXPR_EMPTY",
    position: 0,
    hint: "Use `expression: null` (or omit it) to match without a filter.",
  });
}

/** True when `text` is empty or whitespace only. */
export function isBlankExpression(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isExpressionWhitespace(text.charCodeAt(i))) return false;
  return true;
}

/**
 * Parses OZ filter-expression text (spec §2.2, widened by §15: booleans in any case, any whitespace).
 * Linear time; nesting is capped at {@link MAX_NESTING_DEPTH} and length at {@link MAX_EXPRESSION_LENGTH}.
 */
export function parseExpression(text: string): ParseExpressionResult {
  if (typeof text !== "string") {
    return { ok: false, error: new ExpressionError("ParseError", "Expression must be a string", { position: 0 }) };
  }
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      error: new ExpressionError(
        "ParseError",
        `Expression is too long: ${text.length} characters (the limit is ${MAX_EXPRESSION_LENGTH})`,
        { position: MAX_EXPRESSION_LENGTH },
      ),
    };
  }
  if (isBlankExpression(text)) return { ok: false, error: emptyExpressionError() };
  try {
    return { ok: true, expression: new Parser(text).parseAll() };
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, error };
    return {
      ok: false,
      error: new ExpressionError("ParseError", `Expression could not be parsed: ${String(error)}`, {
        position: 0,
        cause: error,
      }),
    };
  }
}

class Parser {
  private i = 0;
  private readonly n: number;

  constructor(private readonly s: string) {
    this.n = s.length;
  }

  parseAll(): Expression {
    this.skipWs();
    const expression = this.parseOr(0);
    this.skipWs();
    if (this.i < this.n) {
      if (this.code(this.i) === CLOSE_PAREN) {
        throw this.fail(`Unexpected ")" at position ${this.i} with no matching "("`, this.i);
      }
      throw this.fail(
        `Expected AND, OR or the end of the expression at position ${this.i}, found ${this.found(this.i)}`,
        this.i,
      );
    }
    return expression;
  }

  private parseOr(depth: number): Expression {
    let left = this.parseAnd(depth);
    for (;;) {
      const save = this.i;
      this.skipWs();
      if (!this.matchWord(this.i, "or")) {
        this.i = save;
        return left;
      }
      this.i += 2;
      this.skipWs();
      const right = this.parseAnd(depth);
      left = { kind: "or", left, right };
    }
  }

  private parseAnd(depth: number): Expression {
    let left = this.parseTerm(depth);
    for (;;) {
      const save = this.i;
      this.skipWs();
      if (!this.matchWord(this.i, "and")) {
        this.i = save;
        return left;
      }
      this.i += 3;
      this.skipWs();
      const right = this.parseTerm(depth);
      left = { kind: "and", left, right };
    }
  }

  private parseTerm(depth: number): Expression {
    this.skipWs();
    if (this.code(this.i) === OPEN_PAREN) {
      const open = this.i;
      if (depth >= MAX_NESTING_DEPTH) {
        throw this.fail(`Parentheses are nested deeper than ${MAX_NESTING_DEPTH} levels at position ${open}`, open);
      }
      this.i++;
      this.skipWs();
      const inner = this.parseOr(depth + 1);
      this.skipWs();
      if (this.code(this.i) !== CLOSE_PAREN) {
        throw this.fail(
          `Expected ")" at position ${this.i} to close the "(" at position ${open}, found ${this.found(this.i)}`,
          this.i,
        );
      }
      this.i++;
      this.skipWs();
      return inner;
    }
    const condition = this.parseCondition();
    this.skipWs();
    return condition;
  }

  private parseCondition(): ConditionExpression {
    const left = this.parseLeft();
    this.skipWs();
    const opStart = this.i;
    const op = this.parseOperator();
    const opEnd = this.i;
    this.skipWs();
    const right = this.parseValue(op, opStart, opEnd);
    return { kind: "cond", left, op, right };
  }

  private parseLeft(): ConditionLeft {
    const start = this.i;
    const c = this.code(start);
    let base: string;
    if (isIdentStart(c)) {
      let j = start + 1;
      while (j < this.n && isIdentPart(this.code(j))) j++;
      base = this.s.slice(start, j);
      if (KEYWORDS.has(base.toLowerCase())) {
        throw this.fail(
          `"${base}" at position ${start} is a reserved word and cannot be used as a variable name`,
          start,
        );
      }
      this.i = j;
    } else if (isDigit(c)) {
      let j = start + 1;
      while (j < this.n && isDigit(this.code(j))) j++;
      if (!this.numericBaseFollows(j)) {
        let end = j;
        while (end < this.n && isIdentPart(this.code(end))) end++;
        throw this.fail(
          `Invalid variable name ${excerpt(this.s.slice(start, end))} at position ${start}: names start with a letter or underscore; all-digit names (0, 1[0], 2.key) refer to positional parameters`,
          start,
        );
      }
      base = this.s.slice(start, j);
      this.i = j;
    } else if (start >= this.n) {
      throw this.fail(`Expected a condition at position ${start}, found end of input`, start);
    } else {
      throw this.fail(
        `Expected a condition (a variable name such as amount or args.to) at position ${start}, found ${this.found(start)}`,
        start,
      );
    }

    const path: Accessor[] = [];
    for (;;) {
      const c2 = this.code(this.i);
      if (c2 === OPEN_BRACKET) path.push(this.parseIndex());
      else if (c2 === DOT) path.push(this.parseKey());
      else break;
    }
    return { base, path };
  }

  /** Lookahead after an all-digit base name: `[`, `.`, whitespace, end, or a symbolic operator. */
  private numericBaseFollows(j: number): boolean {
    if (j >= this.n) return true;
    const c = this.code(j);
    if (c === OPEN_BRACKET || c === DOT || c === GT || c === LT || isExpressionWhitespace(c)) return true;
    return (c === EQUALS || c === BANG) && this.code(j + 1) === EQUALS;
  }

  private parseIndex(): Accessor {
    const open = this.i;
    let j = open + 1;
    while (j < this.n && isDigit(this.code(j))) j++;
    if (j === open + 1) {
      throw this.fail(
        `Expected an array index (digits, no spaces) after "[" at position ${open}, found ${this.found(open + 1)}`,
        open + 1,
      );
    }
    if (this.code(j) !== CLOSE_BRACKET) {
      throw this.fail(
        `Expected "]" at position ${j} to close the index opened at position ${open}, found ${this.found(j)}`,
        j,
      );
    }
    const digits = this.s.slice(open + 1, j);
    const index = Number(digits);
    if (!Number.isSafeInteger(index)) {
      throw this.fail(`Array index ${excerpt(digits)} at position ${open + 1} is too large`, open + 1);
    }
    this.i = j + 1;
    return { index };
  }

  private parseKey(): Accessor {
    const dot = this.i;
    const start = dot + 1;
    const c = this.code(start);
    let j = start;
    if (isIdentStart(c)) {
      j++;
      while (j < this.n && isIdentPart(this.code(j))) j++;
    } else if (isDigit(c)) {
      j++;
      while (j < this.n && isDigit(this.code(j))) j++;
    } else {
      throw this.fail(`Expected a field name after "." at position ${dot}, found ${this.found(start)}`, start);
    }
    if (!this.keyFollows(j)) {
      let end = j;
      while (end < this.n && isBarewordChar(this.code(end))) end++;
      throw this.fail(
        `Invalid field name ${excerpt(this.s.slice(start, end))} at position ${start}: a field name is letters, digits and underscores starting with a letter or underscore, or only digits`,
        start,
      );
    }
    this.i = j;
    return { key: this.s.slice(start, j) };
  }

  /** Lookahead after an accessor key: whitespace, end, `[`, `.`, `=`, `!`, `>`, `<`, `)` or `(`. */
  private keyFollows(j: number): boolean {
    if (j >= this.n) return true;
    const c = this.code(j);
    return (
      c === OPEN_BRACKET ||
      c === DOT ||
      c === EQUALS ||
      c === BANG ||
      c === GT ||
      c === LT ||
      c === CLOSE_PAREN ||
      c === OPEN_PAREN ||
      isExpressionWhitespace(c)
    );
  }

  private parseOperator(): ComparisonOperator {
    const i = this.i;
    if (this.matchWord(i, "contains")) {
      this.i += 8;
      return "contains";
    }
    if (this.matchWord(i, "starts_with")) {
      this.i += 11;
      return "starts_with";
    }
    if (this.matchWord(i, "ends_with")) {
      this.i += 9;
      return "ends_with";
    }
    const c = this.code(i);
    const next = this.code(i + 1);
    if (next === EQUALS && (c === GT || c === LT || c === EQUALS || c === BANG)) {
      this.i += 2;
      return c === GT ? ">=" : c === LT ? "<=" : c === EQUALS ? "==" : "!=";
    }
    if (c === GT || c === LT) {
      this.i += 1;
      return c === GT ? ">" : "<";
    }
    throw this.fail(`Expected an operator (${OPERATOR_LIST}) at position ${i}, found ${this.found(i)}`, i);
  }

  private parseValue(op: ComparisonOperator, opStart: number, opEnd: number): Literal {
    const vp = this.i;
    if (vp >= this.n) {
      throw this.fail(`Expected a value after "${op}" at position ${vp}, found end of input`, vp);
    }
    const c = this.code(vp);
    if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE) return this.parseQuoted(c);

    if (this.matchWord(vp, "true") && this.isDelimiter(vp + 4)) {
      this.i = vp + 4;
      return { type: "bool", value: true };
    }
    if (this.matchWord(vp, "false") && this.isDelimiter(vp + 5)) {
      this.i = vp + 5;
      return { type: "bool", value: false };
    }

    const next = this.code(vp + 1);
    if (c === 0x30 && (next === 0x78 || next === 0x58)) {
      let j = vp + 2;
      while (j < this.n && isHexDigit(this.code(j))) j++;
      if (j > vp + 2 && this.isDelimiter(j)) {
        this.i = j;
        return { type: "str", raw: this.s.slice(vp, j) };
      }
    }

    {
      let j = vp;
      if (c === PLUS || c === MINUS) j++;
      const digitsStart = j;
      while (j < this.n && isDigit(this.code(j))) j++;
      if (j > digitsStart) {
        if (this.code(j) === DOT && isDigit(this.code(j + 1))) {
          j += 2;
          while (j < this.n && isDigit(this.code(j))) j++;
        }
        if (this.isDelimiter(j)) {
          this.i = j;
          return { type: "num", raw: this.s.slice(vp, j) };
        }
      }
    }

    let j = vp;
    while (j < this.n && isBarewordChar(this.code(j))) j++;
    if (j > vp) {
      const word = this.s.slice(vp, j);
      if (KEYWORDS.has(word.toLowerCase())) {
        throw this.fail(
          `"${word}" at position ${vp} is a reserved word; quote it to compare with text ('${word}')`,
          vp,
        );
      }
      if (isNumericLooking(word)) {
        throw this.fail(
          `Invalid number ${excerpt(this.numberishToken(vp))} at position ${vp}: write digits with an optional sign and fraction, e.g. -12 or 0.5, or quote it as text`,
          vp,
        );
      }
      if ((word.startsWith("0x") || word.startsWith("0X")) && allHexFrom(word, 2)) {
        throw this.fail(
          `Invalid hex value ${excerpt(this.numberishToken(vp))} at position ${vp}: "0x" must be followed by hex digits`,
          vp,
        );
      }
      this.i = j;
      return { type: "str", raw: word };
    }

    if (vp === opEnd && (c === EQUALS || c === BANG || c === GT || c === LT)) {
      let end = opEnd;
      while (end < this.n && isOperatorChar(this.code(end))) end++;
      throw this.fail(
        `Expected an operator (${OPERATOR_LIST}) at position ${opStart}, found ${excerpt(this.s.slice(opStart, end))}`,
        opStart,
      );
    }
    throw this.fail(`Expected a value (${VALUE_FORMS}) at position ${vp}, found ${this.found(vp)}`, vp);
  }

  /** `'…'` or `"…"`; `\'`/`\"` and `\\` only skip the next character, the literal keeps its backslashes. */
  private parseQuoted(quote: number): Literal {
    const start = this.i;
    let j = start + 1;
    for (;;) {
      if (j >= this.n) {
        throw this.fail(
          `Unterminated string starting at position ${start}: add the closing ${String.fromCharCode(quote)}`,
          start,
        );
      }
      const d = this.code(j);
      if (d === quote) break;
      if (d === BACKSLASH) {
        if (j + 1 >= this.n) {
          throw this.fail(`Unterminated string starting at position ${start}: it ends with a lone backslash`, start);
        }
        const e = this.code(j + 1);
        if (e !== quote && e !== BACKSLASH) {
          const q = String.fromCharCode(quote);
          throw this.fail(
            `Invalid escape ${excerpt(this.s.slice(j, j + 2))} at position ${j}: inside ${q}…${q} only \\${q} and \\\\ may follow a backslash`,
            j,
          );
        }
        j += 2;
        continue;
      }
      j++;
    }
    this.i = j + 1;
    return { type: "str", raw: this.s.slice(start + 1, j) };
  }

  /** Lookahead after a boolean, hex or number literal. */
  private isDelimiter(j: number): boolean {
    if (j >= this.n) return true;
    const c = this.code(j);
    switch (c) {
      case CLOSE_PAREN:
      case OPEN_PAREN:
      case 0x2c: // ,
      case EQUALS:
      case BANG:
      case GT:
      case LT:
      case 0x26: // &
      case 0x7c: // |
      case CLOSE_BRACKET:
        return true;
      default:
        return isExpressionWhitespace(c);
    }
  }

  /** Case-insensitive (ASCII) match of a lowercase word at `at`, without a word-boundary check (OZ behaviour). */
  private matchWord(at: number, word: string): boolean {
    if (at + word.length > this.n) return false;
    for (let k = 0; k < word.length; k++) {
      let c = this.code(at + k);
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      if (c !== word.charCodeAt(k)) return false;
    }
    return true;
  }

  private numberishToken(at: number): string {
    let end = at;
    while (end < this.n) {
      const c = this.code(end);
      if (!isBarewordChar(c) && c !== DOT && c !== PLUS) break;
      end++;
    }
    return this.s.slice(at, end);
  }

  private skipWs(): void {
    while (this.i < this.n && isExpressionWhitespace(this.code(this.i))) this.i++;
  }

  private code(at: number): number {
    return this.s.charCodeAt(at);
  }

  private found(at: number): string {
    if (at >= this.n) return "end of input";
    let end = at;
    while (end < this.n && end - at < 24 && !isExpressionWhitespace(this.code(end))) end++;
    return excerpt(this.s.slice(at, end === at ? at + 1 : end));
  }

  private fail(message: string, position: number): ExpressionError {
    return new ExpressionError("ParseError", message, { position });
  }
}

/** `[A-Za-z0-9_-]` */
function isBarewordChar(c: number): boolean {
  return isIdentPart(c) || c === MINUS;
}

function isOperatorChar(c: number): boolean {
  return c === EQUALS || c === BANG || c === GT || c === LT;
}

/** A bare word made only of `[0-9+-]` is a malformed number, not text (e.g. `--`, or the `5` of `5.`). */
function isNumericLooking(word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    const c = word.charCodeAt(k);
    if (!isDigit(c) && c !== PLUS && c !== MINUS) return false;
  }
  return true;
}
