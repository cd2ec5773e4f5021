import { contract, StrKey, xdr } from "@stellar/stellar-sdk";
import { describe, expect, it } from "vitest";
import {
  buildContractSpecWasm,
  CONTRACT_SPEC_SECTION,
  contractSpecFromXdr,
  contractSpecToXdr,
  parseContractSpecWasm,
  WasmSectionError,
  xdrFromJson,
  xdrToJson,
} from "../../../../src/chains/stellar/index.js";
import type { StellarContractSpecEntry } from "../../../../src/engine/stellar-ledger.js";
import { loadStellarFixtures } from "../../../support/stellar-fixture-rpc.js";

const { specs } = loadStellarFixtures();

describe("contract specs: XDR ↔ stellar-xdr JSON", () => {
  it("decodes hand-built ScSpecEntry XDR to the JSON OZ configs use", () => {
    const transfer = xdr.ScSpecEntry.scSpecEntryFunctionV0(
      new xdr.ScSpecFunctionV0({
        doc: "",
        name: "transfer",
        inputs: [
          new xdr.ScSpecFunctionInputV0({ doc: "", name: "from", type: xdr.ScSpecTypeDef.scSpecTypeAddress() }),
          new xdr.ScSpecFunctionInputV0({ doc: "", name: "to", type: xdr.ScSpecTypeDef.scSpecTypeAddress() }),
          new xdr.ScSpecFunctionInputV0({ doc: "", name: "amount", type: xdr.ScSpecTypeDef.scSpecTypeI128() }),
        ],
        outputs: [],
      }),
    );
    const upsert = xdr.ScSpecEntry.scSpecEntryFunctionV0(
      new xdr.ScSpecFunctionV0({
        doc: "",
        name: "upsert_data",
        inputs: [
          new xdr.ScSpecFunctionInputV0({
            doc: "",
            name: "data",
            type: xdr.ScSpecTypeDef.scSpecTypeMap(
              new xdr.ScSpecTypeMap({
                keyType: xdr.ScSpecTypeDef.scSpecTypeString(),
                valueType: xdr.ScSpecTypeDef.scSpecTypeString(),
              }),
            ),
          }),
        ],
        outputs: [],
      }),
    );
    const increment = xdr.ScSpecEntry.scSpecEntryFunctionV0(
      new xdr.ScSpecFunctionV0({ doc: "", name: "increment", inputs: [], outputs: [] }),
    );
    expect(contractSpecFromXdr([transfer, upsert, increment])).toEqual(specs.contract_spec);
  });

  it("round-trips both fixture specs through XDR exactly (functions, structs, events)", () => {
    for (const spec of [specs.contract_spec, specs.contract_spec_with_events]) {
      const entries = contractSpecToXdr(spec ?? []);
      const reread = entries.map((entry) => xdr.ScSpecEntry.fromXDR(entry.toXDR()));
      expect(contractSpecFromXdr(reread)).toEqual(spec);
    }
  });

  it("renders every type form: option, result, vec, map, tuple, bytes_n, udt and the scalar names", () => {
    const types = [
      "val",
      "bool",
      "void",
      "error",
      "u32",
      "i32",
      "u64",
      "i64",
      "timepoint",
      "duration",
      "u128",
      "i128",
      "u256",
      "i256",
      "bytes",
      "string",
      "symbol",
      "address",
      "muxed_address",
      { option: { value_type: "u32" } },
      { result: { ok_type: "bool", error_type: "error" } },
      { vec: { element_type: { udt: { name: "User" } } } },
      { map: { key_type: "symbol", value_type: { bytes_n: { n: 32 } } } },
      { tuple: { value_types: ["u32", "string"] } },
    ];
    const spec: StellarContractSpecEntry[] = [
      {
        function_v0: {
          doc: "",
          name: "all",
          inputs: types.map((type, i) => ({ doc: "", name: `p${i}`, type_: type as never })),
          outputs: [],
        },
      },
      {
        udt_union_v0: {
          doc: "",
          lib: "",
          name: "Choice",
          cases: [{ void_v0: { doc: "", name: "None" } }, { tuple_v0: { doc: "", name: "Some", type_: ["u32"] } }],
        },
      },
      { udt_enum_v0: { doc: "", lib: "", name: "Color", cases: [{ doc: "", name: "Red", value: 1 }] } },
      { udt_error_enum_v0: { doc: "", lib: "", name: "Err", cases: [{ doc: "", name: "Bad", value: 7 }] } },
      {
        event_v0: {
          doc: "",
          lib: "",
          name: "Ev",
          prefix_topics: ["ev"],
          params: [{ doc: "", name: "x", type_: "u32", location: "topic_list" }],
          data_format: "single_value",
        },
      },
    ];
    expect(contractSpecFromXdr(contractSpecToXdr(spec))).toEqual(spec);
  });

  it("fills the doc and lib strings a hand-written spec omits", () => {
    const spec = [{ function_v0: { name: "ping", inputs: [{ name: "n", type_: "u32" }], outputs: [] } }];
    expect(contractSpecFromXdr(contractSpecToXdr(spec as never))).toEqual([
      { function_v0: { doc: "", name: "ping", inputs: [{ doc: "", name: "n", type_: "u32" }], outputs: [] } },
    ]);
  });

  it("names the JSON path of an entry that is not a spec entry", () => {
    expect(() =>
      contractSpecToXdr([
        { function_v0: { name: "x", inputs: [{ name: "a", type_: "float" }], outputs: [] } },
      ] as never),
    ).toThrowError(/\$\[0\]\.function_v0\.inputs\[0\]\.type_: unknown ScSpecType member "float"/);
  });
});

describe("contract specs in WASM (contractspecv0)", () => {
  it("reads back the spec a module was built with, and stellar-sdk's own parser agrees", () => {
    const wasm = buildContractSpecWasm(specs.contract_spec_with_events ?? []);
    expect(parseContractSpecWasm(wasm)).toEqual(specs.contract_spec_with_events);
    const sdkSpec = contract.Spec.fromWasm(wasm);
    expect(sdkSpec.funcs().map((fn) => fn.name().toString())).toEqual([
      "add_user",
      "get_user",
      "list_user_ids",
      "emit_data_list",
    ]);
  });

  it("skips other custom and code sections and joins several spec sections", () => {
    const a = buildContractSpecWasm([specs.contract_spec?.[0] as StellarContractSpecEntry]);
    const b = buildContractSpecWasm([specs.contract_spec?.[2] as StellarContractSpecEntry]);
    const otherCustom = Buffer.from([0, 6, 4, ...Buffer.from("name"), 1]);
    const typeSection = Buffer.from([1, 4, 1, 0x60, 0, 0]);
    const module = Buffer.concat([a.subarray(0, 8), otherCustom, a.subarray(8), typeSection, b.subarray(8)]);
    expect(parseContractSpecWasm(module).map((entry) => Object.values(entry)[0].name)).toEqual([
      "transfer",
      "increment",
    ]);
  });

  it("rejects modules it cannot read with a WasmSectionError", () => {
    const wasm = buildContractSpecWasm(specs.contract_spec ?? []);
    const cases: Array<[Uint8Array, RegExp]> = [
      [Buffer.from("not wasm at all"), /bad magic/],
      [Buffer.concat([wasm.subarray(0, 4), Buffer.from([2, 0, 0, 0])]), /version/],
      [wasm.subarray(0, wasm.length - 3), /truncated/],
      [wasm.subarray(0, 8), new RegExp(`no ${CONTRACT_SPEC_SECTION} section`)],
      [Buffer.concat([wasm.subarray(0, 8), Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 0x7f])]), /LEB128|truncated/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => parseContractSpecWasm(bytes)).toThrowError(WasmSectionError);
      expect(() => parseContractSpecWasm(bytes)).toThrowError(message);
    }
    const name = Buffer.from(CONTRACT_SPEC_SECTION);
    const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const body = Buffer.concat([Buffer.from([name.length]), name, garbage]);
    const broken = Buffer.concat([wasm.subarray(0, 8), Buffer.from([0, body.length]), body]);
    expect(() => parseContractSpecWasm(broken)).toThrowError(/not a stream of ScSpecEntry XDR/);
  });
});

describe("xdrToJson() / xdrFromJson()", () => {
  it("names union arms after the switch member without the shared prefix", () => {
    expect(xdrToJson(xdr.ScVal, xdr.ScVal.scvU32(7))).toEqual({ u32: 7 });
    expect(xdrToJson(xdr.ScVal, xdr.ScVal.scvVoid())).toBe("void");
    expect(xdrToJson(xdr.ScVal, xdr.ScVal.scvSymbol("hi"))).toEqual({ symbol: "hi" });
    expect(xdrToJson(xdr.Memo, xdr.Memo.memoText("gm"))).toEqual({ text: "gm" });
    expect(xdrToJson(xdr.Memo, xdr.Memo.memoNone())).toBe("none");
  });

  it("renders every ScAddress kind as its strkey (M… muxed, B… claimable balance, L… liquidity pool)", () => {
    const key = StrKey.decodeEd25519PublicKey("GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY");
    const muxed = xdr.ScAddress.scAddressTypeMuxedAccount(
      new xdr.MuxedEd25519Account({ id: new xdr.Uint64(7n), ed25519: key }),
    );
    const balance = xdr.ScAddress.scAddressTypeClaimableBalance(
      xdr.ClaimableBalanceId.claimableBalanceIdTypeV0(Buffer.alloc(32, 1)),
    );
    const pool = xdr.ScAddress.scAddressTypeLiquidityPool(Buffer.alloc(32, 2) as never);
    const [m, b, l] = [muxed, balance, pool].map((address) => xdrToJson(xdr.ScAddress, address) as string);
    expect(StrKey.isValidMed25519PublicKey(m as string)).toBe(true);
    expect(StrKey.isValidClaimableBalance(b as string)).toBe(true);
    expect(StrKey.isValidLiquidityPool(l as string)).toBe(true);
  });

  it("round-trips values through JSON (hyper as decimal strings, opaque as hex, strkeys)", () => {
    const samples: Array<[unknown, unknown]> = [
      [xdr.ScVal, { i128: "-170141183460469231731687303715884105728" }],
      [xdr.ScVal, { u256: "115792089237316195423570985008687907853269984665640564039457584007913129639935" }],
      [xdr.ScVal, { map: [{ key: { symbol: "k" }, val: { vec: [{ bytes: "00ff" }, "void"] } }] }],
      [xdr.ScVal, { address: "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA" }],
      [xdr.Asset, "native"],
    ];
    for (const [type, json] of samples) {
      const value = xdrFromJson(type, json) as { toXDR(): Buffer };
      const reread = (type as { fromXDR(b: Buffer): unknown }).fromXDR(value.toXDR());
      expect(xdrToJson(type, reread)).toEqual(json);
    }
  });
});
