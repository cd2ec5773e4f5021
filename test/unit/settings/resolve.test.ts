import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  describeSettings,
  loadSettings,
  ROLES,
  resolveSettings,
  SETTINGS,
  SettingsCode,
  SettingsError,
} from "../../../src/settings/index.js";

const cwd = "/srv/argus";
const SECRET = "s".repeat(32);

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).problems;
  }
  throw new Error("expected a SettingsError");
}

describe("resolveSettings", () => {
  it("uses defaults with nothing set: every role, embedded store, development", () => {
    const settings = resolveSettings({ env: {}, cwd });
    expect(settings.mode).toBe("development");
    expect(settings.roles).toEqual([...ROLES]);
    expect(settings.dataDir).toBe(path.resolve(cwd, ".argus/data"));
    expect(settings.database.url).toBeUndefined();
    expect(settings.http).toEqual({ port: 8081, host: "127.0.0.1" });
    expect(settings.scripts).toEqual({ allowPython: true, allowBash: true });
    expect(settings.sources["http.port"]).toBe("default");
  });

  it("takes a flag over the environment over the file over the default, and says where each came from", () => {
    const file = {
      path: "conf/argus.json",
      content: { http: { port: 9000, host: "0.0.0.0" }, redis: { keyPrefix: "f:" } },
    };
    const settings = resolveSettings({
      flags: { port: "7000" },
      env: { ARGUS_PORT: "8000", ARGUS_HOST: "10.0.0.1" },
      cwd,
      file,
    });
    expect(settings.http.port).toBe(7000);
    expect(settings.http.host).toBe("10.0.0.1");
    expect(settings.redis.keyPrefix).toBe("f:");
    expect(settings.sources).toMatchObject({
      "http.port": "flag --port",
      "http.host": "env ARGUS_HOST",
      "redis.keyPrefix": "file conf/argus.json",
    });
  });

  it("resolves relative paths against the working directory for flags and env, and the file's folder for the file", () => {
    const fromFile = resolveSettings({ env: {}, cwd, file: { path: "etc/argus.json", content: { dataDir: "data" } } });
    expect(fromFile.dataDir).toBe(path.resolve(cwd, "etc/data"));
    const fromEnv = resolveSettings({ env: { ARGUS_DATA_DIR: "d" }, cwd });
    expect(fromEnv.dataDir).toBe(path.resolve(cwd, "d"));
  });

  it("parses roles as a comma list, 'all' as every role, in a stable order", () => {
    expect(resolveSettings({ flags: { role: "worker,ingest" }, env: {}, cwd }).roles).toEqual(["ingest", "worker"]);
    expect(resolveSettings({ env: { ARGUS_ROLE: "all" }, cwd }).roles).toEqual([...ROLES]);
    const file = { path: "a.json", content: { roles: ["dispatch"] } };
    expect(resolveSettings({ env: {}, cwd, file }).roles).toEqual(["dispatch"]);
  });

  it("names the setting and its source for every invalid value, all at once", () => {
    const problems = problemsOf(() =>
      resolveSettings({
        flags: { port: "80a", role: "ingest,cook" },
        env: { REDIS_URL: "http://cache", ARGUS_SHARD_COUNT: "0", ARGUS_ALLOW_PRIVATE_NETWORKS: "yes" },
        cwd,
      }),
    );
    expect(problems.map((p) => [p.path.join("."), p.source])).toEqual([
      ["roles", "flag --role"],
      ["redis.url", "env REDIS_URL"],
      ["http.port", "flag --port"],
      ["security.allowPrivateNetworks", "env ARGUS_ALLOW_PRIVATE_NETWORKS"],
      ["shards.count", "env ARGUS_SHARD_COUNT"],
    ]);
    expect(problems.every((p) => p.code === SettingsCode.Invalid)).toBe(true);
    expect(problems.find((p) => p.path.join(".") === "http.port")?.message).toContain("[0, 65535]");
  });

  it("never echoes a secret's value in an error", () => {
    const problems = problemsOf(() => resolveSettings({ env: { DATABASE_URL: "mysql://root:hunter2@db/x" }, cwd }));
    expect(problems[0]?.message).not.toContain("hunter2");
    expect(problems[0]?.path).toEqual(["database", "url"]);
  });

  it("rejects unknown keys and non-objects in the settings file", () => {
    const problems = problemsOf(() =>
      resolveSettings({ env: {}, cwd, file: { path: "a.json", content: { http: { prot: 1 }, redis: "x" } } }),
    );
    expect(problems.map((p) => p.path.join("."))).toEqual(["http.prot", "redis"]);
  });

  it("refuses production mode without a JWT secret and master keys, and turns subprocess scripts off", () => {
    const problems = problemsOf(() => resolveSettings({ env: { ARGUS_MODE: "production" }, cwd }));
    expect(problems.map((p) => [p.code, p.path.join(".")])).toEqual([
      [SettingsCode.MissingInProduction, "security.jwtSecret"],
      [SettingsCode.MissingInProduction, "security.masterKeys"],
    ]);
    const env = { NODE_ENV: "production", ARGUS_JWT_SECRET: SECRET, ARGUS_MASTER_KEYS: "k1:abc" };
    const settings = resolveSettings({ env, cwd });
    expect(settings.mode).toBe("production");
    expect(settings.sources.mode).toBe("env NODE_ENV");
    expect(settings.scripts).toEqual({ allowPython: false, allowBash: false });
    expect(resolveSettings({ env: { ...env, ARGUS_ALLOW_BASH_SCRIPTS: "true" }, cwd }).scripts.allowBash).toBe(true);
    expect(resolveSettings({ env: { ...env, ARGUS_MODE: "development" }, cwd }).mode).toBe("development");
  });

  it("reads the shard cluster's tuning, decimals included, and refuses out-of-range values", () => {
    const settings = resolveSettings({
      env: { ARGUS_REBALANCE_THRESHOLD: "1.3", ARGUS_MAX_TENANTS_PER_WORKER: "500" },
      cwd,
    });
    expect(settings.shards).toMatchObject({
      rebalanceThreshold: 1.3,
      maxTenantsPerWorker: 500,
      minRebalanceIntervalMs: 30_000,
    });
    const problems = problemsOf(() => resolveSettings({ env: { ARGUS_REBALANCE_THRESHOLD: "0.9" }, cwd }));
    expect(problems[0]?.path).toEqual(["shards", "rebalanceThreshold"]);
    expect(problems[0]?.message).toContain("[1, 10]");
  });

  it("requires a JWT secret of at least 32 characters", () => {
    const problems = problemsOf(() => resolveSettings({ env: { ARGUS_JWT_SECRET: "short" }, cwd }));
    expect(problems[0]?.path).toEqual(["security", "jwtSecret"]);
    expect(problems[0]?.message).toContain("32");
  });

  it("documents every setting", () => {
    const text = describeSettings();
    for (const spec of SETTINGS) expect(text).toContain(spec.path.join("."));
  });
});

describe("loadSettings", () => {
  it("reads the file named by ARGUS_SETTINGS_FILE, and reports an unreadable one with its code", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "argus-settings-"));
    await writeFile(path.join(dir, "argus.json"), JSON.stringify({ nats: { subjectPrefix: "t1" } }));
    const settings = await loadSettings({ env: { ARGUS_SETTINGS_FILE: "argus.json" }, cwd: dir });
    expect(settings.nats.subjectPrefix).toBe("t1");
    await writeFile(path.join(dir, "bad.json"), "{nope");
    await expect(loadSettings({ env: {}, cwd: dir, filePath: "bad.json" })).rejects.toMatchObject({
      code: SettingsCode.FileUnreadable,
    });
  });
});
