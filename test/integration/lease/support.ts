/** Shared helpers of the lease suites: the PostgreSQL server the suites use and deadline-based waiting. */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** Advisory locks are per database; the suites use the server's `test` database with unique lease names. */
export const LEASE_DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function uniqueName(prefix = "lease"): string {
  return `${prefix}:${randomBytes(6).toString("hex")}`;
}

/** Runs one statement on a fresh admin connection (fails, never skips, when PostgreSQL is absent). */
export async function adminQuery<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: LEASE_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `The lease suites need PostgreSQL at ${LEASE_DATABASE_URL.replace(/:[^:@/]*@/, "@")} (${(error as Error).message}). Start it (see .ci/run) or set DATABASE_URL.`,
    );
  }
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes (no fixed sleeps). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether `promise` is still pending after `ms` (for "the other contender is still waiting"). */
export async function stillPending(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const marker = Symbol("pending");
  const winner = await Promise.race([
    promise.then(
      () => "settled",
      () => "settled",
    ),
    new Promise((resolve) => setTimeout(() => resolve(marker), ms)),
  ]);
  return winner === marker;
}
