/**
 * Real databases for the store's contract suites: a PGlite data directory in a temp dir, and a fresh PostgreSQL
 * database per test file (`argus_test_<random>`, dropped afterwards). PostgreSQL is required: when it does not
 * answer, the suites fail with a message saying so (CI guarantees it; `.ci/run` starts it).
 */
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import {
  createStore,
  DEFAULT_TENANT_ID,
  type DeliveryRequest,
  loadMigrations,
  monitors,
  type NewMatch,
  networks,
  type Store,
  type StoredMonitor,
  type StoredNetwork,
  type StoredTrigger,
  tenants,
  triggers,
} from "../../../src/store/index.js";

export type DriverName = "pglite" | "postgres";
export const DRIVERS: readonly DriverName[] = ["pglite", "postgres"];

export const ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Fails (never skips) when PostgreSQL is absent: these suites are part of the contract. */
async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `The store suites need PostgreSQL, but ${ADMIN_URL.replace(/:[^:@/]*@/, "@")} did not answer (${String(
        (error as Error).message || error,
      )}). Start it (see .ci/run) or set DATABASE_URL to a server where this user may CREATE DATABASE.`,
    );
  }
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `argus_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const pgliteVersion = (
  JSON.parse(readFileSync(path.join(repoRoot, "node_modules/@electric-sql/pglite/package.json"), "utf8")) as {
    version: string;
  }
).version;

/**
 * A freshly initialised (initdb'd, never migrated) PGlite directory, made once per PGlite version and machine and
 * copied for every test store: initdb takes ~5 s, a copy + open well under one.
 */
async function pgliteTemplate(): Promise<string> {
  const template = path.join(tmpdir(), `argus-pglite-template-${pgliteVersion}`);
  if (existsSync(path.join(template, "PG_VERSION"))) return template;
  const building = `${template}.building-${process.pid}-${randomBytes(4).toString("hex")}`;
  const client = await PGlite.create(building);
  await client.close();
  try {
    renameSync(building, template);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another worker won the race
  }
  return template;
}

/** A template with every committed migration applied (for suites that test something else than migrating). */
async function migratedTemplate(): Promise<string> {
  const migrations = await loadMigrations();
  const key = createHash("sha256")
    .update(migrations.map((m) => m.checksum).join(","))
    .digest("hex")
    .slice(0, 16);
  const template = path.join(tmpdir(), `argus-pglite-migrated-${pgliteVersion}-${key}`);
  if (existsSync(path.join(template, "pglite", "PG_VERSION"))) return template;
  const building = `${template}.building-${process.pid}-${randomBytes(4).toString("hex")}`;
  cpSync(await pgliteTemplate(), path.join(building, "pglite"), { recursive: true });
  const store = await createStore({ dataDir: building });
  await store.close();
  try {
    renameSync(building, template);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

/**
 * An Argus data directory whose `pglite/` is a copy of a template: freshly initialised (default; the store migrates
 * it on open) or already migrated (`{ migrated: true }`, opens in well under a second).
 */
export async function createTestDataDir(
  options: { migrated?: boolean } = {},
): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(path.join(tmpdir(), "argus-store-"));
  if (options.migrated === true) {
    cpSync(path.join(await migratedTemplate(), "pglite"), path.join(dir, "pglite"), { recursive: true });
  } else {
    cpSync(await pgliteTemplate(), path.join(dir, "pglite"), { recursive: true });
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface StoreHandle {
  readonly driver: DriverName;
  /** The store of the current test file (valid inside tests). */
  readonly store: Store;
  /** Where it lives: `{ dataDir }` or `{ databaseUrl }`, to open more stores on the same data. */
  readonly location: { dataDir: string } | { databaseUrl: string };
}

const TABLES = [
  "audit_log",
  "usage_counters",
  "trigger_script_versions",
  "trigger_scripts",
  "api_keys",
  "memberships",
  "refresh_tokens",
  "sessions",
  "users",
  "delivery_attempts",
  "deliveries",
  "throttle_state",
  "matches",
  "monitor_versions",
  "monitors",
  "trigger_versions",
  "triggers",
  "block_hashes",
  "cursors",
  "networks",
];

/** Empties every table except the migrations and the default tenant (DELETE: far cheaper than TRUNCATE here). */
export async function resetStore(store: Store): Promise<void> {
  await store.db.transaction(async (tx) => {
    for (const table of TABLES) await tx.execute(sql.raw(`delete from ${table}`));
    await tx.execute(sql`delete from tenants where id <> ${DEFAULT_TENANT_ID}`);
  });
}

export interface UseStoreOptions {
  /**
   * Start PGlite from an already-migrated template (fast); `false` makes `createStore` run every migration.
   * @default true
   */
  premigrated?: boolean;
}

interface OpenedStore {
  store: Store;
  location: StoreHandle["location"];
  cleanup(): Promise<void>;
}

/** Stores shared by the describe blocks of one test file (one per driver and template kind), closed after it. */
const shared = new Map<string, Promise<OpenedStore>>();

afterAll(async () => {
  const opened = [...shared.values()];
  shared.clear();
  for (const entry of opened) {
    const { store, cleanup } = await entry;
    await store.close();
    await cleanup();
  }
});

async function openTestStore(driver: DriverName, premigrated: boolean): Promise<OpenedStore> {
  if (driver === "pglite") {
    const data = await createTestDataDir({ migrated: premigrated });
    const location = { dataDir: data.dir };
    return { store: await createStore(location), location, cleanup: async () => data.remove() };
  }
  const database = await createTestDatabase();
  const location = { databaseUrl: database.url };
  return { store: await createStore(location), location, cleanup: () => database.drop() };
}

/**
 * A store for `driver`, opened once per test file (a fresh data directory or database, dropped after the file) and
 * emptied before each test.
 */
export function useStore(driver: DriverName, options: UseStoreOptions = {}): StoreHandle {
  const premigrated = options.premigrated ?? true;
  const key = `${driver}:${premigrated}`;
  let opened: OpenedStore | undefined;
  let failure: unknown;
  beforeAll(async () => {
    let entry = shared.get(key);
    if (entry === undefined) {
      entry = openTestStore(driver, premigrated);
      entry.catch(() => shared.delete(key));
      shared.set(key, entry);
    }
    try {
      opened = await entry;
    } catch (error) {
      failure = error; // reported by every test below (a failing beforeAll would only mark them skipped)
    }
  });
  beforeEach(async () => {
    if (opened === undefined) throw failure;
    await resetStore(opened.store);
  });
  return {
    driver,
    get store() {
      if (opened === undefined) throw new Error("the store is opened in beforeAll; use it inside tests");
      return opened.store;
    },
    get location() {
      if (opened === undefined) throw new Error("the store is opened in beforeAll; use it inside tests");
      return opened.location;
    },
  };
}

/** One contract suite, run against every driver: `describeStoreContract("cursors", (h) => { it(...) })`. */
export function describeStoreContract(
  title: string,
  body: (handle: StoreHandle) => void,
  options: UseStoreOptions = {},
): void {
  for (const driver of DRIVERS) {
    describe(`${title} [${driver}]`, () => {
      body(useStore(driver, options));
    });
  }
}

export interface TenantWorld {
  tenantId: string;
  network: StoredNetwork;
  monitor: StoredMonitor;
  trigger: StoredTrigger;
  secondTrigger: StoredTrigger;
}

let counter = 0;

/** A tenant with a network, a monitor and two triggers (`tenantId` default: the built-in tenant). */
export async function seedWorld(store: Store, tenantId: string = DEFAULT_TENANT_ID): Promise<TenantWorld> {
  counter += 1;
  if (tenantId !== DEFAULT_TENANT_ID && (await tenants.get(store, tenantId)) === null) {
    await tenants.create(store, { id: tenantId, slug: `t-${counter}-${randomBytes(3).toString("hex")}`, name: "T" });
  }
  const network = await networks.save(store, {
    tenantId: null,
    slug: `net-${counter}`,
    networkType: "EVM",
    config: { name: "Test", slug: `net-${counter}`, network_type: "EVM" },
  });
  const monitor = await monitors.save(store, {
    tenantId,
    name: `monitor-${counter}`,
    config: { name: `monitor-${counter}`, networks: [network.slug], triggers: ["ops", "audit"] },
  });
  const trigger = await triggers.save(store, {
    tenantId,
    key: "ops",
    triggerType: "webhook",
    config: { name: "ops", trigger_type: "webhook" },
  });
  const secondTrigger = await triggers.save(store, {
    tenantId,
    key: "audit",
    triggerType: "slack",
    config: { name: "audit", trigger_type: "slack" },
  });
  return { tenantId, network, monitor, trigger, secondTrigger };
}

export function hex(n: number | bigint, width = 64): string {
  return `0x${n.toString(16).padStart(width, "0")}`;
}

/** A match of `world`'s monitor in block `blockNumber`, transaction `txIndex`, notifying both triggers. */
export function newMatch(
  world: TenantWorld,
  blockNumber: bigint,
  txIndex = 0,
  overrides: Partial<NewMatch> = {},
): NewMatch {
  const blockHash = hex(blockNumber);
  const deliveries: DeliveryRequest[] = [
    { triggerId: world.trigger.id, triggerKey: world.trigger.key, channel: "webhook", maxAttempts: 3 },
    { triggerId: world.secondTrigger.id, triggerKey: world.secondTrigger.key, channel: "slack", maxAttempts: 3 },
  ];
  return {
    id: `${hex(blockNumber, 56)}${txIndex.toString(16).padStart(8, "0")}`,
    tenantId: world.tenantId,
    monitorId: world.monitor.id,
    monitorVersion: world.monitor.version,
    networkId: world.network.id,
    blockNumber,
    blockHash,
    txHash: hex(blockNumber * 1000n + BigInt(txIndex)),
    txIndex,
    payload: {
      EVM: { monitor: { name: world.monitor.name }, network_slug: world.network.slug, block: `${blockNumber}` },
    },
    deliveries,
    ...overrides,
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes (no fixed sleeps). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
