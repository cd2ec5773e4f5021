import type { CompiledMonitors } from "./compiled.js";
import { EngineError } from "./errors.js";
import { evaluateEvmBlock } from "./evm/evaluate.js";
import type { EvmBlock } from "./evm-block.js";
import { evaluateStellarLedger } from "./stellar/evaluate.js";
import type { StellarLedger } from "./stellar-ledger.js";
import type { EngineDiagnostic, EvmMonitorMatch, MonitorMatch, StellarMonitorMatch } from "./types.js";

export interface EvaluateBlockResult<M extends MonitorMatch = MonitorMatch> {
  /** Ordered by monitor (compile order), then by transaction order in the block. */
  matches: M[];
  diagnostics: EngineDiagnostic[];
}

/**
 * Evaluates one block of a network against the compiled monitors of that network: OZ's per-monitor, per-transaction
 * filter (§3 for EVM blocks, §4 for Stellar ledgers), one match per matching (monitor, transaction). Pure and
 * synchronous; expression failures and undecodable call data come back as diagnostics and never abort the block.
 *
 * @throws {EngineError} `ENGINE_BLOCK_CHAIN_MISMATCH` when the block is not of the network's chain family (e.g. a
 * Stellar ledger handed to an EVM network): a routing bug upstream, not a property of the block.
 */
export function evaluateBlock(
  compiled: CompiledMonitors,
  networkSlug: string,
  block: EvmBlock,
): EvaluateBlockResult<EvmMonitorMatch>;
export function evaluateBlock(
  compiled: CompiledMonitors,
  networkSlug: string,
  block: StellarLedger,
): EvaluateBlockResult<StellarMonitorMatch>;
export function evaluateBlock(
  compiled: CompiledMonitors,
  networkSlug: string,
  block: EvmBlock | StellarLedger,
): EvaluateBlockResult;
export function evaluateBlock(
  compiled: CompiledMonitors,
  networkSlug: string,
  block: EvmBlock | StellarLedger,
): EvaluateBlockResult {
  const chain: unknown = (block as { chain?: unknown }).chain;
  const network = compiled.networks.get(networkSlug);
  const listed = Object.hasOwn(compiled.networkChains, networkSlug) ? compiled.networkChains[networkSlug] : undefined;
  const expected = network?.chain ?? listed ?? "EVM";
  if (chain !== expected) {
    throw new EngineError(
      "ENGINE_BLOCK_CHAIN_MISMATCH",
      network
        ? `Cannot evaluate a ${String(chain)} block for network '${networkSlug}': its monitors were compiled for ${network.chain}.`
        : `Cannot evaluate a ${String(chain)} block for network '${networkSlug}': it is ${expected === "EVM" ? "an" : "a"} ${expected} network.`,
      { hint: "Route each network's blocks to the evaluator of that network's chain family." },
    );
  }
  if (!network) return { matches: [], diagnostics: [] };
  if (network.chain === "Stellar") return evaluateStellarLedger(network, block as StellarLedger);
  return evaluateEvmBlock(network, block as EvmBlock);
}
