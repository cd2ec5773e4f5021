import type { LoadedConfig, SecretEnv } from "../config/index.js";
import type { Keyring } from "../secrets/index.js";
import {
  DEFAULT_TENANT_ID,
  monitors,
  networks,
  quotas,
  type Store,
  tenants,
  triggers,
  withPlatform,
} from "../store/index.js";
import { type ConfigBundle, scriptLanguageOf } from "./bundle.js";
import { PortableCode, PortableError } from "./errors.js";
import { environmentSecretProblems, seal, unseal } from "./secrets.js";
import { storedScripts } from "./stored-scripts.js";
import { validateBundle } from "./validate.js";

export interface ImportBundleOptions {
  /**
   * Environment for `Environment` secrets while validating. Tenants never read the server's environment, so the
   * default is none (such secrets then fail validation), except for the built-in single-tenant tenant.
   */
  env?: SecretEnv;
  /** Store the bundle's networks as platform-wide networks (an operator's import) instead of tenant-private ones. */
  platformNetworks?: boolean;
  /**
   * Make the tenant's configuration exactly the bundle: its monitors, triggers, scripts (and private networks) that
   * the bundle does not define are deleted (soft: history and matches stay). Default: merge (add and update only).
   */
  replace?: boolean;
  /** Encrypts every `Plain` secret of networks and triggers at rest (context: the tenant id, or `"platform"`). */
  keyring?: Keyring;
  /**
   * @internal The bundle was read from this directory, already loaded and found valid (`argus start` validates the
   * directory in place, where scripts outside it still resolve); it is not validated again.
   */
  validated?: LoadedConfig;
}

export interface ImportBundleResult {
  /** What was created or changed (unchanged entries are not listed), by slug / name / key / path. */
  saved: { networks: string[]; monitors: string[]; triggers: string[]; scripts: string[] };
  /** What `replace` deleted. */
  removed: { networks: string[]; monitors: string[]; triggers: string[]; scripts: string[] };
}

/**
 * Imports an OZ config bundle into a tenant, all or nothing: it is validated first exactly as `argus validate` does
 * (schemas, semantic rules, references, script files; networks and triggers the tenant already has may be referenced
 * without being in the bundle), then written in one transaction. An invalid bundle throws `PORTABLE_INVALID` with
 * every problem and changes nothing. The JSON is stored as written (secrets as given; `Environment` references
 * stay references). Monitors are matched by name, triggers by key, networks by slug, scripts by path: unchanged
 * entries keep their version, changed ones get a new version (and history), and the running engine picks them up
 * through the store's change notifications.
 */
export async function importBundle(
  store: Store,
  tenantId: string,
  bundle: ConfigBundle,
  options: ImportBundleOptions = {},
): Promise<ImportBundleResult> {
  if ((await tenants.get(store, tenantId)) === null) {
    throw new PortableError(PortableCode.TenantUnknown, `No tenant ${tenantId}.`, { path: ["tenant"] });
  }
  const knownNetworks = new Map((await networks.list(store, tenantId)).map((row) => [row.slug, row.config] as const));
  const knownTriggers = options.replace
    ? new Map<string, unknown>()
    : new Map((await triggers.list(store, tenantId)).map((row) => [row.key, row.config] as const));
  const env = options.env ?? (tenantId === DEFAULT_TENANT_ID ? process.env : {});
  const { loaded, problems } =
    options.validated === undefined
      ? await validateBundle(bundle, { env, knownNetworks, knownTriggers })
      : { loaded: options.validated, problems: [] };
  const errors = problems.filter((problem) => problem.severity === "error");
  // Only the built-in single-tenant tenant (the operator's own config) may read the server's environment.
  if (tenantId !== DEFAULT_TENANT_ID) {
    errors.push(...environmentSecretProblems(bundle, { networks: !options.platformNetworks }));
  }
  if (errors.length > 0) {
    throw new PortableError(
      PortableCode.Invalid,
      `The configuration has ${errors.length} problem(s); nothing was imported.`,
      { problems: errors, hint: "Run `argus validate --config-dir DIR` on it for the same report." },
    );
  }

  const result: ImportBundleResult = {
    saved: { networks: [], monitors: [], triggers: [], scripts: [] },
    removed: { networks: [], monitors: [], triggers: [], scripts: [] },
  };
  await withPlatform(store, async (tx) => {
    const networkTenant = options.platformNetworks ? null : tenantId;
    const slugs = new Set<string>();
    for (const [file, config] of Object.entries(bundle.networks)) {
      const { slug, network_type } = config as { slug: string; network_type: string };
      slugs.add(slug);
      const before = await networks.getBySlug(tx, networkTenant, slug);
      const sourceFile = `networks/${file}`;
      // Envelopes differ on every encryption: compare what the stored config decrypts to.
      if (
        before !== null &&
        before.sourceFile === sourceFile &&
        sameJson(unseal(options.keyring, networkTenant, before.config), config)
      )
        continue;
      const saved = await networks.save(tx, {
        tenantId: networkTenant,
        slug,
        networkType: network_type,
        config: seal(options.keyring, networkTenant, config),
        sourceFile,
      });
      if (before?.version !== saved.version || before.id !== saved.id) result.saved.networks.push(slug);
    }

    const keys = new Set<string>();
    for (const [file, entries] of Object.entries(bundle.triggers)) {
      for (const [key, config] of Object.entries(entries)) {
        keys.add(key);
        const before = await triggers.getByKey(tx, tenantId, key);
        const triggerType = String((config as { trigger_type?: unknown }).trigger_type);
        const sourceFile = `triggers/${file}`;
        if (
          before !== null &&
          before.sourceFile === sourceFile &&
          sameJson(unseal(options.keyring, tenantId, before.config), config)
        )
          continue;
        const sealed = seal(options.keyring, tenantId, config);
        const saved = await triggers.save(tx, { tenantId, key, triggerType, config: sealed, sourceFile });
        if (before?.version !== saved.version || before.id !== saved.id) result.saved.triggers.push(key);
      }
    }

    const paths = new Set<string>();
    const scripts = storedScripts();
    for (const [path, content] of Object.entries(bundle.scripts)) {
      const language = scriptLanguageOf(path);
      if (language === undefined) continue;
      paths.add(path);
      if (await scripts.save(tx, { tenantId, path, language, content })) result.saved.scripts.push(path);
    }

    const names = new Set<string>();
    for (const { monitor } of loaded.monitors.values()) names.add(monitor.name);
    for (const [file, config] of Object.entries(bundle.monitors)) {
      const name = (config as { name: string }).name;
      const parsed = loaded.monitors.get(name);
      const before = await monitors.getByName(tx, tenantId, name);
      const saved = await monitors.save(tx, {
        tenantId,
        ...(before === null ? {} : { id: before.id, throttle: before.throttle }),
        name,
        config,
        paused: parsed?.monitor.paused ?? false,
        sourceFile: `monitors/${file}`,
      });
      if (before?.version !== saved.version) result.saved.monitors.push(name);
    }

    if (options.replace) {
      for (const row of await monitors.list(tx, tenantId)) {
        if (names.has(row.name)) continue;
        await monitors.remove(tx, tenantId, row.id);
        result.removed.monitors.push(row.name);
      }
      for (const row of await triggers.list(tx, tenantId)) {
        if (keys.has(row.key)) continue;
        await triggers.remove(tx, tenantId, row.id);
        result.removed.triggers.push(row.key);
      }
      for (const row of await scripts.list(tx, tenantId)) {
        if (paths.has(row.path)) continue;
        await scripts.remove(tx, tenantId, row.id);
        result.removed.scripts.push(row.path);
      }
      if (!options.platformNetworks) {
        for (const row of await networks.list(tx, tenantId)) {
          if (row.tenantId !== tenantId || slugs.has(row.slug)) continue;
          await networks.remove(tx, row.id);
          result.removed.networks.push(row.slug);
        }
      }
    }
    // All or nothing, quotas included: an import may not take a tenant past its plan.
    await quotas.enforce(
      tx,
      tenantId,
      options.platformNetworks ? ["monitors", "triggers"] : ["monitors", "triggers", "networks"],
    );
  });
  return result;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
