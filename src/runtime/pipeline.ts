import { openNetworkClient } from "../chains/index.js";
import { type Dispatcher, recordMatches, type TriggerRegistry } from "../dispatch/index.js";
import {
  type CompiledMonitors,
  type EvmBlock,
  evaluateBlock,
  type MonitorDefinition,
  type MonitorMatch,
  type StellarLedger,
} from "../engine/index.js";
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
import type { ScriptSettings } from "../notify/conditions/index.js";
import type { Logger, Metrics } from "../ops/index.js";
import type { Store } from "../store/index.js";
import {
  type ActivationIndex,
  activationIndex,
  blockTimestamp,
  keepActiveMatches,
  startLookbackBlocks,
} from "./activation.js";
import type { DesiredNetwork } from "./desired.js";
import { createStoreIngestState } from "./ingest-state.js";

export {
  type ActivationIndex,
  type ActiveMonitorDefinition,
  activationIndex,
  blockTimestamp,
  keepActiveMatches,
} from "./activation.js";

export type NetworkState = "starting" | "running" | "failed" | "stopped";

export interface PipelineContext {
  store: Store;
  dispatcher: Dispatcher;
  /** The trigger registry of the moment (replaced when triggers change). */
  triggers: () => TriggerRegistry;
  /** A match's tenant's trigger-condition scripts (by `script_path`), of the moment. */
  scriptSources: (match: MonitorMatch) => ReadonlyMap<string, string> | undefined;
  scriptSettings: ScriptSettings | undefined;
  metrics: Metrics;
  logger: Logger;
  /** Process shutdown. */
  signal: AbortSignal;
  setState(state: NetworkState): void;
}

/** One network's running pipeline. */
export interface NetworkPipeline {
  readonly desired: DesiredNetwork;
  /**
   * Recompiles the engine for new monitor definitions in the background and swaps it in between blocks: the block
   * being evaluated finishes with the old engine, the next one uses the new. Resolves when the swap happened (or
   * was superseded by a newer update).
   */
  update(desired: DesiredNetwork): Promise<void>;
  /** Stops between blocks: the block in progress is stored and acknowledged first. Resolves when fully stopped. */
  stop(): Promise<void>;
  /** Settles when the pipeline ended (stopped, failed or shut down). */
  readonly done: Promise<void>;
}

interface Engine {
  key: string;
  compiled: CompiledMonitors;
}

/**
 * Starts one network's pipeline: watcher → engine → trigger conditions + outbox. A block is acknowledged to the
 * watcher (which then advances the cursor) only after its matches and their deliveries are stored: a crash or a stop
 * in between replays the block, and deterministic match ids make that replay store nothing twice.
 */
export function startNetworkPipeline(initial: DesiredNetwork, ctx: PipelineContext): NetworkPipeline {
  const controller = new AbortController();
  const onShutdown = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) controller.abort(ctx.signal.reason);
  else ctx.signal.addEventListener("abort", onShutdown, { once: true });
  const signal = controller.signal;
  const { network } = initial;
  const slug = network.slug;
  const label = initial.label;
  const logger = ctx.logger;
  const metrics = ctx.metrics;
  const client = openNetworkClient(network);

  let latest = initial;
  /** The monitors of `latest` and when each became active: read per block, replaced with `latest`. */
  let activation: ActivationIndex = activationIndex(initial.definitions);
  let engine: Engine | undefined;
  /** The newest update asked for; older compilations finishing late are dropped. */
  let wanted = initial.engineKey;

  const compile = async (definitions: MonitorDefinition[], key: string): Promise<void> => {
    const { compiled, diagnostics, specProblems } = await client.compile(definitions, { signal });
    for (const diagnostic of diagnostics) logger.warn({ diagnostic }, "Monitor diagnostic");
    for (const problem of specProblems)
      logger.warn({ code: problem.code, error: problem.message }, "Contract spec unavailable");
    if (key !== wanted) return;
    const previous = engine?.key;
    engine = { key, compiled };
    if (previous !== undefined) logger.info({ monitors: definitions.length }, "Engine recompiled for new monitors");
  };

  const run = async (): Promise<void> => {
    try {
      await compile(initial.definitions, initial.engineKey);
      const source: BlockSource<unknown> =
        client.chain.type === "EVM"
          ? (createEvmBlockSource({ client: client.chain.client }) as BlockSource<unknown>)
          : (createStellarBlockSource({ client: client.chain.client }) as BlockSource<unknown>);
      const settings = blockWatcherSettings(network);
      const urls = client.chain.type === "EVM" ? liveHeadUrls(network) : [];
      const watcher = createBlockWatcher({
        ...settings,
        startLookbackBlocks: startLookbackBlocks(latest.definitions, network.block_time_ms, Date.now()),
        source,
        state: createStoreIngestState(ctx.store, new Map([[slug, initial.id]]), {
          keepDepth: Math.max(64, settings.confirmationBlocks) + 1,
        }),
        ...(urls.length > 0 ? { liveHeads: createEvmLiveHeads({ urls, WebSocket: resolveWebSocket() }) } : {}),
        signal,
        onDiagnostic: (diagnostic) => logger.debug({ diagnostic }, "Watcher diagnostic"),
      });
      ctx.setState("running");
      for await (const event of watcher.events()) {
        if (event.type === "block") {
          const started = performance.now();
          // Read once per block: a swap during this block takes effect from the next one.
          const current = engine!;
          const block = event.block as EvmBlock | StellarLedger;
          const result = evaluateBlock(current.compiled, slug, block);
          for (const diagnostic of result.diagnostics) logger.debug({ diagnostic }, "Monitor diagnostic");
          // Paused or removed since the engine was compiled, or activated after this block was mined: not matched.
          const kept = keepActiveMatches(result.matches, blockTimestamp(block), activation);
          if (kept.length > 0) {
            const recorded = await recordMatches(ctx.store, kept, {
              networkId: initial.id,
              triggers: ctx.triggers(),
              scriptSources: ctx.scriptSources,
              ...(ctx.scriptSettings ? { scriptSettings: ctx.scriptSettings } : {}),
              logger,
              onEnqueued: () => ctx.dispatcher.wake(),
            });
            metrics.matches.inc({ network: label }, recorded.insertedMatchIds.length);
            for (const [reason, n] of Object.entries(recorded.suppressedByReason)) {
              metrics.notificationsSuppressed.inc({ reason }, n);
            }
          }
          metrics.blocksProcessed.inc({ network: label });
          metrics.cursor.set({ network: label }, Number(event.number));
          if (event.head !== null) metrics.headLag.set({ network: label }, Number(event.head - event.number));
          metrics.blockDuration.observe({ network: label }, (performance.now() - started) / 1000);
        } else if (event.type === "reorg") {
          metrics.reorgs.inc({ network: label });
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
      if (signal.aborted) {
        ctx.setState("stopped");
        return;
      }
      logger.error({ error: (error as Error).message }, "Network pipeline failed");
      ctx.setState("failed");
    } finally {
      ctx.signal.removeEventListener("abort", onShutdown);
      client.close();
    }
  };

  ctx.setState("starting");
  const done = run();
  return {
    get desired() {
      return latest;
    },
    async update(desired) {
      latest = desired;
      activation = activationIndex(desired.definitions);
      if (desired.engineKey === wanted) return;
      wanted = desired.engineKey;
      try {
        await compile(desired.definitions, desired.engineKey);
      } catch (error) {
        if (!signal.aborted) logger.error({ error: (error as Error).message }, "Recompiling the engine failed");
      }
    },
    async stop() {
      controller.abort(new Error("network pipeline stopped"));
      await done;
    },
    done,
  };
}
