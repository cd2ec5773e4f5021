/**
 * Function (contract invocation) matching (§4.5) over OZ's Stellar fixtures.
 */
import { describe, expect, it } from "vitest";
import { compileMonitors, type StellarContractSpecEntry } from "../../../../src/engine/index.js";
import { callArgs, kindsCompatible } from "../../../../src/engine/stellar/invocation.js";
import {
  COUNTER_CONTRACT,
  define,
  FROM_ACCOUNT,
  fetchedSpecs,
  hashes,
  LEDGER,
  MONITOR_ADDRESSES,
  NETWORK,
  NETWORK_CHAINS,
  ORACLE_CONTRACT,
  POOL_CONTRACT,
  run,
  SPEC,
  stellarMonitor,
  TX_INCREMENT,
  TX_SUBMIT_PREFIX,
  TX_TRANSFER,
  TX_UPSERT,
  txHash,
  UPSERT_CONTRACT,
  USDC_SAC,
} from "./fixtures.js";

const TRANSFER_ARGS = [
  { name: "from", value: FROM_ACCOUNT, kind: "Address", indexed: false },
  { name: "to", value: "CC7YMFMYZM2HE6O3JT5CNTFBHVXCZTV7CEYT56IGBHR4XFNTGTN62CPT", kind: "Address", indexed: false },
  { name: "amount", value: "2240", kind: "I128", indexed: false },
];

/** A lending pool's `submit(from, spender, to, requests: Vec<Request>)`, `Request` being a struct. */
const POOL_SPEC: StellarContractSpecEntry[] = [
  {
    udt_struct_v0: {
      name: "Request",
      fields: [
        { name: "address", type_: "address" },
        { name: "amount", type_: "i128" },
        { name: "request_type", type_: "u32" },
      ],
    },
  },
  {
    function_v0: {
      name: "submit",
      inputs: [
        { name: "from", type_: "address" },
        { name: "spender", type_: "address" },
        { name: "to", type_: "address" },
        { name: "requests", type_: { vec: { element_type: { udt: { name: "Request" } } } } },
      ],
      outputs: [],
    },
  },
];
const SUBMIT = "submit(Address,Address,Address,Vec<Request>)";

describe("function matching with an inline spec (ST-11)", () => {
  it("matches increment() on the monitored counter contract, without fetching a spec", () => {
    const monitor = stellarMonitor([{ address: COUNTER_CONTRACT, contract_spec: SPEC }], {
      functions: [{ signature: "increment()", expression: null }],
    });
    const { compiled } = compileMonitors([define(monitor)], { networkChains: NETWORK_CHAINS });
    expect(compiled.missingStellarSpecs(NETWORK)).toEqual([]);

    const { matches } = run([monitor]);
    expect(hashes(matches)).toEqual([TX_INCREMENT]);
    expect(matches[0]?.payload.matched_on).toEqual({
      functions: [{ signature: "increment()", expression: null }],
      events: [],
      transactions: [],
    });
    expect(matches[0]?.payload.matched_on_args).toEqual({
      functions: [{ signature: "increment()", args: [] }],
      events: null,
    });
  });
});

describe("function matching with fetched specs", () => {
  const transferMonitor = (expression: string | null, signature = "transfer(Address,Address,I128)") =>
    stellarMonitor(MONITOR_ADDRESSES, { functions: [{ signature, expression }] });

  it("matches transfer(Address,Address,I128) with `amount > 1000` and names args from the spec", () => {
    const { matches } = run([transferMonitor("amount > 1000")], { specs: fetchedSpecs(MONITOR_ADDRESSES) });
    expect(hashes(matches)).toEqual([TX_TRANSFER]);
    expect(matches[0]?.payload.matched_on.functions).toEqual([
      { signature: "transfer(Address,Address,I128)", expression: "amount > 1000" },
    ]);
    expect(matches[0]?.payload.matched_on_args.functions).toEqual([
      { signature: "transfer(Address,Address,I128)", args: TRANSFER_ARGS },
    ]);
    expect(Object.keys(matches[0]?.payload.matched_on_args.functions?.[0]?.args[0] ?? {})).toEqual([
      "name",
      "value",
      "kind",
      "indexed",
    ]);
  });

  it("evaluates the arguments: addresses, i128 amounts", () => {
    const specs = fetchedSpecs(MONITOR_ADDRESSES);
    for (const [expression, expected] of [
      ["amount > 5000", []],
      ["amount == 2240", [TX_TRANSFER]],
      [`from == ${FROM_ACCOUNT.toLowerCase()} AND to starts_with 'cc7y'`, [TX_TRANSFER]],
      ["amount > 1000 AND to == GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY", []],
    ] as const) {
      expect(hashes(run([transferMonitor(expression)], { specs }).matches), expression).toEqual(expected);
    }
  });

  it("compares signatures trimmed, without spaces and case-insensitively", () => {
    const specs = fetchedSpecs(MONITOR_ADDRESSES);
    const spaced = run([transferMonitor(null, "  transfer(Address, Address, I128) ")], { specs });
    expect(hashes(spaced.matches)).toEqual([TX_TRANSFER]);
    const lower = run([transferMonitor(null, "TRANSFER(address,address,i128)")], { specs });
    expect(hashes(lower.matches)).toEqual([TX_TRANSFER]);
    // The record carries the spec's canonical signature, not the condition's spelling.
    expect(lower.matches[0]?.payload.matched_on.functions).toEqual([
      { signature: "transfer(Address,Address,I128)", expression: null },
    ]);
    // A condition without expression records the args too.
    expect(lower.matches[0]?.payload.matched_on_args.functions?.[0]?.args).toEqual(TRANSFER_ARGS);
  });

  it("matches upsert_data(Map<String,String>) through the Map< prefix relaxation, with nested-field expressions", () => {
    const monitor = stellarMonitor(MONITOR_ADDRESSES, {
      functions: [
        {
          signature: "upsert_data(Map<String,String>)",
          expression: "data.myKey1 >= 1234 AND data.myKey2 == 'Hello, world!'",
        },
      ],
    });
    const { matches } = run([monitor], { specs: fetchedSpecs(MONITOR_ADDRESSES) });
    expect(hashes(matches)).toEqual([TX_UPSERT]);
    expect(matches[0]?.payload.matched_on_args.functions).toEqual([
      {
        signature: "upsert_data(Map<String,String>)",
        args: [{ name: "data", value: '{"myKey1":1234,"myKey2":"Hello, world!"}', kind: "Map", indexed: false }],
      },
    ]);
    for (const expression of ["data.myKey1 > 1234", "data.myKey2 == 'Goodbye'", "data contains 'nope'"]) {
      const other = stellarMonitor([UPSERT_CONTRACT], {
        functions: [{ signature: "upsert_data(Map<String,String>)", expression }],
      });
      expect(run([other], { specs: fetchedSpecs([UPSERT_CONTRACT]) }).matches, expression).toEqual([]);
    }
    const contains = stellarMonitor([UPSERT_CONTRACT], {
      functions: [{ signature: "upsert_data(Map<String,String>)", expression: "data contains 'Hello, world!'" }],
    });
    expect(hashes(run([contains], { specs: fetchedSpecs([UPSERT_CONTRACT]) }).matches)).toEqual([TX_UPSERT]);
  });

  it("matches nothing on a monitored contract whose spec has no compatible function (set_price)", () => {
    const monitor = stellarMonitor([ORACLE_CONTRACT], {
      functions: [
        { signature: "set_price(Vec<I128>,U64)", expression: null },
        { signature: "set_price(Vec,U64)", expression: null },
      ],
    });
    expect(run([monitor], { specs: fetchedSpecs([ORACLE_CONTRACT]) }).matches).toEqual([]);
  });

  it("matches nothing when the spec's function has other kinds: the runtime signature is not in the spec", () => {
    const u64Transfer: StellarContractSpecEntry[] = [
      {
        function_v0: {
          name: "transfer",
          inputs: [
            { name: "from", type_: "address" },
            { name: "to", type_: "address" },
            { name: "amount", type_: "u64" },
          ],
          outputs: [],
        },
      },
    ];
    for (const signature of ["transfer(Address,Address,U64)", "transfer(Address,Address,I128)"]) {
      const monitor = stellarMonitor([USDC_SAC], { functions: [{ signature, expression: null }] });
      expect(run([monitor], { specs: fetchedSpecs([USDC_SAC], u64Transfer) }).matches).toEqual([]);
    }
  });

  it("never matches a contract without a spec, and reports it through missingStellarSpecs", () => {
    const monitor = transferMonitor(null);
    const { compiled } = compileMonitors([define(monitor)], { networkChains: NETWORK_CHAINS });
    expect(compiled.missingStellarSpecs(NETWORK)).toEqual(MONITOR_ADDRESSES);
    expect(compiled.missingStellarSpecs("other_network")).toEqual([]);
    expect(run([monitor]).matches).toEqual([]);

    // Specs supplied for another network do not count.
    expect(run([monitor], { specs: { other_network: new Map([[USDC_SAC, SPEC]]) } }).matches).toEqual([]);

    // A spec supplied as [] ("fetched, none") is no longer missing, and still matches nothing.
    const none = new Map(MONITOR_ADDRESSES.map((address) => [address, [] as StellarContractSpecEntry[]]));
    const recompiled = compileMonitors([define(monitor)], {
      networkChains: NETWORK_CHAINS,
      stellarContractSpecs: { [NETWORK]: none },
    });
    expect(recompiled.compiled.missingStellarSpecs(NETWORK)).toEqual([]);
    expect(run([monitor], { specs: { [NETWORK]: none } }).matches).toEqual([]);
  });

  it("looks fetched specs up case-insensitively and lists each missing contract once", () => {
    const monitors = [
      stellarMonitor([USDC_SAC, ` ${USDC_SAC.toLowerCase()} `], {
        functions: [{ signature: "x()", expression: null }],
      }),
      stellarMonitor([USDC_SAC, COUNTER_CONTRACT], { events: [{ signature: "x()", expression: null }] }),
      stellarMonitor([ORACLE_CONTRACT], { transactions: [{ status: "Any", expression: null }] }),
    ];
    const { compiled } = compileMonitors(
      monitors.map((m) => define(m)),
      { networkChains: NETWORK_CHAINS },
    );
    // Monitors with only transaction conditions never decode calls or events, so need no spec.
    expect(compiled.missingStellarSpecs(NETWORK)).toEqual([USDC_SAC, COUNTER_CONTRACT]);

    const lowerCased = { [NETWORK]: new Map([[USDC_SAC.toLowerCase(), SPEC]]) };
    const transfer = stellarMonitor([USDC_SAC], {
      functions: [{ signature: "transfer(Address,Address,I128)", expression: null }],
    });
    expect(hashes(run([transfer], { specs: lowerCased }).matches)).toEqual([TX_TRANSFER]);
  });

  it("prefers a monitor's inline spec over a fetched one", () => {
    const inline: StellarContractSpecEntry[] = [{ function_v0: { name: "transfer", inputs: [], outputs: [] } }];
    const monitor = stellarMonitor([{ address: USDC_SAC, contract_spec: inline }], {
      functions: [{ signature: "transfer(Address,Address,I128)", expression: null }],
    });
    expect(run([monitor], { specs: fetchedSpecs([USDC_SAC]) }).matches).toEqual([]);
  });

  it("matches submit(..., Vec<Request>) through the Vec< relaxation and evaluates `contains` on the requests", () => {
    const specs = fetchedSpecs([POOL_CONTRACT], POOL_SPEC);
    const submit = txHash(TX_SUBMIT_PREFIX);
    const requests =
      '[{"address":"CAS3J7GYLGXMF6TDJBBYYSE3HQ6BBSMLNUQ34T6TZMYMW2EVH34XOWMA","amount":{"type":"I128","value":"699998999"},"request_type":3}]';
    const account = "GBXZIT7UWJ5ENMUZZAU2DNC7DYMU6YSVPTHVRPJIBCAFBHBNZVWW7FMJ";

    const plain = run([stellarMonitor([POOL_CONTRACT], { functions: [{ signature: SUBMIT, expression: null }] })], {
      specs,
    });
    expect(hashes(plain.matches)).toEqual([submit]);
    expect(plain.matches[0]?.payload.matched_on_args.functions).toEqual([
      {
        signature: SUBMIT,
        args: [
          { name: "from", value: account, kind: "Address", indexed: false },
          { name: "spender", value: account, kind: "Address", indexed: false },
          { name: "to", value: account, kind: "Address", indexed: false },
          { name: "requests", value: requests, kind: "Vec", indexed: false },
        ],
      },
    ]);

    for (const [expression, matched] of [
      ["requests contains 'cas3j7gylgxmf6tdjbbyyse3hq6bbsmlnuq34t6tzmymw2evh34xowma'", true],
      ["requests contains 699998999", true],
      ["requests contains 3", true],
      ["requests contains 'I128'", false],
      ["requests[0].request_type == 3", true],
      ["requests[0].amount.value == '699998999'", true],
      ["requests[0].address == CAS3J7GYLGXMF6TDJBBYYSE3HQ6BBSMLNUQ34T6TZMYMW2EVH34XOWMA AND from == to", false],
      [`requests[0].request_type >= 2 AND from == ${account}`, true],
    ] as const) {
      const monitor = stellarMonitor([POOL_CONTRACT], { functions: [{ signature: SUBMIT, expression }] });
      expect(run([monitor], { specs }).matches.length, expression).toBe(matched ? 1 : 0);
    }
  });

  it("records the first condition that passes for each invocation", () => {
    const monitor = stellarMonitor([USDC_SAC], {
      functions: [
        { signature: "transfer(Address,Address,I128)", expression: "amount > 5000" },
        { signature: "increment()", expression: null },
        { signature: "transfer(Address,Address,I128)", expression: "amount > 1000" },
        { signature: "transfer(Address,Address,I128)", expression: null },
      ],
    });
    const { matches } = run([monitor], { specs: fetchedSpecs([USDC_SAC]) });
    expect(matches[0]?.payload.matched_on.functions).toEqual([
      { signature: "transfer(Address,Address,I128)", expression: "amount > 1000" },
    ]);
    expect(matches[0]?.payload.matched_on_args.functions).toHaveLength(1);
  });

  it("combines with transaction conditions and event conditions per the decision table", () => {
    const specs = fetchedSpecs([USDC_SAC]);
    const functions = [{ signature: "transfer(Address,Address,I128)", expression: null }];
    const failing = stellarMonitor([USDC_SAC], { functions, transactions: [{ status: "Failure", expression: null }] });
    expect(run([failing], { specs }).matches).toEqual([]);

    const passing = stellarMonitor([USDC_SAC], {
      functions,
      events: [{ signature: "mint(Address,I128)", expression: null }],
      transactions: [{ status: "Success", expression: "value == 0" }],
    });
    const [match] = run([passing], { specs }).matches;
    expect(match?.payload.matched_on).toEqual({
      functions: [{ signature: "transfer(Address,Address,I128)", expression: null }],
      events: [],
      transactions: [{ status: "Success", expression: "value == 0" }],
    });
    expect(match?.payload.matched_on_args.events).toBeNull();
  });

  it("reads invocations of fee-bump inner transactions, which contribute no operations to transaction conditions", () => {
    const feeBumped = {
      ...LEDGER,
      transactions: LEDGER.transactions.map((tx) =>
        tx.hash === TX_TRANSFER ? { ...tx, envelopeKind: "fee_bump" as const, operations: [] } : tx,
      ),
    };
    const monitor = stellarMonitor([USDC_SAC], {
      functions: [{ signature: "transfer(Address,Address,I128)", expression: "amount == 2240" }],
      transactions: [{ status: "Success", expression: "value == 0" }],
    });
    expect(hashes(run([monitor], { specs: fetchedSpecs([USDC_SAC]), ledger: feeBumped }).matches)).toEqual([
      TX_TRANSFER,
    ]);
  });
});

describe("argument construction helpers", () => {
  it("relaxes Vec<, Map< and Tuple< kinds to their prefix, and nothing else", () => {
    expect(kindsCompatible("Address", "Address")).toBe(true);
    expect(kindsCompatible("Map<String,String>", "Map<String,U32,String>")).toBe(true);
    expect(kindsCompatible("Vec<Request>", "Vec<Map<String,Address,I128,U32>>")).toBe(true);
    expect(kindsCompatible("Tuple<U32,U32>", "Tuple<U32>")).toBe(true);
    expect(kindsCompatible("Vec<I128>", "Map<String,I128>")).toBe(false);
    expect(kindsCompatible("Tuple<U32,U32>", "Vec<U32>")).toBe(false);
    expect(kindsCompatible("Bytes", "Bytes32")).toBe(false);
    expect(kindsCompatible("Request", "Map<String,Address>")).toBe(false);
    expect(kindsCompatible("Void", "U32")).toBe(false);
  });

  it("names args by position and derives kinds from their JSON form when there is no spec input", () => {
    const transfer = LEDGER.transactions.find((tx) => tx.hash === TX_TRANSFER)?.invocations[0];
    expect(callArgs(transfer?.args ?? [], null)).toEqual([
      { name: "0", value: FROM_ACCOUNT, kind: "Address", indexed: false },
      { name: "1", value: "CC7YMFMYZM2HE6O3JT5CNTFBHVXCZTV7CEYT56IGBHR4XFNTGTN62CPT", kind: "Address", indexed: false },
      { name: "2", value: "2240", kind: "I128", indexed: false },
    ]);
    expect(
      callArgs(
        [
          { type: "u32", value: 7 },
          { type: "i64", value: "-3" },
          { type: "bool", value: true },
          { type: "void" },
          { type: "string", value: "hello" },
          { type: "bytes", hex: "ab01" },
        ],
        null,
      ).map((arg) => [arg.value, arg.kind]),
    ).toEqual([
      ["7", "U64"],
      ["-3", "I64"],
      ["true", "Bool"],
      ["", "Null"],
      ["hello", "String"],
      ["ab01", "String"],
    ]);
  });
});
