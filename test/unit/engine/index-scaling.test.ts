/**
 * Principle 7 ("cost follows matches, not monitors"): monitors on unrelated addresses change neither the results
 * nor the work done, and monitors sharing an ABI share its decoding.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { evmEvaluationCounters, resetEvmEvaluationCounters } from "../../../src/engine/evm/evaluate.js";
import { compileMonitors, evaluateBlock, type MonitorDefinition, toMatchJson } from "../../../src/engine/index.js";
import { block, ERC20_ABI, loadMonitor, monitorFor, TX_USDC, USDC, WETH } from "./fixtures.js";

const NETWORK = "ethereum_mainnet";

function unrelatedMonitors(count: number): MonitorDefinition[] {
  return Array.from({ length: count }, (_, i) => {
    const address = `0x${"dead".padEnd(40 - 8, "0")}${i.toString(16).padStart(8, "0")}`;
    return {
      id: `unrelated-${i}`,
      tenantId: `tenant-${i % 1000}`,
      version: 1,
      monitor: monitorFor(
        [{ address, abi: ERC20_ABI }],
        {
          functions: [{ signature: "transfer(address,uint256)", expression: `value > ${i}` }],
          events: [{ signature: "Transfer(address,address,uint256)", expression: `value > ${i}` }],
          transactions: [{ status: "Any", expression: `value >= ${i}` }],
        },
        `unrelated ${i}`,
      ),
    };
  });
}

function relatedMonitors(): MonitorDefinition[] {
  return [
    { id: "oz-monitor", tenantId: "tenant-a", version: 1, monitor: loadMonitor("monitor.json") },
    {
      id: "weth-transfers",
      tenantId: "tenant-b",
      version: 2,
      monitor: monitorFor([{ address: WETH, abi: ERC20_ABI }], {
        events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 0" }],
      }),
    },
    {
      id: "any-tx-to-usdc",
      tenantId: "tenant-c",
      version: 1,
      monitor: monitorFor([{ address: USDC }], { transactions: [{ status: "Any", expression: "gas_used > 0" }] }),
    },
  ];
}

function run(definitions: MonitorDefinition[]) {
  const { compiled } = compileMonitors(definitions);
  resetEvmEvaluationCounters();
  const result = evaluateBlock(compiled, NETWORK, block("0x1451aca"));
  return { ...result, counters: { ...evmEvaluationCounters } };
}

describe("the network index", () => {
  beforeEach(() => resetEvmEvaluationCounters());

  it("gives the same matches and does the same work when 10,000 monitors on unrelated addresses are added", () => {
    const related = relatedMonitors();
    const alone = run(related);
    expect(alone.matches.map((m) => m.monitorId)).toEqual(["oz-monitor", "weth-transfers", "any-tx-to-usdc"]);
    expect(alone.counters.candidatePairs).toBeGreaterThan(0);
    expect(alone.counters.expressionEvaluations).toBeGreaterThan(0);

    const noise = unrelatedMonitors(10_000);
    const crowded = run([...noise.slice(0, 5_000), ...related, ...noise.slice(5_000)]);
    expect(crowded.matches.map((m) => [m.id, toMatchJson(m)])).toEqual(
      alone.matches.map((m) => [m.id, toMatchJson(m)]),
    );
    expect(crowded.diagnostics).toEqual(alone.diagnostics);
    expect(crowded.counters).toEqual(alone.counters);
  });

  it("decodes a log or call once for all monitors sharing the ABI item, and evaluates each distinct expression once", () => {
    const definitions: MonitorDefinition[] = Array.from({ length: 1_000 }, (_, i) => ({
      id: `usdc-${i}`,
      tenantId: `tenant-${i % 100}`,
      version: 1,
      monitor: monitorFor([{ address: USDC, abi: structuredClone(ERC20_ABI) }], {
        functions: [{ signature: "transfer(address,uint256)", expression: "value > 0" }],
        events: [{ signature: "Transfer(address,address,uint256)", expression: `value > ${i}` }],
      }),
    }));
    const { matches, counters } = run(definitions);
    expect(matches).toHaveLength(1_000);
    expect(new Set(matches.map((m) => m.transactionHash))).toEqual(new Set([TX_USDC]));
    expect(counters.candidatePairs).toBe(1_000);
    expect(counters.decodes).toBe(2);
    expect(counters.expressionEvaluations).toBe(1_000 + 1);
    // Decoded arguments are shared, read-only values.
    expect(matches[0]?.payload.matched_on_args.events?.[0]).toBe(matches[999]?.payload.matched_on_args.events?.[0]);
    expect(Object.isFrozen(matches[0]?.payload.matched_on_args.events?.[0]?.args)).toBe(true);
  });

  it("skips transaction conditions' losers before decoding anything", () => {
    const { matches, counters } = run([
      {
        id: "failures-only",
        tenantId: "t",
        version: 1,
        monitor: monitorFor([{ address: USDC, abi: ERC20_ABI }], {
          events: [{ signature: "Transfer(address,address,uint256)", expression: null }],
          transactions: [{ status: "Failure", expression: null }],
        }),
      },
    ]);
    expect(matches).toEqual([]);
    expect(counters).toEqual({ candidatePairs: 1, expressionEvaluations: 0, decodes: 0 });
  });
});
