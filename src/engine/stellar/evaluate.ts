/**
 * Stellar ledger evaluation (§4.4–4.7 of the compatibility spec).
 *
 * Cost model: a monitor with function or event conditions is looked at only for transactions that invoke, or have an
 * event of, a contract it lists (found through the network index), and only when the resolved signature equals one
 * of its conditions'. An invocation is resolved, and an event decoded, at most once per distinct spec; an expression
 * is evaluated at most once per (parameter list, expression). Monitors without function and event conditions match
 * on transaction conditions alone (OZ has no address gate on Stellar): they are grouped by identical condition lists,
 * each group evaluated once per transaction; groups whose conditions all start with `to == <address>` or
 * `from == <address>` are evaluated only on transactions with such an operation (see `StellarTransactionGroup.keys`).
 */
import {
  type Expression,
  type ExpressionError,
  type ExpressionParam,
  evaluateExpression,
  stellarDialect,
} from "../../expr/index.js";
import type { CompiledCondition, CompiledMonitor } from "../compiled.js";
import { decideMatch } from "../decision.js";
import { matchIdFromPrefix, matchIdPrefix } from "../match.js";
import type {
  StellarEvent,
  StellarInvokeContractOperation,
  StellarLedger,
  StellarTransaction,
} from "../stellar-ledger.js";
import type { EngineDiagnostic, SignatureConditionRecord, StellarMonitorMatch } from "../types.js";
import {
  PLAIN_ADDRESS,
  type StellarMonitor,
  type StellarNetworkIndex,
  type StellarSignatureCondition,
  type StellarTransactionCondition,
  type StellarTransactionGroup,
  type StellarTransactionStatus,
} from "./compile.js";
import { StellarDiagnosticSink } from "./diagnostics.js";
import { type DecodedStellarEvent, decodeStellarContractEvent, topicStrings } from "./event.js";
import { type ResolvedCall, resolveCall, runtimeKinds } from "./invocation.js";
import { stellarAddressKey } from "./normalize.js";
import type { CompiledStellarSpec } from "./spec.js";
import { stellarTransactionStatus, transactionParamLists } from "./transaction.js";
import type { StellarMatchArgsEntry, StellarMatchTransaction, StellarTransactionConditionRecord } from "./types.js";

/**
 * @internal Work done by `evaluateStellarLedger` since the last reset. Tests use it to prove that work follows the
 * monitors the index selects, not the number of monitors compiled.
 */
export const stellarEvaluationCounters = {
  /** Monitors with function or event conditions that got a signature hit on some transaction. */
  candidatePairs: 0,
  /** Calls of `evaluateExpression`. */
  expressionEvaluations: 0,
  /** Invocations resolved and events decoded against a spec (or without one). */
  decodes: 0,
};

/** @internal */
export function resetStellarEvaluationCounters(): void {
  stellarEvaluationCounters.candidatePairs = 0;
  stellarEvaluationCounters.expressionEvaluations = 0;
  stellarEvaluationCounters.decodes = 0;
}

type ExpressionOutcome = ReturnType<typeof evaluateExpression>;

/** A parameter list plus the results of expressions already evaluated against it. */
interface ParamScope {
  readonly params: readonly ExpressionParam[];
  readonly results: Map<Expression, ExpressionOutcome>;
}

interface Resolved extends ResolvedCall {
  readonly scope: ParamScope;
}

interface Decoded extends DecodedStellarEvent {
  readonly scope: ParamScope;
}

interface InvocationState {
  readonly op: StellarInvokeContractOperation;
  kinds?: string[];
  readonly bySpec: Map<CompiledStellarSpec, Resolved | null>;
}

interface EventState {
  readonly event: StellarEvent;
  strings?: string[];
  readonly bySpec: Map<CompiledStellarSpec | null, Decoded | null>;
}

/** Lazily computed facts about one transaction, shared by every monitor evaluated on it. */
interface TransactionState {
  readonly position: number;
  readonly tx: StellarTransaction;
  readonly status: StellarTransactionStatus;
  scopes?: ParamScope[];
  /** Whether `scopes` are per operation (else the one list without `from`/`to`). */
  hasOperations?: boolean;
  payload?: StellarMatchTransaction;
}

/** Failures of one transaction condition shared by a group of monitors, reported for each of them at the end. */
interface GroupFailure {
  readonly group: StellarTransactionGroup;
  readonly condition: CompiledCondition;
  readonly error: ExpressionError;
  readonly firstHash: string;
  count: number;
}

/** What one monitor's function and event conditions recorded on the current transaction. */
interface Hits {
  readonly functions: SignatureConditionRecord[];
  readonly functionArgs: StellarMatchArgsEntry[];
  readonly events: SignatureConditionRecord[];
  readonly eventArgs: StellarMatchArgsEntry[];
}

interface Evaluation {
  readonly index: StellarNetworkIndex;
  readonly ledger: StellarLedger;
  readonly blockNumber: bigint;
  readonly sink: StellarDiagnosticSink;
  readonly idPrefixes: Map<CompiledMonitor, string>;
  /** Per monitor slot: its matches in transaction order. */
  readonly bySlot: Array<StellarMonitorMatch[] | undefined>;
  /** Per transaction group: the position of the transaction that last evaluated it. */
  readonly groupEvaluatedAt: Int32Array;
  /** Group failures by `<group index>:<condition index>:<error code>`. */
  readonly groupFailures: Map<string, GroupFailure>;
  /**
   * Transactions without operations, by status: keyed groups fail on each of them in a way known in advance, so
   * they are counted here and their failures reported once per ledger.
   */
  readonly withoutOperations: Record<StellarTransactionStatus, { count: number; firstHash: string | null }>;
}

export function evaluateStellarLedger(
  index: StellarNetworkIndex,
  ledger: StellarLedger,
): { matches: StellarMonitorMatch[]; diagnostics: EngineDiagnostic[] } {
  const blockNumber = BigInt(ledger.sequence);
  const evaluation: Evaluation = {
    index,
    ledger,
    blockNumber,
    sink: new StellarDiagnosticSink(index.slug, blockNumber),
    idPrefixes: new Map(),
    bySlot: new Array(index.monitors.length),
    groupEvaluatedAt: new Int32Array(index.transactionGroups.length).fill(-1),
    groupFailures: new Map(),
    withoutOperations: {
      Success: { count: 0, firstHash: null },
      Failure: { count: 0, firstHash: null },
      Any: { count: 0, firstHash: null },
    },
  };

  // Events of watched contracts, by transaction hash, in event order.
  const eventsByTx = new Map<string, EventState[]>();
  if (index.contracts.size > 0) {
    for (const event of ledger.events) {
      if (!index.contracts.has(stellarAddressKey(event.contractId))) continue;
      const state: EventState = { event, bySpec: new Map() };
      const list = eventsByTx.get(event.txHash);
      if (list) list.push(state);
      else eventsByTx.set(event.txHash, [state]);
    }
  }

  const hits = new Map<number, Hits>();
  ledger.transactions.forEach((tx, position) => {
    const state: TransactionState = { position, tx, status: stellarTransactionStatus(tx.status) };
    if (index.contracts.size > 0) {
      hits.clear();
      collectFunctionHits(evaluation, state, hits);
      collectEventHits(evaluation, state, eventsByTx.get(tx.hash), hits);
      for (const [slot, hit] of hits) evaluateHit(evaluation, state, slot, hit);
    }
    if (index.transactionGroups.length > 0) evaluateTransactionGroups(evaluation, state);
  });

  const failures = [...evaluation.groupFailures.values(), ...keyedGroupFailures(evaluation)];
  for (const { group, condition, error, firstHash, count } of failures) {
    for (const slot of group.slots) {
      const monitor = index.monitors[slot]?.monitor;
      if (monitor) reportFailure(evaluation, monitor, condition, error, firstHash, count);
    }
  }
  const matches: StellarMonitorMatch[] = [];
  for (const list of evaluation.bySlot) if (list) for (const match of list) matches.push(match);
  return { matches, diagnostics: evaluation.sink.list() };
}

/**
 * Monitors without function and event conditions (§4.7: no gate): groups without keys see every transaction; keyed
 * groups only those with an operation to or from one of their keys, and — through their known VariableNotFound
 * failure — those without operations.
 */
function evaluateTransactionGroups(evaluation: Evaluation, state: TransactionState): void {
  const { index } = evaluation;
  for (const g of index.unkeyedGroups) evaluateGroup(evaluation, state, g);
  if (index.keyedGroups.length === 0) return;
  scopesOf(state);
  if (!state.hasOperations) {
    const counter = evaluation.withoutOperations[state.status];
    counter.count++;
    counter.firstHash ??= state.tx.hash;
    return;
  }
  for (const op of state.tx.operations) {
    if (op.type === "other") continue;
    const to = op.type === "payment" ? op.to : op.contract;
    if (!PLAIN_ADDRESS.test(op.from) || !PLAIN_ADDRESS.test(to)) {
      // Not a plain strkey: the keys cannot tell, so every keyed group is evaluated.
      for (const g of index.keyedGroups) evaluateGroup(evaluation, state, g);
      return;
    }
    for (const key of [`to:${to.toLowerCase()}`, `from:${op.from.toLowerCase()}`]) {
      for (const g of index.groupsByKey.get(key) ?? NO_GROUPS) evaluateGroup(evaluation, state, g);
    }
  }
}

function evaluateGroup(evaluation: Evaluation, state: TransactionState, g: number): void {
  if (evaluation.groupEvaluatedAt[g] === state.position) return;
  evaluation.groupEvaluatedAt[g] = state.position;
  const group = evaluation.index.transactionGroups[g] as StellarTransactionGroup;
  const records = group.transactions.length === 0 ? NO_RECORDS : transactionRecords(evaluation, state, group, g);
  if (records === null) return;
  for (const slot of group.slots) {
    addMatch(evaluation, state, slot, {
      transactions: records,
      functions: NO_RECORDS,
      functionArgs: null,
      events: NO_RECORDS,
      eventArgs: null,
    });
  }
}

/**
 * The failures of keyed groups on the ledger's transactions without operations: each condition whose status fits
 * such a transaction fails there with VariableNotFound on its leading `to`/`from` comparison (the evaluation sees
 * only `hash`, `ledger` and `value`), the same error every time.
 */
function keyedGroupFailures(evaluation: Evaluation): GroupFailure[] {
  const { index, withoutOperations, ledger } = evaluation;
  const failures: GroupFailure[] = [];
  if (index.keyedGroups.length === 0) return failures;
  const statuses = (["Success", "Failure", "Any"] as const).filter((status) => withoutOperations[status].count > 0);
  if (statuses.length === 0) return failures;
  const positions = new Map(ledger.transactions.map((tx, position) => [tx.hash, position]));
  for (const g of index.keyedGroups) {
    const group = index.transactionGroups[g] as StellarTransactionGroup;
    for (const { condition, status } of group.transactions) {
      if (condition.invalid || condition.expression === null) continue;
      let count = 0;
      let firstHash: string | null = null;
      for (const txStatus of statuses) {
        if (status !== "Any" && status !== txStatus) continue;
        const counter = withoutOperations[txStatus];
        count += counter.count;
        const hash = counter.firstHash as string;
        if (firstHash === null || (positions.get(hash) ?? 0) < (positions.get(firstHash) ?? 0)) firstHash = hash;
      }
      const error = count > 0 ? knownFailure(condition.expression) : null;
      if (error && firstHash !== null) failures.push({ group, condition, error, firstHash, count });
    }
  }
  return failures;
}

const knownFailures = new WeakMap<Expression, ExpressionError | null>();
const PARAMS_WITHOUT_OPERATIONS: readonly ExpressionParam[] = Object.freeze([
  { name: "hash", value: "", kind: "string" },
  { name: "ledger", value: "0", kind: "i64" },
  { name: "value", value: "0", kind: "i64" },
]);

/** The error an expression fails with on a transaction without operations (`null` if it does not fail). */
function knownFailure(expression: Expression): ExpressionError | null {
  let error = knownFailures.get(expression);
  if (error === undefined) {
    stellarEvaluationCounters.expressionEvaluations++;
    const outcome = evaluateExpression(expression, PARAMS_WITHOUT_OPERATIONS, stellarDialect);
    error = outcome.ok ? null : outcome.error;
    knownFailures.set(expression, error);
  }
  return error;
}

function collectFunctionHits(evaluation: Evaluation, state: TransactionState, hits: Map<number, Hits>): void {
  const { index } = evaluation;
  const invocations = state.tx.invocations;
  for (let i = 0; i < invocations.length; i++) {
    const op = invocations[i] as StellarInvokeContractOperation;
    const contract = index.contracts.get(stellarAddressKey(op.contract));
    if (!contract || contract.functions.length === 0) continue;
    const invocation: InvocationState = { op, bySpec: new Map() };
    for (const group of contract.functions) {
      const resolved = resolve(invocation, group.spec as CompiledStellarSpec);
      if (resolved === null) continue;
      const triggers = group.bySignature.get(resolved.signatureKey);
      if (!triggers) continue;
      for (const trigger of triggers) {
        const monitor = index.monitors[trigger.slot];
        if (!monitor) continue;
        for (const condition of trigger.conditions) {
          if (!passes(evaluation, monitor.monitor, condition.condition, resolved.scope, state)) continue;
          const hit = hitsOf(hits, trigger.slot);
          hit.functions.push(recordOf(condition, resolved.signature));
          hit.functionArgs.push(resolved.entry);
          break;
        }
      }
    }
  }
}

function collectEventHits(
  evaluation: Evaluation,
  state: TransactionState,
  events: readonly EventState[] | undefined,
  hits: Map<number, Hits>,
): void {
  if (!events) return;
  const { index } = evaluation;
  for (const eventState of events) {
    const contract = index.contracts.get(stellarAddressKey(eventState.event.contractId));
    if (!contract) continue;
    for (const group of contract.events) {
      const decoded = decode(eventState, group.spec);
      if (decoded === null) continue;
      const triggers = group.bySignature.get(decoded.signatureKey);
      if (!triggers) continue;
      for (const trigger of triggers) {
        const monitor = index.monitors[trigger.slot];
        if (!monitor) continue;
        // Every condition with the event's signature is tried (no early stop, §4.6 step 6).
        for (const condition of trigger.conditions) {
          if (condition.condition.expressionText === null) {
            // OZ quirk: a match without an expression is recorded without its args.
            hitsOf(hits, trigger.slot).events.push(recordOf(condition, decoded.signature));
            continue;
          }
          if (!passes(evaluation, monitor.monitor, condition.condition, decoded.scope, state)) continue;
          const hit = hitsOf(hits, trigger.slot);
          hit.events.push(recordOf(condition, decoded.signature));
          hit.eventArgs.push(decoded.entry);
        }
      }
    }
  }
}

function evaluateHit(evaluation: Evaluation, state: TransactionState, slot: number, hit: Hits): void {
  stellarEvaluationCounters.candidatePairs++;
  const monitor = evaluation.index.monitors[slot];
  if (!monitor) return;
  const hasFunctions = hit.functions.length > 0;
  const hasEvents = hit.events.length > 0;
  if (!hasFunctions && !hasEvents) return;
  let transactions: readonly StellarTransactionConditionRecord[] | null = NO_RECORDS;
  if (monitor.transactions.length > 0) {
    transactions = transactionRecords(evaluation, state, monitor);
  }
  const isMatch = decideMatch({
    events: { configured: monitor.events.length > 0, matched: hasEvents },
    functions: { configured: monitor.functions.length > 0, matched: hasFunctions },
    transactions: { configured: monitor.transactions.length > 0, matched: transactions !== null },
  });
  if (!isMatch) return;
  addMatch(evaluation, state, slot, {
    transactions: transactions ?? NO_RECORDS,
    functions: hasFunctions ? hit.functions : NO_RECORDS,
    functionArgs: hasFunctions ? hit.functionArgs : null,
    events: hasEvents ? hit.events : NO_RECORDS,
    eventArgs: hasEvents ? hit.eventArgs : null,
  });
}

/**
 * Transaction conditions (§4.4), in order: the first whose status fits and whose expression is absent, or true for
 * some operation's parameters, is recorded. `owner` is the monitor the conditions belong to, or the index of the
 * group of monitors sharing them (failures are then counted per group and reported for each monitor at the end).
 */
function transactionRecords(
  evaluation: Evaluation,
  state: TransactionState,
  owner: StellarMonitor | StellarTransactionGroup,
  groupIndex = -1,
): readonly StellarTransactionConditionRecord[] | null {
  const conditions = owner.transactions;
  for (let i = 0; i < conditions.length; i++) {
    const { condition, status, recorded } = conditions[i] as StellarTransactionCondition;
    if (status !== "Any" && status !== state.status) continue;
    if (condition.expressionText === null) return recorded[state.status];
    if (condition.invalid || condition.expression === null) continue;
    for (const scope of scopesOf(state)) {
      const outcome = outcomeOf(condition.expression, scope);
      if (outcome.ok) {
        if (outcome.value) return recorded[state.status];
        continue;
      }
      if (groupIndex < 0) {
        reportFailure(evaluation, (owner as StellarMonitor).monitor, condition, outcome.error, state.tx.hash);
        continue;
      }
      const key = `${groupIndex}:${i}:${outcome.error.code}`;
      const failure = evaluation.groupFailures.get(key);
      if (failure) failure.count++;
      else {
        evaluation.groupFailures.set(key, {
          group: owner as StellarTransactionGroup,
          condition,
          error: outcome.error,
          firstHash: state.tx.hash,
          count: 1,
        });
      }
    }
  }
  return null;
}

function scopesOf(state: TransactionState): ParamScope[] {
  if (state.scopes === undefined) {
    state.hasOperations = state.tx.operations.some((op) => op.type !== "other");
    state.scopes = transactionParamLists(state.tx).map((params) => ({ params, results: new Map() }));
  }
  return state.scopes;
}

interface MatchParts {
  transactions: readonly StellarTransactionConditionRecord[];
  functions: readonly SignatureConditionRecord[];
  functionArgs: readonly StellarMatchArgsEntry[] | null;
  events: readonly SignatureConditionRecord[];
  eventArgs: readonly StellarMatchArgsEntry[] | null;
}

function addMatch(evaluation: Evaluation, state: TransactionState, slot: number, parts: MatchParts): void {
  const { index, ledger, idPrefixes } = evaluation;
  const stellarMonitor = index.monitors[slot];
  if (!stellarMonitor) return;
  const { monitor } = stellarMonitor;
  let idPrefix = idPrefixes.get(monitor);
  if (idPrefix === undefined) {
    idPrefix = matchIdPrefix({
      networkSlug: index.slug,
      blockHash: ledger.hash,
      monitorId: monitor.id,
      monitorVersion: monitor.version,
    });
    idPrefixes.set(monitor, idPrefix);
  }
  state.payload ??= { ...state.tx.rpc, decoded: state.tx.decoded };
  const match: StellarMonitorMatch = {
    id: matchIdFromPrefix(idPrefix, state.position),
    chain: "Stellar",
    monitorId: monitor.id,
    tenantId: monitor.tenantId,
    monitorVersion: monitor.version,
    networkSlug: index.slug,
    blockNumber: evaluation.blockNumber,
    blockHash: ledger.hash,
    transactionIndex: state.position,
    transactionHash: state.tx.hash,
    payload: {
      monitor: stellarMonitor.payloadMonitor,
      transaction: state.payload,
      ledger: ledger.ledger,
      network_slug: index.slug,
      matched_on: { functions: parts.functions, events: parts.events, transactions: parts.transactions },
      matched_on_args: { functions: parts.functionArgs, events: parts.eventArgs },
    },
  };
  const list = evaluation.bySlot[slot];
  if (list) list.push(match);
  else evaluation.bySlot[slot] = [match];
}

/** Condition filter for one monitor: an expression is evaluated once per scope; an error fails it (reported). */
function passes(
  evaluation: Evaluation,
  monitor: CompiledMonitor,
  condition: CompiledCondition,
  scope: ParamScope,
  state: TransactionState,
): boolean {
  if (condition.invalid) return false;
  if (condition.expression === null) return true;
  const outcome = outcomeOf(condition.expression, scope);
  if (outcome.ok) return outcome.value;
  reportFailure(evaluation, monitor, condition, outcome.error, state.tx.hash);
  return false;
}

function outcomeOf(expression: Expression, scope: ParamScope): ExpressionOutcome {
  let outcome = scope.results.get(expression);
  if (outcome === undefined) {
    stellarEvaluationCounters.expressionEvaluations++;
    outcome = evaluateExpression(expression, scope.params, stellarDialect);
    scope.results.set(expression, outcome);
  }
  return outcome;
}

function reportFailure(
  evaluation: Evaluation,
  monitor: CompiledMonitor,
  condition: CompiledCondition,
  error: ExpressionError,
  transactionHash: string,
  count = 1,
): void {
  evaluation.sink.expressionFailed(monitor, condition, error, transactionHash, count);
}

function resolve(invocation: InvocationState, spec: CompiledStellarSpec): Resolved | null {
  let resolved = invocation.bySpec.get(spec);
  if (resolved === undefined) {
    stellarEvaluationCounters.decodes++;
    invocation.kinds ??= runtimeKinds(invocation.op);
    const call = resolveCall(invocation.op, invocation.kinds, spec);
    resolved = call === null ? null : { ...call, scope: { params: call.args, results: new Map() } };
    invocation.bySpec.set(spec, resolved);
  }
  return resolved;
}

function decode(state: EventState, spec: CompiledStellarSpec | null): Decoded | null {
  let decoded = state.bySpec.get(spec);
  if (decoded === undefined) {
    stellarEvaluationCounters.decodes++;
    state.strings ??= topicStrings(state.event.topicsXdr);
    const event = decodeStellarContractEvent(state.event, state.strings, spec);
    decoded = event === null ? null : { ...event, scope: { params: event.args, results: new Map() } };
    state.bySpec.set(spec, decoded);
  }
  return decoded;
}

function hitsOf(hits: Map<number, Hits>, slot: number): Hits {
  let hit = hits.get(slot);
  if (!hit) {
    hit = { functions: [], functionArgs: [], events: [], eventArgs: [] };
    hits.set(slot, hit);
  }
  return hit;
}

/** `{signature, expression}` for a condition that matched a call or event with this signature (frozen, reused). */
function recordOf(condition: StellarSignatureCondition, signature: string): SignatureConditionRecord {
  if (condition.recorded?.signature !== signature) {
    const record = Object.freeze({ signature, expression: condition.condition.expressionText });
    condition.recorded = { signature, record };
  }
  return condition.recorded.record;
}

/** Shared, frozen empty `matched_on` list. */
const NO_RECORDS: readonly never[] = Object.freeze([]);
const NO_GROUPS: readonly number[] = Object.freeze([]);
