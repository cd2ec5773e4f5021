import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadMigrations } from "../../../src/store/index.js";
import { splitStatements } from "../../../src/store/migrate.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "argus-migrate-unit-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("splitStatements()", () => {
  it("splits on drizzle-kit's statement breakpoints and drops comment-only parts", () => {
    expect(
      splitStatements(
        "CREATE TABLE a (x int);\n--> statement-breakpoint\n-- just a comment\n--> statement-breakpoint\nSELECT 1;",
      ),
    ).toEqual(["CREATE TABLE a (x int);", "SELECT 1;"]);
  });
});

describe("loadMigrations()", () => {
  it("reads NNNN_name.sql files in version order with their checksums, ignoring other files", async () => {
    const dir = dirWith({ "0001_b.sql": "SELECT 2;", "0000_a.sql": "SELECT 1;", "notes.md": "x", "meta.json": "{}" });
    const migrations = await loadMigrations(dir);
    expect(migrations.map((m) => [m.version, m.name, m.statements])).toEqual([
      ["0000", "0000_a", ["SELECT 1;"]],
      ["0001", "0001_b", ["SELECT 2;"]],
    ]);
    expect(migrations[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses two files with one version", async () => {
    const dir = dirWith({ "0000_a.sql": "SELECT 1;", "0000_b.sql": "SELECT 2;" });
    await expect(loadMigrations(dir)).rejects.toMatchObject({ code: "STORE_MIGRATION_MISMATCH" });
  });

  it("finds the committed migrations: the initial schema, the default tenant, identity and row-level security", async () => {
    expect((await loadMigrations()).map((m) => m.name)).toEqual([
      "0000_initial",
      "0001_default_tenant",
      "0002_identity_rls",
      "0003_tenant_status_changed_at",
      "0004_delivery_quota_exceeded",
    ]);
  });
});

describe("redactDatabaseUrl()", async () => {
  const { redactDatabaseUrl } = await import("../../../src/store/index.js");
  it("drops the password and keeps the rest", () => {
    expect(redactDatabaseUrl("postgres://argus:s3cret@db.internal:5432/argus?sslmode=require")).toBe(
      "postgres://argus@db.internal:5432/argus?sslmode=require",
    );
  });
});
