/**
 * The ingest role: exactly one active ingester per network among any number of ingest processes. For every network
 * with an active monitor it contends for the lease `ingest:<network id>`; while it holds it, it runs the network's
 * block watcher from the persisted cursor and publishes every block (and reorg / skipped-gap entry) to the block
 * log under the network id, deduplicated by block hash. A block is acknowledged to the watcher — which then advances
 * the cursor — only after the log confirmed the publish and the lease was confirmed (a fence against a paused
 * ex-leader writing the cursor after its successor). Losing the lease stops the watcher at once; another process
 * resumes from the cursor: a replayed block has the same dedup id, so the log stores it once.
 *
 * With a block cache (`cache`), every block fetched and every head seen is written to it, and block fetches read it
 * first: the successor of a leader that died re-fetches nothing its predecessor fetched (`block-cache.ts`).
 */

import { setMaxListeners } from "node:events";
import { type BlockLog, blockDedupId } from "../bus/index.js";
import type { BlockCache } from "../cache/index.js";
import { openNetworkClient } from "../chains/index.js";
import type { BlockLogEntry, ChainBlock } from "../codec/index.js";
import {
  type BlockSource,
  blockWatcherSettings,
  createBlockWatcher,
  createEvmBlockSource,
  createEvmLiveHeads,
  createStellarBlockSource,
  type IngestState,
  liveHeadUrls,
  resolveWebSocket,
} from "../ingest/index.js";
import { type Lease, LeaseError, type LeaseManager, runAsLeader } from "../lease/index.js";
import type { Logger, Metrics } from "../ops/index.js";
import {
  createStoreIngestState,
  type DesiredNetwork,
  type DesiredState,
  startLookbackBlocks,
} from "../runtime/index.js";
import type { Store } from "../store/index.js";
import { cachingBlockSource, forgetOrphaned } from "./block-cache.js";
import { RoleCode, RoleError } from "./errors.js";
import type { DesiredStateFeed } from "./feed.js";

export type IngestNetworkState = "contending" | "leading" | "failed";

export interface IngestRoleOptions {
  store: Store;
  blocks: BlockLog;
  leases: LeaseManager;
  feed: DesiredStateFeed;
  logger: Logger;
  metrics: Metrics;
  /** How often a waiting contender retries the lease. @default 500 */
  leaseRetryMs?: number;
  /** Pause before contending again after the watcher failed (e.g. a reorg deeper than the window). @default 5_000 */
  restartDelayMs?: number;
  /** Blocks and heads shared with other processes (keyed by network id); without it every fetch goes to the node. */
  cache?: BlockCache;
}

export interface IngestRole {
  /** Per network label: whether this process leads it. */
  states(): Record<string, IngestNetworkState>;
  /** Block fetches served by the block cache (`hits`) and by the node (`misses`), since the start. */
  cacheStats(): { hits: number; misses: number };
  stop(): Promise<void>;
}

interface NetworkTask {
  desired: DesiredNetwork;
  state: IngestNetworkState;
  controller: AbortController;
  done: Promise<void>;
}

/** The block log's subject key of a network: its store id (a UUID is a NATS-safe token, a slug may not be unique). */
export function blockLogKey(networkId: string): string {
  return networkId;
}

export function startIngestRole(options: IngestRoleOptions): IngestRole {
  const { logger } = options;
  const tasks = new Map<string, NetworkTask>();
  let stopped = false;
  const cacheStats = { hits: 0, misses: 0 };
  const leadOptions: LeadOptions = {
    ...options,
    onCacheLookup: (outcome) => {
      if (outcome === "hit") cacheStats.hits++;
      else cacheStats.misses++;
    },
  };

  const start = (desired: DesiredNetwork) => {
    const controller = new AbortController();
    const task: NetworkTask = { desired, state: "contending", controller, done: Promise.resolve() };
    task.done = contend(task, leadOptions, logger.child({ network: desired.label }));
    tasks.set(desired.id, task);
  };
  const stopTask = async (id: string) => {
    const task = tasks.get(id);
    tasks.delete(id);
    task?.controller.abort(new Error("network no longer watched"));
    await task?.done;
  };
  const apply = async (state: DesiredState) => {
    if (stopped) return;
    const work: Promise<void>[] = [];
    for (const id of [...tasks.keys()]) if (!state.networks.has(id)) work.push(stopTask(id));
    for (const [id, next] of state.networks) {
      const task = tasks.get(id);
      if (task === undefined) start(next);
      else if (task.desired.version !== next.version) work.push(stopTask(id).then(() => start(next)));
    }
    await Promise.all(work);
  };
  const unsubscribe = options.feed.onState(apply);
  void apply(options.feed.current());

  return {
    states: () => Object.fromEntries([...tasks.values()].map((task) => [task.desired.label, task.state])),
    cacheStats: () => ({ ...cacheStats }),
    async stop() {
      stopped = true;
      unsubscribe();
      await Promise.all([...tasks.keys()].map(stopTask));
    },
  };
}

interface LeadOptions extends IngestRoleOptions {
  onCacheLookup: (outcome: "hit" | "miss") => void;
}

/** Contends for the network's lease until stopped; leads (runs the watcher) whenever it holds it. */
async function contend(task: NetworkTask, options: LeadOptions, logger: Logger): Promise<void> {
  const { signal } = task.controller;
  while (!signal.aborted) {
    task.state = "contending";
    try {
      await runAsLeader(
        options.leases,
        `ingest:${task.desired.id}`,
        async (lease) => {
          task.state = "leading";
          logger.info("Leading ingestion of this network");
          await lead(task.desired, lease, signal, options, logger);
        },
        {
          signal,
          retryMs: options.leaseRetryMs ?? 500,
          onLost: (error) => logger.warn({ code: error.code }, "Ingest lease lost: stopped ingesting this network"),
        },
      );
    } catch (error) {
      logger.error({ error: (error as Error).message }, "Ingesting this network failed");
    }
    if (signal.aborted) return;
    // `lead` returned while holding the lease: the watcher stopped on a fatal error. Let another process try.
    task.state = "failed";
    await delay(options.restartDelayMs ?? 5_000, signal);
  }
}

/** Runs the watcher while `lease` is held, publishing each block before acknowledging it. */
async function lead(
  desired: DesiredNetwork,
  lease: Lease,
  stop: AbortSignal,
  options: LeadOptions,
  logger: Logger,
): Promise<void> {
  const signal = AbortSignal.any([lease.signal, stop]);
  // The watcher's catch-up batches listen on it once per block in flight.
  setMaxListeners(256, signal);
  const { network } = desired;
  const label = desired.label;
  const key = blockLogKey(desired.id);
  const client = openNetworkClient(network);
  try {
    const chainSource: BlockSource<ChainBlock> =
      client.chain.type === "EVM"
        ? (createEvmBlockSource({ client: client.chain.client }) as BlockSource<ChainBlock>)
        : (createStellarBlockSource({ client: client.chain.client }) as BlockSource<ChainBlock>);
    const { cache } = options;
    const onCacheError = (error: Error) => logger.debug({ error: error.message }, "Block cache unavailable");
    const source =
      cache === undefined
        ? chainSource
        : cachingBlockSource(chainSource, { cache, key, onLookup: options.onCacheLookup, onError: onCacheError });
    const settings = blockWatcherSettings(network);
    const urls = client.chain.type === "EVM" ? liveHeadUrls(network) : [];
    const state = fenced(
      createStoreIngestState(options.store, new Map([[network.slug, desired.id]]), {
        keepDepth: Math.max(64, settings.confirmationBlocks) + 1,
      }),
      lease,
    );
    const watcher = createBlockWatcher({
      ...settings,
      startLookbackBlocks: startLookbackBlocks(desired.definitions, network.block_time_ms, Date.now()),
      source,
      state,
      ...(urls.length > 0 ? { liveHeads: createEvmLiveHeads({ urls, WebSocket: resolveWebSocket() }) } : {}),
      signal,
      onDiagnostic: (diagnostic) => logger.debug({ diagnostic }, "Watcher diagnostic"),
    });
    for await (const event of watcher.events()) {
      if (event.type === "stall") {
        logger.warn({ head: String(event.head), stalled_for_ms: event.stalledForMs }, "Chain head stalled");
        continue;
      }
      if (event.type === "error") {
        logger.error({ code: event.error.code, error: event.error.message }, "Network watcher stopped");
        return;
      }
      const entry: BlockLogEntry = event;
      // The dedup id carries the network id: two networks on one chain (a tenant's private copy) share block hashes.
      await publishUntilConfirmed(options.blocks, key, entry, `${key}:${blockDedupId(entry)}`, signal, logger);
      if (event.type === "block") {
        options.metrics.blocksProcessed.inc({ network: label });
        options.metrics.cursor.set({ network: label }, Number(event.number));
        options.metrics.headLag.set({ network: label }, Number(event.head - event.number));
      } else if (event.type === "reorg") {
        options.metrics.reorgs.inc({ network: label });
        if (cache !== undefined) await forgetOrphaned(cache, key, event.orphaned, onCacheError);
        logger.warn(
          { common_ancestor: event.commonAncestor.number.toString(), orphaned: event.orphaned.length },
          "Chain reorganised; orphaned matches will be marked and their pending notifications suppressed",
        );
      } else {
        logger.warn({ from: event.from.toString(), to: event.to.toString(), reason: event.reason }, "Blocks skipped");
      }
    }
  } finally {
    client.close();
  }
}

/** Publishes with the same dedup id until the log confirms it (or the lease / process stops). */
async function publishUntilConfirmed(
  log: BlockLog,
  key: string,
  entry: BlockLogEntry,
  dedupId: string,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  let wait = 100;
  for (;;) {
    try {
      await log.publish(key, entry, { dedupId, signal });
      return;
    } catch (error) {
      if (signal.aborted) throw error;
      logger.warn({ error: (error as Error).message, retry_in_ms: wait }, "Publishing a block failed; retrying");
      await delay(wait, signal);
      wait = Math.min(wait * 2, 5_000);
    }
  }
}

/** The store's ingest state, with the lease confirmed before every cursor write (advance or rewind). */
function fenced(inner: IngestState, lease: Lease): IngestState {
  const confirm = async () => {
    if (!(await lease.confirm())) {
      throw new RoleError(RoleCode.LeaseNotConfirmed, `The ingest lease ${lease.name} is no longer held.`, {
        cause: lease.signal.reason instanceof LeaseError ? lease.signal.reason : undefined,
      });
    }
  };
  return {
    cursor: (network) => inner.cursor(network),
    recentHashes: (network, from) => inner.recentHashes(network, from),
    async recordBlock(network, block) {
      await confirm();
      await inner.recordBlock(network, block);
    },
    async rewind(network, ancestor) {
      await confirm();
      await inner.rewind(network, ancestor);
    },
  };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
