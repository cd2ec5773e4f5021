import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { inTransaction, run, type Store } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import type { MemberRole } from "./memberships.js";
import { apiKeys as apiKeysTable } from "./schema.js";

type ApiKeyRow = typeof apiKeysTable.$inferSelect;

/** An API key's record: everything but the hash (the key itself is never stored). */
export type ApiKeyRecord = Omit<ApiKeyRow, "keyHash">;
/** @internal Identity's view, with the hash to compare against. */
export type ApiKeyWithHash = ApiKeyRow;

export interface InsertApiKeyParameters {
  id?: string;
  tenantId: string;
  name: string;
  /** The public lookup part of the key (unique). */
  prefix: string;
  /** Hex SHA-256 of the whole key. */
  keyHash: string;
  scopes: readonly string[];
  role: MemberRole;
  expiresAt: Date | null;
  createdBy: string | null;
}

function record(row: ApiKeyRow): ApiKeyRecord {
  const { keyHash: _hash, ...rest } = row;
  return rest;
}

/** @internal Use `identity.createApiKey`, which makes the key; this stores its hash. */
async function insert(store: Store, parameters: InsertApiKeyParameters, now: Date = new Date()): Promise<ApiKeyRecord> {
  return inTransaction(store, "apiKeys.insert", async (tx) => {
    const [row] = await tx
      .insert(apiKeysTable)
      .values({ ...parameters, scopes: [...parameters.scopes], createdAt: now, updatedAt: now })
      .returning();
    return record(row!);
  });
}

async function get(store: Store, tenantId: string, id: string): Promise<ApiKeyRecord | null> {
  return run(store, "apiKeys.get", async (db) => {
    const [row] = await db
      .select()
      .from(apiKeysTable)
      .where(and(eq(apiKeysTable.tenantId, tenantId), eq(apiKeysTable.id, id), isNull(apiKeysTable.deletedAt)));
    return row === undefined ? null : record(row);
  });
}

/** A tenant's keys, newest first, revoked and expired ones included (they show as such). */
async function list(store: Store, tenantId: string): Promise<ApiKeyRecord[]> {
  return run(store, "apiKeys.list", async (db) => {
    const rows = await db
      .select()
      .from(apiKeysTable)
      .where(and(eq(apiKeysTable.tenantId, tenantId), isNull(apiKeysTable.deletedAt)))
      .orderBy(desc(apiKeysTable.createdAt), desc(apiKeysTable.id));
    return rows.map(record);
  });
}

/** @internal For `identity.verifyApiKey` (platform store: the tenant is not known yet). */
async function findByPrefix(store: Store, prefix: string): Promise<ApiKeyWithHash | null> {
  return run(store, "apiKeys.findByPrefix", async (db) => {
    const [row] = await db
      .select()
      .from(apiKeysTable)
      .where(and(eq(apiKeysTable.prefix, prefix), isNull(apiKeysTable.deletedAt)));
    return row ?? null;
  });
}

/** Revokes a key (idempotent: revoking a revoked key keeps its first `revokedAt`). Returns before and after. */
async function revoke(
  store: Store,
  tenantId: string,
  id: string,
  now: Date = new Date(),
): Promise<{ before: ApiKeyRecord; after: ApiKeyRecord }> {
  return inTransaction(store, "apiKeys.revoke", async (tx) => {
    const [current] = await tx
      .select()
      .from(apiKeysTable)
      .where(and(eq(apiKeysTable.tenantId, tenantId), eq(apiKeysTable.id, id), isNull(apiKeysTable.deletedAt)))
      .for("update");
    if (current === undefined) throw new StoreError(StoreCode.NotFound, `apiKeys.revoke: no API key ${id}.`);
    if (current.revokedAt !== null) return { before: record(current), after: record(current) };
    const [row] = await tx
      .update(apiKeysTable)
      .set({ revokedAt: now, updatedAt: now })
      .where(eq(apiKeysTable.id, id))
      .returning();
    return { before: record(current), after: record(row!) };
  });
}

/**
 * Records a use. Writes at most once per `minIntervalMs` per key (a busy key would otherwise write on every
 * request); returns whether it wrote.
 */
async function touch(store: Store, id: string, now: Date = new Date(), minIntervalMs = 60_000): Promise<boolean> {
  return run(store, "apiKeys.touch", async (db) => {
    const rows = await db
      .update(apiKeysTable)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiKeysTable.id, id),
          or(isNull(apiKeysTable.lastUsedAt), lt(apiKeysTable.lastUsedAt, new Date(now.getTime() - minIntervalMs))),
        ),
      )
      .returning({ id: apiKeysTable.id });
    return rows.length > 0;
  });
}

/** API keys of tenants; create and verify them through `src/identity`, which owns the key format. */
export const apiKeys = { insert, get, list, findByPrefix, revoke, touch };
