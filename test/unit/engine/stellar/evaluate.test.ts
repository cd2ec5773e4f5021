/**
 * Stellar evaluation end to end (§4.7, §7): EX-ST-01 at engine level, the match envelope and its JSON, ordering,
 * ids, routing, and the cost model (work follows the index, not the monitor count).
 */
import { describe, expect, it } from "vitest";
import {
  compileMonitors,
  EngineError,
  type EvmBlock,
  evaluateBlock,
  matchId,
  toMatchJson,
} from "../../../../src/engine/index.js";
import { resetStellarEvaluationCounters, stellarEvaluationCounters } from "../../../../src/engine/stellar/evaluate.js";
import {
  COUNTER_CONTRACT,
  define,
  fetchedSpecs,
  hashes,
  LEDGER,
  loadStellarMonitor,
  MONITOR_ADDRESSES,
  NETWORK,
  NETWORK_CHAINS,
  run,
  SPEC,
  stellarMonitor,
  TX_TRANSFER,
  TX_UPSERT,
  UPSERT_CONTRACT,
  USDC_SAC,
} from "./fixtures.js";

describe("EX-ST-01: monitor.json on ledger 172627 with SPEC fetched for all six addresses", () => {
  const monitor = loadStellarMonitor();
  const specs = fetchedSpecs(MONITOR_ADDRESSES);

  it("asks for the six specs first, then yields 2 matches", () => {
    const first = compileMonitors([define(monitor)], { networkChains: NETWORK_CHAINS });
    expect(first.compiled.missingStellarSpecs(NETWORK)).toEqual(MONITOR_ADDRESSES);
    const { matches, diagnostics } = run([monitor], { specs });
    expect(diagnostics).toEqual([]);
    expect(hashes(matches)).toEqual([TX_TRANSFER, TX_UPSERT]);
  });

  it("matches the SEP-41 transfer on functions, events and transactions", () => {
    const [transfer] = run([monitor], { specs }).matches;
    expect(transfer?.payload.matched_on).toEqual({
      functions: [{ signature: "transfer(Address,Address,I128)", expression: "amount > 1000" }],
      events: [
        {
          signature: "transfer(Address,Address,String,I128)",
          expression: "0 == GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY AND 3 >= 2240",
        },
      ],
      transactions: [{ status: "Success", expression: "value >= 0" }],
    });
    expect(transfer?.payload.matched_on_args.functions?.map((f) => f.signature)).toEqual([
      "transfer(Address,Address,I128)",
    ]);
    expect(transfer?.payload.matched_on_args.events?.map((e) => e.signature)).toEqual([
      "transfer(Address,Address,String,I128)",
    ]);
  });

  it("matches upsert_data on functions and transactions, with events emptied and null", () => {
    const [, upsert] = run([monitor], { specs }).matches;
    expect(upsert?.payload.matched_on).toEqual({
      functions: [
        {
          signature: "upsert_data(Map<String,String>)",
          expression: "data.myKey1 >= 1234 AND data.myKey2 == 'Hello, world!'",
        },
      ],
      events: [],
      transactions: [{ status: "Success", expression: "value >= 0" }],
    });
    expect(upsert?.payload.matched_on_args.events).toBeNull();
  });

  it("without specs matches the transfer on its event alone (calls need a spec)", () => {
    const { matches } = run([monitor]);
    expect(hashes(matches)).toEqual([TX_TRANSFER]);
    expect(matches[0]?.payload.matched_on.functions).toEqual([]);
    expect(matches[0]?.payload.matched_on_args.functions).toBeNull();
  });
});

describe("the Stellar match", () => {
  const monitor = loadStellarMonitor();
  const definition = { id: "mon-7", tenantId: "tenant-9", version: 3, monitor };
  const [match] = run([definition], { specs: fetchedSpecs(MONITOR_ADDRESSES) }).matches;

  it("has the shared envelope: chain, ids, ledger number and hash, transaction position and hash", () => {
    const position = LEDGER.transactions.findIndex((tx) => tx.hash === TX_TRANSFER);
    expect(match).toMatchObject({
      chain: "Stellar",
      monitorId: "mon-7",
      tenantId: "tenant-9",
      monitorVersion: 3,
      networkSlug: NETWORK,
      blockNumber: 172627n,
      blockHash: LEDGER.hash,
      transactionIndex: position,
      transactionHash: TX_TRANSFER,
    });
    expect(match?.id).toBe(
      matchId({
        networkSlug: NETWORK,
        blockHash: LEDGER.hash,
        transactionIndex: position,
        monitorId: "mon-7",
        monitorVersion: 3,
      }),
    );
  });

  it("is deterministic: the same ledger and monitors give the same ids; a new version gives new ones", () => {
    const again = run([definition], { specs: fetchedSpecs(MONITOR_ADDRESSES) }).matches;
    expect(again.map((m) => m.id)).toEqual(
      run([definition], { specs: fetchedSpecs(MONITOR_ADDRESSES) }).matches.map((m) => m.id),
    );
    expect(again[0]?.id).toBe(match?.id);
    const edited = run([{ ...definition, version: 4 }], { specs: fetchedSpecs(MONITOR_ADDRESSES) }).matches;
    expect(edited[0]?.id).not.toBe(match?.id);
    // Fixture transactions repeat application orders (they come from several ledgers); positions keep ids unique.
    const all = run([stellarMonitor([])]).matches.map((m) => m.id);
    expect(new Set(all).size).toBe(29);
  });

  it('serialises as {"Stellar": {monitor, transaction, ledger, network_slug, matched_on, matched_on_args}}', () => {
    if (!match) throw new Error("expected a match");
    const json = toMatchJson(match);
    expect(Object.keys(json)).toEqual(["Stellar"]);
    expect(json.Stellar).toBe(match.payload);
    const parsed = JSON.parse(JSON.stringify(json)) as { Stellar: Record<string, unknown> };
    expect(Object.keys(parsed.Stellar)).toEqual([
      "monitor",
      "transaction",
      "ledger",
      "network_slug",
      "matched_on",
      "matched_on_args",
    ]);
    expect(parsed.Stellar.network_slug).toBe(NETWORK);
    expect(Object.keys((parsed.Stellar.matched_on_args as { functions: Array<object> }).functions[0] ?? {})).toEqual([
      "signature",
      "args",
    ]);
  });

  it("carries the monitor as configured, the RPC transaction with its decoded XDR, and the ledger entry", () => {
    if (!match) throw new Error("expected a match");
    const tx = LEDGER.transactions.find((candidate) => candidate.hash === TX_TRANSFER);
    expect(match.payload.monitor).toEqual(monitor);
    expect(match.payload.monitor).not.toBe(monitor);
    expect(Object.isFrozen(match.payload.monitor)).toBe(true);
    expect(match.payload.transaction).toEqual({ ...tx?.rpc, decoded: tx?.decoded });
    expect(match.payload.transaction.txHash).toBe(TX_TRANSFER);
    expect(Object.keys(match.payload.transaction.decoded)).toEqual(["envelope", "result", "meta"]);
    expect(match.payload.ledger).toBe(LEDGER.ledger);
    expect(match.payload.ledger).toMatchObject({ sequence: 172627, hash: LEDGER.hash });
  });

  it("keeps inline contract specs in the match's monitor (EVM matches null them)", () => {
    const inline = stellarMonitor([{ address: COUNTER_CONTRACT, contract_spec: SPEC }], {
      functions: [{ signature: "increment()", expression: null }],
    });
    const [counter] = run([inline]).matches;
    expect(counter?.payload.monitor.addresses[0]?.contract_spec).toEqual(SPEC);
  });
});

describe("ordering and routing", () => {
  it("orders matches by monitor (compile order), then by transaction order", () => {
    const a = stellarMonitor(
      [USDC_SAC],
      { functions: [{ signature: "transfer(Address,Address,I128)", expression: null }] },
      "a",
    );
    const b = stellarMonitor([], { transactions: [{ status: "Success", expression: null }] }, "b");
    const c = stellarMonitor(
      [UPSERT_CONTRACT, USDC_SAC],
      {
        functions: [
          { signature: "upsert_data(Map<String,String>)", expression: null },
          { signature: "transfer(Address,Address,I128)", expression: null },
        ],
      },
      "c",
    );
    const { matches } = run([a, b, c], { specs: fetchedSpecs([USDC_SAC, UPSERT_CONTRACT]) });
    const names = matches.map((m) => m.payload.monitor.name);
    expect(names).toEqual(["a", ...Array<string>(13).fill("b"), "c", "c"]);
    expect(matches.slice(-2).map((m) => m.transactionHash)).toEqual([TX_TRANSFER, TX_UPSERT]);
    for (let i = 1; i < matches.length; i++) {
      const [prev, next] = [matches[i - 1], matches[i]];
      if (prev?.monitorId === next?.monitorId)
        expect(next?.transactionIndex).toBeGreaterThan(prev?.transactionIndex ?? 0);
    }
  });

  it("compiles a monitor for each of its networks by chain family, with Stellar networks no longer unsupported", () => {
    const monitor = { ...stellarMonitor([]), networks: [NETWORK, "ethereum_mainnet", "solana_devnet"] };
    const { compiled, diagnostics } = compileMonitors([define(monitor)], {
      networkChains: { [NETWORK]: "Stellar", solana_devnet: "Solana" },
    });
    expect([...compiled.networks.keys()].sort()).toEqual(["ethereum_mainnet", NETWORK]);
    expect(diagnostics.map((d) => [d.code, d.networkSlug])).toContainEqual([
      "ENGINE_CHAIN_UNSUPPORTED",
      "solana_devnet",
    ]);
    expect(diagnostics.map((d) => d.networkSlug)).not.toContain(NETWORK);
    expect(evaluateBlock(compiled, NETWORK, LEDGER).matches).toHaveLength(29);
  });

  it("throws ENGINE_BLOCK_CHAIN_MISMATCH for a ledger on an EVM network and for an EVM block on a Stellar one", () => {
    const { compiled } = compileMonitors([define({ ...stellarMonitor([]), networks: [NETWORK, "ethereum_mainnet"] })], {
      networkChains: NETWORK_CHAINS,
    });
    const evmBlock = { chain: "EVM", number: 1n, hash: "0x01", transactions: [] } as unknown as EvmBlock;
    for (const attempt of [
      () => evaluateBlock(compiled, "ethereum_mainnet", LEDGER),
      () => evaluateBlock(compiled, NETWORK, evmBlock),
      () => evaluateBlock(compiled, "unlisted_network", LEDGER),
    ]) {
      let thrown: unknown;
      try {
        attempt();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EngineError);
      expect((thrown as EngineError).code).toBe("ENGINE_BLOCK_CHAIN_MISMATCH");
    }
  });

  it("returns nothing for a Stellar network whose monitors are all paused", () => {
    const { compiled } = compileMonitors([define({ ...stellarMonitor([]), paused: true })], {
      networkChains: NETWORK_CHAINS,
    });
    expect(evaluateBlock(compiled, NETWORK, LEDGER)).toEqual({ matches: [], diagnostics: [] });
    expect(compiled.missingStellarSpecs(NETWORK)).toEqual([]);
  });
});

describe("cost model", () => {
  it("decodes each invocation and event once per spec and touches only monitors of the invoked contracts", () => {
    const specs = fetchedSpecs([USDC_SAC, UPSERT_CONTRACT, ...filler(5_000)]);
    const monitors = [
      ...filler(5_000).map((address, i) =>
        stellarMonitor(
          [address],
          {
            functions: [{ signature: "transfer(Address,Address,I128)", expression: `amount > ${i}` }],
            events: [{ signature: "transfer(Address,Address,String,I128)", expression: null }],
          },
          `filler-${i}`,
        ),
      ),
      ...Array.from({ length: 5_000 }, (_, i) =>
        stellarMonitor(
          [USDC_SAC],
          {
            functions: [{ signature: "transfer(Address,Address,I128)", expression: `amount > ${i * 1000}` }],
            transactions: [{ status: "Success", expression: "value >= 0" }],
          },
          `usdc-${i}`,
        ),
      ),
    ];
    const definitions = monitors.map((m) => define(m));
    const { compiled } = compileMonitors(definitions, { networkChains: NETWORK_CHAINS, stellarContractSpecs: specs });

    resetStellarEvaluationCounters();
    const { matches } = evaluateBlock(compiled, NETWORK, LEDGER);
    // amount 2240 passes `amount > 0`, `amount > 1000`, `amount > 2000`.
    expect(matches.map((m) => m.payload.monitor.name)).toEqual(["usdc-0", "usdc-1", "usdc-2"]);
    // One call resolution against the shared spec; the USDC transfer event is not watched by these monitors.
    expect(stellarEvaluationCounters.decodes).toBe(1);
    expect(stellarEvaluationCounters.candidatePairs).toBe(3);
    // 5,000 distinct expressions on the one call, and one shared transaction expression for the three hits.
    expect(stellarEvaluationCounters.expressionEvaluations).toBe(5_000 + 1);
  });

  it("evaluates a transaction expression once per parameter list however many monitors share it", () => {
    const monitors = Array.from({ length: 2_000 }, (_, i) =>
      stellarMonitor([], { transactions: [{ status: "Failure", expression: "value >= 498000000" }] }, `tx-${i}`),
    );
    const { compiled } = compileMonitors(
      monitors.map((m) => define(m)),
      { networkChains: NETWORK_CHAINS },
    );
    resetStellarEvaluationCounters();
    const { matches } = evaluateBlock(compiled, NETWORK, LEDGER);
    expect(matches).toHaveLength(2_000 * 8);
    // 16 failed transactions; every payment list is evaluated at most once (26 payments in all).
    expect(stellarEvaluationCounters.expressionEvaluations).toBeLessThanOrEqual(26);
  });
});

/** Syntactically plausible, distinct contract ids no fixture transaction touches. */
function filler(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `CFILLER${String(i).padStart(49, "0")}`);
}
