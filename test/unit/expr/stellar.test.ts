import { describe, expect, it } from "vitest";
import { evaluateExpressionText, stellarDialect } from "../../../src/expr/index.js";
import { type EvalCase, expectEvaluation, p } from "./support.js";

const G = "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY";
const C = "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA";
const USERS = `[{"id": 1, "name": "Alice"}, {"id": 2, "name": "Bob"}]`;
const TYPED = `[{"type": "user", "value": "alice"}, {"type": "item", "value": 789}]`;
const AMOUNTS = `[{"amount":{"type":"I128","value":"100"}}]`;

const cases: EvalCase[] = [
  { id: "S04a", expression: "x > 50", params: [p("x", "u64", "100")], expected: true },
  { id: "S04b", expression: "x > 150", params: [p("x", "u64", "100")], expected: false },
  { id: "S05", expression: "x <= 50", params: [p("x", "u64", "100")], expected: false },
  { id: "S06", expression: "x == 50", params: [p("x", "u64", "abc")], expected: "ParseError" },
  { id: "S07", expression: "x == 1.5", params: [p("x", "i64", "1")], expected: "ParseError" },
  { id: "S09", expression: "x != 54321", params: [p("x", "I256", "12345")], expected: true },
  { id: "S10", expression: "x > 1", params: [p("x", "U256", "12345")], expected: "UnsupportedOperator" },
  { id: "S11", expression: "x < 0", params: [p("x", "i32", "-5")], expected: true },
  { id: "S12", expression: "t >= 1700000000", params: [p("t", "Timepoint", "1700000000")], expected: true },
  { id: "S13a", expression: "x > 4294967296", params: [p("x", "u32", "1")], expected: "ParseError" },
  { id: "S13b", expression: "x > 4294967295", params: [p("x", "u32", "1")], expected: false },
  { id: "S15", expression: "ok == true", params: [p("ok", "Bool", "TRUE")], expected: "ParseError" },
  { id: "S16", expression: "ok == 'true'", params: [p("ok", "Bool", "true")], expected: "TypeMismatch" },
  { id: "S17", expression: "ok > true", params: [p("ok", "Bool", "true")], expected: "UnsupportedOperator" },
  { id: "S18a", expression: "s starts_with 'hello'", params: [p("s", "String", "hello world")], expected: true },
  { id: "S18b", expression: "s ends_with 'world'", params: [p("s", "String", "hello world")], expected: true },
  { id: "S18c", expression: "s contains 'foo'", params: [p("s", "String", "hello world")], expected: false },
  { id: "S20a", expression: "a starts_with 'gab'", params: [p("a", "Address", "GABC...")], expected: true },
  { id: "S20b", expression: "a ends_with 'c...'", params: [p("a", "Address", "GABC...")], expected: true },
  { id: "S21", expression: "sym == 'usdc'", params: [p("sym", "Symbol", "USDC")], expected: true },
  { id: "S22", expression: "s == 5", params: [p("s", "String", "5")], expected: "TypeMismatch" },
  { id: "S23", expression: "s > 'a'", params: [p("s", "String", "b")], expected: "UnsupportedOperator" },
  { id: "S25", expression: `v == '[1,2, "hello"]'`, params: [p("v", "Vec", `[1, 2, "hello"]`)], expected: true },
  { id: "S28", expression: "v == 'alice,bob'", params: [p("v", "Vec", "ALICE, BOB")], expected: true },
  { id: "S29", expression: "v == 'bob,alice'", params: [p("v", "Vec", "alice,bob")], expected: false },
  { id: "S30a", expression: "v == 'alice,bob'", params: [p("v", "Vec", `["alice", "bob"]`)], expected: false },
  { id: "S30b", expression: "v != 'alice,bob'", params: [p("v", "Vec", `["alice", "bob"]`)], expected: true },
  { id: "S31", expression: "v == ''", params: [p("v", "Vec", "")], expected: true },
  { id: "S33a", expression: "v contains 'alice'", params: [p("v", "Vec", USERS)], expected: true },
  { id: "S33b", expression: "v contains 2", params: [p("v", "Vec", USERS)], expected: true },
  { id: "S33c", expression: "v contains 'Charlie'", params: [p("v", "Vec", USERS)], expected: false },
  { id: "S34a", expression: "v contains 'alice'", params: [p("v", "Vec", TYPED)], expected: true },
  { id: "S34b", expression: "v contains 789", params: [p("v", "Vec", TYPED)], expected: true },
  { id: "S35a", expression: "v contains '100'", params: [p("v", "Vec", AMOUNTS)], expected: true },
  { id: "S35b", expression: "v contains 'I128'", params: [p("v", "Vec", AMOUNTS)], expected: false },
  { id: "S38a", expression: "v contains true", params: [p("v", "Vec", `["data"]`)], expected: "TypeMismatch" },
  { id: "S38b", expression: "v > 'x'", params: [p("v", "Vec", `["data"]`)], expected: "UnsupportedOperator" },
  {
    id: "S39a",
    expression: "m contains 'value1'",
    params: [p("m", "Map", `{"key1": "value1", "key2": "value2"}`)],
    expected: true,
  },
  {
    id: "S39b",
    expression: "m contains 'value3'",
    params: [p("m", "Map", `{"key1": "value1", "key2": "value2"}`)],
    expected: false,
  },
  { id: "S41a", expression: "m == 5", params: [p("m", "Map", `{"a":5}`)], expected: "TypeMismatch" },
  { id: "S41b", expression: "m contains 5", params: [p("m", "Map", `{"a":5}`)], expected: true },
  { id: "S42a", expression: "m == 'not json'", params: [p("m", "Map", `{"a":1}`)], expected: "ParseError" },
  { id: "S42b", expression: "m == '[]'", params: [p("m", "Map", `{"a":1}`)], expected: "TypeMismatch" },
  { id: "S44a", expression: "0.id == 123", params: [p("0", "Map", `{"id": 123, "name": "Test"}`)], expected: true },
  {
    id: "S44b",
    expression: "0.name contains 'est'",
    params: [p("0", "Map", `{"id": 123, "name": "Test"}`)],
    expected: true,
  },
  { id: "S45a", expression: "1[0] == 'ALPHA'", params: [p("1", "Vec", `["alpha", {"val": "beta"}]`)], expected: true },
  {
    id: "S45b",
    expression: "1[1].val == 'Beta'",
    params: [p("1", "Vec", `["alpha", {"val": "beta"}]`)],
    expected: true,
  },
  { id: "S46", expression: "2.keyB < 1000", params: [p("2", "Map", `{"keyA":"dataX","keyB":789}`)], expected: true },
  { id: "S47", expression: "x.k == -5", params: [p("x", "Map", `{"k":-5}`)], expected: true },
  { id: "S48", expression: "x.k == 1.5", params: [p("x", "Map", `{"k":1.5}`)], expected: "TypeMismatch" },
  {
    id: "S49",
    expression: `x.a == '${G.toLowerCase()}'`,
    params: [p("x", "Map", `{"a":"${G}"}`)],
    expected: true,
  },
  { id: "S50", expression: "x.missing == 1", params: [p("x", "Map", `{"k":1}`)], expected: "FieldNotFound" },
  { id: "S52", expression: "name == 'John'", params: [p("name", "String", "John")], expected: true },
  { id: "S53", expression: "value >= 498000000", params: [p("value", "i64", "498000000")], expected: true },
  { id: "S54", expression: "b == 'ab'", params: [p("b", "Bytes32", "ab")], expected: "TypeMismatch" },
  { id: "S55a", expression: "param0.k == 7", params: [p("param0", "U64", `{"k":7}`)], expected: true },
  { id: "S55b", expression: "param0.k != 7", params: [p("param0", "U64", `{"k":7}`)], expected: false },
];

describe("Stellar dialect — conformance B.3", () => {
  it.each(cases.map((c) => [c.id, c.expression, c] as const))("%s %s", (_id, _expression, c) => {
    expectEvaluation(c.expression, c.params, stellarDialect, c.expected);
  });
});

describe("Stellar dialect — integer widths", () => {
  it.each([
    ["u32", "4294967295", "4294967296"],
    ["i32", "-2147483648", "-2147483649"],
    ["u64", "18446744073709551615", "18446744073709551616"],
    ["i64", "-9223372036854775808", "-9223372036854775809"],
    ["u128", "340282366920938463463374607431768211455", "340282366920938463463374607431768211456"],
    ["i128", "-170141183460469231731687303715884105728", "-170141183460469231731687303715884105729"],
    ["Duration", "18446744073709551615", "18446744073709551616"],
  ])("%s accepts its extreme %s and rejects %s", (kind, extreme, overflow) => {
    expectEvaluation(`x == ${extreme}`, [p("x", kind, extreme)], stellarDialect, true);
    expectEvaluation(`x == ${overflow}`, [p("x", kind, extreme)], stellarDialect, "ParseError");
    expectEvaluation("x == 0", [p("x", kind, overflow)], stellarDialect, "ParseError");
  });

  it("requires an unquoted number literal", () => {
    expectEvaluation("x == '5'", [p("x", "u64", "5")], stellarDialect, "TypeMismatch");
    expectEvaluation("x == 0x5", [p("x", "u64", "5")], stellarDialect, "TypeMismatch");
    expectEvaluation("x == +5", [p("x", "u64", "5")], stellarDialect, true);
    expectEvaluation("x == -0", [p("x", "u64", "0")], stellarDialect, "ParseError");
    expectEvaluation("x == -0", [p("x", "i64", "0")], stellarDialect, true);
  });

  it("reads values with Rust's integer rules: no spaces, no fractions", () => {
    expectEvaluation("x == 5", [p("x", "u64", " 5")], stellarDialect, "ParseError");
    expectEvaluation("x == 5", [p("x", "u64", "5.0")], stellarDialect, "ParseError");
    expectEvaluation("x == 5", [p("x", "u64", "005")], stellarDialect, true);
  });

  it("compares u256/i256 as exact text", () => {
    expectEvaluation("x == '0012'", [p("x", "u256", "0012")], stellarDialect, true);
    expectEvaluation("x == 12", [p("x", "u256", "0012")], stellarDialect, false);
    expectEvaluation("x == true", [p("x", "i256", "1")], stellarDialect, "TypeMismatch");
  });

  it("rejects unknown kinds", () => {
    for (const kind of ["f64", "Tuple", "Null", "Void", "MyUdt", "BytesN<32>"]) {
      expectEvaluation("x == 'a'", [p("x", kind, "a")], stellarDialect, "TypeMismatch");
    }
  });
});

describe("Stellar dialect — text, vec and map", () => {
  it("normalises addresses for ==/!= only: whitespace removed, lowercased", () => {
    const a = [p("a", "Address", G)];
    expectEvaluation(`a == ' ${G.slice(0, 10).toLowerCase()} ${G.slice(10)} '`, a, stellarDialect, true);
    expectEvaluation(`a != '${G}'`, a, stellarDialect, false);
    expectEvaluation(`a contains ' ${G.slice(2, 6)}'`, a, stellarDialect, false);
  });

  it("gives valid strkeys (G… and C…) the Address kind after a path, and other strings String", () => {
    const x = [p("x", "Map", `{"g":"${G}","c":"${C}","bad":"${G.slice(0, -1)}Z"}`)];
    expectEvaluation(`x.g == ' ${G} '`, x, stellarDialect, true);
    expectEvaluation(`x.c == ' ${C} '`, x, stellarDialect, true);
    expectEvaluation(`x.bad == ' ${G.slice(0, -1)}Z '`, x, stellarDialect, false);
  });

  it("compares vec JSON case-sensitively and CSV case/space-insensitively", () => {
    expectEvaluation(`v == '["A"]'`, [p("v", "Vec", `["a"]`)], stellarDialect, false);
    expectEvaluation("v == ' A ,b'", [p("v", "Vec", "a, B")], stellarDialect, true);
    expectEvaluation("v == 7", [p("v", "Vec", "7")], stellarDialect, true);
  });

  it("searches CSV vecs exactly and strips one pair of brackets", () => {
    expectEvaluation("v contains 'b'", [p("v", "Vec", "a, b ,c")], stellarDialect, true);
    expectEvaluation("v contains 'B'", [p("v", "Vec", "a, b ,c")], stellarDialect, false);
    expectEvaluation("v contains 'a'", [p("v", "Vec", "[a, b]")], stellarDialect, true);
    expectEvaluation("v contains -2", [p("v", "Vec", "1,-2,3")], stellarDialect, true);
  });

  it("does not search nested arrays in vec contains (quirk 11)", () => {
    expectEvaluation("v contains 1", [p("v", "Vec", "[[1,2]]")], stellarDialect, false);
    expectEvaluation("v contains '[1,2]'", [p("v", "Vec", "[[1, 2]]")], stellarDialect, true);
  });

  it("compares maps regardless of key order", () => {
    expectEvaluation(`m == '{"b":2,"a":1}'`, [p("m", "Map", `{"a":1,"b":2}`)], stellarDialect, true);
    expectEvaluation(`m != '{"a":1,"b":3}'`, [p("m", "Map", `{"a":1,"b":2}`)], stellarDialect, true);
    expectEvaluation("m contains 'x'", [p("m", "Map", "[1]")], stellarDialect, "ParseError");
    expectEvaluation("m contains true", [p("m", "Map", "{}")], stellarDialect, "TypeMismatch");
  });

  it("types resolved numbers as U64, I64 or F64 by range", () => {
    const x = [p("x", "Map", `{"big":18446744073709551615,"huge":18446744073709551616,"neg":-9223372036854775808}`)];
    expectEvaluation("x.big == 18446744073709551615", x, stellarDialect, true);
    expectEvaluation("x.huge == 1", x, stellarDialect, "TypeMismatch");
    expectEvaluation("x.neg < 0", x, stellarDialect, true);
  });

  it("names the kind in a type-mismatch message and suggests removing quotes", () => {
    const result = stellarDialectEvaluate("x == '5'", [p("x", "u64", "5")]);
    expect(result.message).toContain("u64");
    expect(result.hint).toBe("Remove the quotes around the number.");
  });
});

function stellarDialectEvaluate(expression: string, params: ReturnType<typeof p>[]) {
  const result = evaluateExpressionText(expression, params, stellarDialect);
  if (result.ok) throw new Error("expected an error");
  return result.error;
}
