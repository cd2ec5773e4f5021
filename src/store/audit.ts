import { desc, eq, gte, isNull, lt, type SQL } from "drizzle-orm";
import { redactSecrets } from "../secrets/index.js";
import { inTransaction, type Page, type Store, seqPage } from "./db.js";
import { auditLog } from "./schema.js";

export type AuditEntry = typeof auditLog.$inferSelect;

/** Who did it: a user, an API key, or Argus itself (`system`, e.g. an import run by an operator's CLI). */
export interface AuditActor {
  type: "user" | "api_key" | "system" | "anonymous";
  id: string | null;
}

export interface RecordAuditParameters {
  /** `null` for platform actions (login, platform networks, tenant suspension). */
  tenantId: string | null;
  actor: AuditActor;
  /** `<resource>.<verb>`: `monitor.create`, `api_key.revoke`, `auth.login`, `member.role_change`, … */
  action: string;
  resourceType: string;
  resourceId?: string | null;
  /** The resource before and after the change; secrets are redacted before they are stored. */
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export interface ListAuditParameters {
  action?: string;
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  /** Inclusive lower bound of `createdAt`. */
  since?: Date;
  /** Exclusive upper bound of `createdAt`. */
  until?: Date;
  /** @default 50 (at most 500) */
  limit?: number;
  cursor?: string;
}

/**
 * Appends an audit row. Pass the scoped store of the change (`withTenant` / `withPlatform`) so the row commits or
 * rolls back with it. `before` / `after` go through `redactSecrets`: no secret value, hash or envelope is stored.
 */
async function record(store: Store, parameters: RecordAuditParameters, now: Date = new Date()): Promise<AuditEntry> {
  return inTransaction(store, "audit.record", async (tx) => {
    const [row] = await tx
      .insert(auditLog)
      .values({
        tenantId: parameters.tenantId,
        actorType: parameters.actor.type,
        actorId: parameters.actor.id,
        action: parameters.action,
        resourceType: parameters.resourceType,
        resourceId: parameters.resourceId ?? null,
        before: parameters.before === undefined ? null : redactSecrets(parameters.before),
        after: parameters.after === undefined ? null : redactSecrets(parameters.after),
        ip: parameters.ip ?? null,
        userAgent: parameters.userAgent ?? null,
        requestId: parameters.requestId ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return row!;
  });
}

/** A tenant's audit trail (`tenantId: null`: the platform's), newest first, with cursor pagination. */
async function list(
  store: Store,
  tenantId: string | null,
  parameters: ListAuditParameters = {},
): Promise<Page<AuditEntry>> {
  const filters: SQL[] = [tenantId === null ? isNull(auditLog.tenantId) : eq(auditLog.tenantId, tenantId)];
  if (parameters.action !== undefined) filters.push(eq(auditLog.action, parameters.action));
  if (parameters.actorId !== undefined) filters.push(eq(auditLog.actorId, parameters.actorId));
  if (parameters.resourceType !== undefined) filters.push(eq(auditLog.resourceType, parameters.resourceType));
  if (parameters.resourceId !== undefined) filters.push(eq(auditLog.resourceId, parameters.resourceId));
  if (parameters.since !== undefined) filters.push(gte(auditLog.createdAt, parameters.since));
  if (parameters.until !== undefined) filters.push(lt(auditLog.createdAt, parameters.until));
  return seqPage(store, "audit.list", parameters, auditLog.seq, filters, (db, where, limit) =>
    db.select().from(auditLog).where(where).orderBy(desc(auditLog.seq)).limit(limit),
  );
}

/** The audit log: append-only, kept when the resources it names are deleted. */
export const audit = { record, list };
