/**
 * The cross-tenant isolation suite. Two tenants; for EVERY registered tenant route and method (generated from the
 * app's route table, so a new route is attacked automatically), tenant A's user token and API key, and tenant B's
 * keys with the wrong scope, expired and revoked, try to read or change B's resources. Each attempt must fail with
 * 401/403/404, and B's rows must be byte-for-byte what they were (snapshot before and after). Platform routes are
 * attacked by non-operators, and documents in A may not reference B's networks, triggers or scripts.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { listApiRoutes, PERMISSIONS, type PermissionId } from "../../../src/api/index.js";
import { matches, type Store } from "../../../src/store/index.js";
import {
  type ApiHandle,
  call,
  createKey,
  describeApi,
  evmNetwork,
  type SignedUp,
  signup,
  transferMonitor,
  webhookTrigger,
} from "./support.js";

const TENANT_TABLES = [
  "tenants",
  "monitors",
  "monitor_versions",
  "triggers",
  "trigger_versions",
  "networks",
  "trigger_scripts",
  "trigger_script_versions",
  "memberships",
  "api_keys",
  "matches",
  "deliveries",
  "delivery_attempts",
  "audit_log",
  "usage_counters",
  "throttle_state",
];

/** Every row of tenant B, as JSON (api_keys' last_used_at moves when B's own keys are merely presented). */
async function snapshot(store: Store, tenantId: string): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const table of TENANT_TABLES) {
    const column = table === "tenants" ? "id" : "tenant_id";
    const result = (await store.db.execute(
      sql`select * from ${sql.identifier(table)} where ${sql.identifier(column)} = ${tenantId}`,
    )) as unknown as { rows: Record<string, unknown>[] };
    const rows = result.rows.map((row) => {
      const { last_used_at: _ignored, ...rest } = row;
      return JSON.stringify(rest, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    });
    out[table] = rows.sort();
  }
  return JSON.stringify(out);
}

interface World {
  a: SignedUp;
  b: SignedUp;
  aKey: string;
  bKeys: { monitorsOnly: string; usageOnly: string; expired: string; revoked: string };
  ids: Record<string, string>;
}

async function seed(h: ApiHandle): Promise<World> {
  const a = await signup(h, "alpha");
  const b = await signup(h, "bravo");
  const as = (t: SignedUp) => ({ token: t.token });
  const bUrl = `/api/v1/tenants/${b.slug}`;
  const ok = (answer: { status: number; body: unknown }, status = 201) => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    return answer.body as Record<string, string>;
  };
  const network = ok(
    await call(h, "POST", `${bUrl}/networks`, { ...as(b), body: { config: evmNetwork("bravo_net") } }),
  );
  const script = ok(
    await call(h, "POST", `${bUrl}/scripts`, {
      ...as(b),
      body: { path: "filters/bravo.py", language: "Python", content: "print(False)" },
    }),
  );
  const trigger = ok(
    await call(h, "POST", `${bUrl}/triggers`, { ...as(b), body: { key: "bravo_ops", config: webhookTrigger() } }),
  );
  const monitorDoc = transferMonitor("Bravo transfers", ["bravo_net"], ["bravo_ops"]);
  monitorDoc.trigger_conditions = [{ script_path: "filters/bravo.py", language: "Python", timeout_ms: 1000 }];
  const monitor = ok(await call(h, "POST", `${bUrl}/monitors`, { ...as(b), body: { config: monitorDoc } }));
  const matchId = `0x${"ab".repeat(32)}`;
  await matches.insertMany(h.store, [
    {
      id: matchId,
      tenantId: b.tenantId,
      monitorId: monitor.id!,
      monitorVersion: 1,
      networkId: network.id!,
      blockNumber: 7n,
      blockHash: `0x${"07".repeat(32)}`,
      txHash: `0x${"70".repeat(32)}`,
      txIndex: 0,
      payload: { EVM: { monitor: { name: "Bravo transfers" } } },
      deliveries: [{ triggerId: trigger.id!, triggerKey: "bravo_ops", channel: "webhook", maxAttempts: 3 }],
    },
  ]);
  const deliveryRow = (await call(h, "GET", `${bUrl}/deliveries`, as(b))).body.items as Array<{ id: string }>;
  const deliveryId = deliveryRow[0]!.id;
  // A dead delivery, so that replay would act if the guard let an attacker through.
  await h.store.db.execute(sql`update deliveries set status = 'dead', last_error = 'gone' where id = ${deliveryId}`);
  const monitorsOnly = await createKey(h, b, ["monitors:read"]);
  const usageOnly = await createKey(h, b, ["usage:read"]);
  const expired = await createKey(h, b, ["monitors:read", "monitors:write"], "owner");
  await h.store.db.execute(sql`update api_keys set expires_at = now() - interval '1 hour' where id = ${expired.id}`);
  const revoked = await createKey(h, b, ["monitors:read", "monitors:write"], "owner");
  ok(await call(h, "DELETE", `${bUrl}/api-keys/${revoked.id}`, as(b)), 200);
  const allScopes = Object.values(PERMISSIONS).flatMap((p) => ("scopes" in p ? p.scopes : []));
  const aKey = await createKey(h, a, [...new Set(allScopes.filter((s) => !s.startsWith("tenant:")))], "owner");
  return {
    a,
    b,
    aKey: aKey.key,
    bKeys: { monitorsOnly: monitorsOnly.key, usageOnly: usageOnly.key, expired: expired.key, revoked: revoked.key },
    ids: {
      monitors: monitor.id!,
      triggers: trigger.id!,
      networks: network.id!,
      scripts: script.id!,
      matches: matchId,
      deliveries: deliveryId,
      "api-keys": monitorsOnly.id,
      members: b.userId,
    },
  };
}

/** A body that would be valid for the route, so that only the guard can stop the attempt. */
function sampleBody(id: PermissionId, world: World): unknown {
  switch (id) {
    case "monitors.create":
    case "monitors.update":
      return { config: transferMonitor("Hijack", ["bravo_net"], ["bravo_ops"]) };
    case "monitors.settings":
      return { paused: true };
    case "monitors.rollback":
    case "triggers.rollback":
      return { version: 1 };
    case "monitors.test":
      return { network: "bravo_net", block: 1 };
    case "triggers.create":
      return { key: "hijack", config: webhookTrigger() };
    case "triggers.update":
      return { config: webhookTrigger("https://attacker.example.com/") };
    case "networks.create":
    case "networks.update":
      return { config: evmNetwork("bravo_net") };
    case "scripts.create":
    case "scripts.update":
      return { path: "filters/bravo.py", language: "Python", content: "print(True)" };
    case "api_keys.create":
      return { name: "stolen", role: "owner", scopes: ["monitors:write"] };
    case "members.add":
      return { email: world.a.email, role: "owner" };
    case "members.update":
      return { role: "viewer" };
    case "tenants.import":
      return { bundle: { monitors: { "m.json": transferMonitor("Hijack", ["bravo_net"], []) } }, replace: true };
    default:
      return undefined;
  }
}

/** Fills a route's path parameters with B's resources (fails for a parameter nobody taught it: add one). */
function fill(url: string, tenant: string, world: World): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string, offset: number) => {
    if (name === "tenant") return tenant;
    const resource = url.slice(0, offset).split("/").filter(Boolean).at(-1) ?? "";
    const value = name === "userId" ? world.ids.members : world.ids[resource];
    if (value === undefined) throw new Error(`isolation suite: no value for :${name} after /${resource}/ in ${url}`);
    return value;
  });
}

describeApi("cross-tenant isolation", (h) => {
  it("every tenant route refuses A's token and key, and B's wrong-scope, expired and revoked keys; B is unchanged", async () => {
    const world = await seed(h);
    const before = await snapshot(h.store, world.b.tenantId);
    const routes = listApiRoutes(h.app).filter(
      (r) => r.permission !== undefined && PERMISSIONS[r.permission as PermissionId]?.access === "tenant",
    );
    expect(routes.length).toBeGreaterThan(40);
    const failures: string[] = [];
    let attempts = 0;
    for (const route of routes) {
      const id = route.permission as PermissionId;
      const permission = PERMISSIONS[id];
      const scopes = "scopes" in permission ? (permission.scopes as readonly string[]) : [];
      const body = sampleBody(id, world);
      const attackers: Array<{
        who: string;
        auth: { token?: string; apiKey?: string };
        expect: number[];
        tenant: string;
      }> = [];
      for (const tenantRef of [world.b.slug, world.b.tenantId]) {
        attackers.push({ who: "A's owner token", auth: { token: world.a.token }, expect: [404], tenant: tenantRef });
        attackers.push({ who: "A's all-scope key", auth: { apiKey: world.aKey }, expect: [404], tenant: tenantRef });
      }
      const wrongScope = scopes.includes("monitors:read") ? world.bKeys.usageOnly : world.bKeys.monitorsOnly;
      if (scopes.length > 0) {
        attackers.push({
          who: "B's wrong-scope key",
          auth: { apiKey: wrongScope },
          expect: [403],
          tenant: world.b.slug,
        });
      }
      attackers.push({
        who: "B's expired key",
        auth: { apiKey: world.bKeys.expired },
        expect: [401],
        tenant: world.b.slug,
      });
      attackers.push({
        who: "B's revoked key",
        auth: { apiKey: world.bKeys.revoked },
        expect: [401],
        tenant: world.b.slug,
      });
      // A's own tenant in the path, B's resource ids in it: must look like nothing exists.
      if (/:(id|userId)\b/.test(route.url)) {
        attackers.push({
          who: "A's token with B's ids",
          auth: { token: world.a.token },
          expect: [404],
          tenant: world.a.slug,
        });
        attackers.push({
          who: "A's key with B's ids",
          auth: { apiKey: world.aKey },
          expect: [404],
          tenant: world.a.slug,
        });
      }
      for (const attacker of attackers) {
        const url = fill(route.url, attacker.tenant, world);
        attempts += 1;
        const answer = await call(h, route.method, url, { ...attacker.auth, body });
        if (!attacker.expect.includes(answer.status)) {
          failures.push(
            `${route.method} ${url} as ${attacker.who}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
          );
        } else if (answer.body.status !== answer.status || typeof answer.body.code !== "string") {
          failures.push(`${route.method} ${url} as ${attacker.who}: not a problem document`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(attempts).toBeGreaterThan(300);
    expect(await snapshot(h.store, world.b.tenantId)).toBe(before);
  });

  it("A's documents cannot reference B's private network, triggers or scripts", async () => {
    const world = await seed(h);
    const before = await snapshot(h.store, world.b.tenantId);
    const aUrl = `/api/v1/tenants/${world.a.slug}`;
    const auth = { token: world.a.token };
    const usesNetwork = await call(h, "POST", `${aUrl}/monitors`, {
      ...auth,
      body: { config: transferMonitor("Steal", ["bravo_net"], []) },
    });
    expect(usesNetwork.status).toBe(422);
    expect(usesNetwork.body.errors?.map((e) => e.path)).toContain("$.config.networks[0]");

    const ownNet = await call(h, "POST", `${aUrl}/networks`, { ...auth, body: { config: evmNetwork("alpha_net") } });
    expect(ownNet.status).toBe(201);
    const usesTrigger = await call(h, "POST", `${aUrl}/monitors`, {
      ...auth,
      body: { config: transferMonitor("Steal", ["alpha_net"], ["bravo_ops"]) },
    });
    expect(usesTrigger.status).toBe(422);
    expect(usesTrigger.body.errors?.map((e) => e.path)).toContain("$.config.triggers[0]");

    const doc = transferMonitor("Steal", ["alpha_net"], []);
    doc.trigger_conditions = [{ script_path: "filters/bravo.py", language: "Python", timeout_ms: 1000 }];
    const usesScript = await call(h, "POST", `${aUrl}/monitors`, { ...auth, body: { config: doc } });
    expect(usesScript.status).toBe(422);
    expect(usesScript.body.errors?.map((e) => e.path)).toContain("$.config.trigger_conditions[0].script_path");

    const scriptTrigger = await call(h, "POST", `${aUrl}/triggers`, {
      ...auth,
      body: {
        key: "steal",
        config: {
          name: "Steal",
          trigger_type: "script",
          config: { language: "Python", script_path: "filters/bravo.py", timeout_ms: 1000 },
        },
      },
    });
    expect(scriptTrigger.status).toBe(422);

    // Filtering A's lists by B's ids finds nothing.
    const byMonitor = await call(h, "GET", `${aUrl}/matches?monitorId=${world.ids.monitors}`, auth);
    expect(byMonitor.status).toBe(200);
    expect(byMonitor.body.items).toEqual([]);
    const listed = await call(h, "GET", `${aUrl}/networks`, auth);
    expect((listed.body.items as Array<{ slug: string }>).map((n) => n.slug)).toEqual(["alpha_net"]);
    expect(await snapshot(h.store, world.b.tenantId)).toBe(before);
  });

  it("platform routes refuse non-operators; user-only routes refuse API keys", async () => {
    const world = await seed(h);
    const before = await snapshot(h.store, world.b.tenantId);
    const failures: string[] = [];
    for (const route of listApiRoutes(h.app)) {
      const permission = route.permission === undefined ? undefined : PERMISSIONS[route.permission as PermissionId];
      if (permission?.access !== "platform" && permission?.access !== "user") continue;
      const url = route.url.replace(":id", world.b.tenantId);
      const body =
        route.permission === "platform.tenants.update"
          ? { status: "suspended" }
          : route.permission?.startsWith("platform.networks")
            ? { config: evmNetwork("evil") }
            : undefined;
      const attempts: Array<[string, { token?: string; apiKey?: string }, number]> = [
        ["B's key", { apiKey: world.bKeys.monitorsOnly }, 403],
        ["A's key", { apiKey: world.aKey }, 403],
        ["no credentials", {}, 401],
      ];
      if (permission.access === "platform") attempts.push(["A's token", { token: world.a.token }, 403]);
      for (const [who, auth, status] of attempts) {
        const answer = await call(h, route.method, url, { ...auth, body });
        if (answer.status !== status) failures.push(`${route.method} ${url} as ${who}: ${answer.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot(h.store, world.b.tenantId)).toBe(before);
  });
});
