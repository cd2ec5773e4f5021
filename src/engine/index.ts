/**
 * The matching engine: compiles tenants' OZ-format monitors into per-network indexes and evaluates blocks against
 * them, producing OZ-compatible matches (`{"EVM": {monitor, transaction, receipt, logs, matched_on, …}}`).
 *
 * Pure: no I/O, no logging, no clocks. Problems come back as diagnostics. Evaluation cost follows the
 * transactions, logs and matches of a block, not the number of monitors.
 *
 * @example
 * const { compiled, diagnostics } = compileMonitors([{ id: "m1", tenantId: "t1", version: 1, monitor }]);
 * const { matches } = evaluateBlock(compiled, "ethereum_mainnet", block);
 * const forScripts = matches.map(toMatchJson); // [{ EVM: { monitor, transaction, … } }]
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
  ChainFamily,
  CompileMonitorsOptions,
  EngineDiagnostic,
  EngineDiagnosticCode,
  EvmMatchArg,
  EvmMatchArgsEntry,
  EvmMatchedOnArgs,
  EvmMatchPayload,
  MatchedOn,
  MatchMonitor,
  MonitorDefinition,
  MonitorMatch,
  MonitorMatchJson,
  SignatureConditionRecord,
  TransactionConditionRecord,
  TransactionStatus,
} from "./types.js";
