import { and, asc, eq, isNull } from "drizzle-orm";
import { publishConfigChange } from "./config-events.js";
import { inTransaction, run, type Store, saveVersioned } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { triggers as triggersTable, triggerVersions } from "./schema.js";

export type StoredTrigger = typeof triggersTable.$inferSelect;
export type StoredTriggerVersion = typeof triggerVersions.$inferSelect;

export interface SaveTriggerParameters {
  tenantId: string;
  /** The key monitors reference (`"slack_ops"`); unique among a tenant's live triggers. */
  key: string;
  /** OZ `trigger_type`: `"slack"`, `"webhook"`, `"email"`, … */
  triggerType: string;
  /** The OZ trigger JSON. */
  config: unknown;
  /** Only used when the trigger is created; defaults to a random UUID. */
  id?: string;
  /**
   * The file an import found it in (`triggers/slack.json`), for a file-by-file export. Omitted: kept as it is
   * (a new row gets none). Not part of the OZ JSON.
   */
  sourceFile?: string | null;
}

/**
 * Creates the tenant's trigger with this key, or updates it (version + 1 and a `trigger_versions` row when the type
 * or config changed).
 */
async function save(store: Store, parameters: SaveTriggerParameters, now: Date = new Date()): Promise<StoredTrigger> {
  return inTransaction(store, "triggers.save", async (tx) => {
    const [existing] = await tx
      .select()
      .from(triggersTable)
      .where(
        and(
          eq(triggersTable.tenantId, parameters.tenantId),
          eq(triggersTable.key, parameters.key),
          isNull(triggersTable.deletedAt),
        ),
      )
      .for("update");
    const row = await saveVersioned(existing, {
      unchanged: (current) =>
        current.triggerType === parameters.triggerType &&
        JSON.stringify(current.config) === JSON.stringify(parameters.config) &&
        (parameters.sourceFile === undefined || current.sourceFile === parameters.sourceFile),
      insert: () =>
        tx
          .insert(triggersTable)
          .values({
            ...(parameters.id === undefined ? {} : { id: parameters.id }),
            tenantId: parameters.tenantId,
            key: parameters.key,
            triggerType: parameters.triggerType,
            config: parameters.config,
            sourceFile: parameters.sourceFile ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
      update: (current) =>
        tx
          .update(triggersTable)
          .set({
            triggerType: parameters.triggerType,
            config: parameters.config,
            ...(parameters.sourceFile === undefined ? {} : { sourceFile: parameters.sourceFile }),
            version: current.version + 1,
            updatedAt: now,
          })
          .where(eq(triggersTable.id, current.id))
          .returning(),
      recordVersion: (row) =>
        tx.insert(triggerVersions).values({
          tenantId: row.tenantId,
          triggerId: row.id,
          version: row.version,
          key: row.key,
          triggerType: row.triggerType,
          config: row.config,
          createdAt: now,
          updatedAt: now,
        }),
    });
    if (row !== existing)
      await publishConfigChange(tx, { kind: "trigger", tenantId: row.tenantId, id: row.id, op: "saved" });
    return row;
  });
}

async function get(store: Store, tenantId: string, id: string): Promise<StoredTrigger | null> {
  return run(store, "triggers.get", async (db) => {
    const [row] = await db
      .select()
      .from(triggersTable)
      .where(and(eq(triggersTable.tenantId, tenantId), eq(triggersTable.id, id), isNull(triggersTable.deletedAt)));
    return row ?? null;
  });
}

async function getByKey(store: Store, tenantId: string, key: string): Promise<StoredTrigger | null> {
  return run(store, "triggers.getByKey", async (db) => {
    const [row] = await db
      .select()
      .from(triggersTable)
      .where(and(eq(triggersTable.tenantId, tenantId), eq(triggersTable.key, key), isNull(triggersTable.deletedAt)));
    return row ?? null;
  });
}

async function list(store: Store, tenantId: string): Promise<StoredTrigger[]> {
  return run(store, "triggers.list", (db) =>
    db
      .select()
      .from(triggersTable)
      .where(and(eq(triggersTable.tenantId, tenantId), isNull(triggersTable.deletedAt)))
      .orderBy(asc(triggersTable.key)),
  );
}

async function remove(store: Store, tenantId: string, id: string, now: Date = new Date()): Promise<void> {
  await inTransaction(store, "triggers.remove", async (tx) => {
    const [row] = await tx
      .update(triggersTable)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(triggersTable.tenantId, tenantId), eq(triggersTable.id, id), isNull(triggersTable.deletedAt)))
      .returning({ id: triggersTable.id });
    if (row === undefined) throw new StoreError(StoreCode.NotFound, `triggers.remove: no live trigger ${id}.`);
    await publishConfigChange(tx, { kind: "trigger", tenantId, id, op: "removed" });
  });
}

async function history(store: Store, tenantId: string, id: string): Promise<StoredTriggerVersion[]> {
  return run(store, "triggers.history", (db) =>
    db
      .select()
      .from(triggerVersions)
      .where(and(eq(triggerVersions.tenantId, tenantId), eq(triggerVersions.triggerId, id)))
      .orderBy(asc(triggerVersions.version)),
  );
}

/** Triggers (minimal for now), keyed per tenant by the key monitors reference. */
export const triggers = { save, get, getByKey, list, remove, history };
