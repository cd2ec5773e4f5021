import { and, asc, eq, isNull, max, min, sql } from "drizzle-orm";
import { publishConfigChange } from "./config-events.js";
import { inTransaction, run, type Store, saveVersioned } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { monitors as monitorsTable, monitorVersions } from "./schema.js";
import { policyFromJson, policyToJson, type ThrottlePolicy } from "./throttle.js";

type MonitorRow = typeof monitorsTable.$inferSelect;

/** A tenant's monitor: its OZ JSON plus Argus's identity, version and settings. */
export interface StoredMonitor extends Omit<MonitorRow, "throttle"> {
  throttle: ThrottlePolicy | null;
}

export interface StoredMonitorVersion extends Omit<typeof monitorVersions.$inferSelect, "throttle"> {
  throttle: ThrottlePolicy | null;
}

export interface SaveMonitorParameters {
  tenantId: string;
  /** Existing monitor to update; omitted (or unknown) creates one (with this id when given). */
  id?: string;
  name: string;
  /** The OZ monitor JSON. */
  config: unknown;
  /** @default false */
  paused?: boolean;
  /** @default null (no throttling) */
  throttle?: ThrottlePolicy | null;
  /**
   * The file an import found it in (`monitors/usdc.json`), for a file-by-file export. Omitted: kept as it is
   * (a new row gets none). Not part of the OZ JSON.
   */
  sourceFile?: string | null;
}

function fromRow(row: MonitorRow): StoredMonitor {
  return { ...row, throttle: policyFromJson(row.throttle) ?? null };
}

function validateThrottle(throttle: ThrottlePolicy | null | undefined): void {
  if (throttle === null || throttle === undefined) return;
  const positive = (value: number | undefined) => value === undefined || (Number.isSafeInteger(value) && value > 0);
  const ok =
    positive(throttle.minIntervalMs) &&
    (throttle.threshold === undefined || (positive(throttle.threshold.count) && positive(throttle.threshold.windowMs)));
  if (!ok) {
    throw new StoreError(
      StoreCode.InvalidArgument,
      "monitors.save: throttle.minIntervalMs, threshold.count and threshold.windowMs must be positive integers.",
      { path: ["throttle"] },
    );
  }
}

/**
 * Creates or updates a monitor. Every change (config, name, paused, throttle) bumps `version` and appends a
 * `monitor_versions` row in the same transaction; saving identical values changes nothing.
 */
async function save(store: Store, parameters: SaveMonitorParameters, now: Date = new Date()): Promise<StoredMonitor> {
  validateThrottle(parameters.throttle);
  return inTransaction(store, "monitors.save", async (tx) => {
    const throttle = policyToJson(parameters.throttle);
    const paused = parameters.paused ?? false;
    const [existing] =
      parameters.id === undefined
        ? []
        : await tx
            .select()
            .from(monitorsTable)
            .where(
              and(
                eq(monitorsTable.tenantId, parameters.tenantId),
                eq(monitorsTable.id, parameters.id),
                isNull(monitorsTable.deletedAt),
              ),
            )
            .for("update");
    const row = await saveVersioned(existing, {
      unchanged: (current) =>
        current.name === parameters.name &&
        current.paused === paused &&
        JSON.stringify(current.config) === JSON.stringify(parameters.config) &&
        JSON.stringify(current.throttle ?? null) === JSON.stringify(throttle) &&
        (parameters.sourceFile === undefined || current.sourceFile === parameters.sourceFile),
      insert: () =>
        tx
          .insert(monitorsTable)
          .values({
            ...(parameters.id === undefined ? {} : { id: parameters.id }),
            tenantId: parameters.tenantId,
            name: parameters.name,
            config: parameters.config,
            throttle,
            paused,
            sourceFile: parameters.sourceFile ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
      update: (current) =>
        tx
          .update(monitorsTable)
          .set({
            name: parameters.name,
            config: parameters.config,
            throttle,
            paused,
            ...(parameters.sourceFile === undefined ? {} : { sourceFile: parameters.sourceFile }),
            version: current.version + 1,
            updatedAt: now,
          })
          .where(eq(monitorsTable.id, current.id))
          .returning(),
      recordVersion: (saved) =>
        tx.insert(monitorVersions).values({
          tenantId: saved.tenantId,
          monitorId: saved.id,
          version: saved.version,
          name: saved.name,
          config: saved.config,
          throttle: saved.throttle,
          paused: saved.paused,
          createdAt: now,
          updatedAt: now,
        }),
    });
    if (row !== existing)
      await publishConfigChange(tx, { kind: "monitor", tenantId: row.tenantId, id: row.id, op: "saved" });
    return fromRow(row);
  });
}

async function get(store: Store, tenantId: string, id: string): Promise<StoredMonitor | null> {
  return run(store, "monitors.get", async (db) => {
    const [row] = await db
      .select()
      .from(monitorsTable)
      .where(and(eq(monitorsTable.tenantId, tenantId), eq(monitorsTable.id, id), isNull(monitorsTable.deletedAt)));
    return row === undefined ? null : fromRow(row);
  });
}

async function getByName(store: Store, tenantId: string, name: string): Promise<StoredMonitor | null> {
  return run(store, "monitors.getByName", async (db) => {
    const [row] = await db
      .select()
      .from(monitorsTable)
      .where(and(eq(monitorsTable.tenantId, tenantId), eq(monitorsTable.name, name), isNull(monitorsTable.deletedAt)));
    return row === undefined ? null : fromRow(row);
  });
}

/** A tenant's live monitors, by name. */
async function list(store: Store, tenantId: string): Promise<StoredMonitor[]> {
  return run(store, "monitors.list", async (db) => {
    const rows = await db
      .select()
      .from(monitorsTable)
      .where(and(eq(monitorsTable.tenantId, tenantId), isNull(monitorsTable.deletedAt)))
      .orderBy(asc(monitorsTable.name));
    return rows.map(fromRow);
  });
}

/** Soft-deletes a monitor; its matches, deliveries and history stay. */
async function remove(store: Store, tenantId: string, id: string, now: Date = new Date()): Promise<void> {
  await inTransaction(store, "monitors.remove", async (tx) => {
    const [row] = await tx
      .update(monitorsTable)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(monitorsTable.tenantId, tenantId), eq(monitorsTable.id, id), isNull(monitorsTable.deletedAt)))
      .returning({ id: monitorsTable.id });
    if (row === undefined) throw new StoreError(StoreCode.NotFound, `monitors.remove: no live monitor ${id}.`);
    await publishConfigChange(tx, { kind: "monitor", tenantId, id, op: "removed" });
  });
}

/** Config history of a monitor, oldest first. */
async function history(store: Store, tenantId: string, id: string): Promise<StoredMonitorVersion[]> {
  return run(store, "monitors.history", async (db) => {
    const rows = await db
      .select()
      .from(monitorVersions)
      .where(and(eq(monitorVersions.tenantId, tenantId), eq(monitorVersions.monitorId, id)))
      .orderBy(asc(monitorVersions.version));
    return rows.map((row) => ({ ...row, throttle: policyFromJson(row.throttle) ?? null }));
  });
}

/**
 * When each of the tenant's live, non-paused monitors last became active, by monitor id: the creation time of the
 * oldest version after its last paused one (its creation when it was never paused), from the config history.
 */
async function activeSince(store: Store, tenantId: string): Promise<Map<string, Date>> {
  return run(store, "monitors.activeSince", async (db) => {
    const paused = db
      .select({ monitorId: monitorVersions.monitorId, version: max(monitorVersions.version).as("paused_version") })
      .from(monitorVersions)
      .where(and(eq(monitorVersions.tenantId, tenantId), eq(monitorVersions.paused, true)))
      .groupBy(monitorVersions.monitorId)
      .as("paused");
    const rows = await db
      .select({ monitorId: monitorVersions.monitorId, since: min(monitorVersions.createdAt) })
      .from(monitorVersions)
      .innerJoin(
        monitorsTable,
        and(eq(monitorsTable.tenantId, monitorVersions.tenantId), eq(monitorsTable.id, monitorVersions.monitorId)),
      )
      .leftJoin(paused, eq(paused.monitorId, monitorVersions.monitorId))
      .where(
        and(
          eq(monitorVersions.tenantId, tenantId),
          isNull(monitorsTable.deletedAt),
          eq(monitorsTable.paused, false),
          sql`${monitorVersions.version} > coalesce(${paused.version}, 0)`,
        ),
      )
      .groupBy(monitorVersions.monitorId);
    const since = new Map<string, Date>();
    for (const row of rows) if (row.since !== null) since.set(row.monitorId, new Date(row.since));
    return since;
  });
}

/** Monitors (minimal for now: the API of issue 5 builds on these). */
export const monitors = { save, get, getByName, list, remove, history, activeSince };
