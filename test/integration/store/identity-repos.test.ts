import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import {
  apiKeys,
  audit,
  limitsFor,
  memberships,
  monitors,
  PLAN_LIMITS,
  quotas,
  type Store,
  tenants,
  triggerScripts,
  usage,
  usagePeriod,
  users,
  withPlatform,
  withTenant,
} from "../../../src/store/index.js";
import { describeStoreContract } from "./support.js";

async function tenantWithOwner(store: Store, plan = "free", limits: Record<string, unknown> = {}) {
  const tenant = await tenants.create(store, { slug: `t-${randomUUID().slice(0, 8)}`, name: "T", plan, limits });
  const owner = await users.create(store, { email: `Owner-${randomUUID()}@Example.com`, passwordHash: "$argon2id$x" });
  await memberships.add(store, { tenantId: tenant.id, userId: owner.id, role: "owner" });
  return { tenant, owner };
}

describeStoreContract("users and memberships", (h) => {
  it("users.create() normalises the e-mail address, never returns the hash, and rejects duplicates", async () => {
    const user = await users.create(h.store, { email: "  Alice@Example.COM ", passwordHash: "$argon2id$secret" });
    expect(user.email).toBe("alice@example.com");
    expect(user).not.toHaveProperty("passwordHash");
    expect((await users.getByEmail(h.store, "ALICE@example.com"))?.id).toBe(user.id);
    expect((await users.getWithPasswordHash(h.store, "alice@example.com"))?.passwordHash).toBe("$argon2id$secret");
    await expect(users.create(h.store, { email: "alice@example.com", passwordHash: "x" })).rejects.toMatchObject({
      code: "STORE_CONFLICT",
      constraint: "users_email_unique",
    });
    await expect(users.create(h.store, { email: "not-an-email", passwordHash: "x" })).rejects.toMatchObject({
      code: "STORE_INVALID_ARGUMENT",
      path: ["email"],
    });
    await users.remove(h.store, user.id);
    expect(await users.get(h.store, user.id)).toBeNull();
    expect((await users.create(h.store, { email: "alice@example.com", passwordHash: "y" })).id).not.toBe(user.id);
  });

  it("memberships: get/list/setRole/remove, and a tenant never loses its last owner", async () => {
    const { tenant, owner } = await tenantWithOwner(h.store);
    const bob = await users.create(h.store, { email: `bob-${randomUUID()}@example.com`, passwordHash: "x" });
    await memberships.add(h.store, { tenantId: tenant.id, userId: bob.id, role: "viewer" });
    expect((await memberships.get(h.store, tenant.id, bob.id))?.role).toBe("viewer");
    const listed = await withTenant(h.store, tenant.id, (s) => memberships.list(s, tenant.id));
    expect(listed.map((m) => [m.email.startsWith("owner-"), m.role])).toEqual([
      [true, "owner"],
      [false, "viewer"],
    ]);
    await expect(memberships.setRole(h.store, tenant.id, owner.id, "admin")).rejects.toMatchObject({
      code: "STORE_INVALID_STATE",
    });
    await expect(memberships.remove(h.store, tenant.id, owner.id)).rejects.toMatchObject({
      code: "STORE_INVALID_STATE",
    });
    const { before, after } = await memberships.setRole(h.store, tenant.id, bob.id, "owner");
    expect([before.role, after.role]).toEqual(["viewer", "owner"]);
    expect((await memberships.setRole(h.store, tenant.id, owner.id, "member")).after.role).toBe("member");
    await memberships.remove(h.store, tenant.id, owner.id);
    expect(await memberships.get(h.store, tenant.id, owner.id)).toBeNull();
    expect(await memberships.listForUser(h.store, bob.id)).toHaveLength(1);
    await expect(memberships.remove(h.store, tenant.id, owner.id)).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
  });
});

describeStoreContract("apiKeys, audit, usage", (h) => {
  it("apiKeys: stored without exposing the hash; revoke is idempotent; touch writes at most once a minute", async () => {
    const { tenant, owner } = await tenantWithOwner(h.store);
    const key = await apiKeys.insert(h.store, {
      tenantId: tenant.id,
      name: "ci",
      prefix: randomUUID().replaceAll("-", "").slice(0, 12),
      keyHash: "ab".repeat(32),
      scopes: ["monitors:read"],
      role: "member",
      expiresAt: null,
      createdBy: owner.id,
    });
    expect(key).not.toHaveProperty("keyHash");
    expect((await apiKeys.findByPrefix(h.store, key.prefix))?.keyHash).toBe("ab".repeat(32));
    expect((await apiKeys.list(h.store, tenant.id)).map((k) => k.id)).toEqual([key.id]);
    const t0 = new Date("2030-01-01T00:00:00Z");
    expect(await apiKeys.touch(h.store, key.id, t0)).toBe(true);
    expect(await apiKeys.touch(h.store, key.id, new Date(t0.getTime() + 30_000))).toBe(false);
    expect(await apiKeys.touch(h.store, key.id, new Date(t0.getTime() + 61_000))).toBe(true);
    const first = await apiKeys.revoke(h.store, tenant.id, key.id, t0);
    expect(first.after.revokedAt).toEqual(t0);
    const again = await apiKeys.revoke(h.store, tenant.id, key.id, new Date());
    expect(again.after.revokedAt).toEqual(t0);
    await expect(apiKeys.revoke(h.store, randomUUID(), key.id)).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
  });

  it("audit.record() redacts secrets and commits with the change; list() filters and pages newest first", async () => {
    const { tenant, owner } = await tenantWithOwner(h.store);
    const actor = { type: "user" as const, id: owner.id };
    await withTenant(h.store, tenant.id, async (scoped) => {
      for (let i = 0; i < 5; i++) {
        await audit.record(scoped, {
          tenantId: tenant.id,
          actor,
          action: i % 2 === 0 ? "trigger.update" : "monitor.update",
          resourceType: i % 2 === 0 ? "trigger" : "monitor",
          resourceId: `r${i}`,
          before: { url: { type: "Plain", value: "https://hooks.example/old" }, keyHash: "deadbeef" },
          after: { url: { type: "plain", value: "argus:v1:k:abc" }, n: i, at: new Date(0), big: 1n },
          ip: "203.0.113.9",
          userAgent: "test",
          requestId: `req-${i}`,
        });
      }
    });
    await expect(
      withTenant(h.store, tenant.id, async (scoped) => {
        await audit.record(scoped, { tenantId: tenant.id, actor, action: "lost", resourceType: "x" });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    const page1 = await audit.list(h.store, tenant.id, { limit: 2 });
    expect(page1.items.map((e) => e.resourceId)).toEqual(["r4", "r3"]);
    expect(page1.items[0]).toMatchObject({
      before: { url: { type: "Plain", value: "***" }, keyHash: "***" },
      after: { url: { type: "plain", value: "***" }, n: 4, at: "1970-01-01T00:00:00.000Z", big: "1" },
      ip: "203.0.113.9",
      requestId: "req-4",
    });
    const page2 = await audit.list(h.store, tenant.id, { limit: 2, cursor: page1.nextCursor! });
    const page3 = await audit.list(h.store, tenant.id, { limit: 2, cursor: page2.nextCursor! });
    expect([...page2.items, ...page3.items].map((e) => e.resourceId)).toEqual(["r2", "r1", "r0"]);
    expect(page3.nextCursor).toBeNull();
    const triggersOnly = await audit.list(h.store, tenant.id, { resourceType: "trigger" });
    expect(triggersOnly.items.map((e) => e.resourceId)).toEqual(["r4", "r2", "r0"]);
    expect((await audit.list(h.store, tenant.id, { action: "lost" })).items).toEqual([]);
    await withPlatform(h.store, (s) =>
      audit.record(s, { tenantId: null, actor, action: "auth.login", resourceType: "session" }),
    );
    expect((await audit.list(h.store, null)).items.map((e) => e.action)).toEqual(["auth.login"]);
    expect((await audit.list(h.store, tenant.id)).items).toHaveLength(5);
  });

  it("usage.increment() is an atomic upsert: 20 parallel increments add up", async () => {
    const { tenant } = await tenantWithOwner(h.store);
    const period = usagePeriod("minute", new Date("2030-05-06T07:08:09Z"));
    expect(period).toBe("2030-05-06T07:08");
    expect(usagePeriod("day", new Date("2030-05-06T07:08:09Z"))).toBe("2030-05-06");
    await Promise.all(
      Array.from({ length: 20 }, () => usage.increment(h.store, { tenantId: tenant.id, metric: "api_calls", period })),
    );
    expect(await usage.increment(h.store, { tenantId: tenant.id, metric: "api_calls", period, by: 5n })).toBe(25n);
    expect(await usage.get(h.store, tenant.id, "api_calls", period)).toBe(25n);
    expect(await usage.get(h.store, tenant.id, "notifications", period)).toBe(0n);
    const listed = await usage.list(h.store, tenant.id, { metric: "api_calls", from: "2030-05-06", to: "2030-05-07" });
    expect(listed.map((c) => [c.period, c.value])).toEqual([[period, 25n]]);
  });
});

describeStoreContract("quotas", (h) => {
  it("limitsFor(): the plan's limits with valid per-tenant overrides; unknown plans get free", () => {
    expect(limitsFor({ plan: "team", limits: {} })).toEqual(PLAN_LIMITS.team);
    expect(limitsFor({ plan: "mystery", limits: {} })).toEqual(PLAN_LIMITS.free);
    expect(limitsFor({ plan: "free", limits: { monitors: 50, triggers: null, networks: -1, other: 3 } })).toEqual({
      ...PLAN_LIMITS.free,
      monitors: 50,
      triggers: null,
    });
    expect(limitsFor({ plan: "self-hosted", limits: {} }).monitors).toBeNull();
  });

  it("reserve() throws QUOTA_EXCEEDED at the limit, counts only live rows, and must run in a transaction", async () => {
    const { tenant } = await tenantWithOwner(h.store, "free", { monitors: 2 });
    const create = (name: string) =>
      withTenant(h.store, tenant.id, async (scoped) => {
        await quotas.reserve(scoped, tenant.id, "monitors");
        return monitors.save(scoped, { tenantId: tenant.id, name, config: { name } });
      });
    const first = await create("a");
    await create("b");
    const failure = create("c");
    await expect(failure).rejects.toMatchObject({ code: "QUOTA_EXCEEDED", path: ["monitors"] });
    await expect(failure).rejects.toThrow(/allows 2 monitors, and it has 2/);
    await monitors.remove(h.store, tenant.id, first.id);
    await create("c");
    await expect(quotas.reserve(h.store, tenant.id, "monitors")).rejects.toMatchObject({
      code: "STORE_INVALID_ARGUMENT",
    });
    expect(await quotas.limits(h.store, tenant.id)).toMatchObject({ monitors: 2, triggers: 10 });
  });

  it("20 parallel creates against a limit of 5 never exceed 5", async () => {
    const { tenant } = await tenantWithOwner(h.store, "free", { monitors: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        withTenant(h.store, tenant.id, async (scoped) => {
          await quotas.reserve(scoped, tenant.id, "monitors");
          return monitors.save(scoped, { tenantId: tenant.id, name: `m${i}`, config: { name: `m${i}` } });
        }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(5);
    expect(rejected.map((r) => (r.reason as { code: string }).code)).toEqual(Array(15).fill("QUOTA_EXCEEDED"));
    expect(await monitors.list(h.store, tenant.id)).toHaveLength(5);
  });
});

describeStoreContract("triggerScripts", (h) => {
  it("save() versions content changes, keeps history, validates paths, and is tenant-scoped", async () => {
    const { tenant } = await tenantWithOwner(h.store);
    const save = (content: string) =>
      triggerScripts.save(h.store, { tenantId: tenant.id, path: "filters/a.py", language: "Python", content });
    const v1 = await save("print(True)");
    expect(await save("print(True)")).toEqual(v1);
    const v2 = await save("print(False)");
    expect(v2).toMatchObject({ id: v1.id, version: 2 });
    expect((await triggerScripts.history(h.store, tenant.id, v1.id)).map((v) => v.content)).toEqual([
      "print(True)",
      "print(False)",
    ]);
    expect((await triggerScripts.getByPath(h.store, tenant.id, "filters/a.py"))?.version).toBe(2);
    expect(await triggerScripts.get(h.store, randomUUID(), v1.id)).toBeNull();
    for (const path of ["/etc/passwd", "../x.py", "a/../../b", "a//b", ""]) {
      await expect(
        triggerScripts.save(h.store, { tenantId: tenant.id, path, language: "Bash", content: "" }),
        path,
      ).rejects.toMatchObject({ code: "STORE_INVALID_ARGUMENT", path: ["path"] });
    }
    await triggerScripts.remove(h.store, tenant.id, v1.id);
    expect(await triggerScripts.list(h.store, tenant.id)).toEqual([]);
  });
});
