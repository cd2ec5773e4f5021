import { createDispatcher, createStoreScriptReader } from "../dispatch/index.js";
import type { MonitorMatch } from "../engine/index.js";
import { loadScriptSources, type ScriptSettings } from "../notify/conditions/index.js";
import { channelEndpointsFromEnv } from "../notify/index.js";
import { createMetrics, createShutdown, type Logger, type Metrics, startOpsServer } from "../ops/index.js";
import { storedScripts } from "../portable/index.js";
import { loadMasterKeys } from "../secrets/index.js";
import { type ConfigChange, createStore, DEFAULT_TENANT_ID, type Store } from "../store/index.js";
import { mountApi } from "./api.js";
import { importConfigDir, loadValidConfig } from "./config-dir.js";
import { listenConfigChanges } from "./config-listener.js";
import { type DesiredState, loadDesiredState } from "./desired.js";
import { type NetworkState, startNetworkPipeline } from "./pipeline.js";
import type { ScriptFile } from "./scripts.js";
import { createSupervisor } from "./supervisor.js";
import { createLiveTriggerRegistry } from "./triggers.js";

export type { NetworkState } from "./pipeline.js";

/** What a mounted API gets from the running platform. */
export interface StartOptions {
  /**
   * OZ config directory imported for the built-in tenant at start (single-tenant mode): its networks become platform
   * networks, its monitors, triggers and scripts the tenant's, replacing what the tenant had. Optional once the
   * store holds configuration (multi-tenant mode: tenants import through the API or `argus import`).
   */
  configDir?: string;
  /** Embedded PGlite data directory (ignored when `databaseUrl` is set). */
  dataDir: string;
  databaseUrl?: string;
  /** Health and metrics port; 0 picks a free one. */
  port: number;
  host?: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Operator flag: let webhooks and chat URLs reach loopback/private addresses (self-hosted use, tests). */
  allowPrivateNetworks?: boolean;
  scriptSettings?: ScriptSettings;
  /**
   * Full reconciliation with the store this often, whatever the notifications said: the safety net for a
   * notification lost while the listener reconnected.
   * @default 30_000
   */
  reconcileIntervalMs?: number;
  /**
   * Redis for the configuration fan-out: changes heard from PostgreSQL are republished there and changes published
   * by other processes are heard, for processes that do not share a working LISTEN.
   * @default env REDIS_URL (or ARGUS_REDIS_URL); unset = PostgreSQL LISTEN only
   */
  redisUrl?: string;
  /** Prefix of Argus's Redis keys and channels. @default env ARGUS_REDIS_PREFIX, else "argus:" */
  redisPrefix?: string;
  /**
   * LISTEN on the store. Set `false` when `databaseUrl` goes through a transaction pooler (where LISTEN does not
   * work): changes then arrive over Redis from a process that LISTENs, and by the periodic reconciliation.
   * @default true
   */
  listenPostgres?: boolean;
  /**
   * Serve the REST control plane (`/api/v1`, `/api/openapi.json`, `/api/docs`) on the ops server's port.
   * @default true
   */
  api?: boolean;
}

export interface RunningArgus {
  url: string;
  store: Store;
  metrics: Metrics;
  /** Watched networks by label (the slug; `tenant-slug/slug` for a tenant-private network). */
  networks(): Record<string, NetworkState>;
  /** Reconciles with the store now; resolves when the running engines reflect it. */
  reload(): Promise<void>;
  /** Stops watching, finishes in-flight deliveries, persists cursors and closes everything. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs every role in one process, built from the store: a watcher per network with at least one active monitor of
 * an active tenant (ingest), evaluation of each block for all those monitors (engine), trigger conditions and the
 * outbox (dispatch), and the health/metrics endpoint. Configuration changes committed to the store reach the
 * running engines within a second (LISTEN/NOTIFY), without a restart or a missed block.
 */
export async function startArgus(options: StartOptions): Promise<RunningArgus> {
  const { logger } = options;
  const shutdown = createShutdown();
  const metrics = createMetrics();
  try {
    // Validated before anything opens, so a broken directory fails the start with nothing to clean up.
    const loaded = options.configDir === undefined ? undefined : await loadValidConfig(options.configDir, options);

    const store = await createStore(
      options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataDir: options.dataDir },
    );
    shutdown.add(() => store.close());
    // Secrets at rest: ARGUS_MASTER_KEYS, or (development) a key generated once into the data directory.
    const masterKeys = await loadMasterKeys({ env: options.env, dataDir: options.dataDir });
    if (masterKeys.createdPath !== undefined) {
      logger.warn({ path: masterKeys.createdPath }, "Generated a development master key for secrets at rest");
    }
    const { keyring } = masterKeys;
    let fileScripts = new Map<string, string>();
    if (loaded !== undefined) {
      await importConfigDir(store, loaded, { ...options, keyring });
      // Scripts outside the config directory (absolute paths, other roots) are only on disk: read them as OZ does.
      fileScripts = (await loadScriptSources(loaded.scripts)).sources as Map<string, string>;
    }

    const registry = createLiveTriggerRegistry(store, { env: options.env, keyring });
    const { triggers } = registry;

    const dispatcher = createDispatcher({
      store,
      triggers,
      logger,
      allowPrivateNetworks: options.allowPrivateNetworks ?? false,
      // Operator endpoint overrides (ARGUS_SLACK_BASE_URL, ARGUS_DISCORD_BASE_URL, ARGUS_TELEGRAM_API_BASE_URL).
      deliverOptions: channelEndpointsFromEnv(options.env),
      ...(options.scriptSettings ? { scriptSettings: options.scriptSettings } : {}),
      // `script` triggers run the tenant's stored scripts; the built-in tenant also those its config directory
      // referenced outside itself (read at start, as OZ does). Never a tenant-chosen file of the server's disk.
      scripts: createStoreScriptReader(store, {
        fallback: (tenantId, scriptPath) => (tenantId === DEFAULT_TENANT_ID ? fileScripts.get(scriptPath) : undefined),
      }),
      metrics,
    });
    dispatcher.start();
    // Drain after watchers stop (cleanups run in reverse): in-flight attempts finish, the rest stays in the outbox.
    shutdown.add(() => dispatcher.drain());

    let scripts: DesiredState["scripts"] = new Map();
    const scriptSources = (match: MonitorMatch): ReadonlyMap<string, string> | undefined => {
      const stored = scripts.get(match.tenantId);
      if (match.tenantId !== DEFAULT_TENANT_ID || fileScripts.size === 0) return stored;
      return stored === undefined ? fileScripts : new Map([...fileScripts, ...stored]);
    };
    const supervisor = createSupervisor({
      logger,
      load: () =>
        loadDesiredState(store, {
          env: options.env,
          logger,
          keyring,
          scripts: (tenantId) => tenantScripts(store, tenantId),
        }),
      applied: (state) => {
        scripts = state.scripts;
      },
      start: (desired, setState) =>
        startNetworkPipeline(desired, {
          store,
          dispatcher,
          triggers: () => triggers,
          scriptSources,
          scriptSettings: options.scriptSettings,
          metrics,
          logger: logger.child({ network: desired.label }),
          signal: shutdown.signal,
          setState,
        }),
    });
    shutdown.add(() => supervisor.stop());

    const onChange = (change: ConfigChange) => {
      logger.debug({ change }, "Configuration changed");
      if (change.kind === "trigger") registry.reset();
      void supervisor.reconcile();
    };
    const redisUrl = options.redisUrl ?? (options.env.REDIS_URL || options.env.ARGUS_REDIS_URL || undefined);
    const listener = await listenConfigChanges(store, {
      logger,
      ...(redisUrl === undefined
        ? {}
        : { redis: { url: redisUrl, prefix: options.redisPrefix ?? options.env.ARGUS_REDIS_PREFIX ?? "argus:" } }),
      ...(options.listenPostgres === undefined ? {} : { listenPostgres: options.listenPostgres }),
      onChange,
      onReconnect: () => {
        registry.reset();
        void supervisor.reconcile();
      },
    });
    shutdown.add(() => listener.close());
    await supervisor.reconcile();
    const interval = setInterval(() => void supervisor.reconcile(), options.reconcileIntervalMs ?? 30_000);
    interval.unref();
    shutdown.add(() => clearInterval(interval));

    const reload = () => supervisor.reconcile();
    const api =
      options.api === false
        ? undefined
        : await mountApi({
            store,
            logger,
            keyring,
            env: options.env,
            dataDir: options.dataDir,
            allowPrivateNetworks: options.allowPrivateNetworks ?? false,
            onReplay: () => dispatcher.wake(),
          });
    if (api !== undefined) shutdown.add(() => api.close());

    const ops = await startOpsServer({
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
      registry: metrics.registry,
      ready: () => {
        const networks = supervisor.states();
        return { ready: Object.values(networks).every((s) => s === "running"), detail: { networks } };
      },
      ...(api === undefined ? {} : { handler: (request, response) => api.handle(request, response) }),
    });
    shutdown.add(() => ops.close());
    logger.info({ url: ops.url, networks: Object.keys(supervisor.states()) }, "Argus started");
    return { url: ops.url, store, metrics, networks: () => supervisor.states(), reload, stop: () => shutdown.kill() };
  } catch (error) {
    await shutdown.kill();
    throw error;
  }
}

async function tenantScripts(store: Store, tenantId: string): Promise<ReadonlyMap<string, ScriptFile>> {
  const files = await storedScripts().list(store, tenantId);
  return new Map(files.map((file) => [file.path, { content: file.content }]));
}
