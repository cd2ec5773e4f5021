import type { Keyring } from "../secrets/index.js";
import { DEFAULT_TENANT_ID, monitors, networks, type Store, tenants, triggers } from "../store/index.js";
import { type ConfigBundle, emptyBundle, fileStem } from "./bundle.js";
import { PortableCode, PortableError } from "./errors.js";
import { unseal } from "./secrets.js";
import { storedScripts } from "./stored-scripts.js";

export interface ExportBundleOptions {
  /**
   * Which platform networks to include: those the tenant's monitors list (`"referenced"`, so the directory validates
   * on its own), or every live platform network (`"all"`, the default for the built-in single-tenant tenant, whose
   * config directory they came from). The tenant's private networks are always included.
   */
  platformNetworks?: "referenced" | "all";
  /** Decrypts secrets encrypted at rest (exports carry the values, as the OZ files did). */
  keyring?: Keyring;
}

/**
 * Exports a tenant's configuration as an OZ config bundle: its monitors, triggers and scripts, its private networks
 * and the platform networks it uses. The JSON comes back as it was stored, so an OZ directory imported and exported
 * again is JSON-equal file by file (a monitor paused or resumed since says so in its `paused` field).
 */
export async function exportBundle(
  store: Store,
  tenantId: string,
  options: ExportBundleOptions = {},
): Promise<ConfigBundle> {
  if ((await tenants.get(store, tenantId)) === null) {
    throw new PortableError(PortableCode.TenantUnknown, `No tenant ${tenantId}.`, { path: ["tenant"] });
  }
  const bundle = emptyBundle();
  const taken = new Set<string>();
  /** The recorded file name when there is one (and, for monitors and networks, still free), else a derived one. */
  const fileFor = (folder: string, sourceFile: string | null, stem: string, shared = false): string => {
    const recorded = sourceFile?.startsWith(`${folder}/`) ? sourceFile.slice(folder.length + 1) : undefined;
    if (recorded !== undefined && !recorded.includes("/") && (shared || !taken.has(`${folder}/${recorded}`))) {
      taken.add(`${folder}/${recorded}`);
      return recorded;
    }
    let name = `${stem}.json`;
    for (let n = 2; taken.has(`${folder}/${name}`); n++) name = `${stem}_${n}.json`;
    taken.add(`${folder}/${name}`);
    return name;
  };

  const referenced = new Set<string>();
  for (const row of await monitors.list(store, tenantId)) {
    const config = withPaused(row.config, row.paused);
    const listed = (config as { networks?: unknown }).networks;
    if (Array.isArray(listed)) for (const slug of listed) if (typeof slug === "string") referenced.add(slug);
    bundle.monitors[fileFor("monitors", row.sourceFile, fileStem(row.name))] = config;
  }

  // Several trigger keys share a file: they go back to the file they came from.
  for (const row of await triggers.list(store, tenantId)) {
    const name = fileFor("triggers", row.sourceFile, fileStem(row.key), true);
    bundle.triggers[name] = { ...bundle.triggers[name], [row.key]: unseal(options.keyring, tenantId, row.config) };
  }

  const platform = options.platformNetworks ?? (tenantId === DEFAULT_TENANT_ID ? "all" : "referenced");
  const visible = await networks.list(store, tenantId);
  const privateSlugs = new Set(visible.filter((row) => row.tenantId !== null).map((row) => row.slug));
  for (const row of visible) {
    const include =
      row.tenantId !== null || (!privateSlugs.has(row.slug) && (platform === "all" || referenced.has(row.slug)));
    if (include) {
      const config = unseal(options.keyring, row.tenantId, row.config);
      bundle.networks[fileFor("networks", row.sourceFile, fileStem(row.slug))] = config;
    }
  }

  for (const script of await storedScripts().list(store, tenantId)) bundle.scripts[script.path] = script.content;
  return bundle;
}

/** The stored monitor JSON with `paused` as the store has it (pausing through the API changes only the row). */
function withPaused(config: unknown, paused: boolean): unknown {
  if (typeof config !== "object" || config === null || Array.isArray(config)) return config;
  const record = config as Record<string, unknown>;
  if (record.paused === paused || (record.paused === undefined && !paused)) return config;
  return { ...record, paused };
}
