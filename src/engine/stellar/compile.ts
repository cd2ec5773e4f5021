/**
 * The Stellar side of compilation: each monitor's conditions with OZ's Stellar signature keys, the contract spec
 * each monitored address decodes with, and the per-network index that lets a ledger be evaluated against only the
 * monitors an invocation or event can concern.
 *
 * Index shape. Monitors with function or event conditions can only match a transaction that invokes, or has an event
 * of, one of their contracts (the decision table needs a function or event match), so they are listed per contract,
 * grouped by the spec they decode with (one decode per spec, however many monitors share it) and keyed by
 * normalised signature. Monitors with neither have no gate on Stellar (§4.7): they are evaluated on every
 * transaction, grouped by their transaction conditions so identical condition lists are evaluated once.
 */
import type { ErrorPath } from "../../errors/index.js";
import type { Expression } from "../../expr/index.js";
import type { CompiledCondition, CompiledMonitor } from "../compiled.js";
import type { StellarContractSpecEntry } from "../stellar-ledger.js";
import type { EngineDiagnostic, Monitor } from "../types.js";
import { stellarAddressKey, stellarSignatureKey } from "./normalize.js";
import { type CompiledStellarSpec, compileStellarSpec, type StellarSpecInterner } from "./spec.js";
import type { StellarTransactionConditionRecord } from "./types.js";

export type StellarTransactionStatus = StellarTransactionConditionRecord["status"];

/** A function or event condition with OZ's Stellar signature key (trimmed, spaces removed, lowercased). */
export interface StellarSignatureCondition {
  readonly condition: CompiledCondition;
  readonly signatureKey: string;
  /** The last `{signature, expression}` record this condition produced, reused while the signature is the same. */
  recorded: { readonly signature: string; readonly record: { signature: string; expression: string | null } } | null;
}

export interface StellarTransactionCondition {
  readonly condition: CompiledCondition;
  readonly status: "Any" | "Success" | "Failure";
  /** The frozen `matched_on.transactions` list for each transaction status. */
  readonly recorded: Readonly<Record<StellarTransactionStatus, readonly StellarTransactionConditionRecord[]>>;
}

/** One `addresses[]` entry, keyed for comparison, with the inline spec it carries (if any). */
export interface StellarAddressEntry {
  readonly key: string;
  /** The address as configured, trimmed (what `missingStellarSpecs` reports). */
  readonly address: string;
  readonly inlineSpec: CompiledStellarSpec | null;
}

/** The network-independent Stellar form of a monitor. */
export interface StellarMonitor {
  readonly monitor: CompiledMonitor;
  /** The monitor as configured (deep-frozen copy, `contract_spec`s kept), shared by all its matches. */
  readonly payloadMonitor: Monitor;
  readonly functions: readonly StellarSignatureCondition[];
  readonly events: readonly StellarSignatureCondition[];
  readonly transactions: readonly StellarTransactionCondition[];
  readonly addresses: readonly StellarAddressEntry[];
  /** Canonical text of the transaction conditions: monitors with equal keys evaluate transactions identically. */
  readonly transactionsKey: string;
}

/** One monitor's conditions of one signature (in condition order). */
export interface StellarTrigger {
  /** The monitor's position in `StellarNetworkIndex.monitors`. */
  readonly slot: number;
  readonly conditions: readonly StellarSignatureCondition[];
}

/** The monitors of one contract that decode with the same spec, by the signature keys of their conditions. */
export interface StellarSpecGroup {
  /** `null`: events decoded without a spec. Function groups always have a spec. */
  readonly spec: CompiledStellarSpec | null;
  readonly bySignature: ReadonlyMap<string, readonly StellarTrigger[]>;
}

export interface StellarContractIndex {
  readonly functions: readonly StellarSpecGroup[];
  readonly events: readonly StellarSpecGroup[];
}

/** Monitors without function and event conditions that share the same transaction conditions. */
export interface StellarTransactionGroup {
  readonly transactions: readonly StellarTransactionCondition[];
  /** Monitor slots, ascending. */
  readonly slots: readonly number[];
  /**
   * Operation facts (`to:<address>` / `from:<address>`, lowercase) one of which a transaction's operations must have
   * for any of the conditions to hold; `null` when the conditions give none and must see every transaction.
   *
   * A group is keyed when each of its conditions has an expression (or one that does not parse) whose first
   * evaluated comparison is `to == '<address>'` or `from == '<address>'` (the leftmost operand of a chain of ANDs):
   * on an operation with another `to`/`from` that comparison is false without error, so the expression is false
   * and nothing is reported; skipping the evaluation changes neither matches nor diagnostics. On a transaction
   * without operations the comparison fails with VariableNotFound, which is known without evaluating.
   */
  readonly keys: readonly string[] | null;
}

export interface StellarNetworkIndex {
  readonly chain: "Stellar";
  readonly slug: string;
  /** The network's monitors in compile order. */
  readonly monitors: readonly StellarMonitor[];
  /** Contract key (see `stellarAddressKey`) → the monitors with function or event conditions on it. */
  readonly contracts: ReadonlyMap<string, StellarContractIndex>;
  readonly transactionGroups: readonly StellarTransactionGroup[];
  /** Operation fact (see `StellarTransactionGroup.keys`) → the keyed groups (indexes) that need it. */
  readonly groupsByKey: ReadonlyMap<string, readonly number[]>;
  /** Groups without keys (indexes): evaluated on every transaction. */
  readonly unkeyedGroups: readonly number[];
  /** Groups with keys (indexes). */
  readonly keyedGroups: readonly number[];
  /**
   * Addresses (as configured) that monitors with function or event conditions watch but that have neither an inline
   * spec nor one supplied in `stellarContractSpecs`, in first-seen order, one per contract.
   */
  readonly missingSpecs: readonly string[];
}

const TRANSACTION_STATUSES: readonly StellarTransactionStatus[] = ["Success", "Failure", "Any"];

export function compileStellarMonitor(
  monitor: CompiledMonitor,
  interner: StellarSpecInterner,
  diagnostics: EngineDiagnostic[],
): StellarMonitor {
  const { definition } = monitor;
  const config = definition.monitor;
  const signatureConditions = (list: "functions" | "events"): StellarSignatureCondition[] =>
    monitor[list].map((condition) =>
      Object.seal({
        condition,
        signatureKey: stellarSignatureKey(config.match_conditions[list][condition.index]?.signature ?? ""),
        recorded: null,
      }),
    );
  const transactions = monitor.transactions.map((condition): StellarTransactionCondition => {
    const expression = condition.expressionText;
    const recorded = {} as Record<StellarTransactionStatus, readonly StellarTransactionConditionRecord[]>;
    for (const status of TRANSACTION_STATUSES)
      recorded[status] = Object.freeze([Object.freeze({ status, expression })]);
    return Object.freeze({ condition, status: condition.status, recorded: Object.freeze(recorded) });
  });

  const addresses = config.addresses.map((entry, i): StellarAddressEntry => {
    const spec = entry.contract_spec;
    let inlineSpec: CompiledStellarSpec | null = null;
    if (Array.isArray(spec)) {
      const compiled = compileStellarSpec(spec, interner);
      inlineSpec = compiled.spec;
      for (const issue of compiled.issues) {
        diagnostics.push(
          specIssue(monitor, ["addresses", i, "contract_spec", issue.index], entry.address, issue.message),
        );
      }
    }
    return Object.freeze({ key: stellarAddressKey(entry.address), address: entry.address.trim(), inlineSpec });
  });

  return Object.freeze({
    monitor,
    payloadMonitor: deepFreeze(structuredClone(config)),
    functions: signatureConditions("functions"),
    events: signatureConditions("events"),
    transactions,
    addresses,
    transactionsKey: JSON.stringify(transactions.map((t) => [t.status, t.condition.expressionText])),
  });
}

/**
 * Builds a network's index. `monitors` must be in compile order. `fetchedSpecs` are the specs the caller fetched from
 * the chain for this network (contract id → entries; ids compared like monitored addresses); an address uses the
 * inline spec of its first `addresses[]` entry that has one, else the fetched spec, else none.
 */
export function createStellarNetworkIndex(
  slug: string,
  monitors: readonly StellarMonitor[],
  fetchedSpecs: ReadonlyMap<string, readonly StellarContractSpecEntry[]> | undefined,
  interner: StellarSpecInterner,
): StellarNetworkIndex {
  const fetched = new Map<string, CompiledStellarSpec>();
  for (const [contractId, entries] of fetchedSpecs ?? []) {
    const key = stellarAddressKey(contractId);
    if (!fetched.has(key)) fetched.set(key, compileStellarSpec(entries, interner).spec);
  }

  const contracts = new Map<string, { functions: GroupBuilder[]; events: GroupBuilder[] }>();
  const transactionGroups = new Map<
    string,
    { transactions: readonly StellarTransactionCondition[]; slots: number[] }
  >();
  const missing = new Map<string, string>();

  monitors.forEach((monitor, slot) => {
    if (monitor.functions.length === 0 && monitor.events.length === 0) {
      const group = transactionGroups.get(monitor.transactionsKey);
      if (group) group.slots.push(slot);
      else transactionGroups.set(monitor.transactionsKey, { transactions: monitor.transactions, slots: [slot] });
      return;
    }
    const seen = new Set<string>();
    for (const entry of monitor.addresses) {
      if (seen.has(entry.key)) continue;
      seen.add(entry.key);
      const spec = resolveSpec(monitor, entry.key, fetched);
      if (spec === null && !missing.has(entry.key)) missing.set(entry.key, entry.address);
      let contract = contracts.get(entry.key);
      if (!contract) {
        contract = { functions: [], events: [] };
        contracts.set(entry.key, contract);
      }
      // Without a spec an invocation never matches (§4.5 step 2), so function conditions need one.
      if (spec !== null) addTriggers(contract.functions, spec, slot, monitor.functions);
      addTriggers(contract.events, spec, slot, monitor.events);
    }
  });

  const groups = [...transactionGroups.values()].map(
    (group): StellarTransactionGroup => Object.freeze({ ...group, keys: groupKeys(group.transactions) }),
  );
  const groupsByKey = new Map<string, number[]>();
  const unkeyedGroups: number[] = [];
  const keyedGroups: number[] = [];
  groups.forEach((group, i) => {
    if (group.keys === null) {
      unkeyedGroups.push(i);
      return;
    }
    keyedGroups.push(i);
    for (const key of group.keys) {
      const list = groupsByKey.get(key);
      if (list) list.push(i);
      else groupsByKey.set(key, [i]);
    }
  });

  const frozenContracts = new Map<string, StellarContractIndex>();
  for (const [key, { functions, events }] of contracts) {
    if (functions.length === 0 && events.length === 0) continue;
    frozenContracts.set(key, Object.freeze({ functions: functions.map(freezeGroup), events: events.map(freezeGroup) }));
  }
  return Object.freeze({
    chain: "Stellar",
    slug,
    monitors,
    contracts: frozenContracts,
    transactionGroups: groups,
    groupsByKey,
    unkeyedGroups,
    keyedGroups,
    missingSpecs: Object.freeze([...missing.values()]),
  });
}

/** The operation facts a list of transaction conditions needs (see `StellarTransactionGroup.keys`), or `null`. */
function groupKeys(conditions: readonly StellarTransactionCondition[]): string[] | null {
  if (conditions.length === 0) return null;
  const keys = new Set<string>();
  for (const { condition } of conditions) {
    if (condition.invalid) continue;
    const key = condition.expression ? operationKey(condition.expression) : null;
    if (key === null) return null;
    keys.add(key);
  }
  return [...keys];
}

/**
 * `to:<address>` / `from:<address>` when the first comparison the expression evaluates is `to == '<address>'` or
 * `from == '<address>'` with a plain ASCII address (no whitespace, so the dialect's normalisation is lowercasing).
 */
export function operationKey(expression: Expression): string | null {
  let first: Expression = expression;
  while (first.kind === "and") first = first.left;
  if (first.kind !== "cond" || first.op !== "==" || first.left.path.length > 0 || first.right.type !== "str") {
    return null;
  }
  const { base } = first.left;
  if (base !== "to" && base !== "from") return null;
  const value = first.right.raw;
  if (!PLAIN_ADDRESS.test(value)) return null;
  return `${base}:${value.toLowerCase()}`;
}

/** Text an address normalises to by lowercasing alone. */
export const PLAIN_ADDRESS = /^[A-Za-z0-9]+$/;

interface GroupBuilder {
  spec: CompiledStellarSpec | null;
  bySignature: Map<string, StellarTrigger[]>;
}

function resolveSpec(
  monitor: StellarMonitor,
  key: string,
  fetched: ReadonlyMap<string, CompiledStellarSpec>,
): CompiledStellarSpec | null {
  for (const entry of monitor.addresses) {
    if (entry.key !== key) continue;
    const spec = entry.inlineSpec ?? fetched.get(key) ?? null;
    if (spec !== null) return spec;
  }
  return null;
}

function addTriggers(
  groups: GroupBuilder[],
  spec: CompiledStellarSpec | null,
  slot: number,
  conditions: readonly StellarSignatureCondition[],
): void {
  if (conditions.length === 0) return;
  let group = groups.find((candidate) => candidate.spec === spec);
  if (!group) {
    group = { spec, bySignature: new Map() };
    groups.push(group);
  }
  const bySignature = new Map<string, StellarSignatureCondition[]>();
  for (const condition of conditions) {
    const list = bySignature.get(condition.signatureKey);
    if (list) list.push(condition);
    else bySignature.set(condition.signatureKey, [condition]);
  }
  for (const [signatureKey, list] of bySignature) {
    const trigger: StellarTrigger = Object.freeze({ slot, conditions: Object.freeze(list) });
    const triggers = group.bySignature.get(signatureKey);
    if (triggers) triggers.push(trigger);
    else group.bySignature.set(signatureKey, [trigger]);
  }
}

function freezeGroup(group: GroupBuilder): StellarSpecGroup {
  return Object.freeze({ spec: group.spec, bySignature: group.bySignature });
}

function specIssue(monitor: CompiledMonitor, path: ErrorPath, address: string, message: string): EngineDiagnostic {
  return {
    code: "ENGINE_SPEC_ENTRY_INVALID",
    severity: "warning",
    message: `Contract spec entry ${String(path[path.length - 1])} of address '${address}' is ignored: ${message}.`,
    monitorId: monitor.id,
    tenantId: monitor.tenantId,
    path,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
