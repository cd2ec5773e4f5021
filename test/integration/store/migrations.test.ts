import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createStore,
  DEFAULT_TENANT_ID,
  loadMigrations,
  migrate,
  type Store,
  tenants,
} from "../../../src/store/index.js";
import { createTestDatabase, createTestDataDir, describeStoreContract, type TestDatabase } from "./support.js";

const migrationsDir = fileURLToPath(new URL("../../../src/store/migrations/", import.meta.url));

async function rows(store: Store, text: string): Promise<Record<string, unknown>[]> {
  const result = (await store.db.execute(sql.raw(text))) as unknown as { rows: Record<string, unknown>[] };
  return result.rows;
}

/** The schema as the catalog describes it, in a form that does not depend on the server version. */
async function describeSchema(store: Store): Promise<unknown> {
  const columns = await rows(
    store,
    `select table_name, column_name, data_type, is_nullable, column_default, is_identity
       from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`,
  );
  const constraints = await rows(
    store,
    `select conrelid::regclass::text as table_name, conname, contype::text, pg_get_constraintdef(oid) as definition
       from pg_constraint where connamespace = 'public'::regnamespace and contype in ('p', 'u', 'f', 'c')
       order by 1, 2`,
  );
  const indexes = await rows(
    store,
    `select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`,
  );
  return { columns, constraints, indexes };
}

describeStoreContract(
  "migrations",
  (h) => {
    it("createStore() applies every committed migration once and records it", async () => {
      const recorded = await rows(h.store, "select version, name, checksum from argus_migrations order by version");
      const committed = await loadMigrations();
      expect(recorded).toEqual(committed.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })));
    });

    it("migrate() is idempotent: running it again applies nothing and changes nothing", async () => {
      const before = await describeSchema(h.store);
      const result = await migrate(h.store.db, await loadMigrations());
      expect(result.applied).toEqual([]);
      expect(result.current).toEqual((await loadMigrations()).map((m) => m.version));
      expect(await describeSchema(h.store)).toEqual(before);
      expect((await tenants.get(h.store, DEFAULT_TENANT_ID))?.slug).toBe("default");
    });

    it("migrate() refuses a database whose applied migration was edited (STORE_MIGRATION_MISMATCH)", async () => {
      const edited = (await loadMigrations()).map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
      await expect(migrate(h.store.db, edited)).rejects.toMatchObject({ code: "STORE_MIGRATION_MISMATCH" });
    });

    it("migrate() refuses a database migrated by a newer build (unknown version)", async () => {
      const older = (await loadMigrations()).slice(0, 1);
      await expect(migrate(h.store.db, older)).rejects.toMatchObject({ code: "STORE_MIGRATION_MISMATCH" });
    });

    it("a failing migration is rolled back entirely and reported with its statement (STORE_MIGRATION_FAILED)", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "argus-migrations-"));
      try {
        cpSync(migrationsDir, dir, { recursive: true });
        writeFileSync(
          path.join(dir, "9999_broken.sql"),
          "CREATE TABLE half_done (id int);\n--> statement-breakpoint\nSELECT * FROM no_such_table;\n",
        );
        const migrations = await loadMigrations(dir);
        const failure = migrate(h.store.db, migrations);
        await expect(failure).rejects.toMatchObject({ code: "STORE_MIGRATION_FAILED", path: ["9999_broken.sql", 1] });
        await expect(failure).rejects.toThrow(/9999_broken failed at statement 2 of 2/);
        expect(await rows(h.store, "select to_regclass('half_done')::text as t")).toEqual([{ t: null }]);
        expect(await rows(h.store, "select version from argus_migrations where version = '9999'")).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("raw int8 results are text on both drivers (typed bigint columns map them to bigint)", async () => {
      expect(await rows(h.store, "select 1 as one, count(*) as n, 9007199254740993::int8 as big from tenants")).toEqual(
        [{ one: 1, n: "1", big: "9007199254740993" }],
      );
    });
  },
  { premigrated: false },
);

describe("one schema on both drivers", () => {
  let pglite: Store;
  let postgres: Store;
  let database: TestDatabase;
  let removeDir: () => void;

  beforeAll(async () => {
    const data = await createTestDataDir();
    removeDir = data.remove;
    database = await createTestDatabase();
    [pglite, postgres] = await Promise.all([
      createStore({ dataDir: data.dir }),
      createStore({ databaseUrl: database.url }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([pglite?.close(), postgres?.close()]);
    await database?.drop();
    removeDir?.();
  });

  it("the migrated catalogs of PGlite and PostgreSQL are identical (columns, constraints, indexes)", async () => {
    const [a, b] = await Promise.all([describeSchema(pglite), describeSchema(postgres)]);
    expect(a).toEqual(b);
    expect((a as { columns: unknown[] }).columns.length).toBeGreaterThan(100);
  });

  it("both report what they applied on first open, and nothing on the next", async () => {
    const versions = (await loadMigrations()).map((m) => m.version);
    expect(pglite.appliedMigrations).toEqual(versions);
    expect(postgres.appliedMigrations).toEqual(versions);
    const again = await createStore({ databaseUrl: database.url });
    try {
      expect(again.appliedMigrations).toEqual([]);
    } finally {
      await again.close();
    }
  });
});

describe("migrations [postgres, concurrent starters]", () => {
  it("several processes starting at once on an empty database serialise: each migration is applied exactly once", async () => {
    const database = await createTestDatabase();
    try {
      const stores = await Promise.all(Array.from({ length: 5 }, () => createStore({ databaseUrl: database.url })));
      try {
        const applied = stores.flatMap((s) => s.appliedMigrations).sort();
        expect(applied).toEqual((await loadMigrations()).map((m) => m.version));
        expect(await rows(stores[0]!, "select count(*)::int as n from tenants")).toEqual([{ n: 1 }]);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    } finally {
      await database.drop();
    }
  });
});

describe("schema.ts and the committed migrations", () => {
  it("agree: drizzle-kit finds nothing left to generate", async () => {
    const { generateDrizzleJson, generateMigration } = await import("drizzle-kit/api");
    const schema = await import("../../../src/store/schema.js");
    const snapshots = readdirSync(path.join(migrationsDir, "meta"))
      .filter((f) => f.endsWith("_snapshot.json"))
      .sort();
    const latest = snapshots.at(-1)!;
    const previous = JSON.parse(readFileSync(path.join(migrationsDir, "meta", latest), "utf8"));
    const current = generateDrizzleJson(schema as unknown as Record<string, unknown>, previous.id);
    expect(await generateMigration(previous, current)).toEqual([]);
  });

  it("every SQL file has a journal entry (generated with drizzle-kit, in order)", async () => {
    const journal = JSON.parse(readFileSync(path.join(migrationsDir, "meta", "_journal.json"), "utf8")) as {
      entries: { tag: string }[];
    };
    expect(journal.entries.map((e) => e.tag)).toEqual((await loadMigrations()).map((m) => m.name));
  });
});
