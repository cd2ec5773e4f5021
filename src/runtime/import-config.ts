import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { LoadedConfig } from "../config/index.js";
import { DEFAULT_TENANT_ID, monitors, networks, type Store, triggers } from "../store/index.js";

export interface ImportedConfig {
  /** Store network id by slug. */
  networkIds: Map<string, string>;
  /** Stored monitor id and version by monitor name. */
  monitors: Map<string, { id: string; version: number }>;
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, "utf8")) as unknown;
}

/**
 * Puts a loaded OZ config directory into the store for the default (single-tenant) tenant, as the files say: the
 * raw JSON is stored, so `Environment` secrets stay references and are resolved when used, never written resolved.
 * Saving an unchanged config keeps its version; a changed one gets a new version (and history).
 */
export async function importConfigDir(store: Store, loaded: LoadedConfig): Promise<ImportedConfig> {
  const tenantId = DEFAULT_TENANT_ID;
  const networkIds = new Map<string, string>();
  for (const file of await jsonFiles(loaded, "networks")) {
    const raw = (await readJson(file)) as { slug?: unknown; network_type?: unknown };
    if (typeof raw.slug !== "string" || !loaded.networks.has(raw.slug)) continue;
    const saved = await networks.save(store, {
      tenantId: null,
      slug: raw.slug,
      networkType: String(raw.network_type),
      config: raw,
    });
    networkIds.set(raw.slug, saved.id);
  }
  for (const file of await jsonFiles(loaded, "triggers")) {
    const raw = (await readJson(file)) as Record<string, { trigger_type?: unknown }>;
    for (const [key, trigger] of Object.entries(raw)) {
      if (loaded.triggers.get(key) === undefined) continue;
      await triggers.save(store, { tenantId, key, triggerType: String(trigger.trigger_type), config: trigger });
    }
  }
  const stored = new Map<string, { id: string; version: number }>();
  for (const [name, { file, monitor }] of loaded.monitors) {
    const raw = await readJson(path.resolve(loaded.dir, file));
    const existing = await monitors.getByName(store, tenantId, name);
    const saved = await monitors.save(store, {
      tenantId,
      ...(existing ? { id: existing.id } : {}),
      name,
      config: raw,
      paused: monitor.paused,
    });
    stored.set(name, { id: saved.id, version: saved.version });
  }
  return { networkIds, monitors: stored };
}

async function jsonFiles(loaded: LoadedConfig, folder: string): Promise<string[]> {
  const dir = path.join(loaded.dir, folder);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((name) => name.toLowerCase().endsWith(".json"))
    .sort()
    .map((name) => path.join(dir, name));
}
