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

  list(): EngineDiagnostic[] {
    return [...this.byKey.values()];
  }
}
