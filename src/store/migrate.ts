/**
 * The store's migrator: applies the committed SQL files of `./migrations/` in order, on PGlite and PostgreSQL alike.
 *
 * - Each file is `NNNN_name.sql`, statements separated by drizzle-kit's `--> statement-breakpoint` (one statement
 *   per query call: PGlite's extended protocol runs exactly one).
 * - Applied versions are recorded in `argus_migrations` with the file's SHA-256; a changed file or a version the
 *   database has but this build lacks stops startup (`STORE_MIGRATION_MISMATCH`).
 * - Each migration runs in its own transaction that first takes a transaction-scoped advisory lock and re-reads the
 *   applied set, so concurrent starters on PostgreSQL serialise and each migration is applied exactly once.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { rawRows, type StoreDatabase, type StoreExecutor } from "./db.js";
import { StoreCode, StoreError, toStoreError } from "./errors.js";

export interface Migration {
  /** The numeric prefix, e.g. `"0000"`. */
  version: string;
  /** The file name without extension, e.g. `"0000_initial"`. */
  name: string;
  /** SHA-256 (hex) of the file's bytes. */
  checksum: string;
  statements: readonly string[];
}

export interface MigrateOptions {
  signal?: AbortSignal;
}

export interface MigrateResult {
  /** Versions this call applied, in order. */
  applied: string[];
  /** Every version now recorded in the database. */
  current: string[];
}

/** Arbitrary but fixed: the advisory lock key every Argus migrator takes (`'argus'` as a number, roughly). */
const MIGRATION_LOCK_KEY = 0x6172677573n;

const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

const BREAKPOINT = "--> statement-breakpoint";

/** Splits a migration file into statements, dropping empty ones. */
export function splitStatements(text: string): string[] {
  return text
    .split(BREAKPOINT)
    .map((statement) => statement.trim())
    .filter((statement) => statement.replace(/^--.*$/gm, "").trim() !== "");
}

/** Reads `NNNN_*.sql` from a directory (default: the committed migrations), sorted by version. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const bytes = await readFile(`${dir}/${file}`);
    const name = file.slice(0, -".sql".length);
    const version = name.slice(0, 4);
    if (migrations.some((m) => m.version === version)) {
      throw new StoreError(StoreCode.MigrationMismatch, `Two migrations share version ${version} in ${dir}.`, {
        path: [file],
      });
    }
    migrations.push({
      version,
      name,
      checksum: createHash("sha256").update(bytes).digest("hex"),
      statements: splitStatements(bytes.toString("utf8")),
    });
  }
  return migrations;
}

async function lockAndEnsureTable(tx: StoreExecutor): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(MIGRATION_LOCK_KEY.toString())})`);
  await tx.execute(
    sql.raw(
      `create table if not exists argus_migrations (
        version text primary key,
        name text not null,
        checksum text not null,
        applied_at timestamp with time zone not null default now()
      )`,
    ),
  );
}

async function appliedVersions(tx: StoreExecutor): Promise<Map<string, { name: string; checksum: string }>> {
  const rows = await rawRows(tx, sql.raw("select version, name, checksum from argus_migrations order by version"));
  return new Map(rows.map((row) => [String(row.version), { name: String(row.name), checksum: String(row.checksum) }]));
}

function verify(applied: Map<string, { name: string; checksum: string }>, migrations: readonly Migration[]): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const [version, row] of applied) {
    const migration = known.get(version);
    if (migration === undefined) {
      throw new StoreError(
        StoreCode.MigrationMismatch,
        `The database has migration ${row.name}, which this build of Argus does not know.`,
        { hint: "The database was migrated by a newer Argus; run that version (or newer) against it." },
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new StoreError(
        StoreCode.MigrationMismatch,
        `Migration ${migration.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ${migration.checksum.slice(0, 12)}… in this build).`,
        { hint: "Released migrations are immutable: revert the edit and add a new migration instead." },
      );
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new StoreError(StoreCode.Aborted, "Migrating the store was aborted.", { cause: signal.reason });
  }
}

/**
 * Brings the database to the newest migration. Idempotent; safe to run from several processes at once.
 *
 * @example
 * const { applied } = await migrate(db, await loadMigrations());
 */
export async function migrate(
  db: StoreDatabase,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const applied: string[] = [];
  let current: string[] = [];
  try {
    const existing = await db.transaction(async (tx) => {
      await lockAndEnsureTable(tx);
      return appliedVersions(tx);
    });
    verify(existing, migrations);
    current = [...existing.keys()];
    for (const migration of migrations) {
      if (existing.has(migration.version)) continue;
      throwIfAborted(options.signal);
      const didApply = await db.transaction(async (tx) => {
        await lockAndEnsureTable(tx);
        const now = await appliedVersions(tx);
        verify(now, migrations);
        if (now.has(migration.version)) return false; // another starter applied it while we waited for the lock
        for (const [index, statement] of migration.statements.entries()) {
          try {
            await tx.execute(sql.raw(statement));
          } catch (error) {
            const cause = toStoreError(error, `migration ${migration.name}`);
            throw new StoreError(
              StoreCode.MigrationFailed,
              `Migration ${migration.name} failed at statement ${index + 1} of ${migration.statements.length}: ${cause.message}`,
              {
                cause: error,
                path: [`${migration.name}.sql`, index],
                ...(cause.sqlState ? { sqlState: cause.sqlState } : {}),
              },
            );
          }
        }
        await tx.execute(
          sql`insert into argus_migrations (version, name, checksum) values (${migration.version}, ${migration.name}, ${migration.checksum})`,
        );
        return true;
      });
      if (didApply) applied.push(migration.version);
      current.push(migration.version);
    }
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw toStoreError(error, "migrate");
  }
  return { applied, current: [...new Set(current)].sort() };
}
