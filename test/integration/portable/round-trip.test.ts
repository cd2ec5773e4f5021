/**
 * Import/export of OZ config directories: OZ's own examples (with the scripts they reference, in OZ's layout) go
 * into a tenant and come back out JSON-equal file by file, on PGlite and PostgreSQL; invalid input changes nothing;
 * and `argus import` / `argus export` do the same as real processes.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ConfigBundle,
  exportBundle,
  importBundle,
  PortableError,
  readConfigDir,
  writeConfigDir,
} from "../../../src/portable/index.js";
import { createKeyring } from "../../../src/secrets/index.js";
import { DEFAULT_TENANT_ID, monitors, networks, tenants, triggerScripts, triggers } from "../../../src/store/index.js";
import { repoRoot, runArgus, sharedFixtures } from "../../support/cli.js";
import { createTestDataDir, describeStoreContract } from "../store/support.js";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** OZ's examples in OZ's layout (`<root>/config/…` with the scripts), without the Telegram example (invalid token). */
function exampleConfig(options: { withTelegram?: boolean } = {}): { root: string; config: string } {
  const root = mkdtempSync(path.join(tmpdir(), "argus-portable-"));
  roots.push(root);
  const config = path.join(root, "config");
  cpSync(path.join(sharedFixtures, "examples/config"), config, { recursive: true });
  cpSync(path.join(repoRoot, "test/fixtures/config/oz-layout"), config, { recursive: true });
  if (!options.withTelegram) rmSync(path.join(config, "triggers/telegram_notifications.json"));
  return { root, config };
}

/** The Midnight example reads its viewing key from the environment, as OZ's example intends. */
const env = { MIDNIGHT_VIEWING_KEY: "0".repeat(64) };
const keyring = createKeyring({ keys: [{ id: "k1", key: Buffer.alloc(32, 7) }] });
/** OZ's examples without the Midnight monitor, whose `Environment` secret tenants may not use. */
function withoutMidnight(bundle: ConfigBundle): ConfigBundle {
  const { "midnight_testnet_bulletin_post.json": _, ...monitorsLeft } = bundle.monitors;
  return { ...bundle, monitors: monitorsLeft };
}

/** Every JSON and script file below `dir`, relative path → parsed JSON or text. */
function filesOf(dir: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(dir, relative))) {
      const file = relative === "" ? name : `${relative}/${name}`;
      const absolute = path.join(dir, file);
      if (statSync(absolute).isDirectory()) walk(file);
      else if (name.endsWith(".json")) out.set(file, JSON.parse(readFileSync(absolute, "utf8")));
      else if (/\.(sh|py|js)$/.test(name)) out.set(file, readFileSync(absolute, "utf8"));
    }
  };
  walk("");
  return out;
}

describeStoreContract("import/export of OZ config bundles", (h) => {
  it("imports OZ's examples (single-tenant) and exports them JSON-equal, file by file; secrets encrypted at rest", async () => {
    const { config } = exampleConfig();
    const bundle = await readConfigDir(config);
    expect(Object.keys(bundle.networks)).toHaveLength(35);
    expect(Object.keys(bundle.monitors)).toHaveLength(6);
    expect(Object.keys(bundle.scripts).sort()).toEqual([
      "filters/evm_filter_block_number.sh",
      "filters/stellar_filter_block_number.sh",
      "triggers/scripts/custom_notification.sh",
    ]);
    const tenant = { id: DEFAULT_TENANT_ID };
    const result = await importBundle(h.store, tenant.id, bundle, { env, keyring });
    expect(result.saved.monitors).toHaveLength(6);

    // Networks are private to the tenant; monitors, triggers and scripts are the tenant's.
    expect(await networks.getBySlug(h.store, tenant.id, "ethereum_mainnet")).not.toBeNull();
    expect(await networks.getBySlug(h.store, null, "ethereum_mainnet")).toBeNull();
    const storedTriggers = await triggers.list(h.store, tenant.id);
    expect(storedTriggers.length).toBeGreaterThan(6);
    // Plain secrets are envelopes at rest: the Slack webhook URL is nowhere in the stored JSON.
    const slack = storedTriggers.find((t) => t.triggerType === "slack")!;
    expect(JSON.stringify(slack.config)).toContain("argus:v1:");
    expect(JSON.stringify(slack.config)).not.toContain("hooks.slack.com");
    expect((await triggerScripts.list(h.store, tenant.id)).map((s) => s.path)).toEqual(
      Object.keys(bundle.scripts).sort(),
    );

    const exported = await exportBundle(h.store, tenant.id, { platformNetworks: "referenced", keyring });
    expect(exported).toEqual(bundle);

    // And through the disk: the written directory has the same files with JSON-equal content.
    const out = mkdtempSync(path.join(tmpdir(), "argus-export-"));
    roots.push(out);
    await writeConfigDir(out, exported);
    expect(filesOf(out)).toEqual(filesOf(config));

    // Importing the same bundle again changes nothing (no new versions).
    const again = await importBundle(h.store, tenant.id, bundle, { env, keyring });
    expect(again.saved).toEqual({ networks: [], monitors: [], triggers: [], scripts: [] });
  });

  it("refuses a tenant's Environment secrets; without them a tenant's import round-trips too", async () => {
    const { config } = exampleConfig();
    const bundle = await readConfigDir(config);
    const tenant = await tenants.create(h.store, { slug: "acme", name: "Acme", plan: "enterprise" });
    const error = await importBundle(h.store, tenant.id, bundle, { keyring }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortableError);
    const problems = (error as PortableError).problems;
    expect(problems.map((p) => [p.file, p.code])).toContainEqual([
      "monitors/midnight_testnet_bulletin_post.json",
      "SECRET_ENVIRONMENT_FORBIDDEN",
    ]);
    for (const problem of problems) expect(problem.file).toBe("monitors/midnight_testnet_bulletin_post.json");
    expect(await monitors.list(h.store, tenant.id)).toEqual([]);

    const allowed = withoutMidnight(bundle);
    await importBundle(h.store, tenant.id, allowed, { keyring });
    expect(await exportBundle(h.store, tenant.id, { keyring })).toEqual(allowed);
  });

  it("rejects an invalid bundle with every problem and stores nothing of it", async () => {
    const { config } = exampleConfig({ withTelegram: true });
    const bundle = withoutMidnight(await readConfigDir(config));
    const tenant = await tenants.create(h.store, { slug: "beta", name: "Beta", plan: "team" });
    const error = await importBundle(h.store, tenant.id, bundle, { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortableError);
    const problems = (error as PortableError).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.file).toBe("triggers/telegram_notifications.json");
    expect(await monitors.list(h.store, tenant.id)).toEqual([]);
    expect(await triggers.list(h.store, tenant.id)).toEqual([]);
    expect((await networks.list(h.store, tenant.id)).filter((n) => n.tenantId !== null)).toEqual([]);
  });

  it("lets a bundle use the tenant's and the platform's networks, and replace drops what the bundle lacks", async () => {
    const tenant = await tenants.create(h.store, { slug: "gamma", name: "Gamma", plan: "team" });
    const { config } = exampleConfig();
    const full = withoutMidnight(await readConfigDir(config));
    // The operator provides the networks platform-wide; the tenant imports monitors and triggers only.
    await importBundle(
      h.store,
      tenant.id,
      { ...full, monitors: {}, triggers: {}, scripts: {} },
      {
        env,
        platformNetworks: true,
      },
    );
    expect(await networks.getBySlug(h.store, null, "ethereum_mainnet")).not.toBeNull();
    const tenantPart: ConfigBundle = { ...full, networks: {} };
    await importBundle(h.store, tenant.id, tenantPart, { env });
    // The export holds the platform networks the monitors use, so it validates on its own.
    const exported = await exportBundle(h.store, tenant.id);
    expect(Object.keys(exported.monitors).sort()).toEqual(Object.keys(full.monitors).sort());
    const used = new Set(Object.values(full.monitors).flatMap((m) => (m as { networks: string[] }).networks));
    expect(new Set(Object.values(exported.networks).map((n) => (n as { slug: string }).slug))).toEqual(used);

    // Replace with one monitor: the others are deleted.
    const [first] = Object.entries(full.monitors);
    await importBundle(
      h.store,
      tenant.id,
      { ...tenantPart, monitors: Object.fromEntries([first!]) },
      {
        env,
        replace: true,
      },
    );
    expect((await monitors.list(h.store, tenant.id)).map((m) => m.name)).toEqual([
      (first![1] as { name: string }).name,
    ]);
  });
});

describe("argus import / argus export as processes", () => {
  it("round-trips OZ's examples through a data directory", async () => {
    const { config } = exampleConfig();
    const data = await createTestDataDir({ migrated: true });
    roots.push(data.dir);
    // The built-in tenant (single-tenant mode) may use the operator's environment, as the Midnight example does.
    const imported = await runArgus(["import", "--tenant", "default", "--config-dir", config, "--data-dir", data.dir], {
      env,
    });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/Imported into tenant 'default': 35 network\(s\), 6 monitor\(s\)/);
    const out = mkdtempSync(path.join(tmpdir(), "argus-export-"));
    roots.push(out);
    const exported = await runArgus(["export", "--tenant", "default", "--out", out, "--data-dir", data.dir]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(filesOf(out)).toEqual(filesOf(config));

    // Unknown tenant: exit 1 with a message; invalid directory: every problem on stdout, exit 1.
    const missing = await runArgus(["export", "--tenant", "nobody", "--out", out, "--data-dir", data.dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no tenant 'nobody'");
    const invalid = exampleConfig({ withTelegram: true });
    const rejected = await runArgus(
      ["import", "--tenant", "default", "--config-dir", invalid.config, "--data-dir", data.dir],
      { env },
    );
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toMatch(/^triggers\/telegram_notifications\.json: \$\.\w+\.config\.token: /m);
    const badPlan = await runArgus(
      ["import", "--tenant", "newco", "--plan", "gold", "--config-dir", config, "--data-dir", data.dir],
      { env },
    );
    expect(badPlan.code).toBe(2);
    expect(badPlan.stderr).toContain("--plan must be one of free, team, enterprise, self-hosted");
  }, 60_000);
});
