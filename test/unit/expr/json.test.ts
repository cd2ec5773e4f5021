import { describe, expect, it } from "vitest";
import {
  canonicalDecimalKey,
  jsonEquals,
  jsonToText,
  MAX_JSON_DEPTH,
  parseJson,
  stringifyJson,
} from "../../../src/expr/json.js";
import {
  integerWidth,
  jsonNumberToDecimal,
  parseDecimal,
  parseI256,
  parseStdInteger,
  parseU256,
} from "../../../src/expr/numbers.js";

function ok(text: string) {
  const result = parseJson(text);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.value;
}

function fails(text: string): string {
  const result = parseJson(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
  return result.message;
}

describe("parseJson() — lossless reader", () => {
  it("keeps number text verbatim, beyond 2^64 and with long fractions", () => {
    const big = ((1n << 256n) - 1n).toString();
    expect(ok(big)).toEqual({ type: "number", raw: big });
    expect(ok("0.10000000000000000000000000000001")).toEqual({
      type: "number",
      raw: "0.10000000000000000000000000000001",
    });
    expect(stringifyJson(ok(` [ ${big} , -1.5e-3 ] `))).toBe(`[${big},-1.5e-3]`);
  });

  it("decodes escapes and surrogate pairs, and keeps object order with the last duplicate winning", () => {
    expect(ok(String.raw`"a\"b\\c\/\n\u00e9\ud83d\ude00"`)).toEqual({ type: "string", value: 'a"b\\c/\né😀' });
    const obj = ok(`{"b":1,"a":2,"b":3}`);
    expect(stringifyJson(obj)).toBe(`{"a":2,"b":3}`);
  });

  it.each([
    ["01", "leading zero"],
    ["1.", "digit expected"],
    [".5", "expected a value"],
    ["+1", "expected a value"],
    ["1e", "exponent"],
    ["[1,]", "expected a value"],
    ['{"a":1,}', "string key"],
    ["[1 2]", '","'],
    ['"\\ud800"', "surrogate"],
    ['"\\x"', "invalid escape"],
    ['"a\nb"', "control character"],
    ["tru", '"true"'],
    ["NaN", "expected a value"],
    ["1 2", "trailing"],
    ["", "end of input"],
  ])("rejects %j (%s)", (text, reason) => {
    expect(fails(text)).toContain(reason);
  });

  it(`accepts ${MAX_JSON_DEPTH} nesting levels and rejects one more`, () => {
    expect(parseJson(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`).ok).toBe(true);
    expect(fails(`${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`)).toContain("nesting");
    expect(fails(`${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`)).toContain("nesting");
  });

  it("renders resolved values the way OZ's evaluator sees them", () => {
    expect(jsonToText(ok(`"x y"`))).toBe("x y");
    expect(jsonToText(ok("-0.50"))).toBe("-0.50");
    expect(jsonToText(ok("null"))).toBe("null");
    expect(jsonToText(ok(`{ "k" : [ 1 , "\\u0001" ] }`))).toBe(`{"k":[1,"\\u0001"]}`);
  });
});

describe("jsonEquals() — serde semantics, made exact", () => {
  it.each([
    ["[1, 2]", "[1,2]", true],
    ["[1]", "[1.0]", false],
    ["[1.0]", "[1.00]", true],
    ["[1e2]", "[100.0]", true],
    ["[-0.0]", "[0.0]", true],
    ["[18446744073709551616]", "[18446744073709551617]", false],
    [`{"a":1,"b":[true,null]}`, `{"b":[true,null],"a":1}`, true],
    [`{"a":1}`, `{"a":1,"b":2}`, false],
    [`["a"]`, `["A"]`, false],
  ])("%s vs %s → %s", (a, b, expected) => {
    expect(jsonEquals(ok(a), ok(b))).toBe(expected);
  });

  it("handles enormous exponents without expanding them", () => {
    expect(canonicalDecimalKey(`1e${"9".repeat(10_000)}`)).toBe(`1e${"9".repeat(10_000)}`);
    expect(canonicalDecimalKey("-12.500e-2")).toBe("-125e-3");
    expect(canonicalDecimalKey("0.000")).toBe("0");
  });
});

describe("number readers", () => {
  it("parseU256 follows OZ string_to_u256", () => {
    expect(parseU256(" 42 ")).toBe(42n);
    expect(parseU256("0XfF")).toBe(255n);
    expect(parseU256("1_000")).toBe(1000n);
    expect(typeof parseU256("0x")).toBe("string");
    expect(typeof parseU256("+1")).toBe("string");
    expect(typeof parseU256("1e3")).toBe("string");
    expect(typeof parseU256(`1${"0".repeat(10_000)}`)).toBe("string");
  });

  it("parseI256 accepts a bare sign as zero (why E17 reports the operator, not the literal)", () => {
    expect(parseI256("-")).toBe(0n);
    expect(parseI256("-123")).toBe(-123n);
    expect(parseI256("+7")).toBe(7n);
    expect(typeof parseI256("abc")).toBe("string");
  });

  it("parseStdInteger follows Rust's integer FromStr", () => {
    const u8 = integerWidth("u8", false, 8);
    const i8 = integerWidth("i8", true, 8);
    expect(parseStdInteger("+255", u8)).toBe(255n);
    expect(typeof parseStdInteger("256", u8)).toBe("string");
    expect(typeof parseStdInteger("-0", u8)).toBe("string");
    expect(parseStdInteger("-128", i8)).toBe(-128n);
    expect(typeof parseStdInteger("-", i8)).toBe("string");
    expect(typeof parseStdInteger("", i8)).toBe("string");
    expect(typeof parseStdInteger("1_0", i8)).toBe("string");
  });

  it("parseDecimal and jsonNumberToDecimal compare exact values within rust_decimal's range", () => {
    expect(parseDecimal("1.0")).toEqual({ negative: false, integer: "1", fraction: "" });
    expect(parseDecimal("-0010.250")).toEqual({ negative: true, integer: "10", fraction: "25" });
    expect(parseDecimal("79228162514264337593543950335")).toBeDefined();
    expect(parseDecimal("79228162514264337593543950336")).toBeUndefined();
    expect(parseDecimal("1e5")).toBeUndefined();
    expect(parseDecimal("")).toBeUndefined();
    expect(jsonNumberToDecimal("1.5e1")).toEqual({ negative: false, integer: "15", fraction: "" });
    expect(jsonNumberToDecimal("25e-3")).toEqual({ negative: false, integer: "", fraction: "025" });
    expect(jsonNumberToDecimal(`1e${"9".repeat(50)}`)).toBeUndefined();
  });
});
