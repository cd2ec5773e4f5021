import { describe, expect, it } from "vitest";
import {
  type Expression,
  ExpressionError,
  evaluateExpressionText,
  evmDialect,
  type Literal,
  parseExpression,
  referencedVariables,
} from "../../../src/expr/index.js";

function parsed(text: string): Expression {
  const result = parseExpression(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${result.error.message}`);
  return result.expression;
}

function parseError(text: string): ExpressionError {
  const result = parseExpression(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to fail, got ${JSON.stringify(result.expression)}`);
  expect(result.error).toBeInstanceOf(ExpressionError);
  expect(result.error.kind).toBe("ParseError");
  return result.error;
}

function rightOf(text: string): Literal {
  const expression = parsed(text);
  if (expression.kind !== "cond") throw new Error("expected a single condition");
  return expression.right;
}

describe("parseExpression() — conformance B.1", () => {
  it("P02 parses contains with a quoted string", () => {
    expect(parsed("name contains 'test'")).toEqual({
      kind: "cond",
      left: { base: "name", path: [] },
      op: "contains",
      right: { type: "str", raw: "test" },
    });
  });

  it("P03 parses a key path and keeps the number text", () => {
    expect(parsed("obj.count > 0.5")).toEqual({
      kind: "cond",
      left: { base: "obj", path: [{ key: "count" }] },
      op: ">",
      right: { type: "num", raw: "0.5" },
    });
  });

  it("P04 parses a parenthesised condition", () => {
    expect(parsed("(var == 123)")).toEqual({
      kind: "cond",
      left: { base: "var", path: [] },
      op: "==",
      right: { type: "num", raw: "123" },
    });
  });

  it("P05 parses AND inside parentheses with inner spaces", () => {
    const expression = parsed("( var1 > 10 AND var2 < 'abc' )");
    expect(expression.kind).toBe("and");
    expect(referencedVariables(expression)).toEqual(["var1", "var2"]);
  });

  it("P08 parses a group followed by AND without a space", () => {
    const expression = parsed("(a == 1 OR b < 2)AND c > 3");
    expect(expression).toMatchObject({ kind: "and", left: { kind: "or" }, right: { kind: "cond" } });
  });

  it.each([
    ["P11", "x == true_val", "true_val"],
    ["P12", "x == 0xVal", "0xVal"],
    ["P13", "x == 0xAB", "0xAB"],
    ["P16", "x == 123a", "123a"],
    ["P17", "x == 1e5", "1e5"],
    ["P18", "x == foo-bar", "foo-bar"],
    ["P33", 'x == "double"', "double"],
    ["P38", "x == ''", ""],
  ])("%s reads %s as the string literal %j", (_id, text, raw) => {
    expect(rightOf(text)).toEqual({ type: "str", raw });
  });

  it.each([
    ["P14", "x == 0x"],
    ["P15a", "x == .5"],
    ["P15b", "x == 5."],
    ["P15c", "x == 1.2.3"],
    ["P19", "x == --"],
    ["P21", "amount > "],
    ["P22", "amount ==="],
    ["P25", "123true == 1"],
    ["P26", "obj.1key == 1"],
    ["P27", "obj.key-name == 1"],
    ["P28", "arr[ 0] == 1"],
    ["P32", "x == 'hello"],
    ["P34", "true == 1"],
  ])("%s rejects %j", (_id, text) => {
    const error = parseError(text);
    expect(error.code).toBe("EXPR_PARSE");
    expect(typeof error.position).toBe("number");
  });

  it("P23 reads an all-digit base with a numeric key", () => {
    expect(parsed("0.1 == 'x'")).toMatchObject({ left: { base: "0", path: [{ key: "1" }] } });
  });

  it("P24 reads keys and indexes in order", () => {
    expect(parsed("map.0[1].name == 'x'")).toMatchObject({
      left: { base: "map", path: [{ key: "0" }, { index: 1 }, { key: "name" }] },
    });
  });

  it("P29 accepts keyword operators in any case", () => {
    expect(parsed("name CONTAINS 'x' and b STARTS_WITH 'y'")).toEqual({
      kind: "and",
      left: { kind: "cond", left: { base: "name", path: [] }, op: "contains", right: { type: "str", raw: "x" } },
      right: { kind: "cond", left: { base: "b", path: [] }, op: "starts_with", right: { type: "str", raw: "y" } },
    });
  });

  it("P31 keeps backslashes of escapes in quoted strings", () => {
    expect(rightOf("x == 'foo\\'bar'")).toEqual({ type: "str", raw: "foo\\'bar" });
    expect(rightOf('x == "a\\\\b"')).toEqual({ type: "str", raw: "a\\\\b" });
  });

  it("P35 needs no spaces around operators", () => {
    expect(parsed("a==1")).toMatchObject({ kind: "cond", op: "==", right: { type: "num", raw: "1" } });
  });

  it("P36 matches AND without a word boundary", () => {
    expect(parsed("a == 1 ANDb == 2")).toMatchObject({
      kind: "and",
      left: { left: { base: "a" } },
      right: { left: { base: "b" } },
    });
  });

  it("P37 reports empty and whitespace-only text as 'Expression cannot be empty'", () => {
    for (const text of ["", "   ", "\t \n"]) {
      const parsedResult = parseExpression(text);
      expect(parsedResult.ok).toBe(false);
      const result = evaluateExpressionText(text, [], evmDialect);
      if (result.ok) throw new Error("expected an error");
      expect(result.error.message).toBe("Expression cannot be empty");
      expect(result.error.kind).toBe("ParseError");
      expect(result.error.code).toBe("EXPR_EMPTY");
    }
  });
});

describe("parseExpression() — grammar details", () => {
  it("binds AND tighter than OR and associates left", () => {
    const expression = parsed("a == 1 OR b == 2 AND c == 3 OR d == 4");
    expect(expression).toMatchObject({
      kind: "or",
      left: { kind: "or", left: { left: { base: "a" } }, right: { kind: "and" } },
      right: { left: { base: "d" } },
    });
  });

  it("keeps number text verbatim, signs and leading zeros included", () => {
    expect(rightOf("x == -0.5")).toEqual({ type: "num", raw: "-0.5" });
    expect(rightOf("x == +7")).toEqual({ type: "num", raw: "+7" });
    expect(rightOf("x == 007")).toEqual({ type: "num", raw: "007" });
  });

  it("reads bare words with dashes and rejects reserved words as values", () => {
    expect(rightOf("x == -abc")).toEqual({ type: "str", raw: "-abc" });
    expect(rightOf("x == GDF32CQ-1")).toEqual({ type: "str", raw: "GDF32CQ-1" });
    parseError("x == and");
    parseError("x == contains");
    parseError("x == abc.def");
  });

  it("accepts numeric base names only before [ . whitespace or a symbolic operator", () => {
    expect(parsed("3 >= 2240")).toMatchObject({ left: { base: "3", path: [] } });
    expect(parsed("1[0] == 'a'")).toMatchObject({ left: { base: "1", path: [{ index: 0 }] } });
    expect(parsed("2.keyA == 'b'")).toMatchObject({ left: { base: "2", path: [{ key: "keyA" }] } });
    expect(parsed("0=='x'")).toMatchObject({ left: { base: "0" } });
    parseError("123_ == 1");
    parseError("0contains 'x'");
  });

  it("rejects unknown escapes and lone trailing backslashes in strings", () => {
    parseError("x == 'a\\nb'");
    parseError("x == 'abc\\");
    parseError('x == "it\\\'s"');
  });

  it("treats a literal RHS word as text, never as a variable", () => {
    const expression = parsed("from == to");
    expect(expression).toMatchObject({ right: { type: "str", raw: "to" } });
    expect(referencedVariables(expression)).toEqual(["from"]);
  });

  it("reports unbalanced parentheses", () => {
    expect(parseError("((a == 1)").message).toContain('to close the "(" at position 0');
    expect(parseError("a == 1)").message).toContain("no matching");
  });

  it("lists referenced variables once, in first-use order", () => {
    expect(referencedVariables(parsed("b == 1 OR (a.x[0] == 2 AND b != 3) OR c == 4"))).toEqual(["b", "a", "c"]);
  });
});

describe("parseExpression() — Argus differences (spec §15)", () => {
  it.each([
    ["x == TRUE", true],
    ["x == True", true],
    ["x == FALSE", false],
    ["x == fAlSe", false],
    ["x == true", true],
  ])("reads %j as a boolean literal", (text, value) => {
    expect(rightOf(text)).toEqual({ type: "bool", value });
  });

  it("still rejects boolean keywords as variable names in any case", () => {
    parseError("TRUE == 1");
    parseError("False != x");
  });

  it("keeps TRUE_x a bare word", () => {
    expect(rightOf("x == TRUE_x")).toEqual({ type: "str", raw: "TRUE_x" });
  });

  it.each(["a == 1\nAND b == 2", "a == 1\r\nOR\tb == 2", "\n(a == 1)\n", "a\u00a0==\u00a01 AND\u2028b == 2"])(
    "treats any whitespace as whitespace: %j",
    (text) => {
      const expression = parsed(text);
      expect(referencedVariables(expression)).toEqual(text.includes("b") ? ["a", "b"] : ["a"]);
    },
  );

  it("parses newline-separated expressions the same as space-separated ones", () => {
    expect(parsed("a == 1\nAND\nb == 'x'")).toEqual(parsed("a == 1 AND b == 'x'"));
  });

  it("keeps whitespace inside quoted strings verbatim", () => {
    expect(rightOf("x == 'a\nb'")).toEqual({ type: "str", raw: "a\nb" });
  });
});

describe("parseExpression() — error messages", () => {
  it("names the bad operator and its position", () => {
    const error = parseError("amount ===");
    expect(error.message).toBe(
      'Expected an operator (==, !=, >, >=, <, <=, contains, starts_with, ends_with) at position 7, found "==="',
    );
    expect(error.position).toBe(7);
  });

  it("reports a missing value at the end of input", () => {
    const error = parseError("amount > ");
    expect(error.message).toBe('Expected a value after ">" at position 9, found end of input');
    expect(error.position).toBe(9);
  });

  it("explains reserved variable names", () => {
    expect(parseError("true == 1").message).toContain('"true" at position 0 is a reserved word');
  });

  it("points at an unterminated string's opening quote", () => {
    const error = parseError("x == 'hello");
    expect(error.position).toBe(5);
    expect(error.message).toContain("Unterminated string");
  });

  it("rejects spaces inside an index with the index position", () => {
    const error = parseError("arr[ 0] == 1");
    expect(error.position).toBe(4);
    expect(error.message).toContain("array index");
  });
});
