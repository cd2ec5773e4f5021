import { describe, expect, it } from "vitest";
import {
  compileStellarSpec,
  createStellarSpecInterner,
  stellarSpecTypeName,
} from "../../../../src/engine/stellar/spec.js";
import { define, run, SPEC, SPEC_WITH_EVENTS, stellarMonitor, USDC_SAC } from "./fixtures.js";

describe("SEP-48 type names (§4.2)", () => {
  it.each([
    ["bool", "Bool"],
    ["void", "Void"],
    ["u32", "U32"],
    ["i32", "I32"],
    ["u64", "U64"],
    ["i64", "I64"],
    ["u128", "U128"],
    ["i128", "I128"],
    ["u256", "U256"],
    ["i256", "I256"],
    ["bytes", "Bytes"],
    ["string", "String"],
    ["symbol", "Symbol"],
    ["address", "Address"],
    ["timepoint", "Timepoint"],
    ["duration", "Duration"],
  ])("renders the scalar %s as %s", (type, name) => {
    expect(stellarSpecTypeName(type)).toBe(name);
  });

  it("renders bytes_n as Bytes followed by the length, without brackets", () => {
    expect(stellarSpecTypeName({ bytes_n: { n: 32 } })).toBe("Bytes32");
    expect(stellarSpecTypeName({ bytes_n: { n: 4 } })).toBe("Bytes4");
  });

  it("renders vectors, maps and tuples with their element types, nested", () => {
    expect(stellarSpecTypeName({ vec: { element_type: "address" } })).toBe("Vec<Address>");
    expect(stellarSpecTypeName({ map: { key_type: "string", value_type: "string" } })).toBe("Map<String,String>");
    expect(stellarSpecTypeName({ tuple: { value_types: ["u32", { vec: { element_type: "i128" } }] } })).toBe(
      "Tuple<U32,Vec<I128>>",
    );
    expect(
      stellarSpecTypeName({
        vec: { element_type: { map: { key_type: "symbol", value_type: { udt: { name: "X" } } } } },
      }),
    ).toBe("Vec<Map<Symbol,X>>");
  });

  it("renders a UDT by its name", () => {
    expect(stellarSpecTypeName({ udt: { name: "Request" } })).toBe("Request");
  });

  it("renders option, result and any other type as Void", () => {
    expect(stellarSpecTypeName({ option: { value_type: "u32" } })).toBe("Void");
    expect(stellarSpecTypeName({ result: { ok_type: "u32", error_type: "error" } })).toBe("Void");
    expect(stellarSpecTypeName("val")).toBe("Void");
    expect(stellarSpecTypeName("error")).toBe("Void");
    expect(stellarSpecTypeName("muxed_address")).toBe("Void");
    expect(stellarSpecTypeName("constructor")).toBe("Void");
    expect(stellarSpecTypeName({ unknown: {} })).toBe("Void");
    expect(stellarSpecTypeName(null)).toBe("Void");
  });
});

describe("compileStellarSpec()", () => {
  it("formats the fixture spec's functions with signatures and indexed, named, typed inputs", () => {
    const { spec, issues } = compileStellarSpec(SPEC);
    expect(issues).toEqual([]);
    expect(spec.functions.map((fn) => fn.signature)).toEqual([
      "transfer(Address,Address,I128)",
      "upsert_data(Map<String,String>)",
      "increment()",
    ]);
    expect(spec.functions[0]?.inputs).toEqual([
      { index: 0, name: "from", kind: "Address" },
      { index: 1, name: "to", kind: "Address" },
      { index: 2, name: "amount", kind: "I128" },
    ]);
    expect(spec.events).toEqual([]);
  });

  it("formats Protocol 23 event specs with prefix topics, params and their locations", () => {
    const { spec, issues } = compileStellarSpec(SPEC_WITH_EVENTS);
    expect(issues).toEqual([]);
    expect(spec.functions.map((fn) => fn.signature)).toEqual([
      "add_user(Symbol,String,U32,String)",
      "get_user(Symbol)",
      "list_user_ids()",
      "emit_data_list(Vec<String>)",
    ]);
    const [userAdded, message, dataList] = spec.events;
    expect(userAdded).toMatchObject({
      name: "UserAdded",
      prefixTopics: ["user", "add"],
      signature: "UserAdded(Symbol,String,U32,String)",
      params: [
        { name: "id", kind: "Symbol", location: "Indexed" },
        { name: "name", kind: "String", location: "Data" },
        { name: "age", kind: "U32", location: "Data" },
        { name: "email", kind: "String", location: "Data" },
      ],
    });
    expect(userAdded?.dataParams.map((param) => param.name)).toEqual(["name", "age", "email"]);
    expect(message).toMatchObject({
      name: "MessageEvent",
      prefixTopics: ["message"],
      signature: "MessageEvent(String)",
    });
    expect(dataList?.signature).toBe("DataListEvent(Vec<String>,U32)");
  });

  it("accepts hand-written entries without doc/lib and skips malformed function and event entries", () => {
    const { spec, issues } = compileStellarSpec([
      { function_v0: { name: "ok", inputs: [{ name: "a", type_: "u64" }], outputs: [] } },
      { function_v0: { inputs: [] } },
      { event_v0: { name: "E", prefix_topics: ["e"], params: [{ name: "x", type_: "u32", location: "nowhere" }] } },
      "not an entry",
      { udt_struct_v0: { name: "S", fields: [] } },
    ]);
    expect(spec.functions.map((fn) => fn.signature)).toEqual(["ok(U64)"]);
    expect(spec.events).toEqual([]);
    expect(issues.map((issue) => issue.index)).toEqual([1, 2, 3]);
  });

  it("compiles identical specs once (by identity and by JSON text)", () => {
    const interner = createStellarSpecInterner();
    const a = compileStellarSpec(SPEC, interner);
    expect(compileStellarSpec(SPEC, interner)).toBe(a);
    expect(compileStellarSpec(structuredClone(SPEC), interner)).toBe(a);
  });

  it("reports malformed inline spec entries as compile diagnostics with their path", () => {
    const monitor = stellarMonitor([
      { address: USDC_SAC, contract_spec: [{ function_v0: { name: "broken" } }, ...SPEC] },
    ]);
    const { compileDiagnostics } = run([define(monitor, "with-bad-spec")]);
    expect(compileDiagnostics.map((d) => [d.code, d.monitorId, d.path])).toEqual([
      ["ENGINE_SPEC_ENTRY_INVALID", "with-bad-spec", ["addresses", 0, "contract_spec", 0]],
    ]);
  });
});
