import { and, eq, isNull } from "drizzle-orm";
import { inTransaction, run, type Store } from "./db.js";
import { refreshTokens as refreshTokensTable, sessions as sessionsTable } from "./schema.js";

export type Session = typeof sessionsTable.$inferSelect;
export type RefreshTokenRow = typeof refreshTokensTable.$inferSelect;

export interface CreateSessionParameters {
  userId: string;
  ip?: string | null;
  userAgent?: string | null;
}

async function createSession(
  store: Store,
  parameters: CreateSessionParameters,
  now: Date = new Date(),
): Promise<Session> {
  return inTransaction(store, "refreshTokens.createSession", async (tx) => {
    const [row] = await tx
      .insert(sessionsTable)
      .values({
        userId: parameters.userId,
        ip: parameters.ip ?? null,
        userAgent: parameters.userAgent ?? null,
        lastUsedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return row!;
  });
}

async function getSession(store: Store, id: string): Promise<Session | null> {
  return run(store, "refreshTokens.getSession", async (db) => {
    const [row] = await db.select().from(sessionsTable).where(eq(sessionsTable.id, id));
    return row ?? null;
  });
}

/** A user's sessions that are not revoked (their refresh tokens may still have expired). */
async function listSessions(store: Store, userId: string): Promise<Session[]> {
  return run(store, "refreshTokens.listSessions", (db) =>
    db
      .select()
      .from(sessionsTable)
      .where(and(eq(sessionsTable.userId, userId), isNull(sessionsTable.revokedAt))),
  );
}

async function insertToken(
  store: Store,
  parameters: { sessionId: string; tokenHash: string; expiresAt: Date },
  now: Date = new Date(),
): Promise<RefreshTokenRow> {
  return inTransaction(store, "refreshTokens.insertToken", async (tx) => {
    const [row] = await tx
      .insert(refreshTokensTable)
      .values({ ...parameters, createdAt: now, updatedAt: now })
      .returning();
    return row!;
  });
}

/**
 * The token with this hash and its session, both locked for the rest of the caller's transaction (so two
 * concurrent refreshes of one token serialise: the second sees it used). Call inside `withPlatform`.
 */
async function findForUpdate(
  store: Store,
  tokenHash: string,
): Promise<{ token: RefreshTokenRow; session: Session } | null> {
  return run(store, "refreshTokens.findForUpdate", async (db) => {
    const [row] = await db
      .select({ token: refreshTokensTable, session: sessionsTable })
      .from(refreshTokensTable)
      .innerJoin(sessionsTable, eq(sessionsTable.id, refreshTokensTable.sessionId))
      .where(eq(refreshTokensTable.tokenHash, tokenHash))
      .for("update");
    return row ?? null;
  });
}

/** Marks a token used (exchanged); `false` when it already was. */
async function markUsed(store: Store, id: string, now: Date = new Date()): Promise<boolean> {
  return run(store, "refreshTokens.markUsed", async (db) => {
    const rows = await db
      .update(refreshTokensTable)
      .set({ usedAt: now, updatedAt: now })
      .where(and(eq(refreshTokensTable.id, id), isNull(refreshTokensTable.usedAt)))
      .returning({ id: refreshTokensTable.id });
    return rows.length > 0;
  });
}

async function touchSession(store: Store, id: string, now: Date = new Date()): Promise<void> {
  await run(store, "refreshTokens.touchSession", (db) =>
    db.update(sessionsTable).set({ lastUsedAt: now, updatedAt: now }).where(eq(sessionsTable.id, id)),
  );
}

/** Revokes a session and with it every refresh token of its family; `false` when it already was revoked. */
async function revokeSession(store: Store, id: string, reason: string, now: Date = new Date()): Promise<boolean> {
  return run(store, "refreshTokens.revokeSession", async (db) => {
    const rows = await db
      .update(sessionsTable)
      .set({ revokedAt: now, revokedReason: reason, updatedAt: now })
      .where(and(eq(sessionsTable.id, id), isNull(sessionsTable.revokedAt)))
      .returning({ id: sessionsTable.id });
    return rows.length > 0;
  });
}

/** Revokes every live session of a user (password change, account removal); returns how many. */
async function revokeAllForUser(store: Store, userId: string, reason: string, now: Date = new Date()): Promise<number> {
  return run(store, "refreshTokens.revokeAllForUser", async (db) => {
    const rows = await db
      .update(sessionsTable)
      .set({ revokedAt: now, revokedReason: reason, updatedAt: now })
      .where(and(eq(sessionsTable.userId, userId), isNull(sessionsTable.revokedAt)))
      .returning({ id: sessionsTable.id });
    return rows.length;
  });
}

/**
 * Login sessions and their refresh tokens (a session is a token family). Platform data: not reachable inside
 * `withTenant`. Identity (`src/identity`) owns the token format and the rotation rules.
 */
export const refreshTokens = {
  createSession,
  getSession,
  listSessions,
  insertToken,
  findForUpdate,
  markUsed,
  touchSession,
  revokeSession,
  revokeAllForUser,
};
