import { StrKey, xdr } from "@stellar/stellar-sdk";
import { describe, expect, it } from "vitest";
import { scValueFromXdr, xdrFromJson } from "../../../../src/chains/stellar/index.js";
import type { ScValue } from "../../../../src/engine/stellar-ledger.js";
import {
  compareCodePoints,
  scValueDisplay,
  scValueJson,
  scValueJsonText,
  scValueKind,
  UNSUPPORTED_ADDRESS_TYPE,
} from "../../../../src/engine/stellar-values.js";

/** Decodes an ScVal given in stellar-xdr JSON, through real XDR bytes. */
function sc(json: unknown): ScValue {
  const val = xdrFromJson(xdr.ScVal, json) as xdr.ScVal;
  return scValueFromXdr(xdr.ScVal.fromXDR(val.toXDR()));
}

/** display, kind, compact JSON of a value. */
function render(value: ScValue): [string, string, string] {
  return [scValueDisplay(value), scValueKind(value), scValueJsonText(value)];
}

const G = "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY";
const C = "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA";

describe("ScVal conversions (spec §4.3)", () => {
  it("Bool → true/false, Bool, bool", () => {
    expect(render(sc({ bool: true }))).toEqual(["true", "Bool", "true"]);
    expect(render(sc({ bool: false }))).toEqual(["false", "Bool", "false"]);
  });

  it("Void and unsupported values (error, contract instance, ledger keys) → null, Void, null", () => {
    expect(render(sc("void"))).toEqual(["null", "Void", "null"]);
    expect(render(sc({ error: { contract: 7 } }))).toEqual(["null", "Void", "null"]);
    expect(sc({ error: { contract: 7 } })).toEqual({ type: "unsupported", scType: "error" });
    expect(render(sc("ledger_key_contract_instance"))).toEqual(["null", "Void", "null"]);
    expect(render(sc({ ledger_key_nonce: { nonce: "5" } }))).toEqual(["null", "Void", "null"]);
    expect(render(sc({ contract_instance: { executable: "stellar_asset", storage: null } }))).toEqual([
      "null",
      "Void",
      "null",
    ]);
  });

  it("U32, I32, U64, I64, Timepoint, Duration → decimal, their kind, a JSON number", () => {
    expect(render(sc({ u32: 4294967295 }))).toEqual(["4294967295", "U32", "4294967295"]);
    expect(render(sc({ i32: -2147483648 }))).toEqual(["-2147483648", "I32", "-2147483648"]);
    expect(render(sc({ u64: "18446744073709551615" }))).toEqual([
      "18446744073709551615",
      "U64",
      "18446744073709551615",
    ]);
    expect(render(sc({ i64: "-9223372036854775808" }))).toEqual([
      "-9223372036854775808",
      "I64",
      "-9223372036854775808",
    ]);
    expect(render(sc({ timepoint: "1737741300000" }))).toEqual(["1737741300000", "Timepoint", "1737741300000"]);
    expect(render(sc({ duration: "9007199254740993" }))).toEqual(["9007199254740993", "Duration", "9007199254740993"]);
  });

  it("64-bit values stay exact past 2^53 in the lossless JSON form", () => {
    expect(scValueJson(sc({ u64: "9007199254740993" }))).toEqual({ type: "number", raw: "9007199254740993" });
  });

  it("U128, I128, U256, I256 → exact decimal, their kind, {type, value} objects", () => {
    const u128max = (2n ** 128n - 1n).toString();
    const i128min = (-(2n ** 127n)).toString();
    const u256max = (2n ** 256n - 1n).toString();
    const i256min = (-(2n ** 255n)).toString();
    expect(render(sc({ u128: u128max }))).toEqual([u128max, "U128", `{"type":"U128","value":"${u128max}"}`]);
    expect(render(sc({ i128: i128min }))).toEqual([i128min, "I128", `{"type":"I128","value":"${i128min}"}`]);
    expect(render(sc({ i128: "-1" }))[0]).toBe("-1");
    expect(render(sc({ i128: "18446744073709551616" }))[0]).toBe("18446744073709551616");
    expect(render(sc({ u256: u256max }))).toEqual([u256max, "U256", `{"type":"U256","value":"${u256max}"}`]);
    expect(render(sc({ i256: i256min }))).toEqual([i256min, "I256", `{"type":"I256","value":"${i256min}"}`]);
    expect(render(sc({ i256: "-340282366920938463463374607431768211457" }))[0]).toBe(
      "-340282366920938463463374607431768211457",
    );
  });

  it("Bytes → lowercase hex; kind Bytes when empty, else Bytes + length", () => {
    expect(render(sc({ bytes: "" }))).toEqual(["", "Bytes", '""']);
    expect(render(sc({ bytes: "ABCDEF0102030405060708090a0b0c0d0e0f1011" }))).toEqual([
      "abcdef0102030405060708090a0b0c0d0e0f1011",
      "Bytes20",
      '"abcdef0102030405060708090a0b0c0d0e0f1011"',
    ]);
    expect(scValueKind(sc({ bytes: "00".repeat(32) }))).toBe("Bytes32");
  });

  it("String and Symbol → text, String / Symbol, a JSON string", () => {
    expect(render(sc({ string: 'Hello, "world"!' }))).toEqual(['Hello, "world"!', "String", '"Hello, \\"world\\"!"']);
    expect(render(sc({ symbol: "transfer" }))).toEqual(["transfer", "Symbol", '"transfer"']);
  });

  it("Address → G…/C… strkey; muxed, claimable-balance and liquidity-pool → unsupported_address_type", () => {
    expect(render(sc({ address: G }))).toEqual([G, "Address", `"${G}"`]);
    expect(render(sc({ address: C }))).toEqual([C, "Address", `"${C}"`]);
    const pool = xdr.ScVal.scvAddress(xdr.ScAddress.scAddressTypeLiquidityPool(Buffer.alloc(32, 7) as never));
    const muxed = xdr.ScVal.scvAddress(
      xdr.ScAddress.scAddressTypeMuxedAccount(
        new xdr.MuxedEd25519Account({ id: new xdr.Uint64(5n), ed25519: StrKey.decodeEd25519PublicKey(G) }),
      ),
    );
    for (const val of [pool, muxed]) {
      const value = scValueFromXdr(xdr.ScVal.fromXDR(val.toXDR()));
      expect(value).toMatchObject({ type: "address", strkey: null });
      expect(render(value)).toEqual([UNSUPPORTED_ADDRESS_TYPE, "Address", `"${UNSUPPORTED_ADDRESS_TYPE}"`]);
    }
  });

  it("Vec → [a,b], Vec<kinds with only adjacent duplicates removed>, a JSON array", () => {
    const vec = sc({ vec: [{ u32: 1 }, { u32: 2 }, { string: "a" }, { u32: 3 }, { u32: 4 }] });
    expect(render(vec)).toEqual(["[1,2,a,3,4]", "Vec<U32,String,U32>", '[1,2,"a",3,4]']);
    expect(render(sc({ vec: [] }))).toEqual(["[]", "Vec<Void>", "[]"]);
    expect(render(sc({ vec: [{ address: C }, { address: G }] }))[1]).toBe("Vec<Address>");
    expect(render(sc({ vec: [{ vec: [{ u32: 1 }] }, { vec: [{ symbol: "x" }] }] }))).toEqual([
      "[[1],[x]]",
      "Vec<Vec<U32>,Vec<Symbol>>",
      '[[1],["x"]]',
    ]);
  });

  it("Vec(None) is unsupported (null, Void)", () => {
    const none = scValueFromXdr(xdr.ScVal.scvVec(null));
    expect(render(none)).toEqual(["null", "Void", "null"]);
  });

  it("Map → {k:v} with sorted keys, Map<String,V> from the sorted values, an object with sorted keys", () => {
    const map = sc({
      map: [
        { key: { symbol: "myKey2" }, val: { string: "Hello, world!" } },
        { key: { symbol: "myKey1" }, val: { u32: 1234 } },
      ],
    });
    expect(render(map)).toEqual([
      "{myKey1:1234,myKey2:Hello, world!}",
      "Map<String,U32,String>",
      '{"myKey1":1234,"myKey2":"Hello, world!"}',
    ]);
    expect(render(sc({ map: [] }))).toEqual(["{}", "Map<String,Void>", "{}"]);
  });

  it("Map value kinds drop only adjacent duplicates (U32,String,U32 → Map<String,U32,String,U32>)", () => {
    const map = sc({
      map: [
        { key: { symbol: "a" }, val: { u32: 1 } },
        { key: { symbol: "b" }, val: { string: "x" } },
        { key: { symbol: "c" }, val: { u32: 2 } },
        { key: { symbol: "d" }, val: { u32: 3 } },
      ],
    });
    expect(scValueKind(map)).toBe("Map<String,U32,String,U32>");
  });

  it("Map keys of other kinds become their display; a repeated key keeps the last value", () => {
    const map = sc({
      map: [
        { key: { u32: 10 }, val: { bool: true } },
        { key: { u32: 9 }, val: { i128: "5" } },
        { key: { string: "9" }, val: { symbol: "later" } },
      ],
    });
    expect(render(map)).toEqual(["{10:true,9:later}", "Map<String,Bool,Symbol>", '{"10":true,"9":"later"}']);
  });

  it("nested 128-bit values keep their {type, value} JSON inside maps and vectors", () => {
    const submit = sc({
      vec: [
        {
          map: [
            { key: { symbol: "address" }, val: { address: C } },
            { key: { symbol: "amount" }, val: { i128: "699998999" } },
            { key: { symbol: "request_type" }, val: { u32: 3 } },
          ],
        },
      ],
    });
    expect(render(submit)).toEqual([
      `[{address:${C},amount:699998999,request_type:3}]`,
      "Vec<Map<String,Address,I128,U32>>",
      `[{"address":"${C}","amount":{"type":"I128","value":"699998999"},"request_type":3}]`,
    ]);
  });

  it("sorts map keys by code point (as Rust sorts strings), not by UTF-16 unit", () => {
    expect(["\u{1F600}", "\uFF21", "b", "B"].sort(compareCodePoints)).toEqual(["B", "b", "\uFF21", "\u{1F600}"]);
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
  });
});
