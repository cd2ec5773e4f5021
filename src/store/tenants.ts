import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { publishConfigChange } from "./config-events.js";
import { inTransaction, run, type Store } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { tenants as tenantsTable } from "./schema.js";

export type Tenant = typeof tenantsTable.$inferSelect;
export type TenantStatus = Tenant["status"];

export interface CreateTenantParameters {
  /** Defaults to a random UUID. */
  id?: string;
  slug: string;
  name: string;
  /** @default "free" */
  plan?: string;
  /** @default {} */
  limits?: Record<string, unknown>;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

async function create(store: Store, parameters: CreateTenantParameters): Promise<Tenant> {
  if (!SLUG.test(parameters.slug)) {
    throw new StoreError(
      StoreCode.InvalidArgument,
      `tenants.create: slug must be 1–64 lowercase letters, digits and inner hyphens, got ${JSON.stringify(parameters.slug)}.`,
      { path: ["slug"] },
    );
  }
  return inTransaction(store, "tenants.create", async (tx) => {
    const [row] = await tx
      .insert(tenantsTable)
      .values({
        ...(parameters.id === undefined ? {} : { id: parameters.id }),
        slug: parameters.slug,
        name: parameters.name,
        plan: parameters.plan ?? "free",
        limits: parameters.limits ?? {},
      })
      .returning();
    return row!;
  });
}

/** A live (not soft-deleted) tenant by id, or `null`. */
async function get(store: Store, id: string): Promise<Tenant | null> {
  return run(store, "tenants.get", async (db) => {
    const [row] = await db
      .select()
      .from(tenantsTable)
      .where(and(eq(tenantsTable.id, id), isNull(tenantsTable.deletedAt)));
    return row ?? null;
  });
}

async function getBySlug(store: Store, slug: string): Promise<Tenant | null> {
  return run(store, "tenants.getBySlug", async (db) => {
    const [row] = await db
      .select()
      .from(tenantsTable)
      .where(and(eq(tenantsTable.slug, slug), isNull(tenantsTable.deletedAt)));
    return row ?? null;
  });
}

async function setStatus(store: Store, id: string, status: TenantStatus, now: Date = new Date()): Promise<Tenant> {
  return inTransaction(store, "tenants.setStatus", async (tx) => {
    const [row] = await tx
      .update(tenantsTable)
      // Only an actual change moves `status_changed_at` (a reactivated tenant matches blocks from then on).
      .set({
        status,
        statusChangedAt: sql`case when ${tenantsTable.status} = ${status} then ${tenantsTable.statusChangedAt} else ${now.toISOString()}::timestamptz end`,
        updatedAt: now,
      })
      .where(and(eq(tenantsTable.id, id), isNull(tenantsTable.deletedAt)))
      .returning();
    if (row === undefined) throw new StoreError(StoreCode.NotFound, `tenants.setStatus: no tenant ${id}.`);
    await publishConfigChange(tx, { kind: "tenant", tenantId: id, id, op: "status" });
    return row;
  });
}

/** Live tenants, by slug; only those with `status` when given (the runtime watches `active` ones). */
async function list(store: Store, filter: { status?: TenantStatus } = {}): Promise<Tenant[]> {
  return run(store, "tenants.list", (db) =>
    db
      .select()
      .from(tenantsTable)
      .where(
        and(
          isNull(tenantsTable.deletedAt),
          filter.status === undefined ? undefined : eq(tenantsTable.status, filter.status),
        ),
      )
      .orderBy(asc(tenantsTable.slug)),
  );
}

/** Tenants: the unit of isolation. `DEFAULT_TENANT_ID` exists from the first migration on. */
export const tenants = { create, get, getBySlug, list, setStatus };
