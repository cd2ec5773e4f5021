/**
 * What a tenant's documents may reference, read inside the tenant's transaction: networks (the platform's and its
 * own), its trigger keys and its script paths. Anything else — in particular another tenant's rows — does not
 * exist from here.
 */
import { type Network, parseNetwork } from "../../config/index.js";
import { networks, type Store, type StoredNetwork, triggerScripts, triggers } from "../../store/index.js";
import { ApiCode, ApiError } from "../errors.js";
import type { MonitorContext } from "../oz.js";

export async function monitorContext(scoped: Store, tenantId: string): Promise<MonitorContext> {
  const [visible, keys, scripts] = await Promise.all([
    networks.list(scoped, tenantId),
    triggers.list(scoped, tenantId),
    triggerScripts.list(scoped, tenantId),
  ]);
  // A tenant's own network shadows a platform network with the same slug.
  const bySlug = new Map<string, { network_type: Network["network_type"] }>();
  for (const row of [...visible].sort((a, b) => (a.tenantId === null ? -1 : b.tenantId === null ? 1 : 0))) {
    bySlug.set(row.slug, { network_type: row.networkType as Network["network_type"] });
  }
  return {
    networks: bySlug,
    triggerKeys: new Set(keys.map((t) => t.key)),
    scriptPaths: new Set(scripts.map((s) => s.path)),
  };
}

export async function scriptPaths(scoped: Store, tenantId: string): Promise<ReadonlySet<string>> {
  return new Set((await triggerScripts.list(scoped, tenantId)).map((s) => s.path));
}

/** A stored network as the chain clients take it (secrets resolved; `Environment` only for platform networks). */
export function runtimeNetwork(row: StoredNetwork): Network {
  const parsed = parseNetwork(row.config, row.tenantId === null ? {} : { env: {} });
  if (!parsed.ok) {
    throw new ApiError(ApiCode.Conflict, `Network '${row.slug}' has a configuration that is no longer valid.`);
  }
  return parsed.value;
}
