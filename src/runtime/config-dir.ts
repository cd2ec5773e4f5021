/**
 * The OZ config directory `argus start` takes (`--config-dir`), for the one-process runtime and the role processes
 * alike: validated as `argus validate` does, then imported as the built-in tenant's configuration.
 */
import { ConfigError, formatProblem, hasErrors, type LoadedConfig, loadConfigDir } from "../config/index.js";
import type { Logger } from "../ops/index.js";
import { type ImportBundleResult, importBundle, readConfigDir } from "../portable/index.js";
import type { Keyring } from "../secrets/index.js";
import { DEFAULT_TENANT_ID, type Store } from "../store/index.js";

export interface ConfigDirOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

/** The directory loaded and validated: warnings are logged, errors thrown together as one `ConfigError`. */
export async function loadValidConfig(configDir: string, options: ConfigDirOptions): Promise<LoadedConfig> {
  const loaded = await loadConfigDir(configDir, { env: options.env });
  for (const problem of loaded.problems) {
    if (problem.severity === "warning")
      options.logger.warn({ problem: formatProblem(problem) }, "Configuration warning");
  }
  if (hasErrors(loaded.problems)) throw ConfigError.fromProblems(loaded.problems);
  return loaded;
}

/**
 * Imports a validated directory as the built-in tenant's configuration (single-tenant mode): its networks become
 * platform networks, its monitors, triggers and scripts replace what the tenant had, in one transaction.
 */
export async function importConfigDir(
  store: Store,
  loaded: LoadedConfig,
  options: ConfigDirOptions & { keyring: Keyring },
): Promise<ImportBundleResult> {
  const imported = await importBundle(store, DEFAULT_TENANT_ID, await readConfigDir(loaded.dir), {
    env: options.env,
    platformNetworks: true,
    replace: true,
    validated: loaded,
    keyring: options.keyring,
  });
  options.logger.info({ saved: imported.saved, removed: imported.removed }, "Configuration directory imported");
  return imported;
}
