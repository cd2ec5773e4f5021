/**
 * Tenant scoping: `withTenant()` runs a unit of work as one tenant, under PostgreSQL row-level security.
 *
 * Repositories already filter by `tenant_id` in code; this is the second wall. Inside `withTenant` the transaction
 * runs as the NOLOGIN role `argus_tenant` (created by migration 0002) with `argus.tenant_id` set, so the policies on
 * every tenant-owned table hide other tenants' rows and refuse writes carrying another tenant's id, even if a query
 * forgot its `tenant_id` filter. Both settings are transaction-local (`SET LOCAL`, `set_config(…, true)`): a pooled
 * connection returns to the pool as it came. PGlite supports roles and RLS too, so the same holds embedded.
 *
 * Platform code (ingest, dispatch, runtime) keeps using the plain store: no role switch, every tenant visible.
 */
import { sql } from "drizzle-orm";
import { ArgusError } from "../errors/index.js";
import { assertOpen, type Store, type StoreDatabase } from "./db.js";
import { StoreCode, StoreError, toStoreError } from "./errors.js";

/** The role `withTenant` switches to (see migration 0002). */
export const TENANT_ROLE = "argus_tenant";

/** The transaction-local setting the RLS policies compare `tenant_id` with. */
export const TENANT_SETTING = "argus.tenant_id";

/** A `Store` whose database is an open transaction; repositories' own transactions become savepoints in it. */
function scopedStore(parent: Store, db: StoreDatabase): Store {
  return {
    driver: parent.driver,
    location: parent.location,
    appliedMigrations: parent.appliedMigrations,
    db,
    close: () =>
      Promise.reject(
        new StoreError(StoreCode.InvalidState, "A scoped store cannot be closed; close the store it came from."),
      ),
    get closed() {
      return parent.closed;
    },
  };
}

/**
 * Runs `fn` in one transaction as tenant `tenantId`: every repository call on `scoped` sees and changes only that
 * tenant's rows (plus platform networks, read-only), enforced by the database. Commits when `fn` resolves, rolls
 * back when it throws (the caller's own errors are rethrown unchanged; driver errors become `StoreError`, an RLS
 * refusal `STORE_FORBIDDEN`). Inside `fn` use only `scoped`: the plain store is another connection (PostgreSQL: no
 * tenant scoping; PGlite: it waits for this transaction, a deadlock).
 *
 * @example
 * const monitor = await withTenant(store, tenantId, async (scoped) => {
 *   await quotas.reserve(scoped, tenantId, "monitors");
 *   const saved = await monitors.save(scoped, { tenantId, name, config });
 *   await audit.record(scoped, { tenantId, actor, action: "monitor.create", resourceType: "monitor", … });
 *   return saved;
 * });
 */
export async function withTenant<T>(store: Store, tenantId: string, fn: (scoped: Store) => Promise<T>): Promise<T> {
  assertOpen(store, "withTenant");
  if (typeof tenantId !== "string" || tenantId.length === 0) {
    throw new StoreError(StoreCode.InvalidArgument, "withTenant: tenantId must be a non-empty string.", {
      path: ["tenantId"],
    });
  }
  try {
    return await store.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local role ${TENANT_ROLE}`));
      await tx.execute(sql`select set_config(${TENANT_SETTING}, ${tenantId}, true)`);
      return fn(scopedStore(store, tx));
    });
  } catch (error) {
    throw rethrow(error, "withTenant");
  }
}

/**
 * Runs `fn` in one plain transaction (no role switch: every tenant visible), for operator actions and flows with no
 * tenant yet (signup, login), so a change and its audit row commit together.
 */
export async function withPlatform<T>(store: Store, fn: (scoped: Store) => Promise<T>): Promise<T> {
  assertOpen(store, "withPlatform");
  try {
    return await store.db.transaction(async (tx) => fn(scopedStore(store, tx)));
  } catch (error) {
    throw rethrow(error, "withPlatform");
  }
}

/**
 * Errors the work itself raised (identity, API, store errors, anything else of the caller's) pass through
 * unchanged; only driver errors (a SQLSTATE, or a broken connection somewhere in the cause chain) become `StoreError`.
 */
function rethrow(error: unknown, operation: string): unknown {
  if (error instanceof ArgusError) return error;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string" && (/^[0-9A-Z]{5}$/.test(code) || code.startsWith("E"))) {
      return toStoreError(error, operation);
    }
    current = current.cause;
  }
  return /^Failed query:|Connection terminated/.test(error instanceof Error ? error.message : "")
    ? toStoreError(error, operation)
    : error;
}
