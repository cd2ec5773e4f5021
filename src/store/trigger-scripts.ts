import { and, asc, eq, isNull } from "drizzle-orm";
import { publishConfigChange } from "./config-events.js";
import { inTransaction, run, type Store, saveVersioned } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { type SCRIPT_LANGUAGES, triggerScripts as scriptsTable, triggerScriptVersions } from "./schema.js";

export type StoredTriggerScript = typeof scriptsTable.$inferSelect;
export type StoredTriggerScriptVersion = typeof triggerScriptVersions.$inferSelect;
export type ScriptLanguage = (typeof SCRIPT_LANGUAGES)[number];

export interface SaveTriggerScriptParameters {
  tenantId: string;
  /** The path a trigger's `script_path` (or a monitor's trigger condition) names, e.g. `filters/evm_filter.py`. */
  path: string;
  language: ScriptLanguage;
  content: string;
}

/** Relative, normalised, no `..`: the path is a name, never a place on the server's disk. */
function validatePath(path: string): void {
  const ok =
    path.length > 0 &&
    path.length <= 512 &&
    !path.startsWith("/") &&
    !path.includes("\\") &&
    !path.includes("\0") &&
    path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
  if (!ok) {
    throw new StoreError(
      StoreCode.InvalidArgument,
      `triggerScripts.save: path must be relative, without "." or ".." segments, got ${JSON.stringify(path)}.`,
      { path: ["path"] },
    );
  }
}

/** Creates the tenant's script at `path` or updates it (version + 1 and a history row when anything changed). */
async function save(
  store: Store,
  parameters: SaveTriggerScriptParameters,
  now: Date = new Date(),
): Promise<StoredTriggerScript> {
  validatePath(parameters.path);
  return inTransaction(store, "triggerScripts.save", async (tx) => {
    const [existing] = await tx
      .select()
      .from(scriptsTable)
      .where(
        and(
          eq(scriptsTable.tenantId, parameters.tenantId),
          eq(scriptsTable.path, parameters.path),
          isNull(scriptsTable.deletedAt),
        ),
      )
      .for("update");
    const row = await saveVersioned(existing, {
      unchanged: (current) => current.language === parameters.language && current.content === parameters.content,
      insert: () =>
        tx
          .insert(scriptsTable)
          .values({ ...parameters, createdAt: now, updatedAt: now })
          .returning(),
      update: (current) =>
        tx
          .update(scriptsTable)
          .set({
            language: parameters.language,
            content: parameters.content,
            version: current.version + 1,
            updatedAt: now,
          })
          .where(eq(scriptsTable.id, current.id))
          .returning(),
      recordVersion: (saved) =>
        tx.insert(triggerScriptVersions).values({
          tenantId: saved.tenantId,
          scriptId: saved.id,
          version: saved.version,
          path: saved.path,
          language: saved.language,
          content: saved.content,
          createdAt: now,
          updatedAt: now,
        }),
    });
    if (row !== existing) {
      await publishConfigChange(tx, { kind: "trigger_script", tenantId: row.tenantId, id: row.id, op: "saved" });
    }
    return row;
  });
}

async function get(store: Store, tenantId: string, id: string): Promise<StoredTriggerScript | null> {
  return run(store, "triggerScripts.get", async (db) => {
    const [row] = await db
      .select()
      .from(scriptsTable)
      .where(and(eq(scriptsTable.tenantId, tenantId), eq(scriptsTable.id, id), isNull(scriptsTable.deletedAt)));
    return row ?? null;
  });
}

async function getByPath(store: Store, tenantId: string, path: string): Promise<StoredTriggerScript | null> {
  return run(store, "triggerScripts.getByPath", async (db) => {
    const [row] = await db
      .select()
      .from(scriptsTable)
      .where(and(eq(scriptsTable.tenantId, tenantId), eq(scriptsTable.path, path), isNull(scriptsTable.deletedAt)));
    return row ?? null;
  });
}

/** A tenant's live scripts, by path. */
async function list(store: Store, tenantId: string): Promise<StoredTriggerScript[]> {
  return run(store, "triggerScripts.list", (db) =>
    db
      .select()
      .from(scriptsTable)
      .where(and(eq(scriptsTable.tenantId, tenantId), isNull(scriptsTable.deletedAt)))
      .orderBy(asc(scriptsTable.path)),
  );
}

/** Soft-deletes a script; its history stays. */
async function remove(store: Store, tenantId: string, id: string, now: Date = new Date()): Promise<void> {
  await inTransaction(store, "triggerScripts.remove", async (tx) => {
    const [row] = await tx
      .update(scriptsTable)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(scriptsTable.tenantId, tenantId), eq(scriptsTable.id, id), isNull(scriptsTable.deletedAt)))
      .returning({ id: scriptsTable.id });
    if (row === undefined) throw new StoreError(StoreCode.NotFound, `triggerScripts.remove: no live script ${id}.`);
    await publishConfigChange(tx, { kind: "trigger_script", tenantId, id, op: "removed" });
  });
}

/** A script's history, oldest first. */
async function history(store: Store, tenantId: string, id: string): Promise<StoredTriggerScriptVersion[]> {
  return run(store, "triggerScripts.history", (db) =>
    db
      .select()
      .from(triggerScriptVersions)
      .where(and(eq(triggerScriptVersions.tenantId, tenantId), eq(triggerScriptVersions.scriptId, id)))
      .orderBy(asc(triggerScriptVersions.version)),
  );
}

/** Tenant-owned trigger scripts (what `script_path` names), versioned like triggers. */
export const triggerScripts = { save, get, getByPath, list, remove, history };
