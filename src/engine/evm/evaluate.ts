/**
 * EVM block evaluation (§3 of the compatibility spec, with Argus's §15 decisions).
 *
 * Cost model: for each transaction, the index is probed with what the transaction contains — its `from` and `to`,
 * its call's (address, selector), each log's (address, topic 0) — and each probe reports only the monitors whose
 * triggers hold there (see `compile.ts`). Only those monitors are evaluated, exactly as OZ evaluates a monitor; a
 * monitor whose triggers do not hold could neither match nor report an expression error. Work thus follows the
 * transactions, logs and (near-)matches of a block, not the number of monitors. Probes read only the parameters
 * they compare; a call or log is decoded at most once per ABI item however many monitors share it, and an
 * expression is evaluated at most once per (parameter set, expression).
 *
 * Diagnostics are ordered like matches (by monitor, then by first occurrence), so the diagnostics of a monitor are
 * exactly those it reports when evaluated alone.
 */
import { type Expression, evaluateExpression, evmDialect } from "../../expr/index.js";
import type { CompiledCondition, CompiledMonitor, CompiledSignatureCondition } from "../compiled.js";
import { decideMatch } from "../decision.js";
import { DiagnosticSink } from "../diagnostics.js";
import type { EvmBlock, EvmBlockTransaction, Hex } from "../evm-block.js";
import { blockMatchIdPrefixes, matchIdFromPrefix } from "../match.js";
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
import type { EvmAddressIndex, EvmMonitor, EvmNetworkIndex } from "./compile.js";
import { dataBody, decodeCallInput, decodeRpcLog, LogValueReader } from "./decode.js";
import {
  type EvmParam,
  lazyTransactionParams,
  transactionParamValue,
  transactionQuantitiesInRange,
  transactionStatus,
} from "./transaction.js";
import {
  ConjunctionTally,
  collectSatisfied,
  hexPrefix16,
  prefixSetHas,
  type TriggerIndex,
  type TriggerValues,
} from "./trigger-index.js";

/**
 * @internal Work done by `evaluateEvmBlock` since the last reset. Tests use it to prove that work follows the
 * monitors an index selects, not the number of monitors compiled.
 */
export const evmEvaluationCounters = {
  /** (transaction, monitor) pairs evaluated: monitors the index selected for a transaction. */
  candidatePairs: 0,
  /** Calls of `evaluateExpression`. */
  expressionEvaluations: 0,
  /** ABI decodes of calls and logs. */
  decodes: 0,
};

/** @internal Work done by the predicate index since the last reset. */
export const evmIndexCounters = {
  /** Predicate groups probed with a decoded value (one per group and call, log or transaction whose values are read). */
  groupProbes: 0,
  /** Monitor slots reported by probes and by unconditional triggers, before de-duplication per transaction. */
  firedSlots: 0,
  /** Transactions left to the plain address gate because one of their quantities is not a valid uint256. */
  addressGateFallbacks: 0,
};

/** @internal */
export function resetEvmEvaluationCounters(): void {
  evmEvaluationCounters.candidatePairs = 0;
  evmEvaluationCounters.expressionEvaluations = 0;
  evmEvaluationCounters.decodes = 0;
  evmIndexCounters.groupProbes = 0;
  evmIndexCounters.firedSlots = 0;
  evmIndexCounters.addressGateFallbacks = 0;
}

type ExpressionOutcome = ReturnType<typeof evaluateExpression>;

/** A parameter list plus the results of expressions already evaluated against it in this block. */
interface ParamScope extends TriggerValues {
  readonly params: readonly EvmParam[] | readonly EvmMatchArg[];
  results?: Map<Expression, ExpressionOutcome>;
}

/** A decoded call or log. */
class Decoded implements ParamScope {
  results?: Map<Expression, ExpressionOutcome>;
  integers?: Array<bigint | null | undefined>;

  constructor(
    readonly params: readonly EvmMatchArg[],
    readonly entry: EvmMatchArgsEntry,
    /** `[entry]`, frozen: `matched_on_args.functions` of every match on this call. */
    readonly entryList: readonly EvmMatchArgsEntry[],
  ) {}

  value(param: number): string | undefined {
    return this.params[param]?.value;
  }
}

/** A transaction's parameters (§3.2), each computed when first read. */
class TransactionScope implements ParamScope {
  results?: Map<Expression, ExpressionOutcome>;
  integers?: Array<bigint | null | undefined>;
  private list?: readonly EvmParam[];
  /** Values read by probes before any expression needed the parameter list. */
  private values?: Array<string | undefined>;

  constructor(private readonly transaction: EvmBlockTransaction) {}

  /** For expressions: the §3.2 list, each value computed when the expression reads it. */
  get params(): readonly EvmParam[] {
    this.list ??= lazyTransactionParams(this.transaction);
    return this.list;
  }

  value(param: number): string | undefined {
    if (this.list) return this.list[param]?.value;
    this.values ??= [];
    let value = this.values[param];
    if (value === undefined) {
      value = transactionParamValue(this.transaction, param);
      this.values[param] = value;
    }
    return value;
  }
}

/** One log's decodings, per ABI event (usually one). */
interface LogDecoding {
  readonly ev: AbiEvent;
  readonly decoded: Decoded | null;
  readonly next: LogDecoding | undefined;
}

/** Lazily computed facts about one transaction, shared by all its candidate monitors. */
interface TransactionState {
  readonly position: number;
  readonly entry: EvmBlockTransaction;
  readonly hash: Hex;
  /** From the receipt (§15), computed on first use. */
  status?: TransactionStatus;
  /** See `inRangeOf`. */
  inRange?: boolean;
  txScope?: TransactionScope;
  /** `undefined` until computed; `null` when the call data is shorter than a selector. */
  selector?: string | null;
  calls?: Array<{ readonly fn: AbiFunction; readonly decoded: Decoded | null }>;
  logs?: Array<LogDecoding | undefined>;
  /** Address keys of the logs' emitters (for monitors evaluated by the plain address gate). */
  logKeys?: string[];
  /** Lowercase topic 0 per log (`undefined` for logs without topics). */
  topic0s?: Array<string | undefined>;
}

/** A monitor selected for the current transaction. Pooled: reused across transactions. */
interface Candidate {
  slot: number;
  monitor: EvmMonitor;
  /**
   * Evaluated as OZ's address gate admits it: against the call and every log of its addresses. Otherwise only
   * against what fired it: `call`, and the logs in `logIndexes`.
   */
  gated: boolean;
  /** The ABI function of the monitor's watch of `tx.to` that fired it, if any. */
  call: AbiFunction | null;
  /** Logs that fired it, in log order, with the ABI event (of the monitor's watch of the emitter) that fired. */
  readonly logIndexes: number[];
  readonly logEvents: AbiEvent[];
}

interface BlockRun {
  readonly index: EvmNetworkIndex;
  readonly slug: string;
  readonly block: EvmBlock;
  readonly sink: DiagnosticSink;
  /** Match-id prefix per monitor with a match in this block (one hash per block and monitor). */
  readonly idPrefixes: Map<CompiledMonitor, string>;
  /** Computes match-id prefixes for this block (created on the first match). */
  idHasher: ((monitorId: string, monitorVersion: number) => string) | null;
  readonly scratch: Scratch;
  /** `scratch` stamps of this block's transactions are `stampBase + position`. */
  readonly stampBase: number;
  /** Candidates of the current transaction: `scratch.pool[0 .. size)`. */
  size: number;
  /** Matches bucketed by monitor slot: output order is monitor (compile order), then transaction order. */
  readonly bySlot: Map<number, MonitorMatch[]>;
  /** See `EvmEvaluationOptions`. */
  readonly addressGateOnly: boolean;
}

/** @internal */
export interface EvmEvaluationOptions {
  /**
   * Reference mode for tests: ignore the predicate index and evaluate every monitor whose address gate passes
   * (OZ's own loop). Results must be identical; only the work differs.
   */
  addressGateOnly?: boolean;
}

export function evaluateEvmBlock(
  index: EvmNetworkIndex,
  block: EvmBlock,
  options: EvmEvaluationOptions = {},
): { matches: MonitorMatch[]; diagnostics: EngineDiagnostic[] } {
  const { transactions } = block;
  const scratch = takeScratch(index, transactions.length);
  const run: BlockRun = {
    index,
    slug: index.slug,
    block,
    sink: new DiagnosticSink({ networkSlug: index.slug, blockNumber: block.number }),
    idPrefixes: new Map(),
    idHasher: null,
    scratch,
    stampBase: scratch.nextStamp,
    size: 0,
    bySlot: new Map(),
    addressGateOnly: options.addressGateOnly === true,
  };

  try {
    for (let position = 0; position < transactions.length; position++) {
      evaluateTransaction(run, position, transactions[position] as EvmBlockTransaction);
    }
  } finally {
    scratch.inUse = false;
  }

  const slots = [...run.bySlot.keys()].sort((a, b) => a - b);
  return { matches: slots.flatMap((slot) => run.bySlot.get(slot) ?? []), diagnostics: run.sink.list() };
}

/**
 * Per-network working memory of evaluations, reused from block to block (evaluation allocates little, so the
 * garbage collector rarely interrupts it). Entries are stamped with a number unique to each transaction of each
 * evaluation, so nothing needs clearing between blocks.
 */
interface Scratch {
  inUse: boolean;
  /** The first stamp of the next evaluation. */
  nextStamp: number;
  /** Per monitor slot: the stamp of the transaction that last admitted it. */
  readonly admittedAt: Int32Array;
  /** Per monitor slot: its index in `pool` for that transaction. */
  readonly poolIndex: Int32Array;
  readonly pool: Candidate[];
  /** Per address id: the stamp of the transaction that last visited it. */
  readonly visitedAt: Int32Array;
  /** Scratch list of the slots one trigger index reports. */
  readonly satisfied: number[];
  readonly tally: ConjunctionTally;
  readonly logReader: LogValueReader;
}

const scratches = new WeakMap<EvmNetworkIndex, Scratch>();

function takeScratch(index: EvmNetworkIndex, transactions: number): Scratch {
  let scratch = scratches.get(index);
  if (scratch === undefined || scratch.inUse) {
    // (`inUse`: a nested evaluation of the same index, which cannot happen today; it gets its own.)
    const fresh: Scratch = {
      inUse: false,
      nextStamp: 0,
      admittedAt: new Int32Array(index.monitors.length).fill(-1),
      poolIndex: new Int32Array(index.monitors.length),
      pool: [],
      visitedAt: new Int32Array(index.byAddress.size).fill(-1),
      satisfied: [],
      tally: new ConjunctionTally(),
      logReader: new LogValueReader(PLACEHOLDER_EVENT, [], ""),
    };
    if (scratch === undefined) scratches.set(index, fresh);
    scratch = fresh;
  }
  if (scratch.nextStamp + transactions + 1 >= 0x7fffffff) {
    scratch.admittedAt.fill(-1);
    scratch.visitedAt.fill(-1);
    scratch.nextStamp = 0;
  }
  scratch.inUse = true;
  const base = scratch.nextStamp;
  scratch.nextStamp = base + transactions + 1;
  return scratch;
}

const PLACEHOLDER_EVENT: AbiEvent = Object.freeze({ signature: "", signatureKey: "", topic0: "", inputs: [] });

function evaluateTransaction(run: BlockRun, position: number, entry: EvmBlockTransaction): void {
  const { transaction, logs } = entry;
  const { index } = run;
  run.size = 0;
  // Created when the transaction involves a watched address (most transactions do not).
  let state: TransactionState | undefined;

  const fromIndex = transaction.from ? addressIndex(index, transaction.from) : undefined;
  if (fromIndex) {
    state ??= newState(position, entry);
    visitAddress(run, state, fromIndex);
  }
  const toIndex = transaction.to ? addressIndex(index, transaction.to) : undefined;
  if (toIndex) {
    state ??= newState(position, entry);
    visitAddress(run, state, toIndex);
    if (toIndex.functions.size > 0 && !run.addressGateOnly) fireCall(run, state, toIndex);
  }
  for (let i = 0; i < logs.length; i++) {
    const emitter = logs[i]?.address;
    if (emitter === undefined) continue;
    const emitterIndex = addressIndex(index, emitter);
    if (!emitterIndex) continue;
    state ??= newState(position, entry);
    visitAddress(run, state, emitterIndex);
    if (emitterIndex.events.size > 0 && !run.addressGateOnly) fireLog(run, state, emitterIndex, i);
  }
  if (state === undefined) return;

  for (let i = 0; i < run.size; i++) {
    const candidate = run.scratch.pool[i] as Candidate;
    const match = evaluateCandidate(run, candidate, state);
    if (!match) continue;
    const bucket = run.bySlot.get(candidate.slot);
    if (bucket) bucket.push(match);
    else run.bySlot.set(candidate.slot, [match]);
  }
}

function newState(position: number, entry: EvmBlockTransaction): TransactionState {
  return { position, entry, hash: entry.transaction.hash };
}

function statusOf(state: TransactionState): TransactionStatus {
  state.status ??= transactionStatus(state.entry.receipt);
  return state.status;
}

/** Whether the transaction's quantities are valid uint256 values (almost always; else see `visitAddress`). */
function inRangeOf(state: TransactionState): boolean {
  if (state.inRange === undefined) {
    state.inRange = transactionQuantitiesInRange(state.entry.transaction);
    if (!state.inRange) evmIndexCounters.addressGateFallbacks++;
  }
  return state.inRange;
}

/** The index entry of an address as the RPC spells it (lowercase hex is found without normalising). */
function addressIndex(index: EvmNetworkIndex, address: string): EvmAddressIndex | undefined {
  if (address.length === 42 && address.charCodeAt(0) === 0x30 && (address.charCodeAt(1) | 0x20) === 0x78) {
    // The key of such an address starts with these 4 digits (lowercased): no key does → not watched.
    const prefix = hexPrefix16(address, 2);
    if (prefix >= 0 && !prefixSetHas(index.keyPrefixes, prefix)) return undefined;
  }
  const found = index.byHexAddress.get(address);
  if (found !== undefined || isLowercaseHexAddress(address)) return found;
  return index.byAddress.get(evmAddressKey(address));
}

function isLowercaseHexAddress(address: string): boolean {
  return address.length === 42 && LOWERCASE_HEX_ADDRESS.test(address);
}

const LOWERCASE_HEX_ADDRESS = /^0x[0-9a-f]{40}$/;

/** Once per transaction and involved address: the address gate's monitors and the transaction-level triggers. */
function visitAddress(run: BlockRun, state: TransactionState, address: EvmAddressIndex): void {
  const stamp = run.stampBase + state.position;
  const { visitedAt } = run.scratch;
  if (visitedAt[address.id] === stamp) return;
  visitedAt[address.id] = stamp;
  if (run.addressGateOnly || !inRangeOf(state)) {
    // The transaction's own values cannot be read safely: evaluate every watcher as OZ's address gate does.
    for (const slot of address.watchers) admit(run, slot, state.position).gated = true;
    return;
  }
  for (const slot of address.gated) admit(run, slot, state.position).gated = true;
  const triggers = statusOf(state) === "Success" ? address.onSuccess : address.onFailure;
  if (!triggers) return;
  const fired = fire(run, triggers, triggers.groups.length > 0 ? txScope(state) : null);
  for (let k = 0; k < fired.length; k++) admit(run, fired[k] as number, state.position);
}

/** The call's (address, selector) entry: monitors whose function conditions on it may hold. */
function fireCall(run: BlockRun, state: TransactionState, to: EvmAddressIndex): void {
  const selector = selectorOf(state);
  if (selector === null) return;
  const items = to.functions.get(selector);
  if (!items) return;
  for (const { item: fn, triggers } of items) {
    let fired: readonly number[];
    if (triggers.groups.length === 0) {
      fired = fire(run, triggers, null);
    } else {
      const decoded = decodeCall(state, fn);
      // Undecodable call data: every monitor with conditions on the function reports it (if its transaction
      // conditions let it get that far).
      fired = decoded === null ? withGrouped(run, triggers) : fire(run, triggers, decoded);
    }
    for (let k = 0; k < fired.length; k++) admit(run, fired[k] as number, state.position).call = fn;
  }
}

/** A log's (address, topic 0) entry: monitors whose event conditions on it may hold. */
function fireLog(run: BlockRun, state: TransactionState, emitter: EvmAddressIndex, logIndex: number): void {
  const topic = state.entry.logs[logIndex]?.topics[0];
  if (topic === undefined) return; // OZ panics on logs without topics; Argus skips them.
  let items = emitter.events.get(topic);
  if (items === undefined) {
    const lower = topic.toLowerCase();
    if (lower !== topic) items = emitter.events.get(lower);
    if (items === undefined) return;
  }
  for (const { item: ev, triggers } of items) {
    let fired: readonly number[];
    if (triggers.groups.length === 0) {
      fired = fire(run, triggers, null);
    } else {
      // Probes read the few parameters they compare, without decoding the log (monitors that fire decode it).
      const log = state.entry.logs[logIndex];
      fired = log ? fire(run, triggers, run.scratch.logReader.reset(ev, log.topics, log.data)) : triggers.always;
    }
    for (let k = 0; k < fired.length; k++) {
      const candidate = admit(run, fired[k] as number, state.position);
      const last = candidate.logIndexes.length - 1;
      if (last < 0 || candidate.logIndexes[last] !== logIndex) {
        candidate.logIndexes.push(logIndex);
        candidate.logEvents.push(ev);
      }
    }
  }
}

/** The slots a trigger index reports for a scope occurrence (`values` null: only the unconditional ones). */
function fire(run: BlockRun, triggers: TriggerIndex, values: TriggerValues | null): readonly number[] {
  if (values === null || triggers.groups.length === 0) {
    evmIndexCounters.firedSlots += triggers.always.length;
    return triggers.always;
  }
  const { satisfied: out, tally } = run.scratch;
  out.length = 0;
  for (let k = 0; k < triggers.always.length; k++) out.push(triggers.always[k] as number);
  tally.begin(triggers.conjunctionSlots.length);
  for (let g = 0; g < triggers.groups.length; g++) {
    evmIndexCounters.groupProbes++;
    collectSatisfied(triggers, triggers.groups[g] as TriggerIndex["groups"][number], values, tally, out);
  }
  evmIndexCounters.firedSlots += out.length;
  return out;
}

function withGrouped(run: BlockRun, triggers: TriggerIndex): readonly number[] {
  const out = run.scratch.satisfied;
  out.length = 0;
  for (const slot of triggers.always) out.push(slot);
  for (const slot of triggers.grouped) out.push(slot);
  evmIndexCounters.firedSlots += out.length;
  return out;
}

/** Adds the monitor in `slot` to this transaction's candidates (once) and returns its candidate record. */
function admit(run: BlockRun, slot: number, position: number): Candidate {
  const { admittedAt, poolIndex, pool } = run.scratch;
  const stamp = run.stampBase + position;
  if (admittedAt[slot] === stamp) return pool[poolIndex[slot] as number] as Candidate;
  admittedAt[slot] = stamp;
  const at = run.size++;
  poolIndex[slot] = at;
  const monitor = run.index.monitors[slot] as EvmMonitor;
  let candidate = pool[at];
  if (candidate) {
    candidate.slot = slot;
    candidate.monitor = monitor;
    candidate.gated = false;
    candidate.call = null;
    candidate.logIndexes.length = 0;
    candidate.logEvents.length = 0;
  } else {
    // (The event list starts with its final element kind, so code reading it sees one array shape.)
    const logEvents: AbiEvent[] = [PLACEHOLDER_EVENT];
    logEvents.length = 0;
    candidate = { slot, monitor, gated: false, call: null, logIndexes: [], logEvents };
    pool.push(candidate);
  }
  return candidate;
}

function evaluateCandidate(run: BlockRun, candidate: Candidate, state: TransactionState): MonitorMatch | null {
  evmEvaluationCounters.candidatePairs++;
  const { monitor } = candidate.monitor;

  // Transaction conditions first: when some are configured and none matches, no row of the decision table can
  // match, and events/functions need not be decoded.
  let transactionRecords: readonly TransactionConditionRecord[] | null = null;
  for (const condition of monitor.transactions) {
    if (condition.status !== "Any" && condition.status !== statusOf(state)) continue;
    if (passes(run, monitor, condition, txScope(state), state)) {
      transactionRecords = condition.recorded[statusOf(state)];
      break;
    }
  }
  if (monitor.transactions.length > 0 && transactionRecords === null) return null;

  // Functions (§3.3): top-level call only, ABI of the first monitored address equal to `to`, first ABI function
  // with the selector, conditions with its signature in order.
  let functionRecords: readonly SignatureConditionRecord[] | null = null;
  let functionArgs: readonly EvmMatchArgsEntry[] | null = null;
  const fn = monitor.functions.length === 0 ? null : candidate.gated ? gatedCall(candidate, state) : candidate.call;
  if (fn) {
    let decoded: Decoded | null | undefined;
    for (const condition of monitor.functions) {
      if (condition.signatureKey !== fn.signatureKey) continue;
      decoded ??= decodeCall(state, fn);
      if (decoded === null) {
        run.sink.report(
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
      if (passes(run, monitor, condition, decoded, state)) {
        functionRecords = recordedAs(condition, fn.signature);
        functionArgs = decoded.entryList;
        break;
      }
    }
  }

  // Events (§3.4): logs emitted by watched addresses, ABI of the first monitored address equal to the emitter,
  // conditions with the event's signature in order; every matching log adds an entry.
  const events: EventRecords = { records: null, args: null };
  if (monitor.events.length > 0) {
    if (candidate.gated) {
      const { logs } = state.entry;
      for (let logIndex = 0; logIndex < logs.length; logIndex++) {
        const watch = candidate.monitor.watches.get(logKey(state, logIndex));
        if (!watch) continue;
        const topic0 = topic0Of(state, logIndex);
        if (topic0 === undefined) continue; // OZ panics on logs without topics; Argus skips them.
        const ev = watch.eventAbi?.eventsByTopic0.get(topic0);
        if (ev) matchLog(run, monitor, state, logIndex, ev, events);
      }
    } else {
      const { logIndexes, logEvents } = candidate;
      for (let k = 0; k < logIndexes.length; k++) {
        matchLog(run, monitor, state, logIndexes[k] as number, logEvents[k] as AbiEvent, events);
      }
    }
  }

  const isMatch = decideMatch({
    events: { configured: monitor.events.length > 0, matched: events.records !== null },
    functions: { configured: monitor.functions.length > 0, matched: functionRecords !== null },
    transactions: { configured: monitor.transactions.length > 0, matched: transactionRecords !== null },
  });
  if (!isMatch) return null;

  const { block, slug, idPrefixes } = run;
  let idPrefix = idPrefixes.get(monitor);
  if (idPrefix === undefined) {
    run.idHasher ??= blockMatchIdPrefixes(slug, block.hash);
    idPrefix = run.idHasher(monitor.id, monitor.version);
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
      events: events.records ?? NO_RECORDS,
      transactions: transactionRecords ?? NO_RECORDS,
    },
    matched_on_args: { functions: functionArgs, events: events.args },
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

interface EventRecords {
  records: SignatureConditionRecord[] | null;
  args: EvmMatchArgsEntry[] | null;
}

/** One log against the monitor's event conditions with the event's signature, in order; the first match records. */
function matchLog(
  run: BlockRun,
  monitor: CompiledMonitor,
  state: TransactionState,
  logIndex: number,
  ev: AbiEvent,
  out: EventRecords,
): void {
  let decoded: Decoded | null | undefined;
  for (const condition of monitor.events) {
    if (condition.signatureKey !== ev.signatureKey) continue;
    decoded ??= decodeLog(state, logIndex, ev);
    if (decoded === null) return;
    if (passes(run, monitor, condition, decoded, state)) {
      out.records ??= [];
      out.args ??= [];
      out.records.push(recordedAs(condition, ev.signature)[0] as SignatureConditionRecord);
      out.args.push(decoded.entry);
      return;
    }
  }
}

/** The function a monitor admitted by the address gate matches calls against: its watch of `to`, by selector. */
function gatedCall(candidate: Candidate, state: TransactionState): AbiFunction | null {
  const to = state.entry.transaction.to;
  if (!to) return null;
  const functionAbi = candidate.monitor.watches.get(evmAddressKey(to))?.functionAbi;
  if (!functionAbi) return null;
  const selector = selectorOf(state);
  return (selector !== null && functionAbi.functionsBySelector.get(selector)) || null;
}

/** The address key of a log's emitter (`NO_KEY` for a log without address: such logs are skipped, as before). */
function logKey(state: TransactionState, logIndex: number): string {
  state.logKeys ??= state.entry.logs.map((log) => (log.address === undefined ? NO_KEY : evmAddressKey(log.address)));
  return state.logKeys[logIndex] ?? NO_KEY;
}

/** Not an address key (keys never contain a NUL character). */
const NO_KEY = "\u0000";

function topic0Of(state: TransactionState, logIndex: number): string | undefined {
  state.topic0s ??= state.entry.logs.map((log) => log.topics[0]?.toLowerCase());
  return state.topic0s[logIndex];
}

/** Condition filter: no expression passes; an expression is evaluated (once per scope); an error fails it. */
function passes(
  run: BlockRun,
  monitor: CompiledMonitor,
  condition: CompiledCondition,
  scope: ParamScope,
  state: TransactionState,
): boolean {
  if (condition.invalid) return false;
  if (condition.expression === null) return true;
  scope.results ??= new Map();
  let outcome = scope.results.get(condition.expression);
  if (outcome === undefined) {
    evmEvaluationCounters.expressionEvaluations++;
    outcome = evaluateExpression(condition.expression, scope.params, evmDialect);
    scope.results.set(condition.expression, outcome);
  }
  if (outcome.ok) return outcome.value;
  run.sink.report(
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

function txScope(state: TransactionState): TransactionScope {
  state.txScope ??= new TransactionScope(state.entry);
  return state.txScope;
}

/** The first 4 bytes of the call data (8 lowercase hex digits), `null` when shorter. */
function selectorOf(state: TransactionState): string | null {
  if (state.selector === undefined) {
    const input = state.entry.transaction.input;
    if (
      input !== undefined &&
      input.length >= 2 &&
      input.charCodeAt(0) === 0x30 &&
      (input.charCodeAt(1) | 0x20) === 0x78
    ) {
      state.selector = input.length >= 10 ? input.slice(2, 10).toLowerCase() : null;
    } else {
      const body = dataBody(input);
      state.selector = body.length >= 8 ? body.slice(0, 8) : null;
    }
  }
  return state.selector;
}

function decodeCall(state: TransactionState, fn: AbiFunction): Decoded | null {
  state.calls ??= [];
  for (const call of state.calls) if (call.fn === fn) return call.decoded;
  evmEvaluationCounters.decodes++;
  const args = decodeCallInput(fn, state.entry.transaction.input ?? "");
  const decoded = args === null ? null : scoped(args, fn.signature, `0x${fn.selector}`);
  state.calls.push({ fn, decoded });
  return decoded;
}

function decodeLog(state: TransactionState, logIndex: number, ev: AbiEvent): Decoded | null {
  state.logs ??= [];
  const first = state.logs[logIndex];
  for (let at = first; at !== undefined; at = at.next) if (at.ev === ev) return at.decoded;
  evmEvaluationCounters.decodes++;
  const log = state.entry.logs[logIndex];
  const args = log ? decodeRpcLog(ev, log.topics, log.data) : null;
  const decoded = args === null ? null : scoped(args, ev.signature, ev.topic0);
  state.logs[logIndex] = { ev, decoded, next: first };
  return decoded;
}

function scoped(args: EvmMatchArg[], signature: string, hexSignature: string): Decoded {
  const frozenArgs = Object.freeze(args);
  const entry = Object.freeze({ signature, args: frozenArgs, hex_signature: hexSignature });
  return new Decoded(frozenArgs, entry, Object.freeze([entry]));
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
