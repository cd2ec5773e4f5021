import { openNetworkClient } from "../chains/index.js";
import {
  ConfigError,
  formatProblem,
  hasErrors,
  type LoadedConfig,
  loadConfigDir,
  type Network,
} from "../config/index.js";
import { createDispatcher, createStoreTriggerRegistry, type Dispatcher, recordMatches } from "../dispatch/index.js";
import { evaluateBlock, type MonitorDefinition } from "../engine/index.js";
import {
  type BlockSource,
  blockWatcherSettings,
  createBlockWatcher,
  createEvmBlockSource,
  createEvmLiveHeads,
  createStellarBlockSource,
  liveHeadUrls,
  resolveWebSocket,
} from "../ingest/index.js";
import { loadScriptSources, type ScriptSettings } from "../notify/conditions/index.js";
import { createMetrics, createShutdown, type Logger, type Metrics, startOpsServer } from "../ops/index.js";
import { createStore, DEFAULT_TENANT_ID, type Store } from "../store/index.js";
import { importConfigDir } from "./import-config.js";
import { createStoreIngestState } from "./ingest-state.js";

export interface StartOptions {
  /** OZ config directory whose networks, monitors and triggers are imported for the default tenant. */
  configDir: string;
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
}

export type NetworkState = "starting" | "running" | "failed" | "stopped";

export interface RunningArgus {
  url: string;
  store: Store;
  metrics: Metrics;
  networks(): Record<string, NetworkState>;
  /** Stops watching, finishes in-flight deliveries, persists cursors and closes everything. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs every role in one process: a watcher per network with active monitors (ingest), evaluation of each block for
 * all monitors (engine), trigger conditions and the outbox (dispatch), and the health/metrics endpoint.
 */
export async function startArgus(options: StartOptions): Promise<RunningArgus> {
  const { logger } = options;
  const shutdown = createShutdown();
  const metrics = createMetrics();
  try {
    const loaded = await loadConfigDir(options.configDir, { env: options.env });
    for (const problem of loaded.problems) {
      if (problem.severity === "warning") logger.warn({ problem: formatProblem(problem) }, "Configuration warning");
    }
    if (hasErrors(loaded.problems)) throw ConfigError.fromProblems(loaded.problems);

    const store = await createStore(
      options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataDir: options.dataDir },
    );
    shutdown.add(() => store.close());
    const imported = await importConfigDir(store, loaded);
    const { sources: scriptSources } = await loadScriptSources(loaded.scripts);

    const dispatcher = createDispatcher({
      store,
      triggers: createStoreTriggerRegistry(store, { env: options.env }),
      logger,
      allowPrivateNetworks: options.allowPrivateNetworks ?? false,
      ...(options.scriptSettings ? { scriptSettings: options.scriptSettings } : {}),
      metrics,
    });
    dispatcher.start();
    // Drain after watchers stop (cleanups run in reverse): in-flight attempts finish, the rest stays in the outbox.
    shutdown.add(() => dispatcher.drain());

    const states = new Map<string, NetworkState>();
    for (const [slug, network] of activeNetworks(loaded)) {
      const definitions = monitorDefinitions(loaded, slug, imported.monitors);
      states.set(slug, "starting");
      const done = watchNetwork({
        network,
        networkId: imported.networkIds.get(slug)!,
        definitions,
        store,
        dispatcher,
        metrics,
        logger: logger.child({ network: slug }),
        scriptSources,
        scriptSettings: options.scriptSettings,
        signal: shutdown.signal,
        setState: (state) => states.set(slug, state),
        networkIds: imported.networkIds,
      });
      shutdown.add(() => done);
    }

    const ops = await startOpsServer({
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
      registry: metrics.registry,
      ready: () => {
        const networks = Object.fromEntries(states);
        return { ready: [...states.values()].every((s) => s === "running"), detail: { networks } };
      },
    });
    shutdown.add(() => ops.close());
    logger.info({ url: ops.url, networks: [...states.keys()] }, "Argus started");
    return { url: ops.url, store, metrics, networks: () => Object.fromEntries(states), stop: () => shutdown.kill() };
  } catch (error) {
    await shutdown.kill();
    throw error;
  }
}

/** Networks that at least one active monitor lists (OZ watches nothing else). */
function activeNetworks(loaded: LoadedConfig): Map<string, Network> {
  const active = new Map<string, Network>();
  for (const { monitor } of loaded.monitors.values()) {
    if (monitor.paused) continue;
    for (const slug of monitor.networks) {
      const network = loaded.networks.get(slug);
      if (network) active.set(slug, network);
    }
  }
  return active;
}

function monitorDefinitions(
  loaded: LoadedConfig,
  slug: string,
  stored: ReadonlyMap<string, { id: string; version: number }>,
): MonitorDefinition[] {
  const definitions: MonitorDefinition[] = [];
  for (const [name, { monitor }] of loaded.monitors) {
    const saved = stored.get(name);
    if (monitor.paused || !monitor.networks.includes(slug) || !saved) continue;
    definitions.push({ id: saved.id, tenantId: DEFAULT_TENANT_ID, version: saved.version, monitor });
  }
  return definitions;
}

interface WatchNetworkContext {
  network: Network;
  networkId: string;
  networkIds: ReadonlyMap<string, string>;
  definitions: MonitorDefinition[];
  store: Store;
  dispatcher: Dispatcher;
  metrics: Metrics;
  logger: Logger;
  scriptSources: ReadonlyMap<string, string>;
  scriptSettings: ScriptSettings | undefined;
  signal: AbortSignal;
  setState(state: NetworkState): void;
}

/**
 * One network's pipeline: watcher → engine → trigger conditions + outbox. A block is acknowledged to the watcher
 * (which then advances the cursor) only after its matches and their deliveries are stored: a crash in between
 * replays the block, and deterministic match ids make that replay store nothing twice.
 */
async function watchNetwork(ctx: WatchNetworkContext): Promise<void> {
  const { network, logger, metrics } = ctx;
  const slug = network.slug;
  const client = openNetworkClient(network);
  try {
    const { compiled, diagnostics, specProblems } = await client.compile(ctx.definitions, { signal: ctx.signal });
    for (const diagnostic of diagnostics) logger.warn({ diagnostic }, "Monitor diagnostic");
    for (const problem of specProblems)
      logger.warn({ code: problem.code, error: problem.message }, "Contract spec unavailable");

    const source: BlockSource<unknown> =
      client.chain.type === "EVM"
        ? (createEvmBlockSource({ client: client.chain.client }) as BlockSource<unknown>)
        : (createStellarBlockSource({ client: client.chain.client }) as BlockSource<unknown>);
    const settings = blockWatcherSettings(network);
    const urls = client.chain.type === "EVM" ? liveHeadUrls(network) : [];
    const watcher = createBlockWatcher({
      ...settings,
      source,
      state: createStoreIngestState(ctx.store, ctx.networkIds, {
        keepDepth: Math.max(64, settings.confirmationBlocks) + 1,
      }),
      ...(urls.length > 0 ? { liveHeads: createEvmLiveHeads({ urls, WebSocket: resolveWebSocket() }) } : {}),
      signal: ctx.signal,
      onDiagnostic: (diagnostic) => logger.debug({ diagnostic }, "Watcher diagnostic"),
    });
    ctx.setState("running");
    for await (const event of watcher.events()) {
      if (event.type === "block") {
        const started = performance.now();
        const result = evaluateBlock(compiled, slug, event.block as never);
        for (const diagnostic of result.diagnostics) logger.debug({ diagnostic }, "Monitor diagnostic");
        if (result.matches.length > 0) {
          const recorded = await recordMatches(ctx.store, result.matches, {
            networkId: ctx.networkId,
            triggers: ctx.dispatcher.triggers,
            scriptSources: ctx.scriptSources,
            ...(ctx.scriptSettings ? { scriptSettings: ctx.scriptSettings } : {}),
            logger,
            onEnqueued: () => ctx.dispatcher.wake(),
          });
          metrics.matches.inc({ network: slug }, recorded.insertedMatchIds.length);
        }
        metrics.blocksProcessed.inc({ network: slug });
        metrics.cursor.set({ network: slug }, Number(event.number));
        if (event.head !== null) metrics.headLag.set({ network: slug }, Number(event.head - event.number));
        metrics.blockDuration.observe({ network: slug }, (performance.now() - started) / 1000);
      } else if (event.type === "reorg") {
        metrics.reorgs.inc({ network: slug });
        logger.warn(
          { common_ancestor: event.commonAncestor.number.toString(), orphaned: event.orphaned.length },
          "Chain reorganised; orphaned matches will be marked and their pending notifications suppressed",
        );
      } else if (event.type === "gap_skipped") {
        logger.warn({ from: event.from.toString(), to: event.to.toString(), reason: event.reason }, "Blocks skipped");
      } else if (event.type === "stall") {
        logger.warn({ head: String(event.head), stalled_for_ms: event.stalledForMs }, "Chain head stalled");
      } else if (event.type === "error") {
        logger.error({ code: event.error.code, error: event.error.message }, "Network watcher stopped");
        ctx.setState("failed");
        return;
      }
    }
    ctx.setState("stopped");
  } catch (error) {
    if (ctx.signal.aborted) {
      ctx.setState("stopped");
      return;
    }
    logger.error({ error: (error as Error).message }, "Network pipeline failed");
    ctx.setState("failed");
  } finally {
    client.close();
  }
}
