/**
 * The API's contract beyond isolation: the permission matrix covers every route, the OpenAPI document lists every
 * route, one error shape with path-precise validation, resources with history and rollback, write-only encrypted
 * secrets, pagination, members and roles, quotas, suspension, rate limits, usage and the audit trail.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { createRedisRateLimiter, listApiRoutes, PERMISSIONS } from "../../../src/api/index.js";
import { startEvmFixtureRpc } from "../../support/evm-fixture-rpc.js";
import {
  call,
  createKey,
  describeApi,
  evmNetwork,
  makeOperator,
  PASSWORD,
  seedFixtureMonitor,
  signup,
  transferMonitor,
  webhookTrigger,
} from "./support.js";

describeApi("api", (h) => {
  it("every registered route has a permission-matrix entry, and every entry a route", async () => {
    const routes = listApiRoutes(h.app);
    const missing = routes.filter((r) => r.permission === undefined || !Object.hasOwn(PERMISSIONS, r.permission));
    expect(missing).toEqual([]);
    const used = new Set(routes.map((r) => r.permission));
    expect(Object.keys(PERMISSIONS).filter((id) => !used.has(id))).toEqual([]);
  });

  it("the OpenAPI document lists every /api/v1 route with its schemas, generated from the zod schemas", async () => {
    const answer = await call(h, "GET", "/api/openapi.json");
    expect(answer.status).toBe(200);
    const doc = answer.body as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { operationId: string; responses: Record<string, unknown>; requestBody?: unknown }>
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["apiKey", "bearer"]);
    for (const route of listApiRoutes(h.app).filter((r) => r.url.startsWith("/api/v1"))) {
      const path = route.url.replace(/:([A-Za-z]+)/g, "{$1}");
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path}`).toBeDefined();
      expect(operation?.operationId).toBe(route.permission);
      expect(Object.keys(operation?.responses ?? {}).some((s) => s.startsWith("2"))).toBe(true);
    }
    const create = doc.paths["/api/v1/tenants/{tenant}/monitors"]?.post as {
      requestBody: { content: Record<string, { schema: { required: string[] } }> };
    };
    expect(create.requestBody.content["application/json"]?.schema.required).toContain("config");
    const ui = await call(h, "GET", "/api/docs");
    expect(ui.status).toBe(200);
    expect(ui.raw.body).toContain("swagger-ui");
  });

  it("errors are problem documents: 404, 400 malformed JSON, 401, query-string credentials refused", async () => {
    const unknown = await call(h, "GET", "/api/v1/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.headers["content-type"]).toContain("application/problem+json");
    expect(unknown.body).toMatchObject({ status: 404, code: "API_ROUTE_NOT_FOUND", title: "Not Found", errors: [] });
    const malformed = await h.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "application/json" },
      payload: '{"email": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ code: "API_MALFORMED_JSON", status: 400 });
    const anonymous = await call(h, "GET", "/api/v1/tenants/default/monitors");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toContain("Bearer");
    const a = await signup(h, "errs");
    const inQuery = await call(h, "GET", `/api/v1/tenants/${a.slug}/monitors?access_token=${a.token}`);
    expect(inQuery.status).toBe(401);
    const forged = await call(h, "GET", `/api/v1/tenants/${a.slug}/monitors`, { token: `${a.token}x` });
    expect(forged.body).toMatchObject({ status: 401, code: "API_UNAUTHENTICATED" });
    const wrongLogin = await call(h, "POST", "/api/v1/auth/login", {
      body: { email: a.email, password: "wrong password!" },
    });
    expect(wrongLogin.status).toBe(401);
    const login = await call(h, "POST", "/api/v1/auth/login", { body: { email: a.email, password: PASSWORD } });
    expect(login.status).toBe(200);
  });

  it("monitor bodies are validated like `argus validate`: 422 with the JSON path of each problem", async () => {
    const a = await signup(h, "valid");
    const url = `/api/v1/tenants/${a.slug}`;
    expect(
      (await call(h, "POST", `${url}/networks`, { token: a.token, body: { config: evmNetwork("dev") } })).status,
    ).toBe(201);
    const doc = transferMonitor("Bad", ["dev"], []) as { match_conditions: { events: Array<{ expression: string }> } };
    doc.match_conditions.events[0]!.expression = "value >>> 5";
    const bad = await call(h, "POST", `${url}/monitors`, {
      token: a.token,
      body: { config: { ...doc, colour: "red" } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe("API_VALIDATION");
    expect(bad.body.errors?.map((e) => [e.path, e.code])).toEqual(
      expect.arrayContaining([["$.config.colour", "CONFIG_UNKNOWN_FIELD"]]),
    );
    const expr = await call(h, "POST", `${url}/monitors`, { token: a.token, body: { config: doc } });
    expect(expr.body.errors).toEqual([
      expect.objectContaining({
        path: "$.config.match_conditions.events[0].expression",
        code: "CONFIG_INVALID_EXPRESSION",
      }),
    ]);
    const shape = await call(h, "POST", `${url}/monitors`, { token: a.token, body: { config: [], paused: "yes" } });
    expect(shape.status).toBe(422);
    expect(shape.body.errors?.map((e) => e.path).sort()).toEqual(["$.config", "$.paused"]);
    const limit = await call(h, "GET", `${url}/monitors?limit=5000`, { token: a.token });
    expect(limit.status).toBe(400);
    expect(limit.body.errors?.[0]?.path).toBe("$.limit");
  });

  it("monitors: create, update, pause, history, rollback, delete — each audited with the request id", async () => {
    const a = await signup(h, "life");
    const url = `/api/v1/tenants/${a.slug}`;
    const auth = { token: a.token };
    await call(h, "POST", `${url}/networks`, { ...auth, body: { config: evmNetwork("dev") } });
    await call(h, "POST", `${url}/triggers`, { ...auth, body: { key: "ops", config: webhookTrigger() } });
    const created = await call(h, "POST", `${url}/monitors`, {
      ...auth,
      body: { config: transferMonitor("Watch", ["dev"], ["ops"]), throttle: { minIntervalMs: 60_000 } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      name: "Watch",
      version: 1,
      paused: false,
      throttle: { minIntervalMs: 60_000 },
    });
    const dup = await call(h, "POST", `${url}/monitors`, {
      ...auth,
      body: { config: transferMonitor("Watch", ["dev"], []) },
    });
    expect(dup.status).toBe(409);
    const updated = await call(h, "PUT", `${url}/monitors/${id}`, {
      ...auth,
      headers: { "x-request-id": "req-update-1" },
      body: { config: transferMonitor("Watch renamed", ["dev"], []) },
    });
    expect(updated.body).toMatchObject({ name: "Watch renamed", version: 2, throttle: { minIntervalMs: 60_000 } });
    const paused = await call(h, "PATCH", `${url}/monitors/${id}`, { ...auth, body: { paused: true, throttle: null } });
    expect(paused.body).toMatchObject({ paused: true, throttle: null, version: 3 });
    const history = await call(h, "GET", `${url}/monitors/${id}/versions`, auth);
    expect((history.body.items as Array<{ version: number }>).map((v) => v.version)).toEqual([1, 2, 3]);
    const rolled = await call(h, "POST", `${url}/monitors/${id}/rollback`, { ...auth, body: { version: 1 } });
    expect(rolled.body).toMatchObject({
      name: "Watch",
      version: 4,
      paused: false,
      throttle: { minIntervalMs: 60_000 },
    });
    // A trigger in use cannot be deleted.
    const trigger = (await call(h, "GET", `${url}/triggers`, auth)).body.items as Array<{ id: string }>;
    expect((await call(h, "DELETE", `${url}/triggers/${trigger[0]!.id}`, auth)).status).toBe(409);
    expect((await call(h, "DELETE", `${url}/monitors/${id}`, auth)).status).toBe(204);
    expect((await call(h, "GET", `${url}/monitors/${id}`, auth)).status).toBe(404);

    const audit = await call(h, "GET", `${url}/audit-log?resourceType=monitor`, auth);
    const actions = (audit.body.items as Array<{ action: string }>).map((e) => e.action);
    expect(actions).toEqual([
      "monitor.delete",
      "monitor.rollback",
      "monitor.settings",
      "monitor.update",
      "monitor.create",
    ]);
    const update = (audit.body.items as Array<Record<string, unknown>>).find((e) => e.action === "monitor.update");
    expect(update).toMatchObject({ requestId: "req-update-1", actorType: "user", actorId: a.userId });
    expect((update!.before as { name: string }).name).toBe("Watch");
    expect((update!.after as { name: string }).name).toBe("Watch renamed");
  });

  it("trigger secrets are encrypted at rest, write-only, kept on '***', and Environment secrets are refused", async () => {
    const a = await signup(h, "secret");
    const url = `/api/v1/tenants/${a.slug}/triggers`;
    const auth = { token: a.token };
    const created = await call(h, "POST", url, {
      ...auth,
      body: { key: "hook", config: webhookTrigger("https://hooks.example.com/x", "top-secret-1") },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain("top-secret-1");
    const stored = (await h.store.db.execute(
      sql`select config from triggers where id = ${created.body.id as string}`,
    )) as unknown as {
      rows: Array<{ config: unknown }>;
    };
    const raw = JSON.stringify(stored.rows[0]?.config);
    expect(raw).not.toContain("top-secret-1");
    expect(raw).toContain("argus:v1:");
    // GET → edit → PUT: "***" keeps the stored secret.
    const fetched = (await call(h, "GET", `${url}/${created.body.id}`, auth)).body.config as Record<
      string,
      Record<string, unknown>
    >;
    fetched.config!.method = "PUT";
    const put = await call(h, "PUT", `${url}/${created.body.id}`, { ...auth, body: { config: fetched } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.version).toBe(2);
    const env = webhookTrigger() as { config: Record<string, unknown> };
    env.config.secret = { type: "Environment", value: "DATABASE_URL" };
    const refused = await call(h, "POST", url, { ...auth, body: { key: "env", config: env } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors?.[0]).toMatchObject({
      path: "$.config.config.secret",
      code: "API_SECRET_ENVIRONMENT_REFUSED",
    });
    const audit = await call(h, "GET", `/api/v1/tenants/${a.slug}/audit-log?resourceType=trigger`, auth);
    expect(JSON.stringify(audit.body)).not.toContain("top-secret-1");
    expect(JSON.stringify(audit.body)).not.toContain("argus:v1:");
  });

  it("tenant URLs may not point at private addresses unless the operator allows it", async () => {
    const strict = await h.rebuild({ allowPrivateNetworks: false });
    const a = await signup(h, "ssrf");
    const url = `/api/v1/tenants/${a.slug}`;
    const hook = await call(h, "POST", `${url}/triggers`, {
      app: strict,
      token: a.token,
      body: { key: "meta", config: webhookTrigger("http://169.254.169.254/latest/meta-data") },
    });
    expect(hook.status).toBe(422);
    expect(hook.body.errors?.[0]?.path).toBe("$.config.config.url.value");
    const rpc = await call(h, "POST", `${url}/networks`, {
      app: strict,
      token: a.token,
      body: { config: evmNetwork("local") },
    });
    expect(rpc.status).toBe(422);
    expect(rpc.body.errors?.[0]?.path).toBe("$.config.rpc_urls[0].url.value");
  });

  it("cursor pagination: opaque cursors, stable pages, a page-size cap", async () => {
    const a = await signup(h, "pages");
    const url = `/api/v1/tenants/${a.slug}/scripts`;
    for (const name of ["a", "b", "c"]) {
      const r = await call(h, "POST", url, {
        token: a.token,
        body: { path: `f/${name}.js`, language: "JavaScript", content: "true" },
      });
      expect(r.status).toBe(201);
    }
    const first = await call(h, "GET", `${url}?limit=2`, { token: a.token });
    expect((first.body.items as Array<{ path: string }>).map((s) => s.path)).toEqual(["f/a.js", "f/b.js"]);
    const next = await call(h, "GET", `${url}?limit=2&cursor=${first.body.nextCursor}`, { token: a.token });
    expect((next.body.items as Array<{ path: string }>).map((s) => s.path)).toEqual(["f/c.js"]);
    expect(next.body.nextCursor).toBeNull();
    expect((await call(h, "GET", `${url}?cursor=garbage!`, { token: a.token })).status).toBe(400);
  });

  it("roles: viewers read only, admins cannot grant owner, the last owner stays, keys never exceed their role", async () => {
    const owner = await signup(h, "own");
    const viewer = await signup(h, "view");
    const url = `/api/v1/tenants/${owner.slug}`;
    const added = await call(h, "POST", `${url}/members`, {
      token: owner.token,
      body: { email: viewer.email, role: "viewer" },
    });
    expect(added.status).toBe(201);
    expect((await call(h, "GET", `${url}/monitors`, { token: viewer.token })).status).toBe(200);
    const write = await call(h, "POST", `${url}/scripts`, {
      token: viewer.token,
      body: { path: "x.js", language: "JavaScript", content: "1" },
    });
    expect(write.status).toBe(403);
    expect((await call(h, "GET", `${url}/audit-log`, { token: viewer.token })).status).toBe(403);
    expect(
      (await call(h, "PATCH", `${url}/members/${viewer.userId}`, { token: owner.token, body: { role: "admin" } }))
        .status,
    ).toBe(200);
    const grant = await call(h, "PATCH", `${url}/members/${viewer.userId}`, {
      token: viewer.token,
      body: { role: "owner" },
    });
    expect(grant.status).toBe(403);
    const removeOwner = await call(h, "DELETE", `${url}/members/${owner.userId}`, { token: owner.token });
    expect(removeOwner.status).toBe(409);
    const demote = await call(h, "PATCH", `${url}/members/${owner.userId}`, {
      token: owner.token,
      body: { role: "admin" },
    });
    expect(demote.status).toBe(409);
    const tooStrong = await call(h, "POST", `${url}/api-keys`, {
      token: viewer.token,
      body: { name: "x", role: "owner", scopes: ["monitors:read"] },
    });
    expect(tooStrong.status).toBe(403);
    const viewerKey = await call(h, "POST", `${url}/api-keys`, {
      token: owner.token,
      body: { name: "ro", role: "viewer", scopes: ["monitors:write"] },
    });
    expect(viewerKey.status).toBe(422);
    const key = await createKey(h, owner, ["monitors:read"], "viewer");
    expect((await call(h, "GET", `${url}/monitors`, { apiKey: key.key })).status).toBe(200);
    expect((await call(h, "GET", `${url}/monitors`, { token: key.key })).status).toBe(200);
    expect((await call(h, "GET", `${url}/triggers`, { apiKey: key.key })).status).toBe(403);
    const me = await call(h, "GET", "/api/v1/auth/me", { apiKey: key.key });
    expect(me.body).toMatchObject({ kind: "api_key", role: "viewer", scopes: ["monitors:read"] });
  });

  it("quotas: creating past the plan's limit is refused and creates nothing", async () => {
    const a = await signup(h, "quota");
    await h.store.db.execute(sql`update tenants set limits = '{"triggers": 1}'::jsonb where id = ${a.tenantId}`);
    const url = `/api/v1/tenants/${a.slug}/triggers`;
    expect(
      (await call(h, "POST", url, { token: a.token, body: { key: "one", config: webhookTrigger() } })).status,
    ).toBe(201);
    const over = await call(h, "POST", url, { token: a.token, body: { key: "two", config: webhookTrigger() } });
    expect(over.status).toBe(403);
    expect(over.body.code).toBe("API_QUOTA_EXCEEDED");
    const listed = await call(h, "GET", url, { token: a.token });
    expect((listed.body.items as unknown[]).length).toBe(1);
    const usage = await call(h, "GET", `/api/v1/tenants/${a.slug}/usage`, { token: a.token });
    expect(usage.body).toMatchObject({ plan: "free", limits: { triggers: 1 }, used: { triggers: 1 } });
    const apiCalls = (usage.body.counters as Array<{ metric: string; value: string }>).find(
      (c) => c.metric === "api_calls",
    );
    expect(Number(apiCalls?.value)).toBeGreaterThanOrEqual(3);
  });

  it("an import cannot bring in what single creates refuse: past the quota, or private addresses", async () => {
    const a = await signup(h, "import-guard");
    const url = `/api/v1/tenants/${a.slug}`;
    await h.store.db.execute(sql`update tenants set limits = '{"monitors": 1}'::jsonb where id = ${a.tenantId}`);
    const twoMonitors = {
      networks: { "dev.json": evmNetwork("dev") },
      triggers: { "ops.json": { ops: webhookTrigger("https://hooks.example.com/z") } },
      monitors: {
        "one.json": transferMonitor("One", ["dev"], ["ops"]),
        "two.json": transferMonitor("Two", ["dev"], ["ops"]),
      },
      scripts: {},
    };
    const over = await call(h, "POST", `${url}/import`, { token: a.token, body: { bundle: twoMonitors } });
    expect(over.body).toMatchObject({ status: 403, code: "API_QUOTA_EXCEEDED" });
    // All or nothing: not even the network or the trigger stayed.
    for (const kind of ["monitors", "triggers", "networks"]) {
      const listed = await call(h, "GET", `${url}/${kind}`, { token: a.token });
      expect(
        (listed.body.items as Array<{ scope?: string }>).filter((i) => i.scope !== "platform"),
        kind,
      ).toEqual([]);
    }

    const strict = await h.rebuild({ allowPrivateNetworks: false });
    const { "two.json": _two, ...oneMonitor } = twoMonitors.monitors;
    const metadata = {
      ...twoMonitors,
      monitors: oneMonitor,
      triggers: { "ops.json": { ops: webhookTrigger("http://169.254.169.254/latest/meta-data") } },
    };
    const refused = await call(h, "POST", `${url}/import`, { app: strict, token: a.token, body: { bundle: metadata } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['$.bundle.triggers["ops.json"].ops.config.url.value']),
    );
  });

  it("GET /platform/status gives operators the platform report and refuses everyone else", async () => {
    const op = await signup(h, "status-op");
    await makeOperator(h.store, op.userId);
    const a = await signup(h, "status-t");
    expect((await call(h, "GET", "/api/v1/platform/status", { token: a.token })).status).toBe(403);
    const report = await call(h, "GET", "/api/v1/platform/status", { token: op.token });
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body).toMatchObject({ deliveries: { state: "ok" } });
    expect(report.body).toHaveProperty("networks");
  });

  it("operators suspend a tenant: its changes are refused, reads still work; audited on the platform side", async () => {
    const op = await signup(h, "op");
    await makeOperator(h.store, op.userId);
    const a = await signup(h, "susp");
    const suspended = await call(h, "PATCH", `/api/v1/platform/tenants/${a.slug}`, {
      token: op.token,
      body: { status: "suspended" },
    });
    expect(suspended.status).toBe(200);
    expect(suspended.body.status).toBe("suspended");
    const url = `/api/v1/tenants/${a.slug}`;
    expect((await call(h, "GET", `${url}/monitors`, { token: a.token })).status).toBe(200);
    const write = await call(h, "POST", `${url}/triggers`, {
      token: a.token,
      body: { key: "k", config: webhookTrigger() },
    });
    expect(write.body).toMatchObject({ status: 403, code: "API_TENANT_SUSPENDED" });
    const audit = await call(h, "GET", `${url}/audit-log?action=tenant.suspend`, { token: a.token });
    expect((audit.body.items as unknown[]).length).toBe(1);
    const platformNet = await call(h, "POST", "/api/v1/platform/networks", {
      token: op.token,
      body: { config: evmNetwork("shared") },
    });
    expect(platformNet.status).toBe(201);
    const b = await signup(h, "seer");
    const seen = await call(h, "GET", `/api/v1/tenants/${b.slug}/networks`, { token: b.token });
    expect(seen.body.items).toEqual([expect.objectContaining({ slug: "shared", scope: "platform" })]);
  });

  it("import and export an OZ config bundle; an invalid bundle imports nothing and names the file and path", async () => {
    const a = await signup(h, "port");
    const url = `/api/v1/tenants/${a.slug}`;
    const bundle = {
      networks: { "dev.json": evmNetwork("dev") },
      triggers: { "ops.json": { ops: webhookTrigger("https://hooks.example.com/y", "hidden-secret-2") } },
      monitors: { "watch.json": transferMonitor("Watch", ["dev"], ["ops"]) },
      scripts: {},
    };
    const broken = structuredClone(bundle);
    (broken.monitors["watch.json"] as { networks: string[] }).networks = ["nowhere"];
    const refused = await call(h, "POST", `${url}/import`, { token: a.token, body: { bundle: broken } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors?.map((e) => e.path)).toContain('$.bundle.monitors["watch.json"].networks[0]');
    expect((await call(h, "GET", `${url}/monitors`, { token: a.token })).body.items).toEqual([]);
    const imported = await call(h, "POST", `${url}/import`, { token: a.token, body: { bundle } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.saved).toMatchObject({ networks: ["dev"], monitors: ["Watch"], triggers: ["ops"] });
    const exported = await call(h, "GET", `${url}/export`, { token: a.token });
    expect(exported.status).toBe(200);
    const monitors = exported.body.monitors as Record<string, unknown>;
    expect(Object.values(monitors)).toEqual([bundle.monitors["watch.json"]]);
    expect(JSON.stringify(exported.body)).not.toContain("hidden-secret-2");
    const audit = await call(h, "GET", `${url}/audit-log?action=tenant.import`, { token: a.token });
    expect((audit.body.items as unknown[]).length).toBe(1);
  });

  it("POST …/monitors/{id}/test runs the monitor on one past block through the network's RPC", async () => {
    const rpc = await startEvmFixtureRpc();
    try {
      const {
        tenant: a,
        url,
        monitorId,
      } = await seedFixtureMonitor(h, rpc.url, { operator: "optest", tenant: "tester" });
      const tested = await call(h, "POST", `${url}/monitors/${monitorId}/test`, {
        token: a.token,
        body: { network: "ethereum_mainnet", block: 21306058 },
      });
      expect(tested.status, JSON.stringify(tested.body)).toBe(200);
      const found = tested.body.matches as Array<{ EVM: { transaction: { hash: string }; network_slug: string } }>;
      expect(found.map((m) => m.EVM.transaction.hash)).toEqual([
        "0xd5069b22a3a89a36d592d5a1f72a281bc5d11d6d0bac6f0a878c13abb764b6d8",
      ]);
      const unknown = await call(h, "POST", `${url}/monitors/${monitorId}/test`, {
        token: a.token,
        body: { network: "nowhere", block: 1 },
      });
      expect(unknown.status).toBe(404);
    } finally {
      await rpc.close();
    }
  });

  it("rate limits per API key: RateLimit-* headers, then 429 with Retry-After", async () => {
    const limited = await h.rebuild({ rateLimits: { apiKeyPerMinute: 3 } });
    const a = await signup(h, "rate");
    const key = await createKey(h, a, ["monitors:read"]);
    const url = `/api/v1/tenants/${a.slug}/monitors`;
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await call(h, "GET", url, { app: limited, apiKey: key.key });
      expect(ok.status).toBe(200);
      expect(ok.headers["ratelimit-limit"]).toBe("3");
      seen.push(Number(ok.headers["ratelimit-remaining"]));
    }
    expect(seen).toEqual([2, 1, 0]);
    const over = await call(h, "GET", url, { app: limited, apiKey: key.key });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe("API_RATE_LIMITED");
    expect(Number(over.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // Another key of the same tenant has its own bucket; the user token is not limited per key.
    expect((await call(h, "GET", url, { app: limited, token: a.token })).status).toBe(200);
  });
});

it("the Redis rate limiter shares one bucket across limiter instances", async () => {
  const prefix = `argus:test:${randomBytes(6).toString("hex")}:`;
  const redisA = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: false, maxRetriesPerRequest: 1 });
  const redisB = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: false, maxRetriesPerRequest: 1 });
  try {
    const one = createRedisRateLimiter({ redis: redisA, prefix });
    const two = createRedisRateLimiter({ redis: redisB, prefix });
    const decisions = [await one.take("k", 2), await two.take("k", 2), await one.take("k", 2)];
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([1, 0, 0]);
    expect(decisions[2]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await two.take("other", 2)).allowed).toBe(true);
  } finally {
    const keys = await redisA.keys(`${prefix}*`);
    if (keys.length > 0) await redisA.del(...keys);
    redisA.disconnect();
    redisB.disconnect();
  }
});
