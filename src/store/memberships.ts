import { and, asc, eq, isNull, type SQL, sql } from "drizzle-orm";
import { inTransaction, run, type Store, type StoreTransaction } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { type MEMBER_ROLES, memberships as membershipsTable, tenants, users } from "./schema.js";

export type MemberRole = (typeof MEMBER_ROLES)[number];
export type Membership = typeof membershipsTable.$inferSelect;

/** A member as a tenant's member list shows it. */
export interface Member extends Membership {
  email: string;
  displayName: string | null;
}

export interface AddMembershipParameters {
  tenantId: string;
  userId: string;
  role: MemberRole;
}

/** The condition of a user's live (not removed) membership of a tenant. */
function liveMembership(tenantId: string, userId: string): SQL | undefined {
  return and(
    eq(membershipsTable.tenantId, tenantId),
    eq(membershipsTable.userId, userId),
    isNull(membershipsTable.deletedAt),
  );
}

/** The user's live membership of the tenant, or `null` (called on every authenticated request). */
async function get(store: Store, tenantId: string, userId: string): Promise<Membership | null> {
  return run(store, "memberships.get", async (db) => {
    const [row] = await db.select().from(membershipsTable).where(liveMembership(tenantId, userId));
    return row ?? null;
  });
}

/** A tenant's live members with their e-mail addresses, oldest first. */
async function list(store: Store, tenantId: string): Promise<Member[]> {
  return run(store, "memberships.list", (db) =>
    db
      .select({
        id: membershipsTable.id,
        tenantId: membershipsTable.tenantId,
        userId: membershipsTable.userId,
        role: membershipsTable.role,
        createdAt: membershipsTable.createdAt,
        updatedAt: membershipsTable.updatedAt,
        deletedAt: membershipsTable.deletedAt,
        email: users.email,
        displayName: users.displayName,
      })
      .from(membershipsTable)
      .innerJoin(users, eq(users.id, membershipsTable.userId))
      .where(and(eq(membershipsTable.tenantId, tenantId), isNull(membershipsTable.deletedAt), isNull(users.deletedAt)))
      .orderBy(asc(membershipsTable.createdAt), asc(membershipsTable.id)),
  );
}

/** The tenants a user belongs to (platform view: not for use inside `withTenant`). */
async function listForUser(store: Store, userId: string): Promise<Membership[]> {
  return run(store, "memberships.listForUser", (db) =>
    db
      .select()
      .from(membershipsTable)
      .where(and(eq(membershipsTable.userId, userId), isNull(membershipsTable.deletedAt)))
      .orderBy(asc(membershipsTable.createdAt)),
  );
}

async function add(store: Store, parameters: AddMembershipParameters, now: Date = new Date()): Promise<Membership> {
  return inTransaction(store, "memberships.add", async (tx) => {
    const [row] = await tx
      .insert(membershipsTable)
      .values({ ...parameters, createdAt: now, updatedAt: now })
      .returning();
    return row!;
  });
}

/**
 * Serialises owner changes of one tenant (its row is locked), then refuses a change that would leave it without a
 * live owner; two admins demoting the last two owners at once cannot both succeed.
 */
async function guardLastOwner(tx: StoreTransaction, tenantId: string, userId: string, operation: string) {
  await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)).for("update");
  const [current] = await tx.select().from(membershipsTable).where(liveMembership(tenantId, userId)).for("update");
  if (current === undefined) {
    throw new StoreError(StoreCode.NotFound, `${operation}: user ${userId} is not a member of this tenant.`, {
      path: ["userId"],
    });
  }
  const [owners] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(membershipsTable)
    .where(
      and(
        eq(membershipsTable.tenantId, tenantId),
        eq(membershipsTable.role, "owner"),
        isNull(membershipsTable.deletedAt),
      ),
    );
  return { current, isLastOwner: current.role === "owner" && (owners?.n ?? 0) <= 1 };
}

function lastOwnerError(operation: string): StoreError {
  return new StoreError(StoreCode.InvalidState, `${operation}: a tenant must keep at least one owner.`, {
    path: ["role"],
    hint: "Make another member an owner first.",
  });
}

/** Changes a member's role; returns the membership before and after (for the audit row). */
async function setRole(
  store: Store,
  tenantId: string,
  userId: string,
  role: MemberRole,
  now: Date = new Date(),
): Promise<{ before: Membership; after: Membership }> {
  return inTransaction(store, "memberships.setRole", async (tx) => {
    const { current, isLastOwner } = await guardLastOwner(tx, tenantId, userId, "memberships.setRole");
    if (isLastOwner && role !== "owner") throw lastOwnerError("memberships.setRole");
    const [row] = await tx
      .update(membershipsTable)
      .set({ role, updatedAt: now })
      .where(eq(membershipsTable.id, current.id))
      .returning();
    return { before: current, after: row! };
  });
}

/** Ends a membership (soft delete); returns it as it was. */
async function remove(store: Store, tenantId: string, userId: string, now: Date = new Date()): Promise<Membership> {
  return inTransaction(store, "memberships.remove", async (tx) => {
    const { current, isLastOwner } = await guardLastOwner(tx, tenantId, userId, "memberships.remove");
    if (isLastOwner) throw lastOwnerError("memberships.remove");
    await tx
      .update(membershipsTable)
      .set({ deletedAt: now, updatedAt: now })
      .where(eq(membershipsTable.id, current.id));
    return current;
  });
}

/** Memberships: user × tenant × role. A tenant never loses its last owner. */
export const memberships = { get, list, listForUser, add, setRole, remove };
