/**
 * Test support: real blocks, ledgers and matches to push through the codec, the bus and the cache — OZ's recorded
 * fixtures (trimmed real mainnet data), mainnet-shaped generated blocks from the benchmark generators, and matches
 * the engine produced from them.
 */
import { generateBlock } from "../../../bench/engine/generate-block.js";
import { evmBlockFromPayload } from "../../../bench/engine/rpc-block.js";
import { generateStellarLedger, stellarLedgerFromPayload } from "../../../bench/engine/stellar/index.js";
import type { BlockLogBlock, ChainBlock } from "../../../src/codec/index.js";
import {
  compileMonitors,
  type EvmBlock,
  evaluateBlock,
  type MonitorMatch,
  type StellarLedger,
} from "../../../src/engine/index.js";
import { define, loadBlocks, loadMonitor } from "../engine/fixtures.js";
import { LEDGER, loadStellarMonitor, run as runStellar } from "../engine/stellar/fixtures.js";

export function fixtureEvmBlocks(): EvmBlock[] {
  return [...loadBlocks().values()];
}

export function fixtureStellarLedger(): StellarLedger {
  return LEDGER;
}

/** A mainnet-shaped EVM block (250 transactions, ~600 logs). */
export function generatedEvmBlock(seed = 1, number = 21_000_000): EvmBlock {
  return evmBlockFromPayload(generateBlock({ seed, number }).rpcPayloadText);
}

/** A mainnet-shaped Stellar ledger (300 transactions, real XDR). */
export function generatedStellarLedger(seed = 1, transactions?: number): StellarLedger {
  return stellarLedgerFromPayload(
    generateStellarLedger({ seed, sequence: 59_000_000 + seed, ...(transactions ? { transactions } : {}) })
      .rpcPayloadText,
  );
}

/** EVM matches of OZ's `monitor.json` on the fixture blocks, and Stellar matches of its Stellar monitor. */
export function fixtureMatches(): MonitorMatch[] {
  const { compiled } = compileMonitors([define(loadMonitor("monitor.json"))]);
  const evm = fixtureEvmBlocks().flatMap((block) => evaluateBlock(compiled, "ethereum_mainnet", block).matches);
  const stellar = runStellar([loadStellarMonitor()]).matches;
  return [...evm, ...stellar];
}

export function blockEntry(network: string, block: ChainBlock): BlockLogBlock {
  const number = block.chain === "EVM" ? block.number : BigInt(block.sequence);
  const parentHash = block.chain === "EVM" ? block.parentHash : block.previousHash;
  return { type: "block", network, number, hash: block.hash, parentHash, block, head: number + 2n };
}

/** JSON with bigints as `"<n>n"`: compares values including key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? `${v}n` : v));
}
