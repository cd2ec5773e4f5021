/**
 * `evaluateBlock()` against OZ's real-chain EVM fixtures: the public conformance cases (EVM-02b, 05, 11, 15, 18, 19)
 * and the cases of the same kind around them (event / function / transaction matching, tuples, increment()).
 */
import { describe, expect, it } from "vitest";
import {
  compileMonitors,
  type EvmBlock,
  type EvmMonitorMatch,
  evaluateBlock,
  type MonitorDefinition,
} from "../../../src/engine/index.js";
import {
  block,
  COUNTER,
  define,
  ERC20_ABI,
  loadMonitor,
  loadReceipts,
  monitorFor,
  TUPLES,
  TX_INCREMENT,
  TX_SWAP,
  TX_TUPLES,
  TX_USDC,
  USDC,
  WETH,
  withConditions,
} from "./fixtures.js";

type Monitor = MonitorDefinition["monitor"];

const NETWORK = "ethereum_mainnet";
const BLOCK_0 = "0x1451aca";
const TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
const RECIPIENT = "0xf423d9c1ffeb6386639d024f3b241dab2331b635";
const SENDER = "0x58b704065b7aff3ed351052f8560019e05925023";

function run(monitors: Monitor[], evmBlock: EvmBlock = block(BLOCK_0)) {
  const { compiled, diagnostics } = compileMonitors(monitors.map((monitor) => define(monitor)));
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return evaluateBlock(compiled, NETWORK, evmBlock);
}

function matchesOf(monitors: Monitor[], evmBlock?: EvmBlock): EvmMonitorMatch[] {
  return run(monitors, evmBlock).matches;
}

const base = loadMonitor("monitor.json");
const usdcReceipt = loadReceipts().find((r) => r.transactionHash === TX_USDC);

const usdcTransferCall = {
  signature: "transfer(address,uint256)",
  args: [
    { name: "to", value: RECIPIENT, indexed: false, kind: "address" },
    { name: "value", value: "8181710000", indexed: false, kind: "uint256" },
  ],
  hex_signature: "0xa9059cbb",
};
const usdcTransferEvent = {
  signature: "Transfer(address,address,uint256)",
  args: [
    { name: "from", value: SENDER, indexed: true, kind: "address" },
    { name: "to", value: RECIPIENT, indexed: true, kind: "address" },
    { name: "value", value: "8181710000", indexed: false, kind: "uint256" },
  ],
  hex_signature: TRANSFER_TOPIC,
};

describe("evaluateBlock() with OZ's monitor.json on block 0x1451aca", () => {
  it("matches the USDC transfer on its function, event and transaction conditions (EVM-01)", () => {
    const matches = matchesOf([base]);
    expect(matches).toHaveLength(1);
    const [match] = matches;
    const evmBlock = block(BLOCK_0);
    const entry = evmBlock.transactions[1];
    expect(match?.transactionHash).toBe(TX_USDC);
    expect(match?.transactionIndex).toBe(1);
    expect(match?.blockNumber).toBe(21306058n);
    expect(match?.blockHash).toBe(evmBlock.hash);
    expect(match?.networkSlug).toBe(NETWORK);
    expect(match?.payload).toEqual({
      monitor: {
        ...base,
        addresses: base.addresses.map((a) => ({ ...a, contract_spec: null })),
      },
      transaction: entry?.transaction,
      receipt: usdcReceipt,
      logs: usdcReceipt?.logs,
      network_slug: NETWORK,
      matched_on: {
        functions: [{ signature: "transfer(address,uint256)", expression: "value > 0" }],
        events: [
          {
            signature: "Transfer(address,address,uint256)",
            expression:
              "to == 0xf423d9c1ffeb6386639d024f3b241dab2331b635 AND from == 0x58b704065b7aff3ed351052f8560019e05925023 AND value > 8000000000",
          },
        ],
        transactions: [{ status: "Success", expression: "value >= 0" }],
      },
      matched_on_args: { functions: [usdcTransferCall], events: [usdcTransferEvent] },
    });
  });

  it("matches a Transfer event on its decoded value (EVM-02) and not when the value is not above it (EVM-02b)", () => {
    const events = (expression: string) =>
      withConditions(base, { events: [{ signature: "Transfer(address,address,uint256)", expression }] });
    const [match] = matchesOf([events("value > 8000000000")]);
    expect(match?.transactionHash).toBe(TX_USDC);
    expect(match?.payload.matched_on).toEqual({
      functions: [],
      events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 8000000000" }],
      transactions: [],
    });
    expect(match?.payload.matched_on_args).toEqual({ functions: null, events: [usdcTransferEvent] });
    expect(matchesOf([events("value == 8181710000")])).toHaveLength(1);
    expect(matchesOf([events("value > 8181710000")])).toEqual([]);
    expect(matchesOf([events(`from == ${SENDER} AND to == ${RECIPIENT}`)])).toHaveLength(1);
    expect(matchesOf([events(`to == ${SENDER}`)])).toEqual([]);
  });

  it("matches an event condition without expression on the signature alone, whatever its spacing and case", () => {
    const [match] = matchesOf([
      withConditions(base, { events: [{ signature: " transfer( ADDRESS , address,uint256 ) ", expression: null }] }),
    ]);
    expect(match?.payload.matched_on.events).toEqual([
      { signature: "Transfer(address,address,uint256)", expression: null },
    ]);
    expect(match?.payload.matched_on_args.events).toEqual([usdcTransferEvent]);
  });

  it("matches transfer(address,uint256) calls with decoded args and a 0x-prefixed selector (EVM-03/04)", () => {
    const functions = (expression: string | null) =>
      withConditions(base, { functions: [{ signature: "transfer(address, uint256)", expression }] });
    for (const expression of [null, "value > 0", `to == ${RECIPIENT}`, "value == 8181710000"]) {
      const [match] = matchesOf([functions(expression)]);
      expect(match?.transactionHash).toBe(TX_USDC);
      expect(match?.payload.matched_on).toEqual({
        functions: [{ signature: "transfer(address,uint256)", expression }],
        events: [],
        transactions: [],
      });
      // Argus decision (§15, quirk 6): "0x" + selector whether or not the condition has an expression.
      expect(match?.payload.matched_on_args).toEqual({ functions: [usdcTransferCall], events: null });
    }
    expect(matchesOf([functions("value > 8181710000")])).toEqual([]);
    expect(matchesOf([functions(`to == ${SENDER}`)])).toEqual([]);
  });

  it("only considers the first matching condition of a list, in order", () => {
    const [match] = matchesOf([
      withConditions(base, {
        functions: [
          { signature: "transfer(address,uint256)", expression: "value > 9000000000" },
          { signature: "approve(address,uint256)", expression: null },
          { signature: "transfer(address,uint256)", expression: "value > 1" },
          { signature: "transfer(address,uint256)", expression: null },
        ],
      }),
    ]);
    expect(match?.payload.matched_on.functions).toEqual([
      { signature: "transfer(address,uint256)", expression: "value > 1" },
    ]);
  });

  it("matches successful transactions to a monitored address, without receipts being the reason (EVM-05)", () => {
    const matches = matchesOf([withConditions(base, { transactions: [{ status: "Success", expression: null }] })]);
    expect(matches.map((m) => m.transactionHash)).toEqual([TX_USDC]);
    expect(matches[0]?.payload.matched_on).toEqual({
      functions: [],
      events: [],
      transactions: [{ status: "Success", expression: null }],
    });
    expect(matches[0]?.payload.matched_on_args).toEqual({ functions: null, events: null });
    expect(matches[0]?.payload.receipt).toEqual(usdcReceipt);
  });

  it("does not match Failure conditions on successful transactions, and matches Any", () => {
    expect(matchesOf([withConditions(base, { transactions: [{ status: "Failure", expression: null }] })])).toEqual([]);
    const [match] = matchesOf([withConditions(base, { transactions: [{ status: "Any", expression: null }] })]);
    expect(match?.payload.matched_on.transactions).toEqual([{ status: "Success", expression: null }]);
    expect(match?.payload.receipt).toBeNull();
  });

  it("evaluates transaction expressions on value, from, to, hash, input and gas_used", () => {
    const tx = (expression: string) =>
      matchesOf([withConditions(base, { transactions: [{ status: "Any", expression }] })]).map(
        (m) => m.transactionHash,
      );
    expect(tx("value == 0")).toEqual([TX_USDC]);
    expect(tx("value > 0")).toEqual([]);
    expect(tx(`from == ${SENDER}`)).toEqual([TX_USDC]);
    expect(tx(`to == ${USDC.toUpperCase().replace("0X", "0x")}`)).toEqual([TX_USDC]);
    expect(tx(`hash == '${TX_USDC}'`)).toEqual([TX_USDC]);
    expect(tx("input starts_with '0xa9059cbb'")).toEqual([TX_USDC]);
    expect(tx("gas_used == 62272")).toEqual([TX_USDC]);
    expect(tx("gas_used > 62272")).toEqual([]);
    expect(tx("nonce >= 0 AND gas_limit > 0 AND gas_price > 0 AND transaction_index == 175")).toEqual([TX_USDC]);
  });

  it("carries the receipt when a transaction expression mentions gas_used, even with status Any", () => {
    const [match] = matchesOf([
      withConditions(base, { transactions: [{ status: "Any", expression: "gas_used > 0" }] }),
    ]);
    expect(match?.payload.receipt).toEqual(usdcReceipt);
  });

  it("omits the receipt when no condition needs it (EVM-11)", () => {
    const matches = matchesOf([
      withConditions(base, {
        functions: [{ signature: "transfer(address,uint256)", expression: null }],
        events: [{ signature: "Transfer(address,address,uint256)", expression: null }],
        transactions: [],
      }),
    ]);
    expect(matches).toHaveLength(1);
    const payload = matches[0]?.payload;
    expect(payload?.receipt).toBeNull();
    expect(payload?.logs).toEqual(usdcReceipt?.logs);
    expect(payload?.logs.length).toBeGreaterThan(0);
    expect(payload?.matched_on.functions).toEqual([{ signature: "transfer(address,uint256)", expression: null }]);
    expect(payload?.matched_on.events).toEqual([{ signature: "Transfer(address,address,uint256)", expression: null }]);
    expect(payload?.matched_on.transactions).toEqual([]);
    expect(payload?.matched_on_args.functions?.[0]?.hex_signature).toBe("0xa9059cbb");
  });

  it("never matches a monitor without addresses, and gates on the sender's address (EVM-18)", () => {
    const anyTx = { transactions: [{ status: "Any" as const, expression: null }] };
    expect(matchesOf([monitorFor([], anyTx)])).toEqual([]);
    const matches = matchesOf([monitorFor([{ address: "0x8654155e325ef0778428e7c0ddd1559efbc20523" }], anyTx)]);
    expect(matches.map((m) => m.transactionHash)).toEqual([TX_SWAP]);
  });

  it("matches an event emitted by a monitored contract in someone else's transaction (EVM-19)", () => {
    const wethAbi = [
      {
        type: "event",
        name: "Transfer",
        anonymous: false,
        inputs: [
          { indexed: true, name: "src", type: "address" },
          { indexed: true, name: "dst", type: "address" },
          { indexed: false, name: "wad", type: "uint256" },
        ],
      },
    ];
    const matches = matchesOf([
      monitorFor([{ address: WETH, abi: wethAbi }], {
        events: [{ signature: "Transfer(address,address,uint256)", expression: null }],
      }),
    ]);
    expect(matches.map((m) => m.transactionHash)).toEqual([TX_SWAP]);
    expect(matches[0]?.payload.matched_on_args.events).toEqual([
      {
        signature: "Transfer(address,address,uint256)",
        args: [
          { name: "src", value: "0x80a64c6d7f12c47b7c66c5b4e20e72bc1fcd5d9e", indexed: true, kind: "address" },
          { name: "dst", value: "0x60af8cf92e5aa9ead4a592d657cd6debecfbc616", indexed: true, kind: "address" },
          { name: "wad", value: "1500000000000000000", indexed: false, kind: "uint256" },
        ],
        hex_signature: TRANSFER_TOPIC,
      },
    ]);
    expect(matches[0]?.payload.logs).toHaveLength(6);
  });

  it("records one event entry per matching log (two Transfer logs in one transaction)", () => {
    const token = "0xd1f2586790a5bd6da1e443441df53af6ec213d83";
    const [match, ...rest] = matchesOf([
      monitorFor([{ address: token, abi: ERC20_ABI }], {
        events: [{ signature: "Transfer(address,address,uint256)", expression: null }],
      }),
    ]);
    expect(rest).toEqual([]);
    expect(match?.transactionHash).toBe(TX_SWAP);
    expect(match?.payload.matched_on.events).toHaveLength(2);
    expect(match?.payload.matched_on_args.events?.map((e) => e.args.map((a) => a.value))).toEqual([
      ["0x60af8cf92e5aa9ead4a592d657cd6debecfbc616", token, BigInt("0x106015728793d21f77ac").toString()],
      [
        "0x60af8cf92e5aa9ead4a592d657cd6debecfbc616",
        "0x8654155e325ef0778428e7c0ddd1559efbc20523",
        BigInt("0x01890202bcb5dbb2f33824").toString(),
      ],
    ]);
    const filtered = matchesOf([
      monitorFor([{ address: token, abi: ERC20_ABI }], {
        events: [{ signature: "Transfer(address,address,uint256)", expression: `to == ${token}` }],
      }),
    ]);
    expect(filtered[0]?.payload.matched_on_args.events).toHaveLength(1);
  });

  it("skips logs whose emitter has no ABI, and events the ABI does not know", () => {
    const events = { events: [{ signature: "Transfer(address,address,uint256)", expression: null }] };
    expect(matchesOf([monitorFor([{ address: WETH }], events)])).toEqual([]);
    const approvalOnly = ERC20_ABI.filter((item) => item.type === "function");
    expect(matchesOf([monitorFor([{ address: WETH, abi: approvalOnly }], events)])).toEqual([]);
  });

  it("decodes events with the ABI of the first monitored entry for that address", () => {
    const events = { events: [{ signature: "Transfer(address,address,uint256)", expression: null }] };
    // First entry without ABI: OZ takes that entry's (missing) inline spec, so the log is skipped.
    expect(matchesOf([monitorFor([{ address: WETH }, { address: WETH, abi: ERC20_ABI }], events)])).toEqual([]);
    expect(matchesOf([monitorFor([{ address: WETH, abi: ERC20_ABI }, { address: WETH }], events)])).toHaveLength(1);
  });

  it("normalises a 0X-prefixed, upper-case monitored address like 0x (§15)", () => {
    const upper = `0X${USDC.slice(2).toUpperCase()}`;
    const matches = matchesOf([
      monitorFor([{ address: upper, abi: ERC20_ABI }], {
        events: [{ signature: "Transfer(address,address,uint256)", expression: null }],
      }),
    ]);
    expect(matches.map((m) => m.transactionHash)).toEqual([TX_USDC]);
  });

  it("matches every transaction touching a monitored address when no condition is configured", () => {
    const [match, ...rest] = matchesOf([monitorFor([{ address: USDC }])]);
    expect(rest).toEqual([]);
    expect(match?.transactionHash).toBe(TX_USDC);
    expect(match?.payload.matched_on).toEqual({ functions: [], events: [], transactions: [] });
    expect(match?.payload.matched_on_args).toEqual({ functions: null, events: null });
  });

  it("ignores paused monitors", () => {
    expect(matchesOf([{ ...base, paused: true }])).toEqual([]);
  });
});

describe("evaluateBlock() on the other fixture blocks", () => {
  it("matches increment() on block 0x7d6b60 through monitor.json's second address", () => {
    const matches = matchesOf([base], block("0x7d6b60"));
    expect(matches).toHaveLength(1);
    const payload = matches[0]?.payload;
    expect(matches[0]?.transactionHash).toBe(TX_INCREMENT);
    expect(payload?.transaction.to).toBe(COUNTER);
    expect(payload?.matched_on).toEqual({
      functions: [{ signature: "increment()", expression: null }],
      events: [],
      transactions: [{ status: "Success", expression: "value >= 0" }],
    });
    expect(payload?.matched_on_args).toEqual({
      functions: [{ signature: "increment()", args: [], hex_signature: "0xd09de08a" }],
      events: null,
    });
  });

  it("decodes the nested struct of inputNestedStruct on block 0x19b7a39 and matches `contains` on it", () => {
    const tuples = loadMonitor("monitor_with_tuples.json");
    const matches = matchesOf([tuples], block("0x19b7a39"));
    expect(matches).toHaveLength(1);
    const payload = matches[0]?.payload;
    expect(matches[0]?.transactionHash).toBe(TX_TUPLES);
    expect(payload?.transaction.to).toBe(TUPLES);
    const signature = "inputNestedStruct((bool,string,string,uint256,address,string[],(string,uint256)))";
    expect(payload?.matched_on).toEqual({
      functions: [{ signature, expression: "nestedStruct contains 'The Book Title'" }],
      events: [],
      transactions: [{ status: "Success", expression: null }],
    });
    expect(payload?.matched_on_args).toEqual({
      functions: [
        {
          signature,
          args: [
            {
              name: "nestedStruct",
              value:
                '(true,"The Book Title","Author Name",123,"0x1234567890abcdef1234567890abcdef12345678",["fiction","bestseller"],("The Sequel",321))',
              indexed: false,
              kind: "tuple",
            },
          ],
          hex_signature: "0xf7f0b74b",
        },
      ],
      events: null,
    });
    // The fixture has no receipt for this transaction: status assumed Success, receipt null.
    expect(payload?.receipt).toBeNull();
    expect(payload?.monitor.addresses).toEqual([{ address: tuples.addresses[0]?.address, contract_spec: null }]);
  });

  it("does not match the tuple monitor when the struct lacks the searched value", () => {
    const tuples = loadMonitor("monitor_with_tuples.json");
    const other = withConditions(tuples, {
      functions: [
        {
          signature: "inputNestedStruct((bool,string,string,uint256,address,string[],(string,uint256)))",
          expression: "nestedStruct contains 'Another Title'",
        },
      ],
      transactions: [{ status: "Success", expression: null }],
    });
    expect(matchesOf([other], block("0x19b7a39"))).toEqual([]);
  });
});
