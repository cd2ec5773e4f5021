import { expect, it } from "vitest";
import { DEFAULT_TENANT_ID, monitors, networks, tenants, triggers } from "../../../src/store/index.js";
import { describeStoreContract } from "./support.js";

describeStoreContract("tenants", (h) => {
  it("tenants.create() stores a tenant with defaults; slugs are unique", async () => {
    const tenant = await tenants.create(h.store, { slug: "acme", name: "Acme" });
    expect(tenant).toMatchObject({
      slug: "acme",
      name: "Acme",
      plan: "free",
      status: "active",
      limits: {},
      deletedAt: null,
    });
    expect(tenant.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await tenants.getBySlug(h.store, "acme")).toEqual(tenant);
    await expect(tenants.create(h.store, { slug: "acme", name: "Again" })).rejects.toMatchObject({
      code: "STORE_CONFLICT",
      constraint: "tenants_slug_unique",
    });
    await expect(tenants.create(h.store, { slug: "Not A Slug", name: "x" })).rejects.toMatchObject({
      code: "STORE_INVALID_ARGUMENT",
    });
  });

  it("tenants.setStatus() suspends and reactivates; limits are JSON", async () => {
    const tenant = await tenants.create(h.store, { slug: "beta", name: "Beta", limits: { monitors: 10 } });
    expect((await tenants.setStatus(h.store, tenant.id, "suspended")).status).toBe("suspended");
    expect(await tenants.get(h.store, tenant.id)).toMatchObject({ status: "suspended", limits: { monitors: 10 } });
    await expect(tenants.setStatus(h.store, "nobody", "active")).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
  });

  it("the default tenant is there", async () => {
    expect(await tenants.get(h.store, DEFAULT_TENANT_ID)).toMatchObject({ slug: "default", status: "active" });
  });
});

describeStoreContract("networks", (h) => {
  const evm = (slug: string, extra: object = {}) => ({ name: slug, slug, network_type: "EVM", ...extra });

  it("networks.save() creates, is a no-op for identical config, and bumps the version on change", async () => {
    const created = await networks.save(h.store, {
      tenantId: null,
      slug: "eth",
      networkType: "EVM",
      config: evm("eth"),
    });
    expect(created).toMatchObject({ tenantId: null, slug: "eth", version: 1 });
    const same = await networks.save(h.store, { tenantId: null, slug: "eth", networkType: "EVM", config: evm("eth") });
    expect(same).toEqual(created);
    const changed = await networks.save(h.store, {
      tenantId: null,
      slug: "eth",
      networkType: "EVM",
      config: evm("eth", { block_time_ms: 12000 }),
    });
    expect(changed).toMatchObject({ id: created.id, version: 2, config: evm("eth", { block_time_ms: 12000 }) });
  });

  it("slugs are unique per scope: a tenant may have a private network with a platform slug", async () => {
    const tenant = await tenants.create(h.store, { slug: "acme", name: "Acme" });
    const other = await tenants.create(h.store, { slug: "other", name: "Other" });
    const platform = await networks.save(h.store, { tenantId: null, slug: "eth", networkType: "EVM", config: {} });
    const mine = await networks.save(h.store, { tenantId: tenant.id, slug: "eth", networkType: "EVM", config: {} });
    expect(mine.id).not.toBe(platform.id);
    expect((await networks.getBySlug(h.store, tenant.id, "eth"))?.id).toBe(mine.id);
    expect((await networks.getBySlug(h.store, null, "eth"))?.id).toBe(platform.id);
    expect((await networks.list(h.store, tenant.id)).map((n) => n.id).sort()).toEqual([platform.id, mine.id].sort());
    expect((await networks.list(h.store, other.id)).map((n) => n.id)).toEqual([platform.id]);
    expect((await networks.list(h.store)).map((n) => n.id)).toEqual([platform.id]);
  });

  it("networks.remove() soft-deletes; the slug can then be used again", async () => {
    const first = await networks.save(h.store, { tenantId: null, slug: "sepolia", networkType: "EVM", config: {} });
    await networks.remove(h.store, first.id);
    expect(await networks.getBySlug(h.store, null, "sepolia")).toBeNull();
    expect((await networks.get(h.store, first.id))?.deletedAt).toBeInstanceOf(Date);
    const second = await networks.save(h.store, { tenantId: null, slug: "sepolia", networkType: "EVM", config: {} });
    expect(second.id).not.toBe(first.id);
    await expect(networks.remove(h.store, first.id)).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
  });
});

describeStoreContract("monitors", (h) => {
  it("monitors.save() versions every change and keeps the config history", async () => {
    const v1 = await monitors.save(h.store, { tenantId: DEFAULT_TENANT_ID, name: "usdc", config: { b: 1, a: 2 } });
    expect(v1).toMatchObject({ version: 1, paused: false, throttle: null });
    expect(
      await monitors.save(h.store, { tenantId: DEFAULT_TENANT_ID, id: v1.id, name: "usdc", config: { b: 1, a: 2 } }),
    ).toEqual(v1);
    const v2 = await monitors.save(h.store, {
      tenantId: DEFAULT_TENANT_ID,
      id: v1.id,
      name: "usdc",
      config: { b: 1, a: 3 },
      throttle: { minIntervalMs: 60_000 },
    });
    const v3 = await monitors.save(h.store, {
      tenantId: DEFAULT_TENANT_ID,
      id: v1.id,
      name: "usdc",
      config: { b: 1, a: 3 },
      throttle: { minIntervalMs: 60_000 },
      paused: true,
    });
    expect([v2.version, v3.version]).toEqual([2, 3]);
    expect(v3).toMatchObject({ paused: true, throttle: { minIntervalMs: 60_000 } });
    const history = await monitors.history(h.store, DEFAULT_TENANT_ID, v1.id);
    expect(history.map((v) => [v.version, v.config, v.paused, v.throttle])).toEqual([
      [1, { b: 1, a: 2 }, false, null],
      [2, { b: 1, a: 3 }, false, { minIntervalMs: 60_000 }],
      [3, { b: 1, a: 3 }, true, { minIntervalMs: 60_000 }],
    ]);
    expect(JSON.stringify(history[0]?.config)).toBe('{"b":1,"a":2}');
  });

  it("monitor names are unique per tenant among live monitors; reads are tenant-scoped", async () => {
    const other = await tenants.create(h.store, { slug: "other", name: "Other" });
    const mine = await monitors.save(h.store, { tenantId: DEFAULT_TENANT_ID, name: "same", config: {} });
    const theirs = await monitors.save(h.store, { tenantId: other.id, name: "same", config: {} });
    await expect(
      monitors.save(h.store, { tenantId: DEFAULT_TENANT_ID, name: "same", config: {} }),
    ).rejects.toMatchObject({
      code: "STORE_CONFLICT",
    });
    expect(await monitors.get(h.store, other.id, mine.id)).toBeNull();
    expect((await monitors.getByName(h.store, other.id, "same"))?.id).toBe(theirs.id);
    expect((await monitors.list(h.store, DEFAULT_TENANT_ID)).map((m) => m.id)).toEqual([mine.id]);
    await monitors.remove(h.store, DEFAULT_TENANT_ID, mine.id);
    expect(await monitors.list(h.store, DEFAULT_TENANT_ID)).toEqual([]);
    await expect(monitors.remove(h.store, other.id, mine.id)).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
    const again = await monitors.save(h.store, { tenantId: DEFAULT_TENANT_ID, name: "same", config: {} });
    expect(again.id).not.toBe(mine.id);
  });

  it("monitors.save() rejects a malformed throttle policy", async () => {
    await expect(
      monitors.save(h.store, {
        tenantId: DEFAULT_TENANT_ID,
        name: "x",
        config: {},
        throttle: { threshold: { count: 0, windowMs: 1 } },
      }),
    ).rejects.toMatchObject({ code: "STORE_INVALID_ARGUMENT", path: ["throttle"] });
  });

  it("a monitor cannot belong to a tenant that does not exist", async () => {
    await expect(monitors.save(h.store, { tenantId: "ghost", name: "x", config: {} })).rejects.toMatchObject({
      code: "STORE_REFERENCE_INVALID",
    });
  });
});

describeStoreContract("triggers", (h) => {
  it("triggers.save() upserts by key with version history; keys are unique per tenant", async () => {
    const other = await tenants.create(h.store, { slug: "other", name: "Other" });
    const v1 = await triggers.save(h.store, {
      tenantId: DEFAULT_TENANT_ID,
      key: "ops",
      triggerType: "webhook",
      config: { url: "a" },
    });
    const v2 = await triggers.save(h.store, {
      tenantId: DEFAULT_TENANT_ID,
      key: "ops",
      triggerType: "webhook",
      config: { url: "b" },
    });
    expect(v2).toMatchObject({ id: v1.id, version: 2, config: { url: "b" } });
    const theirs = await triggers.save(h.store, { tenantId: other.id, key: "ops", triggerType: "slack", config: {} });
    expect(theirs.id).not.toBe(v1.id);
    expect((await triggers.getByKey(h.store, other.id, "ops"))?.id).toBe(theirs.id);
    expect(await triggers.get(h.store, other.id, v1.id)).toBeNull();
    expect((await triggers.history(h.store, DEFAULT_TENANT_ID, v1.id)).map((t) => t.config)).toEqual([
      { url: "a" },
      { url: "b" },
    ]);
    await triggers.remove(h.store, DEFAULT_TENANT_ID, v1.id);
    expect(await triggers.list(h.store, DEFAULT_TENANT_ID)).toEqual([]);
  });
});
