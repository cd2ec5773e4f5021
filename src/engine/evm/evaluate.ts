/**
 * EVM block evaluation (§3 of the compatibility spec, with Argus's §15 decisions).
 *
 * Cost model: for each transaction, the candidate monitors are those the network index lists under the
 * transaction's `from`, its `to`, or the address of one of its logs, which is exactly OZ's address gate (§3.5).
 * No other monitor is looked at. A call or log is decoded at most once per ABI item however many monitors share
 * it, and an expression is evaluated at most once per (parameter set, expression text).
 */
import { type Expression, evaluateExpression, evmDialect } from "../../expr/index.js";
import type { CompiledCondition, CompiledMonitor, CompiledSignatureCondition } from "../compiled.js";
import { decideMatch } from "../decision.js";
import { DiagnosticSink } from "../diagnostics.js";
import type { EvmBlock, EvmBlockTransaction, Hex } from "../evm-block.js";
import { matchIdFromPrefix, matchIdPrefix } from "../match.js";
import type {
  EngineDiagnostic,
  EvmMatchArg,
  EvmMatchArgsEntry,
  EvmMatchPayload,
  MonitorMatch,
  SignatureConditionRecord,
  TransactionConditionRecord,
  TransactionStatus,
} from "../types.js";
import type { AbiEvent, AbiFunction } from "./abi.js";
import { evmAddressKey } from "./address.js";
import type { EvmIndexEntry, EvmMonitor, EvmNetworkIndex, EvmWatch } from "./compile.js";
import { decodeEventArgs, decodeFunctionArgs } from "./decode.js";
import { type EvmParam, transactionParams, transactionStatus } from "./transaction.js";

/**
 * @internal Work done by `evaluateEvmBlock` since the last reset. Tests use it to prove that work follows the
 * monitors an index selects, not the number of monitors compiled.
 */
export const evmEvaluationCounters = {
  /** (transaction, monitor) pairs that passed the address gate. */
  candidatePairs: 0,
  /** Calls of `evaluateExpression`. */
  expressionEvaluations: 0,
  /** ABI decodes of calls and logs. */
  decodes: 0,
};

/** @internal */
export function resetEvmEvaluationCounters(): void {
  evmEvaluationCounters.candidatePairs = 0;
  evmEvaluationCounters.expressionEvaluations = 0;
  evmEvaluationCounters.decodes = 0;
}

type ExpressionOutcome = ReturnType<typeof evaluateExpression>;

/** A parameter list plus the results of expressions already evaluated against it in this block. */
interface ParamScope {
  readonly params: readonly EvmParam[] | readonly EvmMatchArg[];
  readonly results: Map<Expression, ExpressionOutcome>;
}

interface Decoded extends ParamScope {
  readonly entry: EvmMatchArgsEntry;
  /** `[entry]`, frozen: `matched_on_args.functions` of every match on this call. */
  readonly entryList: readonly EvmMatchArgsEntry[];
}

/** Lazily computed facts about one transaction, shared by all its candidate monitors. */
interface TransactionState {
  readonly position: number;
  readonly entry: EvmBlockTransaction;
  readonly hash: Hex;
  readonly status: TransactionStatus;
  txScope?: ParamScope;
  /** Call data without `0x`, lowercase. */
  input?: string;
  /** `undefined` until computed; `null` when the call data is shorter than a selector. */
  selector?: string | null;
  calls?: Map<AbiFunction, Decoded | null>;
  logs?: Map<number, Map<AbiEvent, Decoded | null>>;
  /** Lowercase topic 0 per log (`undefined` for logs without topics), computed on first use. */
  topic0s?: Array<string | undefined>;
}

/** A monitor that passed the address gate for the current transaction. Pooled: reused across transactions. */
interface Candidate {
  slot: number;
  monitor: EvmMonitor;
  /** The monitor's watch of `tx.to`, when it watches it. */
  toWatch: EvmWatch | null;
  /** Logs emitted by addresses the monitor watches, in log order, with the watch of each emitter. */
  readonly logIndexes: number[];
  readonly logWatches: EvmWatch[];
}

/** Per-block scratch space for gathering candidates without a map per transaction. */
interface CandidateSet {
  /** Per monitor slot: the transaction position that last admitted it (-1: none yet). */
  readonly admittedAt: Int32Array;
  /** Per monitor slot: its index in `pool` for the current transaction. */
  readonly poolIndex: Int32Array;
  readonly pool: Candidate[];
  size: number;
}

interface Evaluation {
  readonly slug: string;
  readonly block: EvmBlock;
  readonly sink: DiagnosticSink;
  /** Match-id prefix per monitor with a match in this block (one hash per block and monitor). */
  readonly idPrefixes: Map<CompiledMonitor, string>;
}

export function evaluateEvmBlock(
  index: EvmNetworkIndex,
  block: EvmBlock,
): { matches: MonitorMatch[]; diagnostics: EngineDiagnostic[] } {
  const evaluation: Evaluation = {
    slug: index.slug,
    block,
    sink: new DiagnosticSink({ networkSlug: index.slug, blockNumber: block.number }),
    idPrefixes: new Map(),
  };
  const monitorCount = index.monitors.length;
  const candidates: CandidateSet = {
    admittedAt: new Int32Array(monitorCount).fill(-1),
    poolIndex: new Int32Array(monitorCount),
    pool: [],
    size: 0,
  };
  // Matches bucketed by monitor slot: output order is monitor (compile order), then transaction order.
  const bySlot = new Map<number, MonitorMatch[]>();

  const { byAddress } = index;
  block.transactions.forEach((entry, position) => {
    const { transaction, logs } = entry;
    candidates.size = 0;
    if (transaction.from) {
      for (const watching of byAddress.get(evmAddressKey(transaction.from)) ?? NONE)
        admit(candidates, watching, position);
    }
    if (transaction.to) {
      for (const watching of byAddress.get(evmAddressKey(transaction.to)) ?? NONE) {
        admit(candidates, watching, position).toWatch = watching.watch;
      }
    }
    for (let logIndex = 0; logIndex < logs.length; logIndex++) {
      const emitter = logs[logIndex]?.address;
      if (emitter === undefined) continue;
      for (const watching of byAddress.get(evmAddressKey(emitter)) ?? NONE) {
        const candidate = admit(candidates, watching, position);
        candidate.logIndexes.push(logIndex);
        candidate.logWatches.push(watching.watch);
      }
    }
    if (candidates.size === 0) return;

    const state: TransactionState = {
      position,
      entry,
      hash: transaction.hash,
      status: transactionStatus(entry.receipt),
    };
    for (let i = 0; i < candidates.size; i++) {
      const candidate = candidates.pool[i];
      if (!candidate) continue;
      const match = evaluateCandidate(evaluation, candidate, state);
      if (!match) continue;
      const bucket = bySlot.get(candidate.slot);
      if (bucket) bucket.push(match);
      else bySlot.set(candidate.slot, [match]);
    }
  });

  const slots = [...bySlot.keys()].sort((a, b) => a - b);
  return { matches: slots.flatMap((slot) => bySlot.get(slot) ?? []), diagnostics: evaluation.sink.list() };
}

const NONE: readonly EvmIndexEntry[] = [];

/** Adds the monitor of `watching` to this transaction's candidates (once) and returns its candidate record. */
function admit(candidates: CandidateSet, watching: EvmIndexEntry, position: number): Candidate {
  const { slot, monitor } = watching;
  if (candidates.admittedAt[slot] === position) {
    const existing = candidates.pool[candidates.poolIndex[slot] ?? -1];
    if (existing) return existing;
  }
  candidates.admittedAt[slot] = position;
  const at = candidates.size++;
  candidates.poolIndex[slot] = at;
  let candidate = candidates.pool[at];
  if (candidate) {
    candidate.slot = slot;
    candidate.monitor = monitor;
    candidate.toWatch = null;
    candidate.logIndexes.length = 0;
    candidate.logWatches.length = 0;
  } else {
    candidate = { slot, monitor, toWatch: null, logIndexes: [], logWatches: [] };
    candidates.pool.push(candidate);
  }
  return candidate;
}

function evaluateCandidate(evaluation: Evaluation, candidate: Candidate, state: TransactionState): MonitorMatch | null {
  evmEvaluationCounters.candidatePairs++;
  const { monitor } = candidate.monitor;

  // Transaction conditions first: when some are configured and none matches, no row of the decision table can
  // match, and events/functions need not be decoded.
  let transactionRecords: readonly TransactionConditionRecord[] | null = null;
  for (const condition of monitor.transactions) {
    if (condition.status !== "Any" && condition.status !== state.status) continue;
    if (passes(evaluation, monitor, condition, txScope(state), state)) {
      transactionRecords = condition.recorded[state.status];
      break;
    }
  }
  if (monitor.transactions.length > 0 && transactionRecords === null) return null;

  // Functions (§3.3): top-level call only, ABI of the first monitored address equal to `to`, first ABI function
  // with the selector, conditions with its signature in order.
  let functionRecords: readonly SignatureConditionRecord[] | null = null;
  let functionArgs: readonly EvmMatchArgsEntry[] | null = null;
  const functionAbi = monitor.functions.length > 0 ? candidate.toWatch?.functionAbi : null;
  const selector = functionAbi ? selectorOf(state) : null;
  const fn = selector ? functionAbi?.functionsBySelector.get(selector) : undefined;
  if (fn) {
    let decoded: Decoded | null | undefined;
    for (const condition of monitor.functions) {
      if (condition.signatureKey !== fn.signatureKey) continue;
      decoded ??= decodeCall(state, fn);
      if (decoded === null) {
        evaluation.sink.report(
          monitor,
          {
            code: "ENGINE_CALLDATA_UNDECODABLE",
            severity: "warning",
            message: `Call data of the transaction does not decode as ${fn.signature}; the function conditions cannot match it.`,
            path: ["match_conditions", "functions", condition.index, "signature"],
          },
          state.hash,
        );
        break;
      }
      if (passes(evaluation, monitor, condition, decoded, state)) {
        functionRecords = recordedAs(condition, fn.signature);
        functionArgs = decoded.entryList;
        break;
      }
    }
  }

  // Events (§3.4): logs emitted by watched addresses, ABI of the first monitored address equal to the emitter,
  // conditions with the event's signature in order; every matching log adds an entry.
  let eventRecords: SignatureConditionRecord[] | null = null;
  let eventArgs: EvmMatchArgsEntry[] | null = null;
  if (monitor.events.length > 0) {
    state.topic0s ??= state.entry.logs.map((log) => log.topics[0]?.toLowerCase());
    const { logIndexes, logWatches } = candidate;
    for (let k = 0; k < logIndexes.length; k++) {
      const logIndex = logIndexes[k] ?? -1;
      const topic0 = state.topic0s[logIndex];
      if (topic0 === undefined) continue; // OZ panics on logs without topics; Argus skips them.
      const ev = logWatches[k]?.eventAbi?.eventsByTopic0.get(topic0);
      if (!ev) continue;
      let decoded: Decoded | null | undefined;
      for (const condition of monitor.events) {
        if (condition.signatureKey !== ev.signatureKey) continue;
        decoded ??= decodeLog(state, logIndex, ev);
        if (decoded === null) break;
        if (passes(evaluation, monitor, condition, decoded, state)) {
          eventRecords ??= [];
          eventArgs ??= [];
          eventRecords.push(recordedAs(condition, ev.signature)[0] as SignatureConditionRecord);
          eventArgs.push(decoded.entry);
          break;
        }
      }
    }
  }

  const isMatch = decideMatch({
    events: { configured: monitor.events.length > 0, matched: eventRecords !== null },
    functions: { configured: monitor.functions.length > 0, matched: functionRecords !== null },
    transactions: { configured: monitor.transactions.length > 0, matched: transactionRecords !== null },
  });
  if (!isMatch) return null;

  const { block, slug, idPrefixes } = evaluation;
  let idPrefix = idPrefixes.get(monitor);
  if (idPrefix === undefined) {
    idPrefix = matchIdPrefix({
      networkSlug: slug,
      blockHash: block.hash,
      monitorId: monitor.id,
      monitorVersion: monitor.version,
    });
    idPrefixes.set(monitor, idPrefix);
  }
  const { entry } = state;
  const payload: EvmMatchPayload = {
    monitor: monitor.matchMonitor,
    transaction: entry.transaction,
    receipt: monitor.includesReceipt ? entry.receipt : null,
    logs: entry.logs,
    network_slug: slug,
    matched_on: {
      functions: functionRecords ?? NO_RECORDS,
      events: eventRecords ?? NO_RECORDS,
      transactions: transactionRecords ?? NO_RECORDS,
    },
    matched_on_args: { functions: functionArgs, events: eventArgs },
  };
  return {
    id: matchIdFromPrefix(idPrefix, state.position),
    chain: "EVM",
    monitorId: monitor.id,
    tenantId: monitor.tenantId,
    monitorVersion: monitor.version,
    networkSlug: slug,
    blockNumber: block.number,
    blockHash: block.hash,
    transactionIndex: state.position,
    transactionHash: state.hash,
    payload,
  };
}

/** Condition filter: no expression passes; an expression is evaluated (once per scope); an error fails it. */
function passes(
  evaluation: Evaluation,
  monitor: CompiledMonitor,
  condition: CompiledCondition,
  scope: ParamScope,
  state: TransactionState,
): boolean {
  if (condition.invalid) return false;
  if (condition.expression === null) return true;
  let outcome = scope.results.get(condition.expression);
  if (outcome === undefined) {
    evmEvaluationCounters.expressionEvaluations++;
    outcome = evaluateExpression(condition.expression, scope.params, evmDialect);
    scope.results.set(condition.expression, outcome);
  }
  if (outcome.ok) return outcome.value;
  evaluation.sink.report(
    monitor,
    {
      code: "ENGINE_EXPRESSION_FAILED",
      severity: "error",
      message: `Expression '${condition.expressionText}' failed, so its condition did not match: ${outcome.error.message}`,
      path: condition.expressionPath,
      cause: { code: outcome.error.code, kind: outcome.error.kind },
    },
    state.hash,
  );
  return false;
}

function txScope(state: TransactionState): ParamScope {
  state.txScope ??= { params: transactionParams(state.entry), results: new Map() };
  return state.txScope;
}

function selectorOf(state: TransactionState): string | null {
  if (state.selector === undefined) {
    const body = callData(state);
    state.selector = body.length >= 8 ? body.slice(0, 8) : null;
  }
  return state.selector;
}

function callData(state: TransactionState): string {
  state.input ??= inputBody(state.entry.transaction.input);
  return state.input;
}

function decodeCall(state: TransactionState, fn: AbiFunction): Decoded | null {
  state.calls ??= new Map();
  let decoded = state.calls.get(fn);
  if (decoded === undefined) {
    evmEvaluationCounters.decodes++;
    const args = decodeFunctionArgs(fn, callData(state).slice(8));
    decoded = args === null ? null : scoped(args, fn.signature, `0x${fn.selector}`);
    state.calls.set(fn, decoded);
  }
  return decoded;
}

function decodeLog(state: TransactionState, logIndex: number, ev: AbiEvent): Decoded | null {
  state.logs ??= new Map();
  let perLog = state.logs.get(logIndex);
  if (!perLog) {
    perLog = new Map();
    state.logs.set(logIndex, perLog);
  }
  let decoded = perLog.get(ev);
  if (decoded === undefined) {
    evmEvaluationCounters.decodes++;
    const log = state.entry.logs[logIndex];
    const args = log
      ? decodeEventArgs(
          ev,
          log.topics.map((topic) => topic.toLowerCase()),
          inputBody(log.data),
        )
      : null;
    decoded = args === null ? null : scoped(args, ev.signature, ev.topic0);
    perLog.set(ev, decoded);
  }
  return decoded;
}

function scoped(args: EvmMatchArg[], signature: string, hexSignature: string): Decoded {
  const frozenArgs = Object.freeze(args);
  const entry = Object.freeze({ signature, args: frozenArgs, hex_signature: hexSignature });
  return { params: frozenArgs, results: new Map(), entry, entryList: Object.freeze([entry]) };
}

/** Shared, frozen empty `matched_on` list. */
const NO_RECORDS: readonly never[] = Object.freeze([]);

/** `[{signature, expression}]` for a condition that matched an ABI item with this canonical signature. */
function recordedAs(condition: CompiledSignatureCondition, signature: string): readonly SignatureConditionRecord[] {
  if (condition.recorded?.signature !== signature) {
    const list = Object.freeze([Object.freeze({ signature, expression: condition.expressionText })]);
    condition.recorded = { signature, list };
  }
  return condition.recorded.list;
}

/** Hex data without its `0x` prefix, lowercase. */
function inputBody(hex: string | undefined): string {
  if (hex === undefined) return "";
  return (hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex).toLowerCase();
}
