import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity } from "../../../src/identity/index.js";
import { audit, createStore, DEFAULT_TENANT_ID, memberships, users } from "../../../src/store/index.js";
import { runArgusInProcess } from "../../support/cli.js";

const PASSWORD = "a long enough password";
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "argus-user-cli-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runArgusInProcess(["user", ...args, "--data-dir", dataDir], { ...process.env, ARGUS_LOG_LEVEL: "silent", ...env });

describe("argus user add", () => {
  it("creates a platform operator who owns the built-in tenant, with the password from the environment", async () => {
    const created = await run(["add", "--email", "Ops@Example.com", "--operator", "--tenant", "default"], {
      ARGUS_USER_PASSWORD: PASSWORD,
    });
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toContain("Created user ops@example.com");

    const store = await createStore({ dataDir });
    try {
      const user = await users.getByEmail(store, "ops@example.com");
      expect(user?.platformRole).toBe("operator");
      expect((await memberships.get(store, DEFAULT_TENANT_ID, user!.id))?.role).toBe("owner");
      const identity = createIdentity({ store, jwtSecret: "x".repeat(32), issuer: "argus", audience: "argus-api" });
      const login = await identity.login({ email: "ops@example.com", password: PASSWORD });
      expect(login.user.id).toBe(user!.id);
      const trail = await audit.list(store, null, { action: "user.create" });
      expect(trail.items.map((entry) => entry.resourceId)).toEqual([user!.id]);
      expect(JSON.stringify(trail.items.map((entry) => [entry.before, entry.after]))).not.toContain(PASSWORD);
    } finally {
      await store.close();
    }
  });

  it("refuses to demote the last owner, and then changes nothing at all", async () => {
    const args = ["add", "--email", "ops@example.com", "--no-operator", "--tenant", "default", "--role", "viewer"];
    const refused = await run(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/owner/);
    const store = await createStore({ dataDir });
    try {
      const user = await users.getByEmail(store, "ops@example.com");
      expect(user?.platformRole).toBe("operator");
      expect((await memberships.get(store, DEFAULT_TENANT_ID, user!.id))?.role).toBe("owner");
    } finally {
      await store.close();
    }
  });

  it("updates an existing user without a password: operator removal", async () => {
    const updated = await run(["add", "--email", "ops@example.com", "--no-operator"]);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain("Updated user ops@example.com");
    const store = await createStore({ dataDir });
    try {
      expect((await users.getByEmail(store, "ops@example.com"))?.platformRole).toBeNull();
    } finally {
      await store.close();
    }
  });

  it("refuses bad input with a usage error and writes nothing", async () => {
    const noPassword = await run(["add", "--email", "new@example.com"], { ARGUS_USER_PASSWORD: "" });
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toContain("ARGUS_USER_PASSWORD");
    expect((await run(["add", "--email", "x@example.com", "--role", "owner"])).code).toBe(2);
    expect((await run(["add", "--email", "x@example.com", "--tenant", "default", "--role", "god"])).code).toBe(2);
    expect((await run(["remove", "--email", "x@example.com"])).code).toBe(2);
    const unknownTenant = await run(["add", "--email", "y@example.com", "--tenant", "nope"], {
      ARGUS_USER_PASSWORD: PASSWORD,
    });
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.stderr).toContain("no tenant 'nope'");
    const store = await createStore({ dataDir });
    try {
      expect(await users.getByEmail(store, "new@example.com")).toBeNull();
      expect(await users.getByEmail(store, "y@example.com")).toBeNull();
    } finally {
      await store.close();
    }
  });
});
