import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import type { Store, StoreDatabase, StoreDriver } from "./db.js";
import { StoreCode, StoreError, toStoreError } from "./errors.js";
import { acquireDataDirLock, type DataDirLock } from "./lock.js";
import { loadMigrations, migrate } from "./migrate.js";

/** Where the store lives: an embedded PGlite data directory, or a PostgreSQL server. */
export type StoreLocation =
  | {
      /** Argus's data directory; PGlite's files go to `DIR/pglite`, the lock to `DIR/store.lock`. */
      dataDir: string;
    }
  | {
      /** `postgres://user:pass@host:5432/db` (the `DATABASE_URL`). */
      databaseUrl: string;
    };

export interface CreateStoreOptions {
  /** Aborts opening and migrating; whatever was opened is closed again and the lock released. */
  signal?: AbortSignal;
  /**
   * PostgreSQL pool size.
   * @default 10
   */
  poolSize?: number;
  /**
   * PGlite lock files untouched for this long are stale (see `lock.ts`).
   * @default 60_000
   */
  lockStaleMs?: number;
  /** Errors of idle pooled PostgreSQL connections (the next query fails too); default: ignored. */
  onPoolError?: (error: Error) => void;
}

/**
 * int8 arrives from PGlite as number-or-bigint by magnitude and from `pg` as a string. Making PGlite answer text,
 * like `pg`, lets drizzle's `bigint({ mode: "bigint" })` columns turn both into the same `bigint`.
 */
const INT8_OID = 20;

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) {
    throw new StoreError(StoreCode.Aborted, `Opening the store (${what}) was aborted.`, { cause: signal.reason });
  }
}

/** `postgres://user:secret@host/db` → `postgres://user@host/db`: locations end up in logs and messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "<unparseable DATABASE_URL>";
  }
}

/**
 * Opens the store: embedded PGlite in a data directory (default) or PostgreSQL (`DATABASE_URL`), applies pending
 * migrations, and returns a `Store` for the repositories.
 *
 * PGlite: the first open of an empty directory runs initdb (about 5 s); later opens take well under a second. The
 * directory is locked for this process until `close()` (`STORE_LOCKED` otherwise).
 *
 * @example
 * const store = await createStore({ dataDir: ".argus" });
 * try {
 *   await cursors.get(store, networkId);
 * } finally {
 *   await store.close();
 * }
 */
export async function createStore(location: StoreLocation, options: CreateStoreOptions = {}): Promise<Store> {
  throwIfAborted(options.signal, "start");
  return "databaseUrl" in location
    ? openPostgres(location.databaseUrl, options)
    : openPglite(location.dataDir, options);
}

async function finish(
  driver: StoreDriver,
  where: string,
  db: StoreDatabase,
  closeDriver: () => Promise<void>,
  options: CreateStoreOptions,
): Promise<Store> {
  const migrations = await loadMigrations();
  throwIfAborted(options.signal, "migrations");
  const { applied } = await migrate(db, migrations, options.signal === undefined ? {} : { signal: options.signal });
  throwIfAborted(options.signal, "migrations");
  let closing: Promise<void> | undefined;
  const store: Store = {
    driver,
    location: where,
    appliedMigrations: applied,
    db,
    get closed() {
      return closing !== undefined;
    },
    close() {
      closing ??= closeDriver();
      return closing;
    },
  };
  return store;
}

async function openPglite(dataDir: string, options: CreateStoreOptions): Promise<Store> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const lock: DataDirLock = await acquireDataDirLock(
    dir,
    options.lockStaleMs === undefined ? {} : { staleMs: options.lockStaleMs },
  );
  let client: PGlite | undefined;
  try {
    throwIfAborted(options.signal, "lock");
    client = await PGlite.create(`${dir}/pglite`, { parsers: { [INT8_OID]: (value: string) => value } });
    throwIfAborted(options.signal, "PGlite");
    const opened = client;
    const db: StoreDatabase = drizzlePglite({ client: opened });
    return await finish(
      "pglite",
      dir,
      db,
      async () => {
        try {
          await opened.close();
        } finally {
          await lock.release();
        }
      },
      options,
    );
  } catch (error) {
    await client?.close().catch(() => undefined);
    await lock.release();
    throw error instanceof StoreError ? error : toStoreError(error, `Opening the PGlite store in ${dir}`);
  }
}

async function openPostgres(url: string, options: CreateStoreOptions): Promise<Store> {
  const where = redactDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: "argus",
    connectionTimeoutMillis: 10_000,
  });
  pool.on("error", (error) => options.onPoolError?.(error));
  try {
    try {
      await pool.query("select 1");
    } catch (error) {
      throw new StoreError(StoreCode.Unavailable, `PostgreSQL at ${where} did not answer: ${describe(error)}.`, {
        cause: error,
        retryable: true,
        hint: "Check DATABASE_URL and that the server is running and accepts this user.",
      });
    }
    throwIfAborted(options.signal, "connect");
    const db: StoreDatabase = drizzlePg({ client: pool });
    return await finish("postgres", where, db, () => pool.end(), options);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error instanceof StoreError ? error : toStoreError(error, `Opening the PostgreSQL store at ${where}`);
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === undefined ? error.message : `${code} ${error.message}`.trim();
  }
  return String(error);
}
