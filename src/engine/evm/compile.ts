/**
 * The EVM side of compilation: which addresses a monitor watches, with the ABI used for each, and the per-network
 * predicate index that lets a block be evaluated only against monitors that could match it: per watched address,
 * per (address, topic 0) and per (address, selector), the monitors' triggers grouped by comparison.
 */
import type { CompiledMonitor, CompiledSignatureCondition, CompiledTransactionCondition } from "../compiled.js";
import type { EngineDiagnostic } from "../types.js";
import { type AbiEvent, type AbiFunction, type AbiInterner, type CompiledAbi, compileAbi } from "./abi.js";
import { evmAddressKey } from "./address.js";
import {
  abiLayout,
  type Conjunction,
  expressionNeverFails,
  expressionTriggers,
  type ParamLayout,
} from "./predicates.js";
import { TRANSACTION_LAYOUT } from "./transaction.js";
import { hexPrefix16, type SlotTriggers, type TriggerIndex, TriggerIndexBuilder } from "./trigger-index.js";

export interface EvmWatch {
  /** ABI of the first `addresses[]` entry with this address; events decode with it (§3.4 step 2). */
  readonly eventAbi: CompiledAbi | null;
  /**
   * ABI of the first entry with this address that has an EVM ABI; calls decode with it. OZ takes it from its
   * startup contract-spec list, built from the same inline specs (§13 quirk 7), here scoped to the monitor itself.
   */
  readonly functionAbi: CompiledAbi | null;
}

export interface EvmMonitor {
  readonly monitor: CompiledMonitor;
  /** Address key (see `evmAddressKey`) → watch, one per distinct address. */
  readonly watches: ReadonlyMap<string, EvmWatch>;
}

/**
 * Everything the network index knows about one watched address. Monitor slots are positions in
 * `EvmNetworkIndex.monitors`.
 */
export interface EvmAddressIndex {
  /** Dense number of the address within the network index (per-block bookkeeping uses it). */
  readonly id: number;
  /** Every monitor watching the address, in compile order: OZ's address gate, for transactions the index cannot read. */
  readonly watchers: readonly number[];
  /**
   * Monitors with event or function conditions whose transaction conditions can fail with an error: OZ evaluates
   * (and reports) them on every transaction touching the address, so they are considered on each one.
   */
  readonly gated: readonly number[];
  /** Transaction-level triggers of monitors without event or function conditions, by transaction status. */
  readonly onSuccess: TriggerIndex | null;
  readonly onFailure: TriggerIndex | null;
  /** Topic 0 → triggers per ABI event (monitors may decode the same topic with differently named ABIs). */
  readonly events: ReadonlyMap<string, readonly EvmItemTriggers<AbiEvent>[]>;
  /** Selector (8 hex digits) → triggers per ABI function. */
  readonly functions: ReadonlyMap<string, readonly EvmItemTriggers<AbiFunction>[]>;
}

export interface EvmItemTriggers<T extends AbiEvent | AbiFunction> {
  readonly item: T;
  readonly triggers: TriggerIndex;
}

export interface EvmNetworkIndex {
  readonly chain: "EVM";
  readonly slug: string;
  /** The network's monitors in compile order. */
  readonly monitors: readonly EvmMonitor[];
  /** Per monitor slot: 1 when the monitor is in its addresses' `gated` lists. */
  readonly gated: Uint8Array;
  /** Address key (see `evmAddressKey`) → what watches it. */
  readonly byAddress: ReadonlyMap<string, EvmAddressIndex>;
  /** The same entries keyed by `0x` + key, so canonical (lowercase) RPC addresses are found without normalising. */
  readonly byHexAddress: ReadonlyMap<string, EvmAddressIndex>;
  /**
   * The set of the keys' first 4 hex digits (see `prefixSet`). Most addresses of a block are not watched; this
   * rejects them without hashing.
   */
  readonly keyPrefixes: Uint32Array;
}

export function compileEvmMonitor(
  monitor: CompiledMonitor,
  interner: AbiInterner,
  diagnostics: EngineDiagnostic[],
): EvmMonitor {
  const { definition } = monitor;
  const entries: Array<{ key: string; abi: CompiledAbi | null }> = definition.monitor.addresses.map((entry, i) => {
    const spec = entry.contract_spec;
    if (!Array.isArray(spec)) return { key: evmAddressKey(entry.address), abi: null };
    const { abi, issues } = compileAbi(spec, interner);
    for (const issue of issues) {
      diagnostics.push({
        code: "ENGINE_ABI_ITEM_INVALID",
        severity: "warning",
        message: `ABI item ${issue.index} of address '${entry.address}' is ignored: ${issue.message}.`,
        monitorId: monitor.id,
        tenantId: monitor.tenantId,
        path: ["addresses", i, "contract_spec", issue.index],
      });
    }
    return { key: evmAddressKey(entry.address), abi };
  });

  if (entries.length === 0) {
    diagnostics.push({
      code: "ENGINE_MONITOR_NO_ADDRESSES",
      severity: "warning",
      message: `Monitor '${definition.monitor.name}' lists no addresses; on EVM networks it never matches (as in OpenZeppelin Monitor).`,
      monitorId: monitor.id,
      tenantId: monitor.tenantId,
      path: ["addresses"],
    });
  }

  const watches = new Map<string, { eventAbi: CompiledAbi | null; functionAbi: CompiledAbi | null }>();
  for (const { key, abi } of entries) {
    const watch = watches.get(key);
    if (!watch) watches.set(key, { eventAbi: abi, functionAbi: abi });
    else watch.functionAbi ??= abi;
  }
  return { monitor, watches };
}

/**
 * Builds the network's predicate index. `monitors` must be in compile order.
 *
 * By OZ's decision table (§3.5), a monitor with event or function conditions can only match a transaction in which
 * one of its event conditions matched a log or one of its function conditions matched the call; such a monitor is
 * listed under (address, topic 0) and (address, selector) with the triggers of those conditions. A monitor with
 * only transaction conditions (or none) is listed under its addresses, with its transaction triggers per status.
 * A monitor is then considered for a transaction only when one of its triggers holds there, and evaluated exactly
 * as OZ does; when none holds, none of its conditions can be true, and none can fail with an error.
 */
export function createEvmNetworkIndex(slug: string, monitors: readonly EvmMonitor[]): EvmNetworkIndex {
  const addresses = new Map<string, AddressBuilder>();
  const addressOf = (key: string): AddressBuilder => {
    let builder = addresses.get(key);
    if (!builder) {
      builder = {
        watchers: [],
        gated: [],
        onSuccess: new TriggerIndexBuilder(),
        onFailure: new TriggerIndexBuilder(),
        events: new Map(),
        functions: new Map(),
      };
      addresses.set(key, builder);
    }
    return builder;
  };
  const triggers = new TriggersCache();
  const gated = new Uint8Array(monitors.length);

  monitors.forEach((evm, slot) => {
    const { monitor } = evm;
    for (const key of evm.watches.keys()) addressOf(key).watchers.push(slot);
    if (monitor.events.length === 0 && monitor.functions.length === 0) {
      // Matches iff a transaction condition matches (or always, without any): triggers per status.
      const success = transactionTriggers(monitor.transactions, "Success", triggers);
      const failure = transactionTriggers(monitor.transactions, "Failure", triggers);
      for (const key of evm.watches.keys()) {
        const address = addressOf(key);
        address.onSuccess.add(slot, success);
        address.onFailure.add(slot, failure);
      }
      return;
    }
    if (!monitor.transactions.every((condition) => neverFails(condition, triggers))) {
      gated[slot] = 1;
      for (const key of evm.watches.keys()) addressOf(key).gated.push(slot);
      return;
    }
    for (const [key, watch] of evm.watches) {
      if (monitor.functions.length > 0 && watch.functionAbi) {
        for (const fn of itemsNamed(watch.functionAbi.functionsBySelector, monitor.functions)) {
          const conditions = monitor.functions.filter((condition) => condition.signatureKey === fn.signatureKey);
          itemBuilder(addressOf(key).functions, fn.selector, fn).add(slot, signatureTriggers(conditions, fn, triggers));
        }
      }
      if (monitor.events.length > 0 && watch.eventAbi) {
        for (const ev of itemsNamed(watch.eventAbi.eventsByTopic0, monitor.events)) {
          const conditions = monitor.events.filter((condition) => condition.signatureKey === ev.signatureKey);
          itemBuilder(addressOf(key).events, ev.topic0, ev).add(slot, signatureTriggers(conditions, ev, triggers));
        }
      }
    }
  });

  const byAddress = new Map<string, EvmAddressIndex>();
  const byHexAddress = new Map<string, EvmAddressIndex>();
  const keyPrefixes = new Uint32Array(0x10000 >>> 5);
  for (const [key, builder] of addresses) {
    const prefix = hexPrefix16(key, 0);
    if (prefix >= 0) keyPrefixes[prefix >>> 5] = (keyPrefixes[prefix >>> 5] as number) | (1 << (prefix & 31));
    const entry: EvmAddressIndex = {
      id: byAddress.size,
      watchers: builder.watchers,
      gated: builder.gated,
      onSuccess: builder.onSuccess.build(),
      onFailure: builder.onFailure.build(),
      events: buildItems(builder.events),
      functions: buildItems(builder.functions),
    };
    byAddress.set(key, entry);
    byHexAddress.set(`0x${key}`, entry);
  }
  return { chain: "EVM", slug, monitors, gated, byAddress, byHexAddress, keyPrefixes };
}

/**
 * The ABI's functions (or events) that some of the conditions name, each once. (Selectors and topics are unique
 * within a compiled ABI, but several items can share a signature key, which ignores case.)
 */
function itemsNamed<T extends AbiEvent | AbiFunction>(
  items: ReadonlyMap<string, T>,
  conditions: readonly CompiledSignatureCondition[],
): T[] {
  const byKey = itemsByKey(items);
  const out: T[] = [];
  for (const condition of conditions) {
    for (const item of byKey.get(condition.signatureKey) ?? []) if (!out.includes(item)) out.push(item);
  }
  return out;
}

const itemKeys = new WeakMap<ReadonlyMap<string, AbiEvent | AbiFunction>, Map<string, (AbiEvent | AbiFunction)[]>>();

/** `signatureKey` → items of a compiled ABI's function or event map (cached per map). */
function itemsByKey<T extends AbiEvent | AbiFunction>(items: ReadonlyMap<string, T>): Map<string, T[]> {
  let byKey = itemKeys.get(items) as Map<string, T[]> | undefined;
  if (!byKey) {
    byKey = new Map();
    for (const item of items.values()) {
      const list = byKey.get(item.signatureKey);
      if (list) list.push(item);
      else byKey.set(item.signatureKey, [item]);
    }
    itemKeys.set(items, byKey as Map<string, (AbiEvent | AbiFunction)[]>);
  }
  return byKey;
}

interface AddressBuilder {
  watchers: number[];
  gated: number[];
  onSuccess: TriggerIndexBuilder;
  onFailure: TriggerIndexBuilder;
  events: Map<string, Map<AbiEvent, TriggerIndexBuilder>>;
  functions: Map<string, Map<AbiFunction, TriggerIndexBuilder>>;
}

function itemBuilder<T extends AbiEvent | AbiFunction>(
  byKey: Map<string, Map<T, TriggerIndexBuilder>>,
  key: string,
  item: T,
): TriggerIndexBuilder {
  let items = byKey.get(key);
  if (!items) {
    items = new Map();
    byKey.set(key, items);
  }
  let builder = items.get(item);
  if (!builder) {
    builder = new TriggerIndexBuilder();
    items.set(item, builder);
  }
  return builder;
}

function buildItems<T extends AbiEvent | AbiFunction>(
  byKey: Map<string, Map<T, TriggerIndexBuilder>>,
): Map<string, EvmItemTriggers<T>[]> {
  const out = new Map<string, EvmItemTriggers<T>[]>();
  for (const [key, items] of byKey) {
    const list: EvmItemTriggers<T>[] = [];
    for (const [item, builder] of items) {
      const built = builder.build();
      if (built) list.push({ item, triggers: built });
    }
    if (list.length > 0) out.set(key, list);
  }
  return out;
}

/** Expression triggers per (parameter layout, expression), and each ABI item's layout, shared across monitors. */
class TriggersCache {
  private readonly layouts = new Map<AbiEvent | AbiFunction, ParamLayout>();
  private readonly byLayout = new Map<ParamLayout, Map<object, readonly Conjunction[] | null>>();
  private readonly safety = new Map<object, boolean>();

  layout(item: AbiEvent | AbiFunction): ParamLayout {
    let layout = this.layouts.get(item);
    if (!layout) {
      layout = abiLayout(item.inputs);
      this.layouts.set(item, layout);
    }
    return layout;
  }

  /** `null`: the condition must be evaluated whenever its scope occurs. */
  of(condition: CompiledSignatureCondition | CompiledTransactionCondition, layout: ParamLayout): SlotTriggers {
    if (condition.invalid) return NEVER; // never evaluated, never matches
    const { expression } = condition;
    if (expression === null) return "always";
    let cache = this.byLayout.get(layout);
    if (!cache) {
      cache = new Map();
      this.byLayout.set(layout, cache);
    }
    let conjunctions = cache.get(expression);
    if (conjunctions === undefined) {
      conjunctions = expressionTriggers(expression, layout);
      cache.set(expression, conjunctions);
    }
    return conjunctions ?? "always";
  }

  /** A transaction expression that can never fail with an error (given in-range transaction values). */
  safe(condition: CompiledTransactionCondition): boolean {
    const { expression } = condition;
    if (condition.invalid || expression === null) return true;
    let safe = this.safety.get(expression);
    if (safe === undefined) {
      safe = expressionNeverFails(expression, TRANSACTION_LAYOUT);
      this.safety.set(expression, safe);
    }
    return safe;
  }
}

const NEVER: readonly Conjunction[] = [];

function neverFails(condition: CompiledTransactionCondition, cache: TriggersCache): boolean {
  return cache.safe(condition);
}

/** Union of the triggers of a monitor's conditions on one ABI item ("always" if any must always be evaluated). */
function signatureTriggers(
  conditions: readonly CompiledSignatureCondition[],
  item: AbiEvent | AbiFunction,
  cache: TriggersCache,
): SlotTriggers {
  const layout = cache.layout(item);
  const conjunctions: Conjunction[] = [];
  for (const condition of conditions) {
    const triggers = cache.of(condition, layout);
    if (triggers === "always") return "always";
    conjunctions.push(...triggers);
  }
  return conjunctions;
}

/** Union of the triggers of the transaction conditions that apply to a status (the others are skipped unevaluated). */
function transactionTriggers(
  conditions: readonly CompiledTransactionCondition[],
  status: "Success" | "Failure",
  cache: TriggersCache,
): SlotTriggers {
  if (conditions.length === 0) return "always";
  const conjunctions: Conjunction[] = [];
  for (const condition of conditions) {
    if (condition.status !== "Any" && condition.status !== status) continue;
    const triggers = cache.of(condition, TRANSACTION_LAYOUT);
    if (triggers === "always") return "always";
    conjunctions.push(...triggers);
  }
  return conjunctions;
}
