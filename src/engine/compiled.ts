/**
 * The compiled form of monitors, chain-independent part: conditions with their expressions parsed once, the
 * monitor JSON as matches carry it, and which networks index the monitor. Chain evaluators add their own index
 * next to it (`evm/compile.ts`).
 */
import type { ErrorPath } from "../errors/index.js";
import type { Expression } from "../expr/index.js";
import type { EvmNetworkIndex } from "./evm/compile.js";
import type { StellarNetworkIndex } from "./stellar/compile.js";
import type {
  ChainFamily,
  MatchMonitor,
  MonitorDefinition,
  SignatureConditionRecord,
  TransactionConditionRecord,
  TransactionStatus,
} from "./types.js";

export interface CompiledCondition {
  /** Position in its list (`match_conditions.<list>[index]`). */
  readonly index: number;
  /** JSON path of the condition's expression inside the monitor, for diagnostics. */
  readonly expressionPath: ErrorPath;
  /** The expression as configured (reported in `matched_on`); `null` when absent. */
  readonly expressionText: string | null;
  /** Parsed expression; `null` when there is none (the condition has no filter). */
  readonly expression: Expression | null;
  /** The expression failed to parse: the condition never matches (OZ treats it as an evaluation error). */
  readonly invalid: boolean;
}

export interface CompiledSignatureCondition extends CompiledCondition {
  /** The configured signature without whitespace, lowercased; interned, so equal keys are the same string. */
  readonly signatureKey: string;
  /**
   * The `matched_on` list this condition last produced (`[{signature, expression}]`, frozen), keyed by the ABI's
   * canonical signature: matches of the same condition share it instead of allocating their own.
   */
  recorded: { readonly signature: string; readonly list: readonly SignatureConditionRecord[] } | null;
}

export interface CompiledTransactionCondition extends CompiledCondition {
  readonly status: "Any" | "Success" | "Failure";
  /** The frozen `matched_on.transactions` list for each actual status. */
  readonly recorded: Readonly<Record<TransactionStatus, readonly TransactionConditionRecord[]>>;
}

export interface CompiledMonitor {
  /** Position in compile order; matches are ordered by it. */
  readonly ordinal: number;
  readonly id: string;
  readonly tenantId: string;
  readonly version: number;
  readonly definition: MonitorDefinition;
  /** Deep-frozen copy of the monitor with every `contract_spec` set to `null`, shared by all its matches. */
  readonly matchMonitor: MatchMonitor;
  readonly functions: readonly CompiledSignatureCondition[];
  readonly events: readonly CompiledSignatureCondition[];
  readonly transactions: readonly CompiledTransactionCondition[];
  /**
   * Whether matches carry the receipt: OZ's `needs_receipt` without its empty-block-logs clause — some transaction
   * condition filters on status, or some transaction expression mentions `gas_used`.
   */
  readonly includesReceipt: boolean;
}

/** A network's compiled monitors, by chain family (`chain`). */
export type CompiledNetwork = EvmNetworkIndex | StellarNetworkIndex;

/**
 * Monitors compiled for evaluation: immutable, safe to share between evaluations. Build with `compileMonitors`;
 * the fields are internal.
 */
export interface CompiledMonitors {
  /** Active monitors in compile order. */
  readonly monitors: readonly CompiledMonitor[];
  readonly networks: ReadonlyMap<string, CompiledNetwork>;
  /** The chain family of each network slug given to `compileMonitors` (unlisted slugs are EVM). */
  readonly networkChains: Readonly<Record<string, ChainFamily>>;
  /**
   * Stellar contracts of a network that monitors with function or event conditions watch but that have no spec: no
   * inline `contract_spec` and none supplied in `stellarContractSpecs`. Fetch them once (`fetchContractSpec`) and
   * compile again with them; `[]` for other networks.
   */
  missingStellarSpecs(networkSlug: string): readonly string[];
}
