/**
 * Collects evaluation diagnostics for one block, folding repeats: a monitor whose expression fails on every
 * transaction of a busy block reports once, with `occurrences` and the first transaction's hash.
 */
import type { ErrorPath } from "../errors/index.js";
import type { CompiledMonitor } from "./compiled.js";
import type { Hex } from "./evm-block.js";
import type { EngineDiagnostic } from "./types.js";

export interface BlockContext {
  networkSlug: string;
  blockNumber: bigint;
}

export class DiagnosticSink {
  private readonly byKey = new Map<string, EngineDiagnostic>();
  /** Monitor ordinal of each diagnostic, in first-occurrence order. */
  private readonly ordinals: number[] = [];

  constructor(private readonly block: BlockContext) {}

  report(
    monitor: CompiledMonitor,
    diagnostic: Pick<EngineDiagnostic, "code" | "severity" | "message" | "cause"> & { path: ErrorPath },
    transactionHash: Hex,
  ): void {
    const key = `${monitor.ordinal}\u0000${diagnostic.path.join("\u0001")}\u0000${diagnostic.code}\u0000${diagnostic.cause?.code ?? ""}`;
    const existing = this.byKey.get(key);
    if (existing) {
      existing.occurrences = (existing.occurrences ?? 1) + 1;
      return;
    }
    this.ordinals.push(monitor.ordinal);
    this.byKey.set(key, {
      ...diagnostic,
      monitorId: monitor.id,
      tenantId: monitor.tenantId,
      networkSlug: this.block.networkSlug,
      blockNumber: this.block.blockNumber,
      transactionHash,
      occurrences: 1,
    });
  }

  /**
   * Ordered like matches: by monitor (compile order), then by first occurrence. Each monitor's diagnostics are thus
   * those it reports when evaluated alone, whatever else the block's evaluation looked at.
   */
  list(): EngineDiagnostic[] {
    const diagnostics = [...this.byKey.values()];
    const order = diagnostics.map((_, i) => i);
    order.sort((a, b) => (this.ordinals[a] as number) - (this.ordinals[b] as number) || a - b);
    return order.map((i) => diagnostics[i] as EngineDiagnostic);
  }
}
