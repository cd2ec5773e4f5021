/**
 * Test support: OZ's EVM fixtures as `EvmBlock`s, per the harness model of the conformance document (§0): each
 * transaction gets its receipt when the fixture has one (else `null`), and its logs are that receipt's logs.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseMonitor } from "../../../src/config/index.js";
import type { EvmBlock, Hex, MonitorDefinition, RpcReceipt, RpcTransaction } from "../../../src/engine/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const evmFixturesDir = path.resolve(repoRoot, "../shared/fixtures/oz/evm");

type Monitor = MonitorDefinition["monitor"];

function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(path.join(evmFixturesDir, relative), "utf8"));
}

export function loadReceipts(): RpcReceipt[] {
  return readJson("transaction_receipts.json") as RpcReceipt[];
}

/** All five fixture blocks, keyed by their hex number (`0x1451aca`, `0x7d6b60`, `0x19b7a39`, …). */
export function loadBlocks(): Map<string, EvmBlock> {
  const receipts = new Map(loadReceipts().map((r) => [r.transactionHash.toLowerCase(), r]));
  const tagged = readJson("blocks.json") as Array<{
    EVM: Record<string, unknown> & { transactions: RpcTransaction[] };
  }>;
  const blocks = new Map<string, EvmBlock>();
  for (const { EVM: raw } of tagged) {
    const { transactions, ...header } = raw;
    const block: EvmBlock = {
      chain: "EVM",
      number: BigInt(raw.number as string),
      hash: raw.hash as Hex,
      parentHash: raw.parentHash as Hex,
      header: header as EvmBlock["header"],
      transactions: transactions.map((transaction) => {
        const receipt = receipts.get(transaction.hash.toLowerCase()) ?? null;
        return { transaction, receipt, logs: receipt?.logs ?? [] };
      }),
    };
    blocks.set(raw.number as string, block);
  }
  return blocks;
}

export function block(number: string): EvmBlock {
  const found = loadBlocks().get(number);
  if (!found) throw new Error(`no fixture block ${number}`);
  return found;
}

/** A fixture monitor (`monitor.json`, `monitor_with_tuples.json`) as the config module would output it. */
export function loadMonitor(file: string): Monitor {
  const parsed = parseMonitor(readJson(`monitors/${file}`), { file, checkScripts: false, env: {} });
  if (!parsed.ok) throw new Error(`fixture monitor ${file} does not parse: ${JSON.stringify(parsed.problems)}`);
  return parsed.value;
}

export function loadAbi(file: string): unknown[] {
  return readJson(`contract_specs/${file}`) as unknown[];
}

let nextId = 0;

export function define(
  monitor: Monitor,
  overrides: Partial<Omit<MonitorDefinition, "monitor">> = {},
): MonitorDefinition {
  nextId += 1;
  return { id: `monitor-${nextId}`, tenantId: "tenant-a", version: 1, monitor, ...overrides };
}

/** A copy of `monitor` with its match conditions replaced. */
export function withConditions(
  monitor: Monitor,
  conditions: Partial<Monitor["match_conditions"]>,
  extra: Partial<Monitor> = {},
): Monitor {
  return {
    ...structuredClone(monitor),
    match_conditions: { functions: [], events: [], transactions: [], ...conditions },
    ...extra,
  };
}

export const USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
export const COUNTER = "0xf18206b2289cf6ce15cddbee9c6f6a0f059efb56";
export const WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2";
export const TUPLES = "0x774283785a2e4845e7df23e18af5849c3d23722f";

export const TX_SWAP = "0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0";
export const TX_USDC = "0xd5069b22a3a89a36d592d5a1f72a281bc5d11d6d0bac6f0a878c13abb764b6d8";
export const TX_ETH = "0xe802c02b6ee8e5246d9b40b52cd2e5e68625dcb6d7ed1a09f1c04d83742f4d67";
export const TX_INCREMENT = "0x6fb716f3fc4e2edec31f01c8bb67e565e3efacba965090a38835d3f297232bf6";
export const TX_TUPLES = "0xf4b47a82f9fb401042e75e745b980d7cd7954d2de091da1942432c765000ea26";

/** The ERC-20 `Transfer` event, `transfer` function ABI (from `contract_spec.json`). */
export const ERC20_ABI = [
  {
    anonymous: false,
    inputs: [
      { indexed: true, internalType: "address", name: "from", type: "address" },
      { indexed: true, internalType: "address", name: "to", type: "address" },
      { indexed: false, internalType: "uint256", name: "value", type: "uint256" },
    ],
    name: "Transfer",
    type: "event",
  },
  {
    inputs: [
      { internalType: "address", name: "to", type: "address" },
      { internalType: "uint256", name: "value", type: "uint256" },
    ],
    name: "transfer",
    outputs: [{ internalType: "bool", name: "", type: "bool" }],
    stateMutability: "nonpayable",
    type: "function",
  },
];

/** A minimal monitor watching `addresses` (each with `abi`, or none). */
export function monitorFor(
  addresses: Array<{ address: string; abi?: unknown[] | null }>,
  conditions: Partial<Monitor["match_conditions"]> = {},
  name = "Test monitor",
): Monitor {
  return {
    name,
    networks: ["ethereum_mainnet"],
    paused: false,
    addresses: addresses.map(({ address, abi }) => ({ address, contract_spec: (abi ?? null) as never })),
    match_conditions: { functions: [], events: [], transactions: [], ...conditions },
    trigger_conditions: [],
    triggers: [],
    chain_configurations: [],
  } as Monitor;
}
