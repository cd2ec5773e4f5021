/**
 * Ingest: one block watcher per network, the single path by which blocks enter Argus. It owns the cursor discipline
 * (gap-free, resumable, acknowledged), confirmations, catch-up, reorg detection and head detection (live heads with
 * polling as the fallback). It fetches through `chains/*` and persists through the `IngestState` port; it imports no
 * store, bus, logger or metrics (observability goes through `onDiagnostic`).
 *
 * ## Guarantees
 * - **Order, no gaps.** Blocks are emitted in strictly increasing order from the cursor + 1. The sequence only breaks
 *   where an event says so: `reorg` (continues at `fromNumber`) and `gap_skipped` (continues at `to + 1`).
 * - **Acknowledge, then advance.** Asking the generator for the next event acknowledges the previous one; only then
 *   does the watcher call `recordBlock` (after a block) or `rewind` (after a reorg). A crash in between replays the
 *   event on restart; match ids are a pure function of (network, block hash, …), so the replay is harmless downstream.
 * - **The cursor is the truth.** Live heads (`eth_subscribe newHeads`), interval polls and cron safety polls only say
 *   how far the watcher may go; fetching always starts at the cursor. Restarts, reconnects and stalls take the same
 *   catch-up path. A failed fetch is retried with backoff, never skipped.
 * - **Catch-up.** First start without a cursor: one block, head − confirmation_blocks (as OZ), or from `startBlock`.
 *   `max_past_blocks` as a number: after a restart or stall, blocks older than head − confirmations − max_past_blocks
 *   are skipped with a `gap_skipped` event (never silently; never blocks already emitted, e.g. after a reorg).
 *   `"unlimited"`: everything is caught up, in batches of 30 (`batchSize`) fetched with bounded concurrency and
 *   emitted in order; the cursor advances per acknowledged block, so a crash costs at most one block's replay.
 * - **Head detection.** With live heads up, a new head triggers fetching at once; the head is also polled at each
 *   `cron_schedule` firing as a safety net. Without them (no ws URL, no WebSocket client, or reconnecting), the head
 *   is polled every max(100 ms, block_time_ms / 4). No higher head for 10 × block_time_ms → one `stall` event, live
 *   heads are reconnected, polling goes on. A poll that sees heads the subscription did not deliver reconnects it.
 *
 * ## Reorgs and the confirmation policy
 * The watcher keeps the hashes of the blocks it emitted, enough to follow a reorg that orphans up to `reorgWindow`
 * of them (default max(64, confirmation_blocks)).
 * When a fetched block's `parentHash` differs from the recorded hash of its predecessor, or a head's hash differs
 * from the recorded hash at its height, it walks back over canonical headers to the common ancestor and emits
 * `{ type: "reorg", commonAncestor, orphaned }` with the emitted blocks (numbers and hashes) that left the chain.
 * When that is acknowledged it rewinds the state to the ancestor and re-emits the canonical blocks from the ancestor
 * + 1: no gap, and no canonical block emitted twice. A reorg deeper than the window (or below block 0) emits a fatal
 * `error` event (`INGEST_REORG_TOO_DEEP`) and ends the stream: that network stops rather than guess; an operator
 * rewinds its cursor (or raises the window) and restarts it.
 *
 * What happens to what orphaned blocks produced depends on `confirmation_blocks`:
 * - **confirmation_blocks ≥ the reorg's depth**: the orphaned blocks were never emitted (block N waits for head ≥ N +
 *   confirmation_blocks), so nothing is orphaned downstream. This is the setting for networks that reorg.
 * - **confirmation_blocks 0 or smaller than the depth**: emitted blocks can be orphaned. Consumers of the `reorg`
 *   event mark the matches of the orphaned block hashes as orphaned and suppress their notifications not yet
 *   delivered. Notifications already delivered are not recalled (a future "retraction" notification may follow the
 *   orphaned mark); the new chain's blocks are evaluated afresh and produce their own matches (other hashes, so other
 *   match ids).
 * - Stellar (deterministic finality, default confirmation 1) does not reorg; the same checks run, and a broken link
 *   there means an endpoint serving another network (after walking back: a fatal error, never silent).
 *
 * @example
 * const transport = createRpcTransport({ endpoints: [{ url: "https://eth.example", weight: 100 }] });
 * const source = createEvmBlockSource({ client: createEvmClient({ transport }) });
 * const urls = liveHeadUrls(network);
 * const WebSocket = resolveWebSocket();
 * const watcher = createBlockWatcher({
 *   ...blockWatcherSettings(network),
 *   source,
 *   state: createMemoryIngestState(),
 *   liveHeads: urls.length > 0 && WebSocket ? createEvmLiveHeads({ urls, WebSocket }) : undefined,
 * });
 * for await (const event of watcher.events()) {
 *   if (event.type === "block") await blockLog.publish(event);
 *   else if (event.type === "reorg") await matches.markOrphaned(event.orphaned);
 * }
 */
export {
  BlockSourceError,
  CursorRegressionError,
  IngestOptionsError,
  IngestStateError,
  LiveHeadsError,
  ReorgTooDeepError,
  WatcherStartedError,
} from "./errors.js";
export { createEvmBlockSource, type EvmBlockSourceOptions } from "./evm-source.js";
export {
  createEvmLiveHeads,
  type EvmLiveHeadsOptions,
  resolveWebSocket,
  type WebSocketConstructor,
  type WebSocketEventLike,
  type WebSocketLike,
} from "./live-heads.js";
export { blockWatcherSettings, liveHeadUrls, type NetworkWatchSettings } from "./network.js";
export {
  createMemoryIngestState,
  type IngestState,
  type MemoryIngestState,
  type MemoryIngestStateOptions,
} from "./state.js";
export { createStellarBlockSource, type StellarBlockSourceOptions } from "./stellar-source.js";
export type { BackoffPolicy } from "./timing.js";
export type {
  BlockEvent,
  BlockRef,
  BlockSource,
  ChainHead,
  GapSkippedEvent,
  LinkedBlockRef,
  LiveHeadHandlers,
  LiveHeadSource,
  LiveHeadSubscription,
  ReorgEvent,
  SourceBlock,
  SourceRequestOptions,
  StallEvent,
  WatcherDiagnostic,
  WatcherErrorEvent,
  WatcherEvent,
  WatcherState,
  WatcherStatus,
} from "./types.js";
export { type BlockWatcher, type BlockWatcherOptions, createBlockWatcher } from "./watcher.js";
