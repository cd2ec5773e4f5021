/**
 * The EVM side of compilation: which addresses a monitor watches, with the ABI used for each, and the per-network
 * index address → monitors that lets a block be evaluated only against monitors whose address gate can pass.
 */
import type { CompiledMonitor } from "../compiled.js";
import type { EngineDiagnostic } from "../types.js";
import { type AbiInterner, type CompiledAbi, compileAbi } from "./abi.js";
import { evmAddressKey } from "./address.js";

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

/** One monitor watching one address, as the network index lists it. */
export interface EvmIndexEntry {
  /** The monitor's position in `EvmNetworkIndex.monitors` (compile order). */
  readonly slot: number;
  readonly monitor: EvmMonitor;
  readonly watch: EvmWatch;
}

export interface EvmNetworkIndex {
  readonly chain: "EVM";
  readonly slug: string;
  /** The network's monitors in compile order. */
  readonly monitors: readonly EvmMonitor[];
  /** Address key → the monitors watching it (each monitor once), in compile order. */
  readonly byAddress: ReadonlyMap<string, readonly EvmIndexEntry[]>;
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

/** `monitors` must be in compile order; each address's list keeps that order. */
export function createEvmNetworkIndex(slug: string, monitors: readonly EvmMonitor[]): EvmNetworkIndex {
  const byAddress = new Map<string, EvmIndexEntry[]>();
  monitors.forEach((monitor, slot) => {
    for (const [key, watch] of monitor.watches) {
      const entry: EvmIndexEntry = { slot, monitor, watch };
      const list = byAddress.get(key);
      if (list) list.push(entry);
      else byAddress.set(key, [entry]);
    }
  });
  return { chain: "EVM", slug, monitors, byAddress };
}
