import { and, asc, eq, isNull, or, type SQL } from "drizzle-orm";
import { publishConfigChange } from "./config-events.js";
import { inTransaction, run, type Store, type StoreExecutor, saveVersioned } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { networks as networksTable } from "./schema.js";

export type StoredNetwork = typeof networksTable.$inferSelect;

export interface SaveNetworkParameters {
  /** `null` = platform-wide; otherwise private to this tenant. */
  tenantId: string | null;
  slug: string;
  /** OZ `network_type`: `"EVM"`, `"Stellar"`, … */
  networkType: string;
  /** The OZ network JSON. */
  config: unknown;
  /** Only used when the network is created; defaults to a random UUID. */
  id?: string;
  /**
   * The file an import found it in (`networks/ethereum_mainnet.json`), for a file-by-file export. Omitted: kept as it is
   * (a new row gets none). Not part of the OZ JSON.
   */
  sourceFile?: string | null;
}

function scope(tenantId: string | null): SQL {
  return tenantId === null ? isNull(networksTable.tenantId) : eq(networksTable.tenantId, tenantId);
}

async function findLive(executor: StoreExecutor, tenantId: string | null, slug: string, lock: boolean) {
  const query = executor
    .select()
    .from(networksTable)
    .where(and(scope(tenantId), eq(networksTable.slug, slug), isNull(networksTable.deletedAt)));
  const [row] = lock ? await query.for("update") : await query;
  return row;
}

/**
 * Creates the network, or updates it when one with this slug exists in the same scope (the version goes up only
 * when the config or type changed). Slugs are unique per scope: platform-wide, and per tenant.
 */
async function save(store: Store, parameters: SaveNetworkParameters, now: Date = new Date()): Promise<StoredNetwork> {
  return inTransaction(store, "networks.save", async (tx) => {
    const existing = await findLive(tx, parameters.tenantId, parameters.slug, true);
    const row = await saveVersioned(existing, {
      unchanged: (current) =>
        current.networkType === parameters.networkType &&
        JSON.stringify(current.config) === JSON.stringify(parameters.config) &&
        (parameters.sourceFile === undefined || current.sourceFile === parameters.sourceFile),
      insert: () =>
        tx
          .insert(networksTable)
          .values({
            ...(parameters.id === undefined ? {} : { id: parameters.id }),
            tenantId: parameters.tenantId,
            slug: parameters.slug,
            networkType: parameters.networkType,
            config: parameters.config,
            sourceFile: parameters.sourceFile ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
      update: (current) =>
        tx
          .update(networksTable)
          .set({
            networkType: parameters.networkType,
            config: parameters.config,
            ...(parameters.sourceFile === undefined ? {} : { sourceFile: parameters.sourceFile }),
            version: current.version + 1,
            updatedAt: now,
          })
          .where(eq(networksTable.id, current.id))
          .returning(),
    });
    if (row !== existing)
      await publishConfigChange(tx, { kind: "network", tenantId: row.tenantId, id: row.id, op: "saved" });
    return row;
  });
}

async function get(store: Store, id: string): Promise<StoredNetwork | null> {
  return run(store, "networks.get", async (db) => {
    const [row] = await db.select().from(networksTable).where(eq(networksTable.id, id));
    return row ?? null;
  });
}

/** The live network with this slug in the given scope (`null` = platform-wide). */
async function getBySlug(store: Store, tenantId: string | null, slug: string): Promise<StoredNetwork | null> {
  return run(store, "networks.getBySlug", async (db) => (await findLive(db, tenantId, slug, false)) ?? null);
}

/**
 * The live networks a tenant can see: platform-wide ones plus its private ones (`tenantId` omitted or `null`:
 * platform-wide only), by slug.
 */
async function list(store: Store, tenantId: string | null = null): Promise<StoredNetwork[]> {
  return run(store, "networks.list", (db) =>
    db
      .select()
      .from(networksTable)
      .where(
        and(
          isNull(networksTable.deletedAt),
          tenantId === null
            ? isNull(networksTable.tenantId)
            : or(isNull(networksTable.tenantId), eq(networksTable.tenantId, tenantId)),
        ),
      )
      .orderBy(asc(networksTable.slug), asc(networksTable.tenantId)),
  );
}

async function remove(store: Store, id: string, now: Date = new Date()): Promise<void> {
  await inTransaction(store, "networks.remove", async (tx) => {
    const [row] = await tx
      .update(networksTable)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(networksTable.id, id), isNull(networksTable.deletedAt)))
      .returning({ id: networksTable.id, tenantId: networksTable.tenantId });
    if (row === undefined) throw new StoreError(StoreCode.NotFound, `networks.remove: no live network ${id}.`);
    await publishConfigChange(tx, { kind: "network", tenantId: row.tenantId, id, op: "removed" });
  });
}

/** Networks: platform-wide (`tenantId: null`) and tenant-private, keyed by slug within their scope. */
export const networks = { save, get, getBySlug, list, remove };
