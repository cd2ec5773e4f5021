/**
 * Row-level security, verified directly in SQL: inside `withTenant(A)` every tenant-owned table hides, protects and
 * refuses tenant B's rows, whatever the query says. Runs on PostgreSQL and on PGlite (which supports roles and RLS).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  createStore,
  deliveries,
  matches,
  monitors,
  networks,
  type Store,
  TENANT_ROLE,
  withPlatform,
  withTenant,
} from "../../../src/store/index.js";
import { ADMIN_URL, describeStoreContract, newMatch, seedWorld, type TenantWorld } from "./support.js";

async function rows(store: Store, text: string): Promise<Record<string, unknown>[]> {
  const result = (await store.db.execute(sql.raw(text))) as unknown as { rows: Record<string, unknown>[] };
  return result.rows;
}

interface Seeded extends TenantWorld {
  privateNetworkId: string;
  matchId: string;
  deliveryId: string;
  userId: string;
  scriptId: string;
}

/** A tenant with a row in every tenant-owned table. */
async function seedTenant(store: Store): Promise<Seeded> {
  const world = await seedWorld(store, randomUUID());
  const t = world.tenantId;
  const priv = await networks.save(store, {
    tenantId: t,
    slug: `priv-${t.slice(0, 8)}`,
    networkType: "EVM",
    config: { name: "Private", slug: "priv", network_type: "EVM" },
  });
  const match = newMatch(world, BigInt(Number.parseInt(t.slice(0, 6), 16)));
  await matches.insertMany(store, [match]);
  const claimed = (
    await deliveries.claimDue(store, { now: new Date(Date.now() + 60_000), limit: 100, owner: "test", leaseMs: 60_000 })
  ).find((c) => c.delivery.tenantId === t);
  const userId = randomUUID();
  const scriptId = randomUUID();
  for (const statement of [
    `insert into throttle_state (tenant_id, monitor_id, window_count) values ('${t}', '${world.monitor.id}', 1)`,
    `insert into users (id, email, password_hash) values ('${userId}', '${userId}@example.com', 'x')`,
    `insert into memberships (tenant_id, user_id, role) values ('${t}', '${userId}', 'owner')`,
    `insert into api_keys (tenant_id, name, prefix, key_hash, scopes, role) values ('${t}', 'k', '${t.slice(0, 12)}', 'h', '[]', 'viewer')`,
    `insert into usage_counters (tenant_id, metric, period, value) values ('${t}', 'api_calls', '2026-01-01', 7)`,
    `insert into trigger_scripts (id, tenant_id, path, language, content) values ('${scriptId}', '${t}', 'a.py', 'Python', 'print(1)')`,
    `insert into trigger_script_versions (tenant_id, script_id, version, path, language, content) values ('${t}', '${scriptId}', 1, 'a.py', 'Python', 'print(1)')`,
    `insert into audit_log (tenant_id, actor_type, actor_id, action, resource_type) values ('${t}', 'user', '${userId}', 'seed', 'tenant')`,
  ]) {
    await rows(store, statement);
  }
  return { ...world, privateNetworkId: priv.id, matchId: match.id, deliveryId: claimed!.delivery.id, userId, scriptId };
}

/** Every tenant-owned table, and an INSERT of a row that belongs to `b` (valid in every other respect). */
function tenantTables(b: Seeded, a: Seeded): { table: string; insert: string }[] {
  const t = `'${b.tenantId}'`;
  return [
    { table: "monitors", insert: `insert into monitors (tenant_id, name, config) values (${t}, 'x', '{}')` },
    {
      table: "monitor_versions",
      insert: `insert into monitor_versions (tenant_id, monitor_id, version, name, config, paused) values (${t}, '${b.monitor.id}', 99, 'x', '{}', false)`,
    },
    {
      table: "triggers",
      insert: `insert into triggers (tenant_id, key, trigger_type, config) values (${t}, 'x', 'webhook', '{}')`,
    },
    {
      table: "trigger_versions",
      insert: `insert into trigger_versions (tenant_id, trigger_id, version, key, trigger_type, config) values (${t}, '${b.trigger.id}', 99, 'x', 'webhook', '{}')`,
    },
    {
      table: "matches",
      insert: `insert into matches (id, tenant_id, monitor_id, monitor_version, network_id, block_number, block_hash, tx_index, payload) values ('0xfeed', ${t}, '${b.monitor.id}', 1, '${b.network.id}', 1, '0x01', 0, '{}')`,
    },
    {
      table: "deliveries",
      insert: `insert into deliveries (id, tenant_id, match_id, monitor_id, trigger_id, trigger_key, channel, max_attempts, next_attempt_at) values ('0xfeed', ${t}, '${b.matchId}', '${b.monitor.id}', '${b.trigger.id}', 'x', 'webhook', 1, now())`,
    },
    {
      table: "delivery_attempts",
      insert: `insert into delivery_attempts (tenant_id, delivery_id, attempt, lease_owner, started_at) values (${t}, '${b.deliveryId}', 99, 'x', now())`,
    },
    {
      table: "throttle_state",
      insert: `insert into throttle_state (tenant_id, monitor_id) values (${t}, '${b.monitor.id}')`,
    },
    {
      table: "networks",
      insert: `insert into networks (tenant_id, slug, network_type, config) values (${t}, 'x', 'EVM', '{}')`,
    },
    {
      table: "memberships",
      insert: `insert into memberships (tenant_id, user_id, role) values (${t}, '${a.userId}', 'owner')`,
    },
    {
      table: "api_keys",
      insert: `insert into api_keys (tenant_id, name, prefix, key_hash, scopes, role) values (${t}, 'x', 'evilprefix00', 'h', '[]', 'owner')`,
    },
    {
      table: "usage_counters",
      insert: `insert into usage_counters (tenant_id, metric, period) values (${t}, 'x', 'y')`,
    },
    {
      table: "trigger_scripts",
      insert: `insert into trigger_scripts (tenant_id, path, language, content) values (${t}, 'x.py', 'Python', '')`,
    },
    {
      table: "trigger_script_versions",
      insert: `insert into trigger_script_versions (tenant_id, script_id, version, path, language, content) values (${t}, '${b.scriptId}', 99, 'x', 'Python', '')`,
    },
    {
      table: "audit_log",
      insert: `insert into audit_log (tenant_id, actor_type, action, resource_type) values (${t}, 'user', 'forged', 'x')`,
    },
  ];
}

async function snapshot(store: Store, table: string, tenantId: string): Promise<string> {
  const found = await rows(store, `select to_jsonb(x) as row from ${table} x where tenant_id = '${tenantId}'`);
  return JSON.stringify(found.map((r) => r.row).sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q))));
}

describeStoreContract("row-level security", (h) => {
  it("withTenant(A) sees, changes and deletes none of B's rows in any tenant-owned table, and cannot insert B's", async () => {
    const a = await seedTenant(h.store);
    const b = await seedTenant(h.store);
    const tables = tenantTables(b, a);
    const before = new Map<string, string>();
    for (const { table } of tables) {
      const own = await snapshot(h.store, table, b.tenantId);
      expect(own, `${table} has a row of B`).not.toBe("[]");
      before.set(table, own);
    }
    for (const { table, insert } of tables) {
      const seen = await withTenant(h.store, a.tenantId, async (scoped) => ({
        targeted: await rows(scoped, `select count(*)::int as n from ${table} where tenant_id = '${b.tenantId}'`),
        all: await rows(scoped, `select distinct tenant_id from ${table} where tenant_id is not null`),
        updated: await rows(
          scoped,
          `update ${table} set updated_at = now() where tenant_id = '${b.tenantId}' returning tenant_id`,
        ),
        deleted: await rows(scoped, `delete from ${table} where tenant_id = '${b.tenantId}' returning tenant_id`),
      })).catch((error: unknown) => {
        // audit_log is append-only for tenants: UPDATE/DELETE are refused outright (no privilege).
        if (table === "audit_log") return { refused: error };
        throw error;
      });
      if ("refused" in seen) {
        expect(seen.refused, table).toMatchObject({ code: "STORE_FORBIDDEN" });
        const own = await withTenant(h.store, a.tenantId, (scoped) =>
          rows(scoped, `select distinct tenant_id from ${table}`),
        );
        expect(own, table).toEqual([{ tenant_id: a.tenantId }]);
      } else {
        expect(seen.targeted, table).toEqual([{ n: 0 }]);
        expect(seen.all, table).toEqual([{ tenant_id: a.tenantId }]);
        expect(seen.updated, table).toEqual([]);
        expect(seen.deleted, table).toEqual([]);
      }
      await expect(
        withTenant(h.store, a.tenantId, (scoped) => rows(scoped, insert)),
        `${table}: INSERT with B's tenant id`,
      ).rejects.toMatchObject({ code: "STORE_FORBIDDEN", sqlState: "42501" });
    }
    for (const { table } of tables) expect(await snapshot(h.store, table, b.tenantId), table).toBe(before.get(table));
  });

  it("moving one of A's own rows to B (UPDATE … SET tenant_id) is refused", async () => {
    const a = await seedTenant(h.store);
    const b = await seedTenant(h.store);
    await expect(
      withTenant(h.store, a.tenantId, (scoped) =>
        rows(scoped, `update usage_counters set tenant_id = '${b.tenantId}' returning 1`),
      ),
    ).rejects.toMatchObject({ code: "STORE_FORBIDDEN" });
  });

  it("networks: platform rows are readable but not writable; another tenant's private network is invisible", async () => {
    const a = await seedTenant(h.store);
    const b = await seedTenant(h.store);
    const visible = await withTenant(h.store, a.tenantId, async (scoped) => ({
      ids: (await rows(scoped, "select id from networks")).map((r) => r.id),
      platformUpdate: await rows(scoped, `update networks set version = 9 where id = '${a.network.id}' returning id`),
      platformDelete: await rows(scoped, `delete from networks where id = '${a.network.id}' returning id`),
    }));
    expect(visible.ids).toContain(a.network.id);
    expect(visible.ids).toContain(b.network.id); // platform network seeded for B: every tenant may use it
    expect(visible.ids).toContain(a.privateNetworkId);
    expect(visible.ids).not.toContain(b.privateNetworkId);
    expect(visible.platformUpdate).toEqual([]);
    expect(visible.platformDelete).toEqual([]);
    await expect(
      withTenant(h.store, a.tenantId, (scoped) =>
        rows(scoped, "insert into networks (tenant_id, slug, network_type, config) values (null, 'p', 'EVM', '{}')"),
      ),
    ).rejects.toMatchObject({ code: "STORE_FORBIDDEN" });
  });

  it("tenants, users and platform tables: own tenant row only, members only (no password hashes), no platform tables", async () => {
    const a = await seedTenant(h.store);
    const b = await seedTenant(h.store);
    const seen = await withTenant(h.store, a.tenantId, async (scoped) => ({
      tenants: await rows(scoped, "select id from tenants"),
      users: await rows(scoped, "select id, email from users"),
      lockedOther: await rows(scoped, `select id from tenants where id = '${b.tenantId}' for update`),
      lockedOwn: await rows(scoped, `select id from tenants where id = '${a.tenantId}' for update`),
    }));
    expect(seen.tenants).toEqual([{ id: a.tenantId }]);
    expect(seen.users).toEqual([{ id: a.userId, email: `${a.userId}@example.com` }]);
    expect(seen.lockedOther).toEqual([]);
    expect(seen.lockedOwn).toEqual([{ id: a.tenantId }]);
    for (const query of [
      "select password_hash from users",
      "update tenants set plan = 'enterprise'",
      "select * from sessions",
      "select * from refresh_tokens",
      "select * from cursors",
      "select * from block_hashes",
    ]) {
      await expect(
        withTenant(h.store, a.tenantId, (scoped) => rows(scoped, query)),
        query,
      ).rejects.toMatchObject({
        code: "STORE_FORBIDDEN",
      });
    }
  });

  it("repositories work unchanged inside withTenant, and cannot reach another tenant", async () => {
    const a = await seedTenant(h.store);
    const b = await seedTenant(h.store);
    const result = await withTenant(h.store, a.tenantId, async (scoped) => ({
      own: (await monitors.list(scoped, a.tenantId)).map((m) => m.id),
      other: await monitors.list(scoped, b.tenantId),
      otherGet: await monitors.get(scoped, b.tenantId, b.monitor.id),
      saved: await monitors.save(scoped, { tenantId: a.tenantId, name: "scoped", config: { name: "scoped" } }),
    }));
    expect(result.own).toEqual([a.monitor.id]);
    expect(result.other).toEqual([]);
    expect(result.otherGet).toBeNull();
    expect(result.saved.version).toBe(1);
    await expect(
      withTenant(h.store, a.tenantId, (scoped) =>
        monitors.save(scoped, { tenantId: b.tenantId, name: "intruder", config: {} }),
      ),
    ).rejects.toMatchObject({ code: "STORE_FORBIDDEN" });
    expect((await monitors.list(h.store, b.tenantId)).map((m) => m.name)).toEqual([b.monitor.name]);
  });

  it("the role and tenant setting are transaction-local; a failure rolls everything back", async () => {
    const a = await seedTenant(h.store);
    await expect(
      withTenant(h.store, a.tenantId, async (scoped) => {
        await monitors.save(scoped, { tenantId: a.tenantId, name: "rolled-back", config: {} });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await monitors.getByName(h.store, a.tenantId, "rolled-back")) === null).toBe(true);
    const after = await rows(h.store, "select current_user as u, current_setting('argus.tenant_id', true) as t");
    expect(after[0]!.u).not.toBe(TENANT_ROLE);
    expect([null, ""]).toContain(after[0]!.t);
    const platform = await withPlatform(h.store, (scoped) => rows(scoped, "select count(*)::int as n from tenants"));
    expect((platform[0]!.n as number) >= 2).toBe(true);
  });

  it("every tenant-owned table has row-level security enabled and forced", async () => {
    const found = await rows(
      h.store,
      "select relname, relrowsecurity, relforcerowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname",
    );
    const secured = found
      .filter((r) => r.relrowsecurity === true && r.relforcerowsecurity === true)
      .map((r) => r.relname);
    const a = await seedTenant(h.store);
    const expected = [...tenantTables(a, a).map((t) => t.table), "tenants", "users"].sort();
    expect(secured.sort()).toEqual(expected);
  });
});

describe("row-level security [postgres, the application owns the tables and is no superuser]", () => {
  it("FORCE ROW LEVEL SECURITY binds the owner too: platform code still sees every tenant, withTenant only one", async () => {
    const suffix = randomBytes(4).toString("hex");
    const role = `argus_owner_${suffix}`;
    const database = `argus_test_owner_${suffix}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    let store: Store | undefined;
    try {
      // What a DBA does once for a non-superuser Argus (documented next to withTenant).
      await admin.query(`create role ${role} login nosuperuser nocreaterole`);
      await admin.query(
        "do $$ begin create role argus_tenant nologin; exception when duplicate_object or unique_violation then null; end $$",
      );
      await admin.query(`grant argus_tenant to ${role}`);
      await admin.query(`create database ${database} owner ${role}`);
      const url = new URL(ADMIN_URL);
      url.username = role;
      url.password = "";
      url.pathname = `/${database}`;
      store = await createStore({ databaseUrl: url.toString() });
      expect(await rows(store, "select rolsuper from pg_roles where rolname = current_user")).toEqual([
        { rolsuper: false },
      ]);
      const a = await seedTenant(store);
      const b = await seedTenant(store);
      const platform = await rows(store, "select distinct tenant_id from monitors order by 1");
      expect(platform.map((r) => r.tenant_id).sort()).toEqual([a.tenantId, b.tenantId].sort());
      const scoped = await withTenant(store, a.tenantId, (s) => rows(s, "select distinct tenant_id from monitors"));
      expect(scoped).toEqual([{ tenant_id: a.tenantId }]);
      await expect(
        withTenant(store, a.tenantId, (s) => monitors.save(s, { tenantId: b.tenantId, name: "x", config: {} })),
      ).rejects.toMatchObject({ code: "STORE_FORBIDDEN" });
    } finally {
      await store?.close();
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    }
  });
});
