/**
 * The matching engine: compiles tenants' OZ-format monitors into per-network indexes and evaluates blocks (EVM) and
 * ledgers (Stellar) against them, producing OZ-compatible matches (`{"EVM": {monitor, transaction, receipt, logs,
 * matched_on, …}}`, `{"Stellar": {monitor, transaction, ledger, matched_on, …}}`).
 *
 * Pure: no I/O, no logging, no clocks. Problems come back as diagnostics. Evaluation cost follows the
 * transactions, logs and matches of a block, not the number of monitors.
 *
 * @example
 * const { compiled, diagnostics } = compileMonitors([{ id: "m1", tenantId: "t1", version: 1, monitor }]);
 * const { matches } = evaluateBlock(compiled, "ethereum_mainnet", block);
 * const forScripts = matches.map(toMatchJson); // [{ EVM: { monitor, transaction, … } }]
 *
 * @example
 * // Stellar: contracts monitored without an inline `contract_spec` need their spec from the chain, fetched once by
 * // the caller (`chains/stellar` `fetchContractSpec`) and handed back in.
 * const networkChains = { stellar_mainnet: "Stellar" } as const;
 * const first = compileMonitors(definitions, { networkChains });
 * const specs = new Map<string, StellarContractSpecEntry[]>();
 * for (const id of first.compiled.missingStellarSpecs("stellar_mainnet")) {
 *   specs.set(id, await fetchContractSpec(client, id).catch(() => [])); // [] = "no spec", not asked again
 * }
 * const { compiled } = compileMonitors(definitions, { networkChains, stellarContractSpecs: { stellar_mainnet: specs } });
 * const { matches } = evaluateBlock(compiled, "stellar_mainnet", ledger); // ledger from fetchStellarLedger
 */
export { type CompileMonitorsResult, compileMonitors } from "./compile.js";
export type { CompiledMonitors } from "./compiled.js";
export { EngineError, type EngineErrorCode } from "./errors.js";
export { type EvaluateBlockResult, evaluateBlock } from "./evaluate.js";
export type {
  EvmBlock,
  EvmBlockTransaction,
  Hex,
  RpcBlockHeader,
  RpcLog,
  RpcReceipt,
  RpcTransaction,
} from "./evm-block.js";
export { type MatchIdParameters, matchId, toMatchJson } from "./match.js";
export type {
  StellarMatchArg,
  StellarMatchArgsEntry,
  StellarMatchedOn,
  StellarMatchedOnArgs,
  StellarMatchPayload,
  StellarMatchTransaction,
  StellarTransactionConditionRecord,
} from "./stellar/types.js";
export type {
  ScValue,
  StellarContractSpecEntry,
  StellarEvent,
  StellarLedger,
  StellarRpcEvent,
  StellarRpcLedger,
  StellarRpcTransaction,
  StellarTransaction,
} from "./stellar-ledger.js";
export type {
  ChainFamily,
  CompileMonitorsOptions,
  EngineDiagnostic,
  EngineDiagnosticCode,
  EvmMatchArg,
  EvmMatchArgsEntry,
  EvmMatchedOnArgs,
  EvmMatchPayload,
  EvmMonitorMatch,
  MatchedOn,
  MatchMonitor,
  MonitorDefinition,
  MonitorMatch,
  MonitorMatchJson,
  SignatureConditionRecord,
  StellarMonitorMatch,
  TransactionConditionRecord,
  TransactionStatus,
} from "./types.js";
