import { createHash } from "node:crypto";
import { Networks, TransactionBuilder, xdr } from "@stellar/stellar-sdk";
import { describe, expect, it } from "vitest";
import { main } from "../../../bench/engine/run.js";
import {
  generateStellarLedger,
  generateStellarMonitors,
  parseStellarPayload,
  SIGNATURES,
  stellarContractSpecsFor,
  stellarLedgerFromPayload,
  stellarPopulation,
} from "../../../bench/engine/stellar/index.js";
import {
  decodeStellarEvent,
  decodeStellarTransaction,
  ledgerTransactionCount,
} from "../../../src/chains/stellar/index.js";
import { compileMonitors, evaluateBlock, type StellarLedger } from "../../../src/engine/index.js";

const pop = stellarPopulation();
const NETWORK = "stellar_mainnet";
const networkChains = { [NETWORK]: "Stellar" } as const;

const generated = generateStellarLedger({ seed: 7, sequence: 59_000_007 });
const ledger: StellarLedger = stellarLedgerFromPayload(generated.rpcPayloadText);

describe("generateStellarLedger", () => {
  it("is deterministic: the same seed and sequence give byte-identical JSON", () => {
    const again = generateStellarLedger({ seed: 7, sequence: 59_000_007 });
    expect(again.rpcPayloadText).toBe(generated.rpcPayloadText);
  });

  it("gives different ledgers for different seeds", () => {
    const other = generateStellarLedger({ seed: 8, sequence: 59_000_007, transactions: 40 });
    const same = generateStellarLedger({ seed: 7, sequence: 59_000_007, transactions: 40 });
    expect(other.transactions[0]?.txHash).not.toBe(same.transactions[0]?.txHash);
    expect(other.rpcPayloadText).not.toBe(same.rpcPayloadText);
  });

  it("is shaped like a busy mainnet ledger: ~300 transactions, ~400 events, Soroban calls, failures, fee bumps", () => {
    for (const seed of [1, 2, 3]) {
      const { stats } = generateStellarLedger({ seed, sequence: 59_000_000 + seed });
      expect(stats.transactions).toBe(300);
      expect(stats.events).toBeGreaterThanOrEqual(320);
      expect(stats.events).toBeLessThanOrEqual(520);
      expect(stats.invocations).toBeGreaterThan(100);
      expect(stats.failed).toBeGreaterThan(5);
      expect(stats.feeBumps).toBeGreaterThan(5);
    }
  });

  it("serves Stellar-RPC response shapes: getLedgers, getTransactions pages of at most 200, getEvents", () => {
    const responses = JSON.parse(generated.rpcPayloadText) as Array<{
      jsonrpc: string;
      id: number;
      result: Record<string, unknown>;
    }>;
    expect(responses.map((r) => [r.jsonrpc, r.id])).toEqual([
      ["2.0", 1],
      ["2.0", 2],
      ["2.0", 3],
      ["2.0", 4],
    ]);
    expect(Object.keys(responses[0]?.result ?? {}).sort()).toEqual(
      ["cursor", "latestLedger", "latestLedgerCloseTime", "ledgers", "oldestLedger", "oldestLedgerCloseTime"].sort(),
    );
    expect(responses[1]?.result.transactions).toHaveLength(200);
    expect(responses[2]?.result.transactions).toHaveLength(100);
    expect(responses[3]?.result.events).toEqual(generated.events);
    const parsed = parseStellarPayload(generated.rpcPayloadText);
    expect(parsed.transactions).toEqual(generated.transactions);
    expect(parsed.ledger).toEqual(generated.ledger);
    for (const tx of generated.transactions) {
      expect(Object.keys(tx)).toEqual(
        expect.arrayContaining([
          "status",
          "txHash",
          "applicationOrder",
          "feeBump",
          "envelopeXdr",
          "resultXdr",
          "resultMetaXdr",
          "ledger",
          "createdAt",
        ]),
      );
    }
    for (const event of generated.events) {
      expect(event).toMatchObject({ type: "contract", ledger: 59_000_007, inSuccessfulContractCall: true });
      expect(event.id).toMatch(/^\d{19}-\d{10}$/);
    }
  });

  it("decodes through chains/stellar without errors (strict assembly: header hash, ledgers, event transactions)", () => {
    expect(ledger.sequence).toBe(59_000_007);
    expect(ledger.transactions).toHaveLength(300);
    expect(ledger.events).toHaveLength(generated.events.length);
    expect(ledgerTransactionCount(generated.ledger)).toBe(300);
    generated.transactions.forEach((entry, i) => {
      expect(decodeStellarTransaction(entry, ["transactions", i]).hash).toBe(entry.txHash);
    });
    generated.events.forEach((entry, i) => {
      expect(decodeStellarEvent(entry, ["events", i]).id).toBe(entry.id);
    });
  });

  it("uses stellar-core's hashes: transaction hashes from the SDK, the ledger hash over its header", () => {
    for (const entry of generated.transactions.slice(0, 60)) {
      const tx = TransactionBuilder.fromXDR(entry.envelopeXdr, Networks.PUBLIC);
      expect(tx.hash().toString("hex")).toBe(entry.txHash);
    }
    const header = xdr.LedgerHeaderHistoryEntry.fromXDR(generated.ledger.headerXdr, "base64");
    expect(createHash("sha256").update(header.header().toXDR()).digest("hex")).toBe(generated.ledger.hash);
  });

  it("invokes SEP-41 tokens with Address/I128 args, routers with Vec args, aggregators with Map args, also inside fee bumps", () => {
    const invocations = ledger.transactions.flatMap((tx) => tx.invocations);
    const transfer = invocations.find((op) => op.function === "transfer");
    expect(transfer?.args.map((arg) => arg.type)).toEqual(["address", "address", "i128"]);
    const functions = new Set(invocations.map((op) => op.function));
    for (const name of ["transfer", "approve", "swap_exact_tokens_for_tokens", "swap_routed", "set_price", "submit"]) {
      expect(functions).toContain(name);
    }
    expect(invocations.find((op) => op.function === "swap_exact_tokens_for_tokens")?.args[2]?.type).toBe("vec");
    expect(invocations.find((op) => op.function === "swap_routed")?.args[2]?.type).toBe("map");
    const feeBumps = ledger.transactions.filter((tx) => tx.envelopeKind === "fee_bump");
    expect(feeBumps.length).toBeGreaterThan(0);
    for (const tx of feeBumps) expect(tx.operations).toEqual([]);
    expect(feeBumps.flatMap((tx) => tx.invocations).every((op) => op.feeBumpInner)).toBe(true);
    expect(ledger.transactions.filter((tx) => tx.status === "FAILED").length).toBeGreaterThan(0);
    expect(ledger.transactions.some((tx) => tx.operations.some((op) => op.type === "payment"))).toBe(true);
  });

  it("emits SEP-41 transfer events (Symbol, Address, Address, String; I128) and Protocol-23 pair events", () => {
    const sacIds = new Set(pop.tokens.filter((t) => t.kind === "sac").map((t) => t.contractId));
    const transfers = ledger.events.filter(
      (event) =>
        sacIds.has(event.contractId) && event.topics[0]?.type === "symbol" && event.topics[0].value === "transfer",
    );
    expect(transfers.length).toBeGreaterThan(100);
    for (const event of transfers) {
      expect(event.topics.map((topic) => topic.type)).toEqual(["symbol", "address", "address", "string"]);
      expect(event.value.type).toBe("i128");
    }
    const success = new Set(ledger.transactions.filter((tx) => tx.status === "SUCCESS").map((tx) => tx.hash));
    expect(ledger.events.every((event) => success.has(event.txHash))).toBe(true);
    const pairIds = new Set(pop.pairs.map((p) => p.contractId));
    const swap = ledger.events.find((event) => pairIds.has(event.contractId) && event.topics[1]?.type === "symbol");
    expect(swap?.topics.slice(0, 2)).toEqual([
      { type: "symbol", value: "pair" },
      { type: "symbol", value: expect.stringMatching(/^(swap|sync)$/) },
    ]);
  });
});

describe("generateStellarMonitors", () => {
  it("is deterministic and prefix-stable", () => {
    const a = generateStellarMonitors({ seed: 3, count: 300 });
    expect(JSON.stringify(generateStellarMonitors({ seed: 3, count: 300 }))).toBe(JSON.stringify(a));
    expect(JSON.stringify(generateStellarMonitors({ seed: 3, count: 80 }))).toBe(JSON.stringify(a.slice(0, 80)));
  });

  it("builds OZ Stellar monitors over many tenants that compile without diagnostics and miss no spec", () => {
    const definitions = generateStellarMonitors({ seed: 4, count: 2000, tenants: 1000 });
    expect(new Set(definitions.map((d) => d.id)).size).toBe(2000);
    expect(new Set(definitions.map((d) => d.tenantId)).size).toBeGreaterThan(300);
    for (const { monitor } of definitions) {
      expect(monitor).toMatchObject({ networks: [NETWORK], paused: false, trigger_conditions: [], triggers: [] });
      for (const { address } of monitor.addresses) expect(address).toMatch(/^[CGcg][A-Za-z2-7]{55}$/);
    }
    const specs = stellarContractSpecsFor(definitions, pop);
    const { compiled, diagnostics } = compileMonitors(definitions, {
      networkChains,
      stellarContractSpecs: { [NETWORK]: specs },
    });
    expect(diagnostics).toEqual([]);
    expect(compiled.missingStellarSpecs(NETWORK)).toEqual([]);
    const signatures = new Set(
      definitions
        .flatMap(({ monitor }) => [...monitor.match_conditions.functions, ...monitor.match_conditions.events])
        .map((c) => c.signature),
    );
    for (const signature of [
      SIGNATURES.sacTransferEvent,
      SIGNATURES.transferCall,
      SIGNATURES.pairSwapEvent,
      SIGNATURES.routerSwapCall,
    ]) {
      expect(signatures).toContain(signature);
    }
  });

  it("matches ledgers through events, function calls and transaction conditions", () => {
    const definitions = generateStellarMonitors({ seed: 5, count: 4000 });
    const { compiled } = compileMonitors(definitions, {
      networkChains,
      stellarContractSpecs: { [NETWORK]: stellarContractSpecsFor(definitions, pop) },
    });
    const matches = [1, 2].flatMap(
      (seed) =>
        evaluateBlock(
          compiled,
          NETWORK,
          stellarLedgerFromPayload(generateStellarLedger({ seed, sequence: 59_100_000 + seed }).rpcPayloadText),
        ).matches,
    );
    expect(matches.length).toBeGreaterThan(0);
    expect(matches.length).toBeLessThan(4000);
    const on = matches.map((m) => m.payload.matched_on);
    expect(on.some((m) => m.events.some((e) => e.signature === SIGNATURES.sacTransferEvent))).toBe(true);
    expect(on.some((m) => m.functions.length > 0)).toBe(true);
    expect(on.some((m) => m.functions.length === 0 && m.events.length === 0 && m.transactions.length > 0)).toBe(true);
  }, 60_000);
});

describe("bench run --quick --chain stellar", () => {
  it("prints one JSON document with the Stellar section and the EVM keys left empty", () => {
    let stdout = "";
    let stderr = "";
    const report = main(["--quick", "--chain", "stellar", "--monitors", "10,200"], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    const printed = JSON.parse(stdout) as typeof report;
    expect(printed).toEqual(JSON.parse(JSON.stringify(report)));
    expect(stderr).toContain("Stellar monitors");
    expect(printed).toMatchObject({ benchmark: "engine-evm", chains: ["stellar"], results: [], target: { met: null } });
    const stellar = printed.stellar;
    expect(stellar).toMatchObject({
      benchmark: "engine-stellar",
      node: process.version,
      network: NETWORK,
      ledgers: 3,
      ledger: { transactionsMedian: 300 },
      target: { ratioAt10000: 3, met: null },
    });
    expect(stellar?.results.map((result) => result.monitors)).toEqual([10, 200]);
    for (const result of stellar?.results ?? []) {
      for (const key of [
        "tenants",
        "compileMs",
        "evalMsMedian",
        "evalMsP90",
        "parseMsMedian",
        "decodeMsMedian",
        "ratioMedian",
        "naiveMsMedian",
        "speedupMedian",
        "matchesMedian",
      ] as const) {
        expect(typeof result[key]).toBe("number");
      }
      expect(Object.keys(result.work).sort()).toEqual(["candidatePairs", "decodes", "expressionEvaluations"]);
      expect(result.naiveAgrees).toBe(true);
    }
    expect(stellar?.results[0]?.naiveExtrapolated).toBe(false);
    expect(stellar?.results[1]?.naiveExtrapolated).toBe(true);
  }, 120_000);

  it("rejects an unknown chain", () => {
    expect(() => main(["--chain", "solana"], { stdout: () => {}, stderr: () => {} })).toThrow(
      /--chain needs evm, stellar or all/,
    );
  });
});
