/**
 * Configuration change notifications: every committed change to a network, monitor, trigger, trigger script or
 * tenant status publishes one `pg_notify` on `CONFIG_CHANNEL`, inside the transaction that makes the change. PostgreSQL
 * (and PGlite, in-process) deliver a notification only when that transaction commits, so a listener never hears of a
 * change it cannot read yet, and a rolled-back change is never announced.
 *
 * The payload is small JSON (PostgreSQL caps it at 8,000 bytes): what changed, never the config itself. Listeners
 * re-read the store; a lost notification is repaired by the runtime's periodic reconciliation.
 */
import { sql } from "drizzle-orm";
import type { StoreExecutor } from "./db.js";

/** The LISTEN/NOTIFY channel of configuration changes. */
export const CONFIG_CHANNEL = "argus_config";

export type ConfigChangeKind = "network" | "monitor" | "trigger" | "trigger_script" | "tenant";

export interface ConfigChange {
  kind: ConfigChangeKind;
  /** `null` for platform-wide networks. */
  tenantId: string | null;
  /** The changed row's id. */
  id: string;
  /** `saved` (created or changed), `removed` (soft-deleted) or `status` (tenant suspended/reactivated). */
  op: "saved" | "removed" | "status";
}

const KINDS: ReadonlySet<string> = new Set(["network", "monitor", "trigger", "trigger_script", "tenant"]);
const OPS: ReadonlySet<string> = new Set(["saved", "removed", "status"]);

/** @internal Publishes `change` in the caller's transaction (delivered to listeners on commit). */
export async function publishConfigChange(tx: StoreExecutor, change: ConfigChange): Promise<void> {
  await tx.execute(sql`select pg_notify(${CONFIG_CHANNEL}, ${JSON.stringify(change)})`);
}

/** Parses a notification payload; `null` when it is not a `ConfigChange` (another sender on the channel). */
export function parseConfigChange(payload: string): ConfigChange | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { kind, tenantId, id, op } = value as Record<string, unknown>;
  if (typeof kind !== "string" || !KINDS.has(kind)) return null;
  if (typeof op !== "string" || !OPS.has(op)) return null;
  if (typeof id !== "string" || (tenantId !== null && typeof tenantId !== "string")) return null;
  return { kind: kind as ConfigChangeKind, tenantId, id, op: op as ConfigChange["op"] };
}
