import {
  formatProblem,
  type Monitor,
  type Network,
  parseMonitor,
  parseNetwork,
  type SecretEnv,
} from "../config/index.js";
import type { Logger } from "../ops/index.js";
import { unseal } from "../portable/index.js";
import type { Keyring } from "../secrets/index.js";
import {
  DEFAULT_TENANT_ID,
  monitors,
  networks,
  type Store,
  type StoredNetwork,
  type Tenant,
  tenants,
} from "../store/index.js";
import type { ActiveMonitorDefinition } from "./activation.js";
import { type ScriptFile, scriptSourcesFor } from "./scripts.js";

/** One network the runtime should watch: its stored identity, parsed config and the monitors evaluated on it. */
export interface DesiredNetwork {
  /** `networks.id`: the cursor's key. */
  id: string;
  slug: string;
  /** `null` = platform-wide. */
  tenantId: string | null;
  /** Bumped on every change of the network's config: a new version restarts its watcher (from the cursor). */
  version: number;
  /** Metrics label and `/readyz` key: the slug, `tenant-slug/slug` for a tenant-private network. */
  label: string;
  network: Network;
  /** Sorted by id; each carries when it became active (see `activation.ts`). */
  definitions: ActiveMonitorDefinition[];
  /** Changes iff the engine must be recompiled (monitor ids and versions). */
  engineKey: string;
}

export interface DesiredState {
  /** By `networks.id`; only networks with at least one active monitor. */
  networks: Map<string, DesiredNetwork>;
  /** Trigger-condition script contents per tenant, keyed by the `script_path` its monitors configure. */
  scripts: Map<string, ReadonlyMap<string, string>>;
}

export interface LoadDesiredStateOptions {
  /** The operator's environment: `Environment` secrets of platform networks and of the built-in tenant. */
  env: SecretEnv;
  logger: Logger;
  /** Decrypts network secrets encrypted at rest. */
  keyring?: Keyring;
  /** A tenant's trigger-condition scripts by path (`filters/x.sh`). */
  scripts: (tenantId: string) => Promise<ReadonlyMap<string, ScriptFile>>;
}

/**
 * Reads what the runtime should run from the store: every active tenant's live, non-paused monitors, each attached
 * to the networks it lists (the tenant's private network with that slug first, else the platform network). Invalid
 * stored rows are logged once and skipped; they never stop the others.
 */
export async function loadDesiredState(store: Store, options: LoadDesiredStateOptions): Promise<DesiredState> {
  const { logger } = options;
  const state: DesiredState = { networks: new Map(), scripts: new Map() };
  const parsedNetworks = new Map<string, Network | null>();
  const parseStoredNetwork = (row: StoredNetwork): Network | null => {
    const key = `${row.id}:${row.version}`;
    if (parsedNetworks.has(key)) return parsedNetworks.get(key) ?? null;
    // Tenants never read the server's environment: their `Environment` secrets do not resolve.
    const env = row.tenantId === null || row.tenantId === DEFAULT_TENANT_ID ? options.env : {};
    let config: unknown;
    try {
      config = unseal(options.keyring, row.tenantId, row.config);
    } catch (error) {
      warnOnce(logger, `network:${key}`, { network_id: row.id, problems: (error as Error).message });
      parsedNetworks.set(key, null);
      return null;
    }
    const parsed = parseNetwork(config, { env, checkScripts: false, file: `networks/${row.slug}` });
    const value = parsed.ok ? parsed.value : null;
    if (!parsed.ok) warnOnce(logger, `network:${key}`, { network_id: row.id, problems: summary(parsed.problems) });
    parsedNetworks.set(key, value);
    return value;
  };

  for (const tenant of await tenants.list(store, { status: "active" })) {
    const live = (await monitors.list(store, tenant.id)).filter((row) => !row.paused);
    if (live.length === 0) continue;
    // A monitor is active since its last unpause (or creation), and not before its tenant's last reactivation.
    const monitorSince = await monitors.activeSince(store, tenant.id);
    const tenantSince = tenant.statusChangedAt?.getTime();
    // Platform networks first, the tenant's own then override the same slug.
    const visible = new Map<string, StoredNetwork>();
    const rows = await networks.list(store, tenant.id);
    for (const row of rows) if (row.tenantId === null) visible.set(row.slug, row);
    for (const row of rows) if (row.tenantId !== null) visible.set(row.slug, row);
    const env = tenant.id === DEFAULT_TENANT_ID ? options.env : {};
    const conditionPaths = new Set<string>();
    for (const row of live) {
      const parsed = parseMonitor(row.config, { env, checkScripts: false, file: `monitors/${row.name}` });
      if (!parsed.ok) {
        warnOnce(logger, `monitor:${row.id}:${row.version}`, {
          tenant_id: tenant.id,
          monitor_id: row.id,
          problems: summary(parsed.problems),
        });
        continue;
      }
      const monitor: Monitor = parsed.value;
      for (const condition of monitor.trigger_conditions) conditionPaths.add(condition.script_path);
      const since = Math.max(monitorSince.get(row.id)?.getTime() ?? row.createdAt.getTime(), tenantSince ?? 0);
      const definition: ActiveMonitorDefinition = {
        id: row.id,
        tenantId: tenant.id,
        version: row.version,
        monitor,
        activeSince: since,
      };
      for (const slug of new Set(monitor.networks)) {
        const networkRow = visible.get(slug);
        const network = networkRow === undefined ? null : parseStoredNetwork(networkRow);
        if (networkRow === undefined || network === null) {
          warnOnce(logger, `unresolved:${row.id}:${row.version}:${slug}`, {
            tenant_id: tenant.id,
            monitor_id: row.id,
            network: slug,
            problems: networkRow === undefined ? "no such network for this tenant" : "the network is not valid",
          });
          continue;
        }
        let desired = state.networks.get(networkRow.id);
        if (desired === undefined) {
          desired = {
            id: networkRow.id,
            slug,
            tenantId: networkRow.tenantId,
            version: networkRow.version,
            label: labelOf(networkRow, tenant),
            network,
            definitions: [],
            engineKey: "",
          };
          state.networks.set(networkRow.id, desired);
        }
        desired.definitions.push(definition);
      }
    }
    if (conditionPaths.size > 0) {
      state.scripts.set(tenant.id, scriptSourcesFor(conditionPaths, await options.scripts(tenant.id)));
    }
  }
  for (const desired of state.networks.values()) {
    desired.definitions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    desired.engineKey = desired.definitions.map((d) => `${d.id}@${d.version}`).join(",");
  }
  return state;
}

function labelOf(row: StoredNetwork, tenant: Tenant): string {
  return row.tenantId === null ? row.slug : `${tenant.slug}/${row.slug}`;
}

function summary(problems: readonly Parameters<typeof formatProblem>[0][]): string {
  return problems
    .filter((p) => p.severity === "error")
    .map(formatProblem)
    .join("; ");
}

/** Logged once per process and row version: a reconciliation every few seconds must not repeat it. */
const warned = new Set<string>();
function warnOnce(logger: Logger, key: string, fields: Record<string, unknown>): void {
  if (warned.has(key)) return;
  if (warned.size > 10_000) warned.clear();
  warned.add(key);
  logger.warn(fields, "Stored configuration skipped by the runtime");
}
