/**
 * Expression failures of one ledger, folded per (monitor, expression path, error code): a monitor whose expression
 * fails on every transaction reports once, with `occurrences` and the first transaction's hash. Unlike the shared
 * sink it takes an occurrence count, so a failure known for many transactions at once is reported in one call, and
 * it builds a diagnostic's message only for the first occurrence.
 */
import type { ExpressionError } from "../../expr/index.js";
import type { CompiledCondition, CompiledMonitor } from "../compiled.js";
import type { EngineDiagnostic } from "../types.js";

export class StellarDiagnosticSink {
  /** Per monitor ordinal: `<path>\0<error code>` → diagnostic. */
  private readonly byMonitor = new Map<number, Map<string, EngineDiagnostic>>();
  private readonly pathKeys = new WeakMap<CompiledCondition, string>();

  constructor(
    private readonly networkSlug: string,
    private readonly blockNumber: bigint,
  ) {}

  expressionFailed(
    monitor: CompiledMonitor,
    condition: CompiledCondition,
    error: ExpressionError,
    transactionHash: string,
    count = 1,
  ): void {
    let pathKey = this.pathKeys.get(condition);
    if (pathKey === undefined) {
      pathKey = condition.expressionPath.join("\u0001");
      this.pathKeys.set(condition, pathKey);
    }
    const key = `${pathKey}\u0000${error.code}`;
    let diagnostics = this.byMonitor.get(monitor.ordinal);
    if (!diagnostics) {
      diagnostics = new Map();
      this.byMonitor.set(monitor.ordinal, diagnostics);
    }
    const existing = diagnostics.get(key);
    if (existing) {
      existing.occurrences = (existing.occurrences ?? 1) + count;
      return;
    }
    diagnostics.set(key, {
      code: "ENGINE_EXPRESSION_FAILED",
      severity: "error",
      message: `Expression '${condition.expressionText}' failed, so its condition did not match: ${error.message}`,
      monitorId: monitor.id,
      tenantId: monitor.tenantId,
      path: condition.expressionPath,
      networkSlug: this.networkSlug,
      blockNumber: this.blockNumber,
      transactionHash,
      cause: { code: error.code, kind: error.kind },
      occurrences: count,
    });
  }

  /** By monitor (compile order), then by first occurrence. */
  list(): EngineDiagnostic[] {
    const ordinals = [...this.byMonitor.keys()].sort((a, b) => a - b);
    return ordinals.flatMap((ordinal) => [...(this.byMonitor.get(ordinal)?.values() ?? [])]);
  }
}
