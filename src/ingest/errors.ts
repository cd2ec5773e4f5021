import { ArgusError, type ErrorPath } from "../errors/index.js";

/**
 * A reorg reached further back than the watcher keeps block hashes (`reorgWindow`), or below block 0. The watcher
 * cannot know which emitted blocks are orphaned, so it stops that network rather than continue on a guess.
 */
export class ReorgTooDeepError extends ArgusError {
  override name = "ReorgTooDeepError";
  readonly network: string;
  /** The cursor when the reorg was found. */
  readonly cursor: bigint;
  /** Blocks walked back without finding a common ancestor. */
  readonly depth: number;
  readonly reorgWindow: number;

  constructor(args: { network: string; cursor: bigint; depth: number; reorgWindow: number; belowGenesis?: boolean }) {
    const where = args.belowGenesis
      ? "no recorded block down to block 0 is on the node's chain"
      : `no common ancestor within ${args.reorgWindow} blocks below it (reorgWindow)`;
    super(
      "INGEST_REORG_TOO_DEEP",
      `Network ${args.network}: a reorg below the cursor (block ${args.cursor}) goes deeper than the watcher can follow: ${where}. The watcher stopped.`,
      {
        retryable: false,
        hint: args.belowGenesis
          ? "The RPC endpoint may serve another chain than the one recorded; check rpc_urls."
          : "Check the RPC endpoint; if the reorg is real, rewind the network's cursor to a block before it (or raise reorgWindow) and restart.",
      },
    );
    this.network = args.network;
    this.cursor = args.cursor;
    this.depth = args.depth;
    this.reorgWindow = args.reorgWindow;
  }
}

/** A watcher option is unusable (a negative count, a zero batch size, a start block below 0, …). */
export class IngestOptionsError extends ArgusError {
  override name = "IngestOptionsError";

  constructor(message: string, path: ErrorPath = []) {
    super("INGEST_INVALID_OPTIONS", message, { path, retryable: false });
  }
}

/** `events()` was called on a watcher that already ran; a watcher serves one consumer, once. */
export class WatcherStartedError extends ArgusError {
  override name = "WatcherStartedError";

  constructor(network: string) {
    super("INGEST_WATCHER_STARTED", `The block watcher of network ${network} was already started.`, {
      retryable: false,
      hint: "Create a new watcher (createBlockWatcher) for each run; it resumes from the persisted cursor.",
    });
  }
}

/** Reading or writing the ingest state (cursor, block hashes) failed after retries. */
export class IngestStateError extends ArgusError {
  override name = "IngestStateError";
  readonly operation: string;

  constructor(args: { network: string; operation: string; cause: unknown; detail?: string }) {
    const detail = args.detail ?? (args.cause instanceof Error ? args.cause.message : String(args.cause));
    super("INGEST_STATE_FAILED", `Network ${args.network}: ingest state ${args.operation} failed: ${detail}`, {
      retryable: true,
      cause: args.cause,
      hint: "The watcher stopped without advancing the cursor; restart it when the store is reachable (the last block is replayed).",
    });
    this.operation = args.operation;
  }
}

/** The ingest state refused a write that would break its invariants (a cursor moving backwards without a rewind). */
export class CursorRegressionError extends ArgusError {
  override name = "CursorRegressionError";

  constructor(network: string, detail: string) {
    super("INGEST_CURSOR_REGRESSION", `Network ${network}: ${detail}`, {
      retryable: false,
      hint: "A rewind after a reorg is explicit (IngestState.rewind); recordBlock only moves forward.",
    });
  }
}

/** A live head subscription (WebSocket `eth_subscribe newHeads`) failed to open, timed out, or closed. */
export class LiveHeadsError extends ArgusError {
  override name = "LiveHeadsError";
  /** The redacted endpoint URL. */
  readonly endpoint: string;

  constructor(endpoint: string, detail: string, cause?: unknown) {
    super("INGEST_LIVE_HEADS", `Live heads on ${endpoint}: ${detail}`, {
      retryable: true,
      cause,
      hint: "The watcher falls back to polling and reconnects with backoff; check the network's ws(s) rpc_urls entry.",
    });
    this.endpoint = endpoint;
  }
}

/** A block source answered something that does not fit (block N fetched as another number, a malformed head). */
export class BlockSourceError extends ArgusError {
  override name = "BlockSourceError";

  constructor(detail: string, path: ErrorPath = []) {
    super("INGEST_SOURCE_INCONSISTENT", detail, {
      path,
      retryable: true,
      hint: "Usually load-balanced endpoints that disagree or a reorg between calls; the watcher retries.",
    });
  }
}
