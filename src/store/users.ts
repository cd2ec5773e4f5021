import { and, eq, isNull } from "drizzle-orm";
import { inTransaction, run, type Store } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { type PLATFORM_ROLES, users as usersTable } from "./schema.js";

type UserRow = typeof usersTable.$inferSelect;

/** A user as the rest of Argus sees it: never with the password hash. */
export type User = Omit<UserRow, "passwordHash">;
/** @internal Identity's view, with the hash to verify a password against. */
export type UserWithPasswordHash = UserRow;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

export interface CreateUserParameters {
  id?: string;
  email: string;
  /** An argon2id PHC string (hash with `hashPassword` from `src/identity`). */
  passwordHash: string;
  displayName?: string | null;
  platformRole?: PlatformRole | null;
}

/** E-mail addresses are compared trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function withoutHash(row: UserRow): User {
  const { passwordHash: _hash, ...user } = row;
  return user;
}

async function create(store: Store, parameters: CreateUserParameters, now: Date = new Date()): Promise<User> {
  const email = normalizeEmail(parameters.email);
  if (!EMAIL.test(email) || email.length > 254) {
    throw new StoreError(
      StoreCode.InvalidArgument,
      `users.create: ${JSON.stringify(email)} is not an e-mail address.`,
      {
        path: ["email"],
      },
    );
  }
  return inTransaction(store, "users.create", async (tx) => {
    const [row] = await tx
      .insert(usersTable)
      .values({
        ...(parameters.id === undefined ? {} : { id: parameters.id }),
        email,
        passwordHash: parameters.passwordHash,
        displayName: parameters.displayName ?? null,
        platformRole: parameters.platformRole ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return withoutHash(row!);
  });
}

async function get(store: Store, id: string): Promise<User | null> {
  return run(store, "users.get", async (db) => {
    const [row] = await db
      .select()
      .from(usersTable)
      .where(and(eq(usersTable.id, id), isNull(usersTable.deletedAt)));
    return row === undefined ? null : withoutHash(row);
  });
}

async function getByEmail(store: Store, email: string): Promise<User | null> {
  const row = await getWithPasswordHash(store, email);
  return row === null ? null : withoutHash(row);
}

/** @internal For identity's login only. */
async function getWithPasswordHash(store: Store, email: string): Promise<UserWithPasswordHash | null> {
  return run(store, "users.getWithPasswordHash", async (db) => {
    const [row] = await db
      .select()
      .from(usersTable)
      .where(and(eq(usersTable.email, normalizeEmail(email)), isNull(usersTable.deletedAt)));
    return row ?? null;
  });
}

async function update(
  store: Store,
  id: string,
  changes: Partial<Pick<UserRow, "passwordHash" | "displayName" | "platformRole" | "lastLoginAt">>,
  now: Date = new Date(),
): Promise<User> {
  return inTransaction(store, "users.update", async (tx) => {
    const [row] = await tx
      .update(usersTable)
      .set({ ...changes, updatedAt: now })
      .where(and(eq(usersTable.id, id), isNull(usersTable.deletedAt)))
      .returning();
    if (row === undefined) throw new StoreError(StoreCode.NotFound, `users.update: no user ${id}.`);
    return withoutHash(row);
  });
}

/** Soft-deletes a user (their audit rows stay); the e-mail address becomes free again. */
async function remove(store: Store, id: string, now: Date = new Date()): Promise<void> {
  await inTransaction(store, "users.remove", async (tx) => {
    const [row] = await tx
      .update(usersTable)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(usersTable.id, id), isNull(usersTable.deletedAt)))
      .returning({ id: usersTable.id });
    if (row === undefined) throw new StoreError(StoreCode.NotFound, `users.remove: no user ${id}.`);
  });
}

/** Users: platform-wide logins (`platformRole: "operator"` for platform operators). Never returns password hashes. */
export const users = { create, get, getByEmail, getWithPasswordHash, update, remove };
