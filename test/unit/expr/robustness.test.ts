import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Dialect,
  ExpressionError,
  type ExpressionParam,
  evaluateExpression,
  evaluateExpressionText,
  evmDialect,
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING_DEPTH,
  parseExpression,
  stellarDialect,
} from "../../../src/expr/index.js";
import { p, within } from "./support.js";

const BOUND_MS = 200;
const DIALECTS: readonly Dialect[] = [evmDialect, stellarDialect];

/** The only two acceptable outcomes: a boolean, or an ExpressionError value. Never a throw. */
function expectWellFormed(result: unknown): void {
  expect(result).toBeTypeOf("object");
  const r = result as { ok: boolean; value?: unknown; error?: unknown; expression?: unknown };
  if (r.ok) {
    expect(r.value === undefined ? typeof r.expression : typeof r.value).toMatch(/boolean|object/);
  } else {
    expect(r.error).toBeInstanceOf(ExpressionError);
    expect((r.error as ExpressionError).message.length).toBeGreaterThan(0);
  }
}

function safeEvaluate(text: string, params: readonly ExpressionParam[]): void {
  for (const dialect of DIALECTS) {
    const result = within(BOUND_MS, () => evaluateExpressionText(text, params, dialect));
    expectWellFormed(result);
  }
}

const KINDS = [
  "uint256",
  "int256",
  "int64",
  "number",
  "address",
  "string",
  "bytes",
  "bool",
  "array",
  "tuple",
  "uint8[]",
  "u32",
  "i64",
  "u128",
  "i256",
  "Vec",
  "Map",
  "Symbol",
  "Address",
  "Bool",
  "bytes4",
];
const NAMES = ["a", "b", "x", "0", "1", "amount", "args"];
const VALUES = [
  "",
  "0",
  "-1",
  "1.5",
  "0x",
  "0xff",
  "true",
  "TRUE",
  "[1,2,[3]]",
  '{"a":{"b":[1,"x"]}}',
  '(1,(2,3),[4],{"k":5})',
  "alice,bob",
  "[a, b]",
  "not json",
  '"str"',
  "null",
  "((((",
  "[[[[",
];

const params = fc.array(
  fc.record({
    name: fc.constantFrom(...NAMES),
    kind: fc.constantFrom(...KINDS),
    value: fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 30 }), fc.json({ maxDepth: 3 })),
  }),
  { maxLength: 5 },
);

const TOKENS = [
  "a",
  "b",
  "x",
  "0",
  "1",
  "amount",
  ".",
  "[",
  "]",
  "[0]",
  ".key",
  ".0",
  "(",
  ")",
  " ",
  "\t",
  "\n",
  "==",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "=",
  "!",
  "contains",
  "STARTS_WITH",
  "ends_with",
  "AND",
  "or",
  "true",
  "FALSE",
  "'",
  '"',
  "\\",
  "'x'",
  '"y"',
  "'a\\'b'",
  "0x",
  "0xAB",
  "0XZZ",
  "-",
  "+",
  "--",
  "1.5",
  "5.",
  ".5",
  "1e5",
  "-7",
  "foo-bar",
  "_",
  ",",
  "&",
  "|",
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((tokens) => tokens.join(""));

describe("robustness — never throws, never hangs", () => {
  it("random strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), params, (text, ps) => safeEvaluate(text, ps)),
      { numRuns: 500 },
    );
  });

  it("random token soup from the grammar's alphabet", () => {
    fc.assert(
      fc.property(tokenSoup, params, (text, ps) => safeEvaluate(text, ps)),
      { numRuns: 2000 },
    );
  });

  it("well-formed conditions over random parameters", () => {
    const op = fc.constantFrom("==", "!=", ">", ">=", "<", "<=", "contains", "starts_with", "ends_with");
    const lhs = fc.constantFrom("a", "b", "x", "0", "1[0]", "x.a", "args.k[1]", "1.0", "amount");
    const rhs = fc.constantFrom("1", "-1", "0.5", "'x'", '"1"', "true", "FALSE", "0xAB", "abc", "'[1,2]'", "'{}'");
    const condition = fc.tuple(lhs, op, rhs).map((parts) => parts.join(" "));
    const expression = fc
      .array(fc.tuple(condition, fc.constantFrom(" AND ", " OR ")), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.map(([c, j], k) => (k === 0 ? c : `${j}${c}`)).join(""));
    fc.assert(
      fc.property(expression, params, (text, ps) => safeEvaluate(text, ps)),
      { numRuns: 2000 },
    );
  });

  it("rejects 10^5 nested parentheses with a nesting error", () => {
    for (const text of ["(".repeat(100_000), `${"(".repeat(100_000)}a == 1${")".repeat(100_000)}`]) {
      const result = within(BOUND_MS, () => parseExpression(text));
      if (result.ok) throw new Error("expected an error");
      expect(result.error.kind).toBe("ParseError");
      expect(result.error.message).toMatch(/too long|nested deeper/);
    }
    const deep = `${"(".repeat(50_000)}a == 1${")".repeat(50_000)}`.slice(0, 60_000);
    const result = within(BOUND_MS, () => parseExpression(deep));
    if (result.ok) throw new Error("expected an error");
    expect(result.error.message).toBe(`Parentheses are nested deeper than ${MAX_NESTING_DEPTH} levels at position 256`);
  });

  it("accepts nesting up to the cap and evaluates it", () => {
    const text = `${"(".repeat(MAX_NESTING_DEPTH)}a == 1${")".repeat(MAX_NESTING_DEPTH)}`;
    const result = within(BOUND_MS, () => evaluateExpressionText(text, [p("a", "uint256", "1")], evmDialect));
    expect(result).toEqual({ ok: true, value: true });
  });

  it("evaluates the longest AND/OR chains without growing the stack", () => {
    const conditions = Math.floor(MAX_EXPRESSION_LENGTH / 11);
    const ands = Array.from({ length: conditions }, () => "a == 1").join(" AND ");
    const ors = Array.from({ length: conditions }, () => "a == 2").join(" OR ");
    const one = [p("a", "uint256", "1")];
    expect(within(BOUND_MS, () => evaluateExpressionText(ands, one, evmDialect))).toEqual({ ok: true, value: true });
    expect(within(BOUND_MS, () => evaluateExpressionText(ors, one, evmDialect))).toEqual({ ok: true, value: false });
  });

  it("handles 10^4-digit numbers as values, literals and JSON", () => {
    const huge = `9${"0".repeat(9_999)}`;
    for (const kind of ["uint256", "int256", "number", "u64", "i128", "u256", "array", "Vec", "Map"]) {
      safeEvaluate(`x > ${huge}`, [p("x", kind, "1")]);
      safeEvaluate("x > 1", [p("x", kind, huge)]);
      safeEvaluate(`x contains ${huge}`, [p("x", kind, `[${huge}, 1.${huge}, ${huge}e${huge}]`)]);
      safeEvaluate(`x.k == ${huge}`, [p("x", kind, `{"k": ${huge}}`)]);
      safeEvaluate(`x.k == '${huge}'`, [p("x", kind, `{"k": -${huge}.5e-${huge}}`)]);
    }
    expectEvaluationKind(`x == ${huge}`, [p("x", "uint256", "1")], "ParseError");
    expectEvaluationKind("x contains 1", [p("x", "array", `[1${"0".repeat(9_999)}e-9999]`)], true);
  });

  it("rejects a 1 MB expression quickly and evaluates 1 MB values", () => {
    const mb = "a".repeat(1 << 20);
    const tooLong = within(BOUND_MS, () => parseExpression(`x == '${mb}'`));
    if (tooLong.ok) throw new Error("expected an error");
    expect(tooLong.error.message).toContain(`limit is ${MAX_EXPRESSION_LENGTH}`);
    for (const kind of ["string", "address", "uint256", "bool", "array", "tuple", "Vec", "Map", "String", "u64"]) {
      safeEvaluate("x contains 'aaa'", [p("x", kind, mb)]);
      safeEvaluate("x == 'aaa'", [p("x", kind, mb)]);
      safeEvaluate("x.k == 'aaa'", [p("x", kind, mb)]);
    }
    safeEvaluate("x contains 'b'", [p("x", "array", JSON.stringify([mb, mb]))]);
    safeEvaluate("x contains 'b'", [p("x", "tuple", `(${mb},${mb})`)]);
    safeEvaluate("x contains 'b'", [p("x", "Vec", `${mb},${mb}`)]);
  });

  it("bounds deeply nested JSON and tuple values", () => {
    const deepArray = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const deepTuple = `${"(".repeat(100_000)}${")".repeat(100_000)}`;
    for (const [kind, value] of [
      ["array", deepArray],
      ["Vec", deepArray],
      ["Map", deepArray],
      ["tuple", deepTuple],
      ["tuple", `(${deepArray})`],
    ] as const) {
      safeEvaluate("x contains 'a'", [p("x", kind, value)]);
      safeEvaluate("x == 'a'", [p("x", kind, value)]);
      safeEvaluate("x[0][0] == 'a'", [p("x", kind, value)]);
    }
    expectEvaluationKind("x[0] == 1", [p("x", "array", deepArray)], "ParseError");
    expectEvaluationKind("x contains 'a'", [p("x", "tuple", deepTuple)], "ParseError");
  });

  it("never throws on a malformed AST built by hand", () => {
    const bogus = { kind: "cond", left: { base: "a" }, op: "==", right: { type: "num", raw: "1" } } as never;
    const result = evaluateExpression(bogus, [p("a", "uint256", "1")], evmDialect);
    expectWellFormed(result);
  });
});

function expectEvaluationKind(text: string, ps: readonly ExpressionParam[], expected: string | boolean): void {
  const result = within(BOUND_MS, () => evaluateExpressionText(text, ps, evmDialect));
  if (typeof expected === "boolean") expect(result).toEqual({ ok: true, value: expected });
  else expect(result.ok ? "ok" : result.error.kind).toBe(expected);
}
