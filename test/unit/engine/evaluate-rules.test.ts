/**
 * `evaluateBlock()` rules beyond the fixtures' happy paths: receipt-based status (§15), the decision table,
 * expression failures as diagnostics, contract creation, ordering, match ids and the JSON form.
 */
import { describe, expect, it } from "vitest";
import { transactionParams } from "../../../src/engine/evm/transaction.js";
import {
  compileMonitors,
  EngineError,
  type EvmBlock,
  evaluateBlock,
  type Hex,
  type MonitorDefinition,
  matchId,
  type RpcTransaction,
  toMatchJson,
} from "../../../src/engine/index.js";
import { block, define, ERC20_ABI, monitorFor, TX_ETH, TX_SWAP, TX_USDC, USDC } from "./fixtures.js";

type Monitor = MonitorDefinition["monitor"];
type Conditions = Partial<Monitor["match_conditions"]>;

const NETWORK = "ethereum_mainnet";
const TRANSFER_EVENT = "Transfer(address,address,uint256)";
const TRANSFER_FN = "transfer(address,uint256)";

function evaluate(monitors: Monitor[], evmBlock: EvmBlock = block("0x1451aca")) {
  const { compiled } = compileMonitors(monitors.map((monitor) => define(monitor)));
  return evaluateBlock(compiled, NETWORK, evmBlock);
}

function usdc(conditions: Conditions): Monitor {
  return monitorFor([{ address: USDC, abi: ERC20_ABI }], conditions);
}

/** Block 0x1451aca with the USDC transfer's receipt marked reverted (status 0x0); the block keeps its logs. */
function blockWithRevertedTransfer(): EvmBlock {
  const original = block("0x1451aca");
  return {
    ...original,
    transactions: original.transactions.map((entry) =>
      entry.transaction.hash === TX_USDC && entry.receipt
        ? { ...entry, receipt: { ...structuredClone(entry.receipt), status: "0x0" as Hex } }
        : entry,
    ),
  };
}

describe("transaction status (§15: always from the receipt)", () => {
  it("reports a reverted transaction as Failure even though the block has logs", () => {
    const reverted = blockWithRevertedTransfer();
    expect(reverted.transactions.some((t) => t.logs.length > 0)).toBe(true);
    const failure = evaluate([usdc({ transactions: [{ status: "Failure", expression: null }] })], reverted).matches;
    expect(failure.map((m) => m.transactionHash)).toEqual([TX_USDC]);
    expect(failure[0]?.payload.matched_on.transactions).toEqual([{ status: "Failure", expression: null }]);
    expect(failure[0]?.payload.receipt?.status).toBe("0x0");
    expect(evaluate([usdc({ transactions: [{ status: "Success", expression: null }] })], reverted).matches).toEqual([]);
    const any = evaluate([usdc({ transactions: [{ status: "Any", expression: null }] })], reverted).matches;
    expect(any[0]?.payload.matched_on.transactions).toEqual([{ status: "Failure", expression: null }]);
  });

  it("assumes Success when the node returned no receipt, and gas_used is then empty (expression error)", () => {
    const original = block("0x1451aca");
    const noReceipts: EvmBlock = {
      ...original,
      transactions: original.transactions.map((entry) => ({ ...entry, receipt: null })),
    };
    const success = evaluate([usdc({ transactions: [{ status: "Success", expression: null }] })], noReceipts);
    expect(success.matches.map((m) => m.transactionHash)).toEqual([TX_USDC]);
    expect(success.matches[0]?.payload.receipt).toBeNull();
    const gas = evaluate([usdc({ transactions: [{ status: "Any", expression: "gas_used > 0" }] })], noReceipts);
    expect(gas.matches).toEqual([]);
    expect(gas.diagnostics).toMatchObject([
      {
        code: "ENGINE_EXPRESSION_FAILED",
        path: ["match_conditions", "transactions", 0, "expression"],
        cause: { kind: "ParseError" },
        transactionHash: TX_USDC,
      },
    ]);
  });
});

describe("transaction parameters (§3.2)", () => {
  it("exposes the table's names, kinds and decimal values", () => {
    const entry = block("0x1451aca").transactions[1];
    if (!entry) throw new Error("fixture changed");
    expect(transactionParams(entry)).toEqual([
      { name: "value", kind: "uint256", value: "0" },
      { name: "from", kind: "address", value: "0x58b704065b7aff3ed351052f8560019e05925023" },
      { name: "to", kind: "address", value: USDC },
      { name: "hash", kind: "string", value: TX_USDC },
      { name: "gas_price", kind: "uint256", value: BigInt(entry.transaction.gasPrice ?? "0x0").toString() },
      { name: "max_fee_per_gas", kind: "uint256", value: BigInt(entry.transaction.maxFeePerGas ?? "0x0").toString() },
      {
        name: "max_priority_fee_per_gas",
        kind: "uint256",
        value: BigInt(entry.transaction.maxPriorityFeePerGas ?? "0x0").toString(),
      },
      { name: "gas_limit", kind: "uint256", value: BigInt(entry.transaction.gas ?? "0x0").toString() },
      { name: "nonce", kind: "uint256", value: BigInt(entry.transaction.nonce ?? "0x0").toString() },
      { name: "input", kind: "string", value: entry.transaction.input },
      { name: "gas_used", kind: "uint256", value: "62272" },
      { name: "transaction_index", kind: "uint64", value: "175" },
    ]);
  });

  it("uses an empty `to` for contract creation and zeros for absent fee fields", () => {
    const creator = "0x00000000000000000000000000000000000000c1";
    const transaction: RpcTransaction = { hash: `0x${"12".repeat(32)}`, from: creator, to: null, input: "0x6080" };
    const params = transactionParams({ transaction, receipt: null, logs: [] });
    expect(params.find((p) => p.name === "to")?.value).toBe("");
    expect(params.find((p) => p.name === "gas_price")?.value).toBe("0");
    expect(params.find((p) => p.name === "max_fee_per_gas")?.value).toBe("0");
    expect(params.find((p) => p.name === "value")?.value).toBe("0");
    expect(params.find((p) => p.name === "transaction_index")?.value).toBe("0");
    expect(params.find((p) => p.name === "gas_used")?.value).toBe("");

    const creation: EvmBlock = {
      ...block("0x1451aca"),
      transactions: [{ transaction, receipt: null, logs: [] }],
    };
    const monitor = monitorFor([{ address: creator }], { transactions: [{ status: "Any", expression: "to == ''" }] });
    expect(evaluate([monitor], creation).matches.map((m) => m.transactionHash)).toEqual([transaction.hash]);
  });
});

describe("decision table (§3.5)", () => {
  const txSuccess = [{ status: "Success" as const, expression: null }];
  const txFailure = [{ status: "Failure" as const, expression: null }];
  const eventHit = [{ signature: TRANSFER_EVENT, expression: null }];
  const eventMiss = [{ signature: TRANSFER_EVENT, expression: "value > 9000000000" }];
  const fnHit = [{ signature: TRANSFER_FN, expression: null }];
  const fnMiss = [{ signature: TRANSFER_FN, expression: "value > 9000000000" }];

  const cases: Array<[string, Conditions, boolean]> = [
    ["no conditions: every transaction touching the address", {}, true],
    ["transactions only, matched", { transactions: txSuccess }, true],
    ["transactions only, unmatched", { transactions: txFailure }, false],
    ["events only, matched", { events: eventHit }, true],
    ["events only, unmatched", { events: eventMiss }, false],
    ["functions only, matched", { functions: fnHit }, true],
    ["events unmatched, functions matched", { events: eventMiss, functions: fnHit }, true],
    ["events matched, functions unmatched", { events: eventHit, functions: fnMiss }, true],
    ["events and functions unmatched", { events: eventMiss, functions: fnMiss }, false],
    ["event matched but transactions unmatched", { events: eventHit, transactions: txFailure }, false],
    ["function matched and transactions matched", { functions: fnHit, transactions: txSuccess }, true],
    ["nothing but transactions matched", { events: eventMiss, functions: fnMiss, transactions: txSuccess }, false],
  ];

  it.each(cases)("%s", (_name, conditions, expected) => {
    const { matches } = evaluate([usdc(conditions)]);
    expect(matches.map((m) => m.transactionHash)).toEqual(expected ? [TX_USDC] : []);
  });

  it("reports only the kinds that matched: the unmatched kind is emptied and its args are null", () => {
    const [match] = evaluate([usdc({ events: eventMiss, functions: fnHit })]).matches;
    expect(match?.payload.matched_on.events).toEqual([]);
    expect(match?.payload.matched_on_args.events).toBeNull();
    expect(match?.payload.matched_on.functions).toEqual([{ signature: TRANSFER_FN, expression: null }]);
  });
});

describe("expression failures", () => {
  it("turn into diagnostics, fail their condition only, and let the next condition match", () => {
    const { matches, diagnostics } = evaluate([
      usdc({
        events: [
          { signature: TRANSFER_EVENT, expression: "amount > 1" },
          { signature: TRANSFER_EVENT, expression: "value > 1" },
        ],
      }),
    ]);
    expect(matches).toHaveLength(1);
    expect(matches[0]?.payload.matched_on.events).toEqual([{ signature: TRANSFER_EVENT, expression: "value > 1" }]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: "ENGINE_EXPRESSION_FAILED",
      severity: "error",
      path: ["match_conditions", "events", 0, "expression"],
      cause: { kind: "VariableNotFound" },
      networkSlug: NETWORK,
      blockNumber: 21306058n,
      transactionHash: TX_USDC,
      occurrences: 1,
    });
    expect(diagnostics[0]?.monitorId).toMatch(/^monitor-/);
    expect(diagnostics[0]?.tenantId).toBe("tenant-a");
  });

  it("report unparsable expressions at compile time with the condition's JSON path; that condition never matches", () => {
    const monitor = usdc({
      functions: [
        { signature: TRANSFER_FN, expression: "value >" },
        { signature: TRANSFER_FN, expression: "value > 0" },
      ],
      transactions: [{ status: "Any", expression: "" }],
    });
    const definition = define(monitor);
    const { compiled, diagnostics } = compileMonitors([definition]);
    expect(diagnostics.map((d) => [d.code, d.monitorId, d.path])).toEqual([
      ["ENGINE_EXPRESSION_INVALID", definition.id, ["match_conditions", "functions", 0, "expression"]],
      ["ENGINE_EXPRESSION_INVALID", definition.id, ["match_conditions", "transactions", 0, "expression"]],
    ]);
    // The empty transaction expression can never match, so the monitor never matches.
    expect(evaluateBlock(compiled, NETWORK, block("0x1451aca")).matches).toEqual([]);
    const withoutTx = compileMonitors([define(usdc({ functions: monitor.match_conditions.functions }))]).compiled;
    const [match] = evaluateBlock(withoutTx, NETWORK, block("0x1451aca")).matches;
    expect(match?.payload.matched_on.functions).toEqual([{ signature: TRANSFER_FN, expression: "value > 0" }]);
  });

  it("are folded per monitor and condition within a block", () => {
    const { diagnostics } = evaluate([
      monitorFor([{ address: "0x8654155e325ef0778428e7c0ddd1559efbc20523" }, { address: USDC }], {
        transactions: [{ status: "Any", expression: "missing == 1" }],
      }),
      monitorFor(
        [
          { address: "0x58b704065b7aff3ed351052f8560019e05925023" },
          { address: "0x8654155e325ef0778428e7c0ddd1559efbc20523" },
        ],
        {
          transactions: [{ status: "Any", expression: "missing == 1" }],
        },
      ),
    ]);
    expect(diagnostics.map((d) => d.occurrences)).toEqual([2, 2]);
  });
});

describe("match order and identity", () => {
  const sender0 = "0x8654155e325ef0778428e7c0ddd1559efbc20523";
  const sender2 = "0xebdab9c607f3f655552e355b5b32f2cab959c5c4";

  it("orders matches by monitor in compile order, then by transaction order", () => {
    const first = define(monitorFor([{ address: USDC }]));
    const second = define(monitorFor([{ address: sender2 }, { address: sender0 }]));
    const { compiled } = compileMonitors([first, second]);
    const { matches } = evaluateBlock(compiled, NETWORK, block("0x1451aca"));
    expect(matches.map((m) => [m.monitorId, m.transactionHash])).toEqual([
      [first.id, TX_USDC],
      [second.id, TX_SWAP],
      [second.id, TX_ETH],
    ]);
    expect(matches.map((m) => m.transactionIndex)).toEqual([1, 0, 2]);
  });

  it("gives deterministic ids that depend on network, block hash, transaction, monitor id and version", () => {
    const definition = define(monitorFor([{ address: USDC }]), { id: "m-fixed", version: 3 });
    const once = evaluateBlock(compileMonitors([definition]).compiled, NETWORK, block("0x1451aca")).matches;
    const twice = evaluateBlock(compileMonitors([definition]).compiled, NETWORK, block("0x1451aca")).matches;
    expect(once.map((m) => m.id)).toEqual(twice.map((m) => m.id));
    expect(once[0]?.id).toMatch(/^0x[0-9a-f]{64}$/);
    const params = {
      networkSlug: NETWORK,
      blockHash: block("0x1451aca").hash,
      transactionIndex: 1,
      monitorId: "m-fixed",
      monitorVersion: 3,
    };
    expect(once[0]?.id).toBe(matchId(params));
    const variants = [
      { ...params, networkSlug: "sepolia" },
      { ...params, blockHash: `0x${"00".repeat(32)}` },
      { ...params, transactionIndex: 2 },
      { ...params, monitorId: "m-other" },
      { ...params, monitorVersion: 4 },
    ].map(matchId);
    expect(new Set([matchId(params), ...variants]).size).toBe(6);
    expect(matchId({ ...params, blockHash: params.blockHash.toUpperCase().replace("0X", "0x") })).toBe(matchId(params));
  });

  it("serialises as OZ's externally tagged match JSON with OZ's key order", () => {
    const [match] = evaluate([usdc({ events: [{ signature: TRANSFER_EVENT, expression: null }] })]).matches;
    if (!match) throw new Error("expected a match");
    const json = toMatchJson(match);
    expect(Object.keys(json)).toEqual(["EVM"]);
    expect(json.EVM).toBe(match.payload);
    const parsed = JSON.parse(JSON.stringify(json)) as { EVM: Record<string, unknown> };
    expect(Object.keys(parsed.EVM)).toEqual([
      "monitor",
      "transaction",
      "receipt",
      "logs",
      "network_slug",
      "matched_on",
      "matched_on_args",
    ]);
    const [entry] = (parsed.EVM.matched_on_args as { events: Array<{ args: object[] }> }).events;
    expect(Object.keys(entry ?? {})).toEqual(["signature", "args", "hex_signature"]);
    expect(Object.keys(entry?.args[0] ?? {})).toEqual(["name", "value", "indexed", "kind"]);
    expect(parsed.EVM.monitor).toMatchObject({ addresses: [{ address: USDC, contract_spec: null }] });
  });
});

describe("evaluateBlock() input checks", () => {
  it("throws ENGINE_BLOCK_CHAIN_MISMATCH for a non-EVM block and produces no matches (EVM-15)", () => {
    const { compiled } = compileMonitors([define(monitorFor([{ address: USDC }]))]);
    const stellarLedger = { chain: "Stellar", number: 172627n, transactions: [] } as unknown as EvmBlock;
    let thrown: unknown;
    try {
      evaluateBlock(compiled, NETWORK, stellarLedger);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EngineError);
    expect((thrown as EngineError).code).toBe("ENGINE_BLOCK_CHAIN_MISMATCH");
    expect((thrown as EngineError).message).toContain("Stellar");
  });

  it("returns nothing for a network without monitors", () => {
    const { compiled } = compileMonitors([define(monitorFor([{ address: USDC }]))]);
    expect(evaluateBlock(compiled, "sepolia", block("0x1451aca"))).toEqual({ matches: [], diagnostics: [] });
  });

  it("only compiles monitors for supported chains when chain families are given", () => {
    const monitor = { ...monitorFor([{ address: USDC }]), networks: [NETWORK, "solana_mainnet"] };
    const { compiled, diagnostics } = compileMonitors([define(monitor)], {
      networkChains: { solana_mainnet: "Solana" },
    });
    expect([...compiled.networks.keys()]).toEqual([NETWORK]);
    expect(diagnostics.map((d) => [d.code, d.path])).toEqual([["ENGINE_CHAIN_UNSUPPORTED", ["networks", 1]]]);
  });

  it("warns about EVM monitors without addresses and about ABI items it has to ignore", () => {
    const badAbi = [{ type: "event", name: "Broken", inputs: [{ name: "x", type: "uint7" }] }, ...ERC20_ABI];
    const { diagnostics } = compileMonitors([
      define(monitorFor([])),
      define(monitorFor([{ address: USDC }, { address: USDC, abi: badAbi }])),
    ]);
    expect(diagnostics.map((d) => [d.code, d.severity, d.path])).toEqual([
      ["ENGINE_MONITOR_NO_ADDRESSES", "warning", ["addresses"]],
      ["ENGINE_ABI_ITEM_INVALID", "warning", ["addresses", 1, "contract_spec", 0]],
    ]);
    expect(diagnostics[1]?.message).toContain("uint7");
  });

  it("reports call data that does not decode as the selected function, and does not match it", () => {
    const original = block("0x1451aca");
    const truncated: EvmBlock = {
      ...original,
      transactions: original.transactions.map((entry) =>
        entry.transaction.hash === TX_USDC
          ? { ...entry, transaction: { ...entry.transaction, input: "0xa9059cbb0000" as Hex } }
          : entry,
      ),
    };
    const { matches, diagnostics } = evaluate(
      [usdc({ functions: [{ signature: TRANSFER_FN, expression: null }] })],
      truncated,
    );
    expect(matches).toEqual([]);
    expect(diagnostics).toMatchObject([
      {
        code: "ENGINE_CALLDATA_UNDECODABLE",
        severity: "warning",
        path: ["match_conditions", "functions", 0, "signature"],
        transactionHash: TX_USDC,
      },
    ]);
  });

  it("reports duplicate monitor ids and keeps the first definition", () => {
    const a = define(monitorFor([{ address: USDC }]), { id: "same" });
    const b = define(monitorFor([{ address: USDC }]), { id: "same" });
    const { compiled, diagnostics } = compileMonitors([a, b]);
    expect(compiled.monitors).toHaveLength(1);
    expect(diagnostics.map((d) => d.code)).toEqual(["ENGINE_MONITOR_DUPLICATE_ID"]);
  });
});
