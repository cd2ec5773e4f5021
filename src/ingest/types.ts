import type { ArgusError } from "../errors/index.js";

/** A block by number and hash: what the cursor and the reorg window remember. */
export interface BlockRef {
  number: bigint;
  hash: string;
}

/** A block's place in the chain: its hash and its parent's. `parentHash` is `null` only when the chain does not say. */
export interface LinkedBlockRef extends BlockRef {
  parentHash: string | null;
}

/** A fetched block, chain-neutral on the outside, the chain's own block (`EvmBlock`, `StellarLedger`) inside. */
export interface SourceBlock<B> extends LinkedBlockRef {
  block: B;
}

/** The node's latest block. `hash` is `null` when the head source only gives a number. */
export interface ChainHead {
  number: bigint;
  hash: string | null;
}

export interface SourceRequestOptions {
  signal?: AbortSignal;
}

/**
 * Where a watcher reads a chain: one implementation per chain family (`createEvmBlockSource`,
 * `createStellarBlockSource`). Sources fetch; they do not retry beyond what their transport does, and they never
 * skip: every failure is thrown, and the watcher decides.
 */
export interface BlockSource<B> {
  /** The chain family, for messages. */
  readonly chain: string;
  /** The lowest block number the chain has (EVM 0, Stellar ledger 1). */
  readonly firstNumber: bigint;
  /** The node's latest block (EVM `eth_getBlockByNumber("latest")`, Stellar `getLatestLedger`). */
  head(options?: SourceRequestOptions): Promise<ChainHead>;
  /**
   * Block `number` with everything the engine needs. Throws a retryable error when the node does not have it (yet).
   */
  fetchBlock(number: bigint, options?: SourceRequestOptions): Promise<SourceBlock<B>>;
  /**
   * Blocks `from`…`to` in order, when the chain can fetch a range cheaper than block by block (Stellar). Optional;
   * without it the watcher fetches single blocks with bounded concurrency.
   */
  fetchRange?(from: bigint, to: bigint, options?: SourceRequestOptions): Promise<Array<SourceBlock<B>>>;
  /**
   * Only the linkage of block `number` (cheap: no transactions), or `null` when the node has no such block. Used to
   * walk back to the common ancestor after a reorg.
   */
  fetchRef(number: bigint, options?: SourceRequestOptions): Promise<LinkedBlockRef | null>;
}

/** Callbacks of one live head subscription. */
export interface LiveHeadHandlers {
  /** A new head announced by the node (not necessarily higher than the last: a reorg can lower it). */
  onHead(head: ChainHead): void;
  /** The subscription ended on its own (connection closed, heartbeat lost). Called at most once; not after `close()`. */
  onClose(error: ArgusError): void;
}

export interface LiveHeadSubscription {
  /** Ends the subscription and its connection. Idempotent. */
  close(): void;
}

/**
 * Pushes new heads as the node learns them (EVM: WebSocket `eth_subscribe("newHeads")`). Only lowers latency: the
 * watcher never trusts it for completeness, it fetches every block from the cursor.
 */
export interface LiveHeadSource {
  /** Redacted URL of the endpoint the next `subscribe` uses, for diagnostics. */
  readonly endpoint: string;
  /** Opens a subscription; resolves once the node confirmed it, rejects (retryably) when it cannot. */
  subscribe(handlers: LiveHeadHandlers, options?: SourceRequestOptions): Promise<LiveHeadSubscription>;
}

/**
 * A block to hand off. Emitted in strictly increasing order without gaps from the cursor + 1 (after a `reorg` event,
 * from the common ancestor + 1; after a `gap_skipped` event, from its `to` + 1).
 */
export interface BlockEvent<B> {
  type: "block";
  network: string;
  number: bigint;
  hash: string;
  parentHash: string | null;
  block: B;
  /** The head number the watcher knew when it emitted this block (lag = head − number). */
  head: bigint;
}

/**
 * Blocks the watcher emitted earlier are no longer on the chain. Everything they produced (matches, pending
 * notifications) must be treated as orphaned. The next block event is `fromNumber` (= common ancestor + 1), on the
 * new chain.
 */
export interface ReorgEvent {
  type: "reorg";
  network: string;
  /** The first orphaned block number; the watcher re-emits from here. */
  fromNumber: bigint;
  /** The newest block that is on both chains (the cursor after this event is acknowledged). */
  commonAncestor: BlockRef;
  /** The emitted blocks that left the chain, ascending by number, with the hashes that were emitted. */
  orphaned: BlockRef[];
}

/**
 * Blocks `from`…`to` are skipped and will never be emitted, because `max_past_blocks` (a number) says older blocks
 * are not worth catching up. Never silent: consumers should log it and may record the range as missed.
 */
export interface GapSkippedEvent {
  type: "gap_skipped";
  network: string;
  from: bigint;
  to: bigint;
  reason: "max_past_blocks";
}

/** No higher head for `stalledForMs` (≥ `stallAfterMs`). Emitted once per stall; the watcher keeps polling. */
export interface StallEvent {
  type: "stall";
  network: string;
  /** The highest head seen, or `null` when no head was ever read. */
  head: bigint | null;
  stalledForMs: number;
}

/** The watcher cannot continue on this network (a reorg deeper than it can follow). The last event of the stream. */
export interface WatcherErrorEvent {
  type: "error";
  network: string;
  error: ArgusError;
  fatal: true;
}

export type WatcherEvent<B> = BlockEvent<B> | ReorgEvent | GapSkippedEvent | StallEvent | WatcherErrorEvent;

/** Observability: what happened inside the watcher, for logs and metrics. Not part of the data stream. */
export type WatcherDiagnostic =
  | { type: "head"; network: string; number: bigint; hash: string | null; via: "poll" | "live" }
  | {
      type: "retry";
      network: string;
      /** What failed: reading the head, fetching blocks, walking back a reorg, or the ingest state. */
      operation: "head" | "fetch_block" | "fetch_ref" | "state";
      blockNumber?: bigint;
      /** 1 for the first retry. */
      attempt: number;
      delayMs: number;
      error: unknown;
    }
  | {
      type: "live_heads";
      network: string;
      status: "connecting" | "connected" | "disconnected" | "suspect";
      endpoint: string;
      error?: unknown;
    };

export type WatcherState = "idle" | "starting" | "running" | "stopped" | "failed";

export interface WatcherStatus {
  state: WatcherState;
  /** The last acknowledged block (the persisted cursor), or `null` before the first. */
  cursor: BlockRef | null;
  /** The highest head seen. */
  head: bigint | null;
  /** `off` when no live head source is configured; `down` while reconnecting (the watcher polls meanwhile). */
  liveHeads: "off" | "connecting" | "live" | "down";
  /** Set when `state` is `failed`. */
  error?: ArgusError | undefined;
}
