/**
 * The one database type both drivers are used through, and the helpers every repository shares.
 */
import { and, type ExtractTablesWithRelations, lt, type SQL } from "drizzle-orm";
import type { AnyPgColumn, PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { StoreCode, StoreError, toStoreError } from "./errors.js";

/** drizzle over PGlite or over a `pg` Pool: repositories see only what both have in common. */
export type StoreDatabase = PgDatabase<PgQueryResultHKT>;

/** A transaction handle; inside a transaction use only this, never the store's database (PGlite would wait). */
export type StoreTransaction = PgTransaction<
  PgQueryResultHKT,
  Record<string, never>,
  ExtractTablesWithRelations<Record<string, never>>
>;

/** Either: a function that works inside or outside a transaction takes this. */
export type StoreExecutor = StoreDatabase | StoreTransaction;

export type StoreDriver = "pglite" | "postgres";

/**
 * An open store. Repositories (`cursors`, `matches`, `deliveries`, …) are functions taking it as first argument.
 * One store per process and data directory (PGlite) or per pool (PostgreSQL); close it on shutdown.
 */
export interface Store {
  /** Which database is behind this store. */
  readonly driver: StoreDriver;
  /** The PGlite data directory, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** Migration versions applied by this `createStore` call (empty when the schema was already current). */
  readonly appliedMigrations: readonly string[];
  /** @internal The drizzle database; repositories use it, other modules go through repositories. */
  readonly db: StoreDatabase;
  /** Closes the pool or PGlite and releases the data directory's lock. Idempotent. */
  close(): Promise<void>;
  readonly closed: boolean;
}

/** @internal Fails fast with `STORE_CLOSED` instead of a driver-specific error. */
export function assertOpen(store: Store, operation: string): void {
  if (store.closed) {
    throw new StoreError(StoreCode.Closed, `${operation}: the store is closed.`, {
      hint: "Create a new store with createStore(); a closed store cannot be reopened.",
    });
  }
}

/** @internal Runs `fn` in one transaction, mapping failures to `StoreError`. */
export async function inTransaction<T>(
  store: Store,
  operation: string,
  fn: (tx: StoreTransaction) => Promise<T>,
): Promise<T> {
  assertOpen(store, operation);
  try {
    return await store.db.transaction(fn);
  } catch (error) {
    throw toStoreError(error, operation);
  }
}

/** @internal Runs one query outside a transaction, mapping failures to `StoreError`. */
export async function run<T>(store: Store, operation: string, fn: (db: StoreDatabase) => Promise<T>): Promise<T> {
  assertOpen(store, operation);
  try {
    return await fn(store.db);
  } catch (error) {
    throw toStoreError(error, operation);
  }
}

/** @internal Executes raw SQL and returns its rows; both drivers answer `{ rows }`. */
export async function rawRows(executor: StoreExecutor, query: SQL): Promise<Record<string, unknown>[]> {
  const result: unknown = await executor.execute(query);
  if (typeof result === "object" && result !== null && "rows" in result && Array.isArray(result.rows)) {
    return result.rows as Record<string, unknown>[];
  }
  return [];
}

/** @internal Splits an array into chunks (bulk inserts stay far below PostgreSQL's 65535-parameter limit). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** @internal Validates a page size: an integer in [1, max]. */
export function pageLimit(limit: number | undefined, operation: string, fallback = 50, max = 500): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new StoreError(
      StoreCode.InvalidArgument,
      `${operation}: limit must be an integer in [1, ${max}], got ${value}.`,
      {
        path: ["limit"],
      },
    );
  }
  return value;
}

/** @internal Pagination cursors are opaque strings; today they encode the row's insertion sequence number. */
export function encodePageCursor(seq: bigint): string {
  return Buffer.from(`s:${seq}`).toString("base64url");
}

/** @internal */
export function decodePageCursor(cursor: string, operation: string): bigint {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const found = /^s:(\d{1,19})$/.exec(text);
  if (found === null || found[1] === undefined) {
    throw new StoreError(StoreCode.InvalidArgument, `${operation}: the pagination cursor is not valid.`, {
      path: ["cursor"],
      hint: "Pass back the nextCursor of a previous page unchanged.",
    });
  }
  return BigInt(found[1]);
}

/**
 * @internal The write step of saving a versioned config row (networks, monitors, triggers): inserts when there is
 * no live row, returns `existing` untouched when `unchanged`, otherwise updates it (`update` bumps `version`).
 * `recordVersion` then appends the history row of the created or changed row.
 */
export async function saveVersioned<Row>(
  existing: Row | undefined,
  steps: {
    unchanged: (existing: Row) => boolean;
    insert: () => PromiseLike<Row[]>;
    update: (existing: Row) => PromiseLike<Row[]>;
    recordVersion?: (row: Row) => PromiseLike<unknown>;
  },
): Promise<Row> {
  if (existing !== undefined && steps.unchanged(existing)) return existing;
  const [row] = existing === undefined ? await steps.insert() : await steps.update(existing);
  await steps.recordVersion?.(row!);
  return row!;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

/**
 * @internal One page of rows newest first by their `seq` column: validates `limit`, adds the cursor's bound to
 * `filters`, and reads one row more than the page to know whether another follows. `query` must select
 * `where`, ordered by `seq` descending, at most `limit` rows.
 */
export async function seqPage<Row extends { seq: bigint }>(
  store: Store,
  operation: string,
  parameters: { limit?: number | undefined; cursor?: string | undefined },
  seq: AnyPgColumn,
  filters: SQL[],
  query: (db: StoreDatabase, where: SQL | undefined, limit: number) => Promise<Row[]>,
): Promise<Page<Row>> {
  const limit = pageLimit(parameters.limit, operation);
  const bounded =
    parameters.cursor === undefined ? filters : [...filters, lt(seq, decodePageCursor(parameters.cursor, operation))];
  return run(store, operation, async (db) => {
    const rows = await query(db, and(...bounded), limit + 1);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodePageCursor(last.seq) : null };
  });
}

/** @internal Block numbers are non-negative int8. */
export function assertBlockNumber(value: bigint, operation: string, path: string): void {
  if (typeof value !== "bigint" || value < 0n || value > 9223372036854775807n) {
    throw new StoreError(
      StoreCode.InvalidArgument,
      `${operation}: ${path} must be a bigint in [0, 2^63), got ${String(value)} (${typeof value}).`,
      { path: [path] },
    );
  }
}
