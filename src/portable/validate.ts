import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ConfigProblem, type LoadedConfig, loadConfigDir, type SecretEnv } from "../config/index.js";
import type { ConfigBundle } from "./bundle.js";
import { writeConfigDir } from "./files.js";

/** Prefix of the files standing in for what the store already has (never reported). */
const STORED = ".argus-stored";

export interface ValidateBundleOptions {
  /** Environment for `Environment` secrets (tenants get none). @default {} */
  env?: SecretEnv;
  /** Networks the bundle's monitors may use without defining them (the tenant's and the platform's), by slug. */
  knownNetworks?: ReadonlyMap<string, unknown>;
  /** Triggers the bundle's monitors may use without defining them (the tenant's stored ones), by key. */
  knownTriggers?: ReadonlyMap<string, unknown>;
}

export interface BundleValidation {
  loaded: LoadedConfig;
  /** Problems of the bundle's own files, as `argus validate` prints them. */
  problems: ConfigProblem[];
}

/**
 * Validates a bundle exactly as `argus validate` validates a directory: the bundle is written to a temporary
 * `config/` directory (scripts included, so script references are checked) and loaded with `loadConfigDir`, from
 * the directory that holds `config/` (OZ resolves `./config/filters/…` from there).
 */
export async function validateBundle(
  bundle: ConfigBundle,
  options: ValidateBundleOptions = {},
): Promise<BundleValidation> {
  const root = await mkdtemp(path.join(tmpdir(), "argus-bundle-"));
  try {
    const config = path.join(root, "config");
    const stand = { networks: {} as Record<string, unknown>, triggers: {} as Record<string, Record<string, unknown>> };
    const slugs = new Set(Object.values(bundle.networks).map(slugOf));
    let index = 0;
    for (const [slug, network] of options.knownNetworks ?? []) {
      if (!slugs.has(slug)) stand.networks[`${STORED}-${index++}.json`] = network;
    }
    const keys = new Set(Object.values(bundle.triggers).flatMap((file) => Object.keys(file)));
    const triggers: Record<string, unknown> = {};
    for (const [key, trigger] of options.knownTriggers ?? []) if (!keys.has(key)) triggers[key] = trigger;
    if (Object.keys(triggers).length > 0) stand.triggers[`${STORED}.json`] = triggers;
    await writeConfigDir(config, {
      networks: { ...stand.networks, ...bundle.networks },
      monitors: bundle.monitors,
      triggers: { ...stand.triggers, ...bundle.triggers },
      scripts: bundle.scripts,
    });
    // A bundle may leave a folder out (e.g. monitors only, on platform networks); the loader wants all three.
    for (const folder of ["networks", "monitors", "triggers"])
      await mkdir(path.join(config, folder), { recursive: true });
    const loaded = await loadConfigDir(config, { cwd: root, env: options.env ?? {} });
    const problems = loaded.problems.filter((problem) => !path.basename(problem.file).startsWith(STORED));
    return { loaded, problems };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function slugOf(network: unknown): string | undefined {
  const slug = (network as { slug?: unknown } | null)?.slug;
  return typeof slug === "string" ? slug : undefined;
}
