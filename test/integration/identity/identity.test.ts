/** Identity flows on real databases (PGlite and PostgreSQL): signup, login, refresh rotation and reuse, API keys. */
import { expect, it } from "vitest";
import { createIdentity, type Identity } from "../../../src/identity/index.js";
import {
  apiKeys,
  audit,
  memberships,
  refreshTokens,
  type Store,
  tenants,
  users,
  withTenant,
} from "../../../src/store/index.js";
import { describeStoreContract } from "../store/support.js";

const meta = { ip: "198.51.100.7", userAgent: "vitest", requestId: "req-1" };

function setup(store: Store, start = new Date("2030-01-01T00:00:00Z")) {
  const clock = { now: start };
  const identity = createIdentity({
    store,
    jwtSecret: "test-secret-that-is-at-least-32-bytes!",
    issuer: "https://argus.test",
    audience: "argus-api",
    accessTtlSec: 600,
    refreshTtlSec: 3600,
    now: () => clock.now,
  });
  const advance = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  return { identity, advance };
}

let n = 0;
async function signup(identity: Identity, slug?: string) {
  n += 1;
  const suffix = `${n}-${Math.random().toString(16).slice(2, 8)}`;
  return identity.signup({
    email: `User.${suffix}@Example.com`,
    password: "a long enough password",
    tenantSlug: slug ?? `acme-${suffix}`,
    tenantName: "Acme",
    meta,
  });
}

describeStoreContract("identity", (h) => {
  it("signup() creates user, tenant, owner membership, session and audit rows together", async () => {
    const { identity } = setup(h.store);
    const result = await signup(identity);
    expect(result.user.email).toMatch(/^user\.\d+-[0-9a-f]+@example\.com$/);
    expect(result.user).not.toHaveProperty("passwordHash");
    expect(await memberships.get(h.store, result.tenant.id, result.user.id)).toMatchObject({ role: "owner" });
    const tenantAudit = await audit.list(h.store, result.tenant.id);
    expect(tenantAudit.items.map((e) => e.action).sort()).toEqual(["member.add", "tenant.create"]);
    expect(tenantAudit.items[0]).toMatchObject({ actorType: "user", actorId: result.user.id, ...meta });
    const platformAudit = await audit.list(h.store, null, { actorId: result.user.id });
    expect(platformAudit.items.map((e) => e.action)).toEqual(["auth.signup"]);
    expect(JSON.stringify(platformAudit.items, (_k, v) => (typeof v === "bigint" ? `${v}` : v))).not.toContain(
      "argon2",
    );
    const principal = await identity.verifyAccessToken(result.tokens.accessToken);
    expect(principal).toEqual({
      kind: "user",
      userId: result.user.id,
      email: result.user.email,
      platformOperator: false,
      sessionId: result.tokens.sessionId,
    });
  });

  it("signup() is atomic: a taken slug or e-mail leaves nothing behind", async () => {
    const { identity } = setup(h.store);
    const first = await signup(identity);
    const before = await h.store.db.execute("select count(*)::int as n from users");
    await expect(signup(identity, first.tenant.slug)).rejects.toMatchObject({
      code: "SLUG_TAKEN",
      path: ["tenantSlug"],
    });
    await expect(
      identity.signup({
        email: first.user.email.toUpperCase(),
        password: "a long enough password",
        tenantSlug: "fresh-slug",
        tenantName: "X",
      }),
    ).rejects.toMatchObject({ code: "EMAIL_TAKEN", path: ["email"] });
    expect(await tenants.getBySlug(h.store, "fresh-slug")).toBeNull();
    expect(await h.store.db.execute("select count(*)::int as n from users")).toMatchObject({
      rows: (before as unknown as { rows: unknown[] }).rows,
    });
    await expect(signup(identity, "Bad Slug")).rejects.toMatchObject({
      code: "IDENTITY_INVALID_INPUT",
      path: ["tenantSlug"],
    });
    await expect(
      identity.signup({ email: "a@b.co", password: "short", tenantSlug: "ok-slug", tenantName: "X" }),
    ).rejects.toMatchObject({ code: "IDENTITY_INVALID_INPUT", path: ["password"] });
  });

  it("login(): the same INVALID_CREDENTIALS for an unknown address and a wrong password", async () => {
    const { identity } = setup(h.store);
    const { user } = await signup(identity);
    const unknown = await identity
      .login({ email: "nobody@example.com", password: "a long enough password" })
      .catch((e: unknown) => e);
    const wrong = await identity.login({ email: user.email, password: "not the password" }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect(wrong).toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect((unknown as Error).message).toBe((wrong as Error).message);
    const ok = await identity.login({
      email: ` ${user.email.toUpperCase()} `,
      password: "a long enough password",
      meta,
    });
    expect(ok.user.id).toBe(user.id);
    expect(ok.user.lastLoginAt).toBeInstanceOf(Date);
    expect((await identity.verifyAccessToken(ok.tokens.accessToken)).userId).toBe(user.id);
    expect((await audit.list(h.store, null, { action: "auth.login" })).items).toHaveLength(1);
  });

  // Without the dummy verification an unknown address answers ~50× faster than a wrong password (no argon2 run);
  // a 10× bound on medians still catches that, and tolerates a loaded machine.
  it("login() does not reveal addresses through timing (unknown vs wrong password within 10×)", async () => {
    const { identity } = setup(h.store);
    const { user } = await signup(identity);
    await identity.login({ email: "warm@example.com", password: "x".repeat(12) }).catch(() => undefined);
    const time = async (email: string) => {
      const started = performance.now();
      await identity.login({ email, password: "wrong password!" }).catch(() => undefined);
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
    const unknown = median([
      await time("nobody@example.com"),
      await time("n2@example.com"),
      await time("n3@example.com"),
    ]);
    const known = median([await time(user.email), await time(user.email), await time(user.email)]);
    expect(unknown).toBeGreaterThan(known / 10);
    expect(known).toBeGreaterThan(unknown / 10);
  });

  it("refresh() rotates; reusing a rotated token revokes the whole family and fails", async () => {
    const { identity, advance } = setup(h.store);
    const { tokens: first } = await signup(identity);
    advance(10);
    const second = await identity.refresh({ refreshToken: first.refreshToken, meta });
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    const third = await identity.refresh({ refreshToken: second.refreshToken });
    // The thief replays the first token: the session dies, for the thief and for the user.
    await expect(identity.refresh({ refreshToken: first.refreshToken, meta })).rejects.toMatchObject({
      code: "REFRESH_REUSED",
    });
    await expect(identity.refresh({ refreshToken: third.refreshToken })).rejects.toMatchObject({
      code: "SESSION_REVOKED",
    });
    await expect(identity.verifyAccessToken(third.accessToken)).rejects.toMatchObject({ code: "SESSION_REVOKED" });
    expect(await refreshTokens.getSession(h.store, first.sessionId)).toMatchObject({ revokedReason: "refresh_reused" });
    expect((await audit.list(h.store, null, { action: "auth.refresh_reused" })).items).toMatchObject([
      { resourceId: first.sessionId, ip: meta.ip },
    ]);
  });

  it("refresh(): concurrent use of one token yields exactly one new pair", async () => {
    const { identity } = setup(h.store);
    const { tokens } = await signup(identity);
    const results = await Promise.allSettled([
      identity.refresh({ refreshToken: tokens.refreshToken }),
      identity.refresh({ refreshToken: tokens.refreshToken }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "REFRESH_REUSED" } });
  });

  it("refresh tokens and access tokens expire; unknown and malformed tokens are invalid", async () => {
    const { identity, advance } = setup(h.store);
    const { tokens } = await signup(identity);
    advance(600 + 6); // past exp and the 5 s clock tolerance
    await expect(identity.verifyAccessToken(tokens.accessToken)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
    const fresh = await identity.refresh({ refreshToken: tokens.refreshToken });
    expect((await identity.verifyAccessToken(fresh.accessToken)).sessionId).toBe(tokens.sessionId);
    advance(3601);
    await expect(identity.refresh({ refreshToken: fresh.refreshToken })).rejects.toMatchObject({
      code: "TOKEN_EXPIRED",
    });
    await expect(identity.refresh({ refreshToken: `argus_rt_${"A".repeat(43)}` })).rejects.toMatchObject({
      code: "TOKEN_INVALID",
    });
    await expect(identity.refresh({ refreshToken: "nonsense" })).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    await expect(identity.verifyAccessToken("a.b.c")).rejects.toMatchObject({ code: "TOKEN_INVALID" });
  });

  it("logout() ends the session: its refresh token and access tokens stop working; other sessions live on", async () => {
    const { identity } = setup(h.store);
    const { user, tokens } = await signup(identity);
    const other = await identity.login({ email: user.email, password: "a long enough password" });
    await identity.logout({ refreshToken: tokens.refreshToken, meta });
    await identity.logout({ refreshToken: tokens.refreshToken }); // idempotent
    await expect(identity.verifyAccessToken(tokens.accessToken)).rejects.toMatchObject({ code: "SESSION_REVOKED" });
    await expect(identity.refresh({ refreshToken: tokens.refreshToken })).rejects.toMatchObject({
      code: "SESSION_REVOKED",
    });
    expect((await identity.verifyAccessToken(other.tokens.accessToken)).userId).toBe(user.id);
    expect((await audit.list(h.store, null, { action: "auth.logout" })).items).toHaveLength(1);
    await expect(
      identity.revokeSession({ userId: "someone-else", sessionId: other.tokens.sessionId }),
    ).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    expect(await identity.revokeAllSessions({ userId: user.id })).toBe(1);
    await expect(identity.verifyAccessToken(other.tokens.accessToken)).rejects.toMatchObject({
      code: "SESSION_REVOKED",
    });
  });

  it("a deleted user's tokens fail; an operator's principal says so", async () => {
    const { identity } = setup(h.store);
    const a = await signup(identity);
    await users.update(h.store, a.user.id, { platformRole: "operator" });
    expect((await identity.verifyAccessToken(a.tokens.accessToken)).platformOperator).toBe(true);
    await users.remove(h.store, a.user.id);
    await expect(identity.verifyAccessToken(a.tokens.accessToken)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    await expect(identity.refresh({ refreshToken: a.tokens.refreshToken })).rejects.toMatchObject({
      code: "TOKEN_INVALID",
    });
  });

  it("API keys: shown once, verified by hash, scoped, expiring, revocable, last use tracked, audited", async () => {
    const { identity, advance } = setup(h.store);
    const { user, tenant } = await signup(identity);
    const created = await withTenant(h.store, tenant.id, (scoped) =>
      identity.createApiKey(scoped, {
        tenantId: tenant.id,
        name: " ci ",
        scopes: ["monitors:write", "matches:read", "monitors:read"],
        role: "member",
        expiresAt: new Date("2030-01-02T00:00:00Z"),
        createdBy: user.id,
        meta,
      }),
    );
    expect(created.key).toMatch(/^argus_[0-9a-f]{12}_/);
    expect(created.record).toMatchObject({ name: "ci", scopes: ["monitors:read", "monitors:write", "matches:read"] });
    // The secret is everything after `argus_<12 hex>_` (base64url: it may itself contain "_").
    expect(JSON.stringify(created.record)).not.toContain(created.key.slice("argus_".length + 12 + 1));
    const principal = await identity.verifyApiKey(created.key);
    expect(principal).toEqual({
      kind: "api_key",
      apiKeyId: created.record.id,
      tenantId: tenant.id,
      scopes: ["monitors:read", "monitors:write", "matches:read"],
      role: "member",
    });
    const [stored] = await withTenant(h.store, tenant.id, (s) => apiKeys.list(s, tenant.id));
    expect(stored?.lastUsedAt).toEqual(new Date("2030-01-01T00:00:00Z"));
    // One character changed in the secret: same prefix, wrong hash.
    const last = created.key.at(-1) === "A" ? "B" : "A";
    await expect(identity.verifyApiKey(`${created.key.slice(0, -1)}${last}`)).rejects.toMatchObject({
      code: "API_KEY_INVALID",
    });
    await expect(identity.verifyApiKey(`argus_000000000000_${"A".repeat(43)}`)).rejects.toMatchObject({
      code: "API_KEY_INVALID",
    });
    advance(24 * 3600);
    await expect(identity.verifyApiKey(created.key)).rejects.toMatchObject({ code: "API_KEY_EXPIRED" });
    const revoked = await withTenant(h.store, tenant.id, (scoped) =>
      identity.revokeApiKey(scoped, {
        tenantId: tenant.id,
        id: created.record.id,
        actor: { type: "user", id: user.id },
      }),
    );
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    await expect(identity.verifyApiKey(created.key)).rejects.toMatchObject({ code: "API_KEY_REVOKED" });
    const actions = (await audit.list(h.store, tenant.id, { resourceType: "api_key" })).items.map((e) => e.action);
    expect(actions).toEqual(["api_key.revoke", "api_key.create"]);
  });

  it("API keys: invalid input is refused with a path, and another tenant's scope cannot create or revoke", async () => {
    const { identity } = setup(h.store);
    const a = await signup(identity);
    const b = await signup(identity);
    const create = (scoped: Store, overrides: object) =>
      identity.createApiKey(scoped, {
        tenantId: a.tenant.id,
        name: "k",
        scopes: ["monitors:read"],
        role: "viewer",
        expiresAt: null,
        createdBy: a.user.id,
        ...overrides,
      });
    await expect(
      withTenant(h.store, a.tenant.id, (s) => create(s, { scopes: ["monitors:read", "root"] })),
    ).rejects.toMatchObject({ code: "IDENTITY_INVALID_INPUT", path: ["scopes", 1] });
    await expect(withTenant(h.store, a.tenant.id, (s) => create(s, { scopes: [] }))).rejects.toMatchObject({
      path: ["scopes"],
    });
    await expect(
      withTenant(h.store, a.tenant.id, (s) => create(s, { expiresAt: new Date("2020-01-01") })),
    ).rejects.toMatchObject({ path: ["expiresAt"] });
    await expect(withTenant(h.store, b.tenant.id, (s) => create(s, {}))).rejects.toMatchObject({
      code: "STORE_FORBIDDEN",
    });
    const key = await withTenant(h.store, a.tenant.id, (s) => create(s, {}));
    await expect(
      withTenant(h.store, b.tenant.id, (s) =>
        identity.revokeApiKey(s, { tenantId: a.tenant.id, id: key.record.id, actor: { type: "user", id: b.user.id } }),
      ),
    ).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
    expect((await identity.verifyApiKey(key.key)).tenantId).toBe(a.tenant.id);
  });
});
