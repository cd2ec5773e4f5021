import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ComparisonOperator,
  type Dialect,
  type Expression,
  type ExpressionParam,
  evaluateExpression,
  evaluateExpressionText,
  evmDialect,
  parseExpression,
  stellarDialect,
} from "../../../src/expr/index.js";
import { p } from "./support.js";

const ORDERED: readonly ComparisonOperator[] = [">", ">=", "<", "<=", "==", "!="];
const TEXT_OPS: readonly ComparisonOperator[] = ["==", "!=", "starts_with", "ends_with", "contains"];

function ordered(left: bigint, op: ComparisonOperator, right: bigint): boolean {
  switch (op) {
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case "==":
      return left === right;
    default:
      return left !== right;
  }
}

function text(left: string, op: ComparisonOperator, right: string): boolean {
  switch (op) {
    case "==":
      return left === right;
    case "!=":
      return left !== right;
    case "starts_with":
      return left.startsWith(right);
    case "ends_with":
      return left.endsWith(right);
    default:
      return left.includes(right);
  }
}

function value(expression: string, params: readonly ExpressionParam[], dialect: Dialect): boolean {
  const result = evaluateExpressionText(expression, params, dialect);
  if (!result.ok) throw new Error(`${expression}: ${result.error.kind} ${result.error.message}`);
  return result.value;
}

function errorKind(expression: string, params: readonly ExpressionParam[], dialect: Dialect): string {
  const result = evaluateExpressionText(expression, params, dialect);
  if (result.ok) throw new Error(`${expression}: expected an error, got ${result.value}`);
  return result.error.kind;
}

const word = fc.stringMatching(/^[a-zA-Z0-9_]{1,12}$/);
const hex40 = fc.stringMatching(/^[0-9a-f]{40}$/);

describe("B.5 property families — EVM", () => {
  it("uint256: `amount OP n` is integer comparison", () => {
    fc.assert(
      fc.property(fc.nat(999_999), fc.nat(999_999), fc.constantFrom(...ORDERED), (v, n, op) => {
        expect(value(`amount ${op} ${n}`, [p("amount", "uint256", String(v))], evmDialect)).toBe(
          ordered(BigInt(v), op, BigInt(n)),
        );
      }),
    );
  });

  it("uint kinds up to uint128 and number: integer comparison, quoted or not", () => {
    const kinds = ["uint8", "uint16", "uint32", "uint64", "uint128", "number"];
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.bigInt({ min: 0n, max: (1n << 63n) * 1_000_000_000_000n }),
        fc.bigInt({ min: 0n, max: (1n << 63n) * 1_000_000_000_000n }),
        fc.constantFrom(...ORDERED),
        fc.boolean(),
        (kind, v, n, op, quoted) => {
          const literal = quoted ? `'${n}'` : String(n);
          expect(value(`amount ${op} ${literal}`, [p("amount", kind, String(v))], evmDialect)).toBe(ordered(v, op, n));
        },
      ),
    );
  });

  it("int kinds: signed comparison within ±2^126", () => {
    const kinds = ["int8", "int16", "int32", "int64", "int128", "int256"];
    const range = fc.bigInt({ min: -(1n << 126n), max: 1n << 126n });
    fc.assert(
      fc.property(fc.constantFrom(...kinds), range, range, fc.constantFrom(...ORDERED), (kind, v, n, op) => {
        expect(value(`signedValue ${op} ${n}`, [p("signedValue", kind, String(v))], evmDialect)).toBe(
          ordered(v, op, n),
        );
      }),
    );
  });

  it("string: lowercase both sides, then apply the operator", () => {
    fc.assert(
      fc.property(word, word, fc.constantFrom(...TEXT_OPS), (v, rhs, op) => {
        expect(value(`name ${op} '${rhs}'`, [p("name", "string", v)], evmDialect)).toBe(
          text(v.toLowerCase(), op, rhs.toLowerCase()),
        );
      }),
    );
  });

  it("bool: boolean (in)equality", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.constantFrom("==", "!="), (v, lit, op) => {
        expect(value(`is_active ${op} ${lit}`, [p("is_active", "bool", String(v))], evmDialect)).toBe(
          op === "==" ? v === lit : v !== lit,
        );
      }),
    );
  });

  it("address: normalised equality, reflexive and symmetric across prefix, case and spacing", () => {
    const variant = (hex: string) =>
      fc.tuple(fc.constantFrom("0x", "", "0X"), fc.boolean(), fc.nat(40)).map(([prefix, upper, space]) => {
        const body = upper ? hex.toUpperCase() : hex;
        return `${prefix}${body.slice(0, space)} ${body.slice(space)}`;
      });
    fc.assert(
      fc.property(
        hex40.chain((hex) => fc.tuple(fc.constant(hex), variant(hex), variant(hex))),
        hex40,
        ([hex, a, b], other) => {
          const stored = [p("from", "address", `0x${hex}`)];
          expect(value(`from == '${a}'`, stored, evmDialect)).toBe(true);
          expect(value(`from != '${b}'`, stored, evmDialect)).toBe(false);
          expect(value(`from == '${b}'`, [p("from", "address", a)], evmDialect)).toBe(true);
          expect(value(`from == '${a}'`, [p("from", "address", b)], evmDialect)).toBe(true);
          expect(value(`from == 0x${other}`, stored, evmDialect)).toBe(other === hex);
        },
      ),
    );
  });

  it("address: ordering/text operators are unsupported; number and bool literals mismatch", () => {
    fc.assert(
      fc.property(hex40, fc.constantFrom(">", ">=", "<", "<=", "contains", "starts_with", "ends_with"), (hex, op) => {
        const stored = [p("from", "address", `0x${hex}`)];
        expect(errorKind(`from ${op} '0x${hex}'`, stored, evmDialect)).toBe("UnsupportedOperator");
        expect(errorKind("from == 5", stored, evmDialect)).toBe("TypeMismatch");
        expect(errorKind("from == true", stored, evmDialect)).toBe("TypeMismatch");
      }),
    );
  });

  it("array of i64: contains n is membership", () => {
    const n = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    fc.assert(
      fc.property(fc.array(n, { maxLength: 8 }), n, (items, target) => {
        expect(
          value(`array_param contains ${target}`, [p("array_param", "int64[]", `[${items.join(",")}]`)], evmDialect),
        ).toBe(items.includes(target));
      }),
    );
  });

  it("array of strings: contains is case-insensitive membership; mixed arrays match either", () => {
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 6 }),
        fc.array(fc.integer(), { maxLength: 4 }),
        word,
        (strings, ints, t) => {
          const json = JSON.stringify([...strings, ...ints]);
          const expected =
            strings.some((s) => s.toLowerCase() === t.toLowerCase()) || ints.some((i) => String(i) === t);
          expect(value(`array_param contains "${t}"`, [p("array_param", "array", json)], evmDialect)).toBe(expected);
        },
      ),
    );
  });

  it("array ==: equal iff the JSON texts are equal ignoring case", () => {
    const arr = fc.array(fc.oneof(word, fc.integer().map(String)), { maxLength: 5 });
    fc.assert(
      fc.property(arr, arr, fc.boolean(), (a, b, same) => {
        const left = JSON.stringify(a);
        const right = same ? JSON.stringify(a).toUpperCase() : JSON.stringify(b);
        expect(value(`array_param == '${right}'`, [p("array_param", "string[]", left)], evmDialect)).toBe(
          left.toLowerCase() === right.toLowerCase(),
        );
      }),
    );
  });

  it("logical: `amount >= t AND recipient == <same>` ⇔ amount ≥ t; `amount < t1 OR amount > t2` ⇔ range test", () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), fc.nat(10_000), hex40, (amount, t1, t2, hex) => {
        const params = [p("amount", "uint256", String(amount)), p("recipient", "address", `0x${hex}`)];
        expect(value(`amount >= ${t1} AND recipient == 0x${hex.toUpperCase()}`, params, evmDialect)).toBe(amount >= t1);
        expect(value(`amount < ${t1} OR amount > ${t2}`, params, evmDialect)).toBe(amount < t1 || amount > t2);
      }),
    );
  });
});

describe("B.5 property families — Stellar", () => {
  const widths: [string, bigint, bigint][] = [
    ["i32", -(1n << 31n), (1n << 31n) - 1n],
    ["i64", -(1n << 63n), (1n << 63n) - 1n],
    ["i128", -(1n << 127n), (1n << 127n) - 1n],
    ["u32", 0n, (1n << 32n) - 1n],
    ["u64", 0n, (1n << 64n) - 1n],
    ["u128", 0n, (1n << 128n) - 1n],
  ];

  it("numeric kinds: `param OP n` is integer comparison in the kind's width", () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...widths)
          .chain(([kind, min, max]) => fc.tuple(fc.constant(kind), fc.bigInt({ min, max }), fc.bigInt({ min, max }))),
        fc.constantFrom(...ORDERED),
        ([kind, v, n], op) => {
          expect(value(`param ${op} ${n}`, [p("param", kind, String(v))], stellarDialect)).toBe(ordered(v, op, n));
        },
      ),
    );
  });

  it("vec CSV of i64: contains n is membership; == n compares the joined text", () => {
    const n = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    fc.assert(
      fc.property(fc.array(n, { minLength: 1, maxLength: 6 }), n, (items, target) => {
        const csv = items.join(",");
        const params = [p("param", "Vec<I64>", csv)];
        expect(value(`param contains ${target}`, params, stellarDialect)).toBe(items.includes(target));
        expect(value(`param == ${target}`, params, stellarDialect)).toBe(csv === String(target));
      }),
    );
  });

  it("vec JSON arrays: case-sensitive equality; CSV equality ignores case and spaces; JSON never equals CSV", () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), fc.boolean(), (items, upper) => {
        const json = JSON.stringify(items);
        const other = upper ? json.toUpperCase() : json;
        expect(value(`v == '${other}'`, [p("v", "Vec", json)], stellarDialect)).toBe(other === json);
        const csv = items.join(",");
        const spaced = items.map((item) => ` ${upper ? item.toUpperCase() : item} `).join(",");
        // A lone all-digit item is valid JSON (a number) on one side only, so only multi-item CSV is asserted.
        if (items.length > 1) expect(value(`v == '${spaced}'`, [p("v", "Vec", csv)], stellarDialect)).toBe(true);
        expect(value(`v == '${csv}'`, [p("v", "Vec", json)], stellarDialect)).toBe(false);
      }),
    );
  });

  it("map: `param0.key ==/!= n` is integer (in)equality; map equality ignores key order", () => {
    // A resolved non-negative integer is U64 and a negative one I64, so the literal must fit the same kind.
    const sameKind = fc.oneof(
      fc.tuple(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
      fc.tuple(fc.bigInt({ min: -(1n << 63n), max: -1n }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })),
    );
    fc.assert(
      fc.property(sameKind, fc.dictionary(word, fc.integer(), { maxKeys: 5 }), ([v, t], dict) => {
        const params = [p("param0", "Map", `{"key":${v}}`)];
        expect(value(`param0.key == ${t}`, params, stellarDialect)).toBe(v === t);
        expect(value(`param0.key != ${t}`, params, stellarDialect)).toBe(v !== t);
        const entries = Object.entries(dict);
        const forward = JSON.stringify(Object.fromEntries(entries));
        const backward = JSON.stringify(Object.fromEntries(entries.reverse()));
        expect(value(`m == '${backward}'`, [p("m", "Map", forward)], stellarDialect)).toBe(true);
      }),
    );
  });

  it("address: surrounding/inner whitespace and case are ignored", () => {
    const G = "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY";
    fc.assert(
      fc.property(fc.nat(56), fc.nat(3), fc.boolean(), (cut, pad, lower) => {
        const body = lower ? G.toLowerCase() : G;
        const spaced = `${" ".repeat(pad)}${body.slice(0, cut)} ${body.slice(cut)}${"\t".repeat(pad)}`;
        expect(value(`a == '${spaced}'`, [p("a", "Address", G)], stellarDialect)).toBe(true);
        expect(value(`a == '${G}'`, [p("a", "Address", spaced)], stellarDialect)).toBe(true);
      }),
    );
  });
});

// ---- grammar properties --------------------------------------------------------------------------------------

const ident = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,6}$/)
  .filter((s) => !["true", "false", "and", "or", "contains", "starts_with", "ends_with"].includes(s));
const literal = fc.oneof(
  fc.boolean().map((b) => ({ text: String(b), lit: { type: "bool", value: b } as const })),
  fc.integer().map((n) => ({ text: String(n), lit: { type: "num", raw: String(n) } as const })),
  word.map((w) => ({ text: `'${w}'`, lit: { type: "str", raw: w } as const })),
);
const op = fc.constantFrom<ComparisonOperator>(...ORDERED, "contains", "starts_with", "ends_with");

type Printed = { text: string; ast: Expression };
const condition: fc.Arbitrary<Printed> = fc.tuple(ident, op, literal).map(([name, o, l]) => ({
  text: `${name} ${o} ${l.text}`,
  ast: { kind: "cond", left: { base: name, path: [] }, op: o, right: l.lit },
}));
const tree: fc.Arbitrary<Printed> = fc.letrec<{ node: Printed }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    condition,
    fc.tuple(tie("node"), fc.constantFrom<"and" | "or">("and", "or"), tie("node")).map(([l, kind, r]) => ({
      text: `(${l.text}) ${kind.toUpperCase()} (${r.text})`,
      ast: { kind, left: l.ast, right: r.ast } as Expression,
    })),
  ),
})).node;

describe("grammar properties", () => {
  it("printing an AST (fully parenthesised) and parsing it back gives the same AST", () => {
    fc.assert(
      fc.property(tree, ({ text: printed, ast }) => {
        const result = parseExpression(printed);
        if (!result.ok) throw new Error(`${printed}: ${result.error.message}`);
        expect(result.expression).toEqual(ast);
      }),
    );
  });

  it("replacing spaces between tokens with any whitespace does not change the AST", () => {
    fc.assert(
      fc.property(
        tree,
        fc.array(fc.constantFrom(" ", "\t", "\n", "\r\n", "  "), { minLength: 1 }),
        ({ text: printed }, ws) => {
          let k = 0;
          const varied = printed.replace(/ /g, () => ws[k++ % ws.length] as string);
          const a = parseExpression(printed);
          const b = parseExpression(varied);
          expect(b).toEqual(a);
        },
      ),
    );
  });

  it("AND/OR short-circuit hides errors of unevaluated branches", () => {
    fc.assert(
      fc.property(tree, fc.boolean(), ({ ast }, first) => {
        const params = [p("t", "bool", "true"), p("f", "bool", "false")];
        const guard: Expression = {
          kind: "cond",
          left: { base: first ? "t" : "f", path: [] },
          op: "==",
          right: { type: "bool", value: true },
        };
        const result = evaluateExpression({ kind: first ? "or" : "and", left: guard, right: ast }, params, evmDialect);
        expect(result).toEqual({ ok: true, value: first });
      }),
    );
  });
});
