import {
  type AbiParameter,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  toEventSelector,
  toFunctionSelector,
} from "viem";
import { describe, expect, it } from "vitest";
import { type AbiEvent, type AbiFunction, compileAbi, createAbiInterner } from "../../../src/engine/evm/abi.js";
import { decodeEventArgs, decodeFunctionArgs } from "../../../src/engine/evm/decode.js";
import { loadAbi, loadMonitor } from "./fixtures.js";

function compileFunction(inputs: readonly AbiParameter[], name = "f"): AbiFunction {
  const { abi, issues } = compileAbi([{ type: "function", name, inputs, outputs: [] }], createAbiInterner());
  expect(issues).toEqual([]);
  const [fn] = abi.functionsBySelector.values();
  if (!fn) throw new Error("function not compiled");
  return fn;
}

/** Decodes `values` encoded with viem for `inputs`; returns the formatted values. */
function roundTrip(inputs: readonly AbiParameter[], values: readonly unknown[]): string[] | null {
  const fn = compileFunction(inputs);
  const data = encodeAbiParameters(inputs, values as never)
    .slice(2)
    .toLowerCase();
  return decodeFunctionArgs(fn, data)?.map((arg) => arg.value) ?? null;
}

describe("compileAbi()", () => {
  it("computes canonical signatures with structs expanded, matching viem's selectors for every tuple-fixture item", () => {
    const spec = loadAbi("contract_spec_tuples.json");
    const { abi, issues } = compileAbi(spec, createAbiInterner());
    expect(issues).toEqual([]);
    const functions = spec.filter((item) => (item as { type: string }).type === "function");
    const events = spec.filter((item) => (item as { type: string }).type === "event");
    expect(abi.functionsBySelector.size).toBe(functions.length);
    expect(abi.eventsByTopic0.size).toBe(events.length);
    for (const item of functions) {
      const selector = toFunctionSelector(item as never).slice(2);
      expect(abi.functionsBySelector.get(selector)?.selector).toBe(selector);
    }
    for (const item of events) {
      const topic0 = toEventSelector(item as never);
      expect(abi.eventsByTopic0.get(topic0)?.topic0).toBe(topic0);
    }
    const nested = [...abi.functionsBySelector.values()].find((f) => f.signature.startsWith("inputNestedStruct"));
    expect(nested?.signature).toBe("inputNestedStruct((bool,string,string,uint256,address,string[],(string,uint256)))");
    expect(nested?.inputs.map((i) => i.kind)).toEqual(["tuple"]);
    const arrayOfStructs = [...abi.functionsBySelector.values()].find((f) =>
      f.signature.startsWith("inputArrayOfNestedStructs"),
    );
    expect(arrayOfStructs?.signature).toMatch(/^inputArrayOfNestedStructs\(\(.*\)\[\]\)$/);
    expect(arrayOfStructs?.inputs[0]?.kind).toBe("tuple[]");
  });

  it("keeps the first item when two share a selector, and ignores constructors, errors and fallbacks", () => {
    const { abi } = compileAbi(
      [
        { type: "constructor", inputs: [] },
        {
          type: "function",
          name: "transfer",
          inputs: [
            { name: "a", type: "address" },
            { name: "b", type: "uint256" },
          ],
        },
        {
          type: "function",
          name: "transfer",
          inputs: [
            { name: "x", type: "address" },
            { name: "y", type: "uint256" },
          ],
        },
        { type: "error", name: "Oops", inputs: [] },
        { type: "fallback" },
      ],
      createAbiInterner(),
    );
    expect([...abi.functionsBySelector.keys()]).toEqual(["a9059cbb"]);
    expect(abi.functionsBySelector.get("a9059cbb")?.inputs.map((i) => i.name)).toEqual(["a", "b"]);
  });

  it("reports malformed function and event items and skips them", () => {
    const { abi, issues } = compileAbi(
      [
        { type: "function", inputs: [] },
        { type: "event", name: "E", inputs: [{ name: "x", type: "uint7" }] },
        { type: "function", name: "g", inputs: [{ name: "t", type: "tuple" }] },
        { type: "function", name: "ok", inputs: [] },
      ],
      createAbiInterner(),
    );
    expect(issues.map((issue) => issue.index)).toEqual([0, 1, 2]);
    expect(issues[1]?.message).toContain("unsupported type 'uint7'");
    expect([...abi.functionsBySelector.values()].map((f) => f.signature)).toEqual(["ok()"]);
  });

  it("shares one compiled item between monitors whose ABIs have the same shape, and separates different names", () => {
    const interner = createAbiInterner();
    const usdc = loadMonitor("monitor.json").addresses[0]?.contract_spec as unknown[];
    const a = compileAbi(structuredClone(usdc), interner).abi;
    const b = compileAbi(structuredClone(usdc), interner).abi;
    expect(a).toBe(b);
    const weth = compileAbi(
      [
        {
          type: "event",
          name: "Transfer",
          inputs: [
            { name: "src", type: "address", indexed: true },
            { name: "dst", type: "address", indexed: true },
            { name: "wad", type: "uint256", indexed: false },
          ],
        },
      ],
      interner,
    ).abi;
    const topic0 = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
    expect(weth.eventsByTopic0.get(topic0)).not.toBe(a.eventsByTopic0.get(topic0));
    expect(weth.eventsByTopic0.get(topic0)?.signature).toBe(a.eventsByTopic0.get(topic0)?.signature);
  });
});

describe("decodeFunctionArgs() formatting (§3.3)", () => {
  it("formats the nested-struct example of the spec exactly", () => {
    const inputs = [
      {
        name: "nestedStruct",
        type: "tuple",
        components: [
          { name: "isToggled", type: "bool" },
          { name: "title", type: "string" },
          { name: "author", type: "string" },
          { name: "book_id", type: "uint256" },
          { name: "addr", type: "address" },
          { name: "tags", type: "string[]" },
          {
            name: "meta",
            type: "tuple",
            components: [
              { name: "subtitle", type: "string" },
              { name: "pages", type: "uint256" },
            ],
          },
        ],
      },
    ] as const;
    const values = roundTrip(inputs, [
      {
        isToggled: true,
        title: "The Book Title",
        author: "Author Name",
        book_id: 123n,
        addr: getAddress("0x1234567890abcdef1234567890abcdef12345678"),
        tags: ["fiction", "bestseller"],
        meta: { subtitle: "The Sequel", pages: 321n },
      },
    ]);
    expect(values).toEqual([
      '(true,"The Book Title","Author Name",123,"0x1234567890abcdef1234567890abcdef12345678",["fiction","bestseller"],("The Sequel",321))',
    ]);
  });

  it("formats top-level scalars unquoted: lowercase addresses, decimal integers, hex bytes, raw strings", () => {
    const inputs = [
      { name: "a", type: "address" },
      { name: "u", type: "uint256" },
      { name: "i", type: "int256" },
      { name: "s", type: "int8" },
      { name: "b", type: "bool" },
      { name: "f", type: "bool" },
      { name: "d", type: "bytes" },
      { name: "h", type: "bytes32" },
      { name: "q", type: "bytes4" },
      { name: "t", type: "string" },
      { name: "e", type: "string" },
    ] as const;
    const values = roundTrip(inputs, [
      getAddress("0xf423d9c1ffeb6386639d024f3b241dab2331b635"),
      2n ** 256n - 1n,
      -5n,
      -1,
      true,
      false,
      "0xDEADbeef",
      `0x${"ab".repeat(32)}`,
      "0x01020304",
      'He said "hi", ok',
      "",
    ]);
    expect(values).toEqual([
      "0xf423d9c1ffeb6386639d024f3b241dab2331b635",
      "115792089237316195423570985008687907853269984665640564039457584007913129639935",
      "-5",
      "-1",
      "true",
      "false",
      "0xdeadbeef",
      `0x${"ab".repeat(32)}`,
      "0x01020304",
      'He said "hi", ok',
      "",
    ]);
  });

  it("formats arrays with quoted strings and hex values, bare numbers and bools, no spaces, no escaping", () => {
    const inputs = [
      { name: "addrs", type: "address[]" },
      { name: "nums", type: "uint256[]" },
      { name: "grid", type: "uint8[2][]" },
      { name: "words", type: "string[2]" },
      { name: "flags", type: "bool[]" },
      { name: "empty", type: "bytes32[]" },
      { name: "blobs", type: "bytes[]" },
    ] as const;
    const values = roundTrip(inputs, [
      [
        getAddress("0x00000000000000000000000000000000000000aa"),
        getAddress("0xbb00000000000000000000000000000000000000"),
      ],
      [1n, 20n, 300n],
      [
        [1, 2],
        [3, 4],
      ],
      ['a"b', "c,d"],
      [true, false],
      [],
      ["0x", "0xff00"],
    ]);
    expect(values).toEqual([
      '["0x00000000000000000000000000000000000000aa","0xbb00000000000000000000000000000000000000"]',
      "[1,20,300]",
      "[[1,2],[3,4]]",
      '["a"b","c,d"]',
      "[true,false]",
      "[]",
      '["0x","0xff00"]',
    ]);
  });

  it("formats arrays of tuples as (…) items inside […]", () => {
    const inputs = [
      {
        name: "items",
        type: "tuple[]",
        components: [
          { name: "id", type: "uint256" },
          { name: "label", type: "string" },
          { name: "owners", type: "address[]" },
        ],
      },
    ] as const;
    const values = roundTrip(inputs, [
      [
        { id: 1n, label: "x", owners: [] },
        { id: 2n, label: "y", owners: [getAddress("0x00000000000000000000000000000000000000cc")] },
      ],
    ]);
    expect(values).toEqual(['[(1,"x",[]),(2,"y",["0x00000000000000000000000000000000000000cc"])]']);
  });

  it("carries names, kinds (the ABI type string) and indexed=false", () => {
    const fn = compileFunction([
      { name: "to", type: "address" },
      { name: "ids", type: "uint256[]" },
      { name: "", type: "bool" },
    ]);
    const data = encodeFunctionData({
      abi: [
        {
          type: "function",
          name: "f",
          inputs: [
            { name: "to", type: "address" },
            { name: "ids", type: "uint256[]" },
            { name: "", type: "bool" },
          ],
          outputs: [],
          stateMutability: "nonpayable",
        },
      ],
      functionName: "f",
      args: ["0x0000000000000000000000000000000000000001", [7n], true],
    });
    expect(decodeFunctionArgs(fn, data.slice(10))).toEqual([
      { name: "to", value: "0x0000000000000000000000000000000000000001", indexed: false, kind: "address" },
      { name: "ids", value: "[7]", indexed: false, kind: "uint256[]" },
      { name: "", value: "true", indexed: false, kind: "bool" },
    ]);
  });

  it("returns null for truncated data, offsets or lengths beyond the data, and malformed hex", () => {
    const fn = compileFunction([
      { name: "s", type: "string" },
      { name: "n", type: "uint256[]" },
    ]);
    const good = encodeAbiParameters(
      fn.inputs.map((i) => ({ name: i.name, type: i.kind })),
      ["hi", [1n, 2n]],
    ).slice(2);
    expect(decodeFunctionArgs(fn, good)?.map((a) => a.value)).toEqual(["hi", "[1,2]"]);
    expect(decodeFunctionArgs(fn, good.slice(0, 64))).toBeNull();
    const hugeOffset = `${"f".repeat(64)}${good.slice(64)}`;
    expect(decodeFunctionArgs(fn, hugeOffset)).toBeNull();
    // Array length 2^200 at the array's offset: rejected without looping.
    const arrayOffset = Number.parseInt(good.slice(64, 128), 16) * 2;
    const hugeLength = `${good.slice(0, arrayOffset)}${(2n ** 200n).toString(16).padStart(64, "0")}${good.slice(arrayOffset + 64)}`;
    expect(decodeFunctionArgs(fn, hugeLength)).toBeNull();
    expect(decodeFunctionArgs(fn, `${good}0`)).toBeNull();
    expect(decodeFunctionArgs(fn, good.replace(/^./, "z"))).toBeNull();
  });

  it("ignores trailing bytes after the encoded arguments", () => {
    const fn = compileFunction([{ name: "n", type: "uint256" }]);
    expect(decodeFunctionArgs(fn, `${"0".repeat(63)}9${"ab".repeat(10)}`)?.map((a) => a.value)).toEqual(["9"]);
  });
});

describe("decodeEventArgs()", () => {
  function compileEvent(inputs: unknown[]): AbiEvent {
    const { abi } = compileAbi([{ type: "event", name: "E", inputs }], createAbiInterner());
    const [ev] = abi.eventsByTopic0.values();
    if (!ev) throw new Error("event not compiled");
    return ev;
  }

  it("decodes indexed value types from topics and the rest from data, in ABI input order", () => {
    const ev = compileEvent([
      { name: "amount", type: "uint256", indexed: false },
      { name: "from", type: "address", indexed: true },
      { name: "note", type: "string", indexed: false },
      { name: "flag", type: "bool", indexed: true },
    ]);
    const data = encodeAbiParameters(
      [
        { name: "amount", type: "uint256" },
        { name: "note", type: "string" },
      ],
      [5n, "hello"],
    ).slice(2);
    const topics = [ev.topic0, `0x${"0".repeat(24)}${"ab".repeat(20)}`, `0x${"0".repeat(63)}1`];
    expect(decodeEventArgs(ev, topics, data)).toEqual([
      { name: "amount", value: "5", indexed: false, kind: "uint256" },
      { name: "from", value: `0x${"ab".repeat(20)}`, indexed: true, kind: "address" },
      { name: "note", value: "hello", indexed: false, kind: "string" },
      { name: "flag", value: "true", indexed: true, kind: "bool" },
    ]);
  });

  it("reports indexed dynamic values (hashed by Solidity) as the topic itself", () => {
    const ev = compileEvent([
      { name: "name", type: "string", indexed: true },
      { name: "ids", type: "uint256[]", indexed: true },
    ]);
    const t1 = `0x${"11".repeat(32)}`;
    const t2 = `0x${"22".repeat(32)}`;
    expect(decodeEventArgs(ev, [ev.topic0, t1, t2], "")?.map((a) => [a.value, a.kind])).toEqual([
      [t1, "string"],
      [t2, "uint256[]"],
    ]);
  });

  it("returns null when an indexed topic is missing or the data is too short", () => {
    const ev = compileEvent([
      { name: "from", type: "address", indexed: true },
      { name: "value", type: "uint256", indexed: false },
    ]);
    expect(decodeEventArgs(ev, [ev.topic0], "0".repeat(64))).toBeNull();
    expect(decodeEventArgs(ev, [ev.topic0, `0x${"0".repeat(64)}`], "")).toBeNull();
  });
});
