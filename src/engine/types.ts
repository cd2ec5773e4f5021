/**
 * The engine's vocabulary: what goes in (monitor definitions), what comes out (matches, diagnostics).
 */

import type { Monitor } from "../config/index.js";
import type { ErrorPath } from "../errors/index.js";
import type { Hex, RpcLog, RpcReceipt, RpcTransaction } from "./evm-block.js";
import type { StellarMatchPayload } from "./stellar/types.js";
import type { StellarContractSpecEntry } from "./stellar-ledger.js";

export type { Monitor };

/** A monitor as stored for a tenant: OZ's monitor JSON plus the identity Argus gives it. */
export interface MonitorDefinition {
  /** Stable monitor id (unique across all tenants). */
  id: string;
  tenantId: string;
  /** Bumped on every change of the monitor; part of the match id so an edited monitor re-matches a replayed block. */
  version: number;
  monitor: Monitor;
}

/** Chain families the engine knows by name. `EVM` and `Stellar` have evaluators. */
export type ChainFamily = "EVM" | "Stellar" | "Solana" | "Midnight";

export interface CompileMonitorsOptions {
  /**
   * Chain family of each network slug. A monitor is compiled for a network only when that network's family has an
   * evaluator; networks not listed are treated as EVM.
   * @default {}
   */
  networkChains?: Readonly<Record<string, ChainFamily>>;
  /**
   * Stellar contract specs fetched from the chain (`chains/stellar` `fetchContractSpec`), per network slug: contract
   * id → SEP-48 spec entries. Used for monitored addresses without an inline `contract_spec`; contract ids compare
   * like monitored addresses (trimmed, spaces removed, case-insensitive). An empty list records "fetched, no spec"
   * (the address is then no longer reported by `CompiledMonitors.missingStellarSpecs`).
   * @default {}
   */
  stellarContractSpecs?: Readonly<Record<string, ReadonlyMap<string, readonly StellarContractSpecEntry[]>>>;
}

export type TransactionStatus = "Success" | "Failure";

/** `matched_on.functions[]` / `matched_on.events[]`: the condition that matched, with the ABI's canonical signature. */
export interface SignatureConditionRecord {
  signature: string;
  expression: string | null;
}

/** `matched_on.transactions[]`: the transaction's actual status and the expression of the condition that matched. */
export interface TransactionConditionRecord {
  status: TransactionStatus;
  expression: string | null;
}

/** One decoded argument (OZ's `EVMMatchParamEntry`, same key order). */
export interface EvmMatchArg {
  name: string;
  value: string;
  indexed: boolean;
  kind: string;
}

/** One decoded call or event (OZ's `EVMMatchArguments` entry). */
export interface EvmMatchArgsEntry {
  signature: string;
  args: readonly EvmMatchArg[];
  hex_signature: string;
}

export interface MatchedOn {
  functions: readonly SignatureConditionRecord[];
  events: readonly SignatureConditionRecord[];
  transactions: readonly TransactionConditionRecord[];
}

export interface EvmMatchedOnArgs {
  functions: readonly EvmMatchArgsEntry[] | null;
  events: readonly EvmMatchArgsEntry[] | null;
}

/** The monitor as it appears inside a match: as configured, with every `addresses[].contract_spec` set to `null`. */
export type MatchMonitor = Omit<Monitor, "addresses"> & {
  addresses: Array<Omit<Monitor["addresses"][number], "contract_spec"> & { contract_spec: null }>;
};

/** OZ's `EVMMonitorMatch` record, field for field (§3.6 of the compatibility spec). */
export interface EvmMatchPayload {
  monitor: MatchMonitor;
  transaction: RpcTransaction;
  receipt: RpcReceipt | null;
  logs: RpcLog[];
  network_slug: string;
  matched_on: MatchedOn;
  matched_on_args: EvmMatchedOnArgs;
}

/**
 * One monitor matching one EVM transaction. Objects inside `payload` (transaction, receipt, logs, decoded args,
 * monitor) may be shared with other matches of the same block: treat them as read-only.
 */
export interface EvmMonitorMatch {
  /** Deterministic: a pure function of network, block hash, transaction index, monitor id and version. */
  id: Hex;
  chain: "EVM";
  monitorId: string;
  tenantId: string;
  monitorVersion: number;
  networkSlug: string;
  blockNumber: bigint;
  blockHash: Hex;
  transactionIndex: number;
  transactionHash: Hex;
  payload: EvmMatchPayload;
}

/**
 * One monitor matching one Stellar transaction (same envelope as EVM; ledger = block). Objects inside `payload` may
 * be shared with other matches of the same ledger: treat them as read-only.
 */
export interface StellarMonitorMatch {
  /** Deterministic: a pure function of network, ledger hash, transaction position, monitor id and version. */
  id: Hex;
  chain: "Stellar";
  monitorId: string;
  tenantId: string;
  monitorVersion: number;
  networkSlug: string;
  /** The ledger sequence. */
  blockNumber: bigint;
  /** The ledger hash (64 hex characters, no `0x`). */
  blockHash: string;
  /** Position of the transaction in the ledger's transaction list (application order). */
  transactionIndex: number;
  /** The RPC's `txHash`, verbatim. */
  transactionHash: string;
  payload: StellarMatchPayload;
}

/** One monitor matching one transaction, by chain family (`chain`). */
export type MonitorMatch = EvmMonitorMatch | StellarMonitorMatch;

/** The externally tagged form users' scripts and raw webhooks receive (`{"EVM": {...}}`, `{"Stellar": {...}}`). */
export type MonitorMatchJson = { EVM: EvmMatchPayload } | { Stellar: StellarMatchPayload };

export type EngineDiagnosticCode =
  | "ENGINE_EXPRESSION_INVALID"
  | "ENGINE_EXPRESSION_FAILED"
  | "ENGINE_CALLDATA_UNDECODABLE"
  | "ENGINE_ABI_ITEM_INVALID"
  | "ENGINE_SPEC_ENTRY_INVALID"
  | "ENGINE_MONITOR_DUPLICATE_ID"
  | "ENGINE_MONITOR_NO_ADDRESSES"
  | "ENGINE_CHAIN_UNSUPPORTED";

/**
 * A problem found while compiling or evaluating, returned as a value (the engine never logs or throws for these).
 * `path` points into the monitor JSON, e.g. `["match_conditions", "events", 0, "expression"]`.
 */
export interface EngineDiagnostic {
  code: EngineDiagnosticCode;
  severity: "error" | "warning";
  message: string;
  monitorId: string;
  tenantId: string;
  path: ErrorPath;
  networkSlug?: string;
  blockNumber?: bigint;
  /** The first transaction the problem occurred in (`0x…` on EVM, the RPC's `txHash` on Stellar). */
  transactionHash?: string;
  /** For expression failures: the expression module's error code and kind (`VariableNotFound`, …). */
  cause?: { code: string; kind: string };
  /** Evaluation diagnostics are folded per (monitor, path, cause) within a block; this counts the occurrences. */
  occurrences?: number;
}
