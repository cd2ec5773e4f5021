import { type CronSchedule, nextFiring, parseCron } from "../config/index.js";
import { ArgusError } from "../errors/index.js";
import {
  BlockSourceError,
  IngestOptionsError,
  IngestStateError,
  LiveHeadsError,
  ReorgTooDeepError,
  WatcherStartedError,
} from "./errors.js";
import type { IngestState } from "./state.js";
import { type BackoffPolicy, backoffMs, childController, createDoorbell, pause } from "./timing.js";
import type {
  BlockRef,
  BlockSource,
  ChainHead,
  LiveHeadSource,
  LiveHeadSubscription,
  SourceBlock,
  WatcherDiagnostic,
  WatcherEvent,
  WatcherStatus,
} from "./types.js";

export interface BlockWatcherOptions<B> {
  /** The network's slug: the key of its state and the `network` of every event. */
  network: string;
  source: BlockSource<B>;
  state: IngestState;
  /** OZ `confirmation_blocks`: block N is emitted once the head is at N + confirmationBlocks or higher. */
  confirmationBlocks: number;
  /**
   * OZ `max_past_blocks`: a number skips blocks older than `head − confirmations − maxPastBlocks` after a restart or
   * a stall (with a `gap_skipped` event); `"unlimited"` catches up everything, `batchSize` blocks at a time.
   */
  maxPastBlocks: number | "unlimited";
  /** OZ `block_time_ms`: sets the polling interval and the stall threshold. */
  blockTimeMs: number;
  /**
   * OZ `cron_schedule` (seconds first). With live heads up, the watcher polls the head only at these firings, as a
   * safety net; without live heads it polls every `pollIntervalMs`. @default every minute
   */
  cronSchedule?: string;
  /** First block to emit when the network has no cursor yet. @default head − confirmationBlocks (one block, as OZ) */
  startBlock?: bigint;
  /**
   * Without a cursor (and without `startBlock`), start this many blocks before head − confirmationBlocks: a monitor
   * created while its network was not watched yet then misses no block mined between its creation and the first
   * poll (the caller drops matches of blocks from before a monitor became active). @default 0
   */
  startLookbackBlocks?: bigint;
  /** Blocks per catch-up batch (the unit of planning; the cursor advances per block). @default 30 (as OZ) */
  batchSize?: number;
  /** Blocks fetched at once, ahead of the one being emitted. @default 8 */
  fetchConcurrency?: number;
  /**
   * The most emitted blocks a reorg may orphan and still be followed (the watcher keeps this many hashes, plus the
   * ancestor's); a deeper reorg stops the network. @default max(64, confirmationBlocks)
   */
  reorgWindow?: number;
  /** Head polling interval without live heads. @default max(100, blockTimeMs / 4) */
  pollIntervalMs?: number;
  /** No higher head for this long → one `stall` event (and live heads are reconnected). @default 10 × blockTimeMs */
  stallAfterMs?: number;
  /** Pushed heads (EVM WebSocket `newHeads`); without it the watcher polls. */
  liveHeads?: LiveHeadSource;
  /** Backoff after failed fetches, head polls, state writes and live-head connections. */
  retry?: Partial<BackoffPolicy>;
  /** Aborting it stops the watcher, like `stop()`. */
  signal?: AbortSignal;
  /** Retries, heads and live-head status, for logs and metrics. Exceptions it throws are ignored. */
  onDiagnostic?: (event: WatcherDiagnostic) => void;
}

export interface BlockWatcher<B> {
  readonly network: string;
  /**
   * The event stream. Call once; one consumer. Resuming the generator (asking for the next event) acknowledges the
   * previous one, and only then is the state advanced: a consumer that stops or crashes before asking again gets the
   * same event again from the next watcher. To stop while the stream waits for a block, call `stop()`.
   */
  events(): AsyncGenerator<WatcherEvent<B>, void, undefined>;
  /** Stops the watcher: pending waits and fetches end, the stream finishes. Idempotent. */
  stop(): void;
  status(): WatcherStatus;
}

interface Settings {
  confirmations: bigint;
  maxPastBlocks: bigint | "unlimited";
  batchSize: bigint;
  fetchConcurrency: bigint;
  reorgWindow: number;
  pollIntervalMs: number;
  stallAfterMs: number;
  blockTimeMs: number;
  cron: CronSchedule | undefined;
  retry: BackoffPolicy;
}

const STATE_ATTEMPTS = 4;
/** A live head subscription that stayed up this long resets the reconnect backoff. */
const LIVE_STABLE_MS = 30_000;

/**
 * Creates the block watcher of one network: the single path by which blocks enter Argus.
 *
 * Guarantees (see the module docs in `ingest/index.ts` for the confirmation policy):
 * - Blocks are emitted in strictly increasing order without gaps, from the cursor + 1. The only breaks in the
 *   sequence are announced: a `reorg` event (the stream continues at its `fromNumber`) and a `gap_skipped` event (it
 *   continues at `to + 1`).
 * - The state advances only when the consumer asks for the next event (the acknowledgement): `recordBlock` after a
 *   block, `rewind` after a reorg. A crash in between replays the event; deterministic match ids make it harmless.
 * - Block N is emitted once the head is at N + confirmationBlocks or higher. Without a cursor the first block is
 *   head − confirmationBlocks (or `startBlock`).
 * - Every head — pushed, polled at the interval, or polled at the cron safety firing — only tells the watcher how far
 *   it may go; what it fetches always starts at the cursor. Restarts, reconnects and stalls take the same path.
 * - RPC failures are retried with backoff, forever; a block is never skipped because it failed.
 * - A parent-hash break, or a head whose hash differs from a recorded block of the same number, makes the watcher
 *   walk back (fetching canonical headers) to the common ancestor, emit `reorg`, rewind, and re-emit from the
 *   ancestor + 1. Walking back further than `reorgWindow` blocks emits a fatal `error` event and ends the stream.
 *
 * @example
 * const watcher = createBlockWatcher({ ...blockWatcherSettings(network), source, state, liveHeads });
 * for await (const event of watcher.events()) {
 *   if (event.type === "block") await blockLog.publish(event);   // the next iteration acknowledges it
 *   else if (event.type === "reorg") await matches.markOrphaned(event.orphaned);
 *   else logger.warn(event);
 * }
 */
export function createBlockWatcher<B>(options: BlockWatcherOptions<B>): BlockWatcher<B> {
  const settings = resolveSettings(options);
  const { network, source, state } = options;
  const root = new AbortController();
  const external = options.signal;
  if (external?.aborted) root.abort(external.reason);
  else external?.addEventListener("abort", () => root.abort(external.reason), { once: true });

  const status: WatcherStatus = {
    state: "idle",
    cursor: null,
    head: null,
    liveHeads: options.liveHeads ? "down" : "off",
  };
  let started = false;

  const diagnose = (event: WatcherDiagnostic) => {
    try {
      options.onDiagnostic?.(event);
    } catch {
      // Observability must not break ingestion.
    }
  };

  async function* run(): AsyncGenerator<WatcherEvent<B>, void, undefined> {
    const scope = childController(root.signal);
    const signal = scope.controller.signal;
    const bell = createDoorbell();
    const K = settings.reorgWindow;

    // ---- heads ------------------------------------------------------------------------------------------------
    let known: ChainHead | null = null;
    let knownVersion = 0;
    let consumedVersion = 0;
    let maxHead: bigint | null = null;
    let lastAdvanceAt = Date.now();
    let stallReported = false;
    let lastPollAt = Number.NEGATIVE_INFINITY;
    let pollFailures = 0;
    let nextSafetyPollAt = 0;
    let liveConnected = false;
    let liveSuspect = false;
    let lastLiveAt = 0;
    let lastLiveNumber: bigint | null = null;
    let resetLive: (() => void) | undefined;

    const noteHead = (head: ChainHead, via: "poll" | "live") => {
      known = head;
      knownVersion++;
      if (maxHead === null || head.number > maxHead) {
        maxHead = head.number;
        status.head = head.number;
        lastAdvanceAt = Date.now();
        stallReported = false;
      }
      diagnose({ type: "head", network, number: head.number, hash: head.hash, via });
    };
    const liveOk = () => liveConnected && !liveSuspect;
    const distrustLive = (why: string) => {
      if (!liveConnected || liveSuspect) return;
      liveSuspect = true;
      const endpoint = options.liveHeads?.endpoint ?? "";
      diagnose({ type: "live_heads", network, status: "suspect", endpoint, error: new LiveHeadsError(endpoint, why) });
      resetLive?.();
    };
    const pollDelay = () =>
      pollFailures === 0 ? settings.pollIntervalMs : Math.max(settings.pollIntervalMs, backoff(pollFailures));
    const safetyPollAfter = (now: number) => {
      const next = settings.cron ? nextFiring(settings.cron, new Date(now)) : undefined;
      return next?.getTime() ?? now + 60_000;
    };

    const pollHead = async (): Promise<void> => {
      lastPollAt = Date.now();
      try {
        const head = await source.head({ signal });
        pollFailures = 0;
        noteHead(head, "poll");
        const liveLate = lastLiveNumber === null || head.number > lastLiveNumber;
        if (liveOk() && liveLate && Date.now() - lastLiveAt > 2 * settings.blockTimeMs) {
          distrustLive(`the node is at block ${head.number} but no head arrived for ${Date.now() - lastLiveAt} ms.`);
        }
      } catch (error) {
        if (signal.aborted) return;
        pollFailures++;
        diagnose({ type: "retry", network, operation: "head", attempt: pollFailures, delayMs: pollDelay(), error });
      }
    };

    /** The newest head, polled now unless live heads keep it fresh. */
    const refreshHead = async (current: ChainHead): Promise<ChainHead> => {
      if (!liveOk()) await pollHead();
      consumedVersion = knownVersion;
      return known ?? current;
    };

    /** Waits for a head other than `prev` (any change: a reorg may lower it). Yields `stall` events meanwhile. */
    async function* nextHead(prev: ChainHead | null): AsyncGenerator<WatcherEvent<B>, ChainHead | null> {
      for (;;) {
        if (signal.aborted) return null;
        if (knownVersion !== consumedVersion) {
          consumedVersion = knownVersion;
          const head = known as ChainHead | null;
          if (head !== null && (prev === null || head.number !== prev.number || head.hash !== prev.hash)) return head;
        }
        const now = Date.now();
        if (!stallReported && now - lastAdvanceAt >= settings.stallAfterMs) {
          stallReported = true;
          distrustLive(`no new head for ${now - lastAdvanceAt} ms.`);
          yield { type: "stall", network, head: maxHead, stalledForMs: now - lastAdvanceAt };
          continue;
        }
        const pollAt = liveOk() ? nextSafetyPollAt : lastPollAt + pollDelay();
        if (now >= pollAt) {
          const wasLive = liveOk();
          await pollHead();
          if (wasLive) nextSafetyPollAt = safetyPollAfter(Date.now());
          continue;
        }
        const stallAt = stallReported ? Number.POSITIVE_INFINITY : lastAdvanceAt + settings.stallAfterMs;
        await bell.wait(Math.min(pollAt, stallAt) - now, signal);
      }
    }

    const liveLoop = options.liveHeads ? runLiveHeads(options.liveHeads) : undefined;

    async function runLiveHeads(live: LiveHeadSource): Promise<void> {
      let attempt = 0;
      while (!signal.aborted) {
        status.liveHeads = "connecting";
        diagnose({ type: "live_heads", network, status: "connecting", endpoint: live.endpoint });
        let subscription: LiveHeadSubscription | undefined;
        let ended: (error: unknown) => void = () => {};
        const end = new Promise<unknown>((resolve) => {
          ended = resolve;
        });
        try {
          subscription = await live.subscribe(
            {
              onHead: (head) => {
                lastLiveAt = Date.now();
                lastLiveNumber = head.number;
                liveSuspect = false;
                noteHead(head, "live");
                bell.ring();
              },
              onClose: (error) => ended(error),
            },
            { signal },
          );
        } catch (error) {
          if (signal.aborted) break;
          status.liveHeads = "down";
          diagnose({ type: "live_heads", network, status: "disconnected", endpoint: live.endpoint, error });
          attempt++;
          await pause(backoff(attempt), signal);
          continue;
        }
        const connectedAt = Date.now();
        liveConnected = true;
        lastLiveAt = connectedAt;
        nextSafetyPollAt = 0;
        status.liveHeads = "live";
        diagnose({ type: "live_heads", network, status: "connected", endpoint: live.endpoint });
        bell.ring();
        resetLive = () => ended(new LiveHeadsError(live.endpoint, "reconnecting: the subscription looks stale."));
        const onAbort = () => ended(undefined);
        signal.addEventListener("abort", onAbort, { once: true });
        if (signal.aborted) onAbort();
        const error = await end;
        signal.removeEventListener("abort", onAbort);
        try {
          subscription.close();
        } catch {
          // A subscription that fails to close is dropped all the same.
        }
        resetLive = undefined;
        liveConnected = false;
        status.liveHeads = "down";
        bell.ring();
        if (signal.aborted) break;
        diagnose({ type: "live_heads", network, status: "disconnected", endpoint: live.endpoint, error });
        // A connection that lasted is a fresh start; one that keeps dropping at once backs off like a refusal.
        if (Date.now() - connectedAt >= LIVE_STABLE_MS) attempt = 0;
        attempt++;
        await pause(backoff(attempt), signal);
      }
      status.liveHeads = "off";
    }

    // ---- state ------------------------------------------------------------------------------------------------
    let last: BlockRef | null = null;
    const recent = new Map<bigint, string>();
    let highWater = -1n;
    let noSkipThrough = -1n;
    let skippedThrough = -1n;

    const stateCall = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await call();
        } catch (error) {
          if (signal.aborted) throw error;
          if (error instanceof ArgusError && !error.retryable) throw error;
          if (attempt >= STATE_ATTEMPTS) throw new IngestStateError({ network, operation, cause: error });
          const delayMs = backoff(attempt);
          diagnose({ type: "retry", network, operation: "state", attempt, delayMs, error });
          await pause(delayMs, signal);
          if (signal.aborted) throw error;
        }
      }
    };

    const setLast = (ref: BlockRef) => {
      last = ref;
      status.cursor = { ...ref };
    };

    const acknowledgeBlock = async (block: SourceBlock<B>) => {
      const ref = { number: block.number, hash: block.hash, parentHash: block.parentHash };
      await stateCall("recordBlock", () => state.recordBlock(network, ref));
      setLast({ number: block.number, hash: block.hash });
      recent.set(block.number, block.hash);
      if (recent.size > K + 1) {
        const floor = block.number - BigInt(K) - 1n;
        for (const number of recent.keys()) if (number <= floor) recent.delete(number);
      }
      if (block.number > highWater) highWater = block.number;
    };

    // ---- fetching ---------------------------------------------------------------------------------------------
    type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
    const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
      promise.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );

    /** Fetches `from`…`to` ahead of emission (bounded), handing blocks out in order. */
    const createFetcher = (from: bigint, to: bigint, fetchSignal: AbortSignal) => {
      const pending = new Map<bigint, Promise<Settled<SourceBlock<B>>>>();
      let launched = from - 1n;
      let range: Promise<Settled<Array<SourceBlock<B>>>> | undefined;
      const fetchRange = source.fetchRange?.bind(source);
      return async (n: bigint): Promise<SourceBlock<B>> => {
        if (fetchRange !== undefined && to > from) {
          range ??= settle(fetchRange(from, to, { signal: fetchSignal }));
          const result = await range;
          if (!result.ok) throw result.error;
          const block = result.value[Number(n - from)];
          if (block === undefined) {
            throw new BlockSourceError(
              `The ${source.chain} source returned ${result.value.length} blocks for ${from}…${to}.`,
            );
          }
          return block;
        }
        const until = n + settings.fetchConcurrency - 1n < to ? n + settings.fetchConcurrency - 1n : to;
        while (launched < until) {
          launched++;
          pending.set(launched, settle(source.fetchBlock(launched, { signal: fetchSignal })));
        }
        const promise = pending.get(n) ?? settle(source.fetchBlock(n, { signal: fetchSignal }));
        pending.delete(n);
        const result = await promise;
        if (!result.ok) throw result.error;
        return result.value;
      };
    };

    type RangeOutcome =
      | { kind: "done" }
      | { kind: "reorg"; at: bigint }
      | { kind: "failed"; at: bigint; error: unknown };

    /** Emits `from`…`to`, acknowledging each block before the next; stops at a parent-hash break. */
    async function* emitRange(from: bigint, to: bigint, head: bigint): AsyncGenerator<WatcherEvent<B>, RangeOutcome> {
      const batch = childController(signal);
      const take = createFetcher(from, to, batch.controller.signal);
      try {
        for (let n = from; n <= to; n++) {
          let block: SourceBlock<B>;
          try {
            block = await take(n);
          } catch (error) {
            return { kind: "failed", at: n, error };
          }
          if (block.number !== n) {
            const error = new BlockSourceError(`Asked ${source.chain} for block ${n}, got block ${block.number}.`);
            return { kind: "failed", at: n, error };
          }
          const previous = last as BlockRef | null;
          if (previous !== null && previous.number === n - 1n && block.parentHash !== null) {
            if (block.parentHash !== previous.hash) return { kind: "reorg", at: previous.number };
          }
          yield {
            type: "block",
            network,
            number: block.number,
            hash: block.hash,
            parentHash: block.parentHash,
            block: block.block,
            head,
          };
          // Resumed: the consumer handed the block off. Only now does the cursor move.
          await acknowledgeBlock(block);
        }
        return { kind: "done" };
      } finally {
        batch.controller.abort();
        batch.dispose();
      }
    }

    type ReconcileOutcome = { kind: "handled" } | { kind: "retry"; at: bigint; error: unknown } | { kind: "fatal" };

    /**
     * Follows a reorg known to reach block `startAt` (whose recorded hash is no longer canonical, or whose child's
     * parent hash says so): every recorded block above it is orphaned; below it, canonical headers are compared with
     * the recorded hashes down to the common ancestor.
     */
    async function* reconcile(startAt: bigint): AsyncGenerator<WatcherEvent<B>, ReconcileOutcome> {
      const cursor = last as BlockRef | null;
      if (cursor === null) return { kind: "handled" };
      const orphaned: BlockRef[] = [];
      for (let n = cursor.number; n > startAt; n--) {
        const hash = recent.get(n);
        if (hash !== undefined) orphaned.push({ number: n, hash });
      }
      let ancestor: BlockRef | undefined;
      for (let m = startAt; ancestor === undefined; m--) {
        const depth = Number(cursor.number - m);
        if (m < source.firstNumber || depth > K) {
          const error = new ReorgTooDeepError({
            network,
            cursor: cursor.number,
            depth,
            reorgWindow: K,
            belowGenesis: m < source.firstNumber,
          });
          status.state = "failed";
          status.error = error;
          yield { type: "error", network, error, fatal: true };
          return { kind: "fatal" };
        }
        let canonical: Awaited<ReturnType<typeof source.fetchRef>>;
        try {
          canonical = await source.fetchRef(m, { signal });
        } catch (error) {
          return { kind: "retry", at: m, error };
        }
        const recorded = recent.get(m);
        if (canonical === null) {
          // The node lacks a block below a newer one it served: a lagging endpoint, not evidence. Look again later.
          const error = new BlockSourceError(`The ${source.chain} node has no block ${m} while walking back a reorg.`);
          return { kind: "retry", at: m, error };
        }
        if (recorded === undefined || recorded === canonical.hash) {
          // Never emitted (before the first block or in a skipped gap), or still canonical: the common ancestor.
          ancestor = { number: m, hash: canonical.hash };
        } else {
          orphaned.push({ number: m, hash: recorded });
        }
      }
      if (orphaned.length === 0) {
        const error = new BlockSourceError(`Block ${startAt + 1n} did not link to its parent, which is canonical.`);
        return { kind: "retry", at: startAt + 1n, error };
      }
      orphaned.reverse();
      const commonAncestor = ancestor as BlockRef;
      yield { type: "reorg", network, fromNumber: commonAncestor.number + 1n, commonAncestor, orphaned };
      // Acknowledged: the consumer has handled the orphaned blocks. Only now is the state rewound, so a crash before
      // this point finds the same reorg again on restart.
      await stateCall("rewind", () => state.rewind(network, commonAncestor));
      for (const number of recent.keys()) if (number > commonAncestor.number) recent.delete(number);
      recent.set(commonAncestor.number, commonAncestor.hash);
      setLast(commonAncestor);
      return { kind: "handled" };
    }

    // ---- main loop --------------------------------------------------------------------------------------------
    let failures = 0;
    const failed = async (operation: "fetch_block" | "fetch_ref", at: bigint, error: unknown) => {
      failures++;
      const delayMs = backoff(failures);
      diagnose({ type: "retry", network, operation, blockNumber: at, attempt: failures, delayMs, error });
      await pause(delayMs, signal);
    };

    status.state = "starting";
    try {
      const cursor = await stateCall("cursor", () => state.cursor(network));
      if (cursor !== null) {
        const from = cursor.number - BigInt(K);
        const hashes = await stateCall("recentHashes", () => state.recentHashes(network, from < 0n ? 0n : from));
        for (const [number, hash] of hashes) if (number <= cursor.number) recent.set(number, hash.toLowerCase());
        const ref = { number: cursor.number, hash: cursor.hash.toLowerCase() };
        recent.set(ref.number, ref.hash);
        setLast(ref);
        highWater = ref.number;
      }
      status.state = "running";

      let head = yield* nextHead(null);
      while (head !== null && !signal.aborted) {
        const current = last as BlockRef | null;

        // The head is at or below the cursor: nothing to emit, but a different hash at a recorded height is a reorg.
        if (current !== null && head.number <= current.number) {
          const recorded = recent.get(head.number);
          if (head.hash !== null && recorded !== undefined && recorded !== head.hash) {
            const outcome = yield* reconcile(head.number);
            if (outcome.kind === "fatal") return;
            if (outcome.kind === "retry") {
              if (signal.aborted) return;
              await failed("fetch_ref", outcome.at, outcome.error);
            } else failures = 0;
            head = await refreshHead(head);
            continue;
          }
          head = yield* nextHead(head);
          continue;
        }

        const target = head.number - settings.confirmations;
        let from: bigint;
        if (current === null) {
          if (options.startBlock !== undefined) {
            from = options.startBlock;
            if (target > noSkipThrough) noSkipThrough = target;
          } else {
            from = target - (options.startLookbackBlocks ?? 0n);
            if (target > noSkipThrough) noSkipThrough = target;
          }
        } else {
          from = current.number + 1n;
        }
        if (from <= skippedThrough) from = skippedThrough + 1n;
        if (from < source.firstNumber) from = source.firstNumber;
        if (from > target) {
          head = yield* nextHead(head);
          continue;
        }

        // max_past_blocks (a number): never re-skip what was emitted, nor the initial catch-up from startBlock.
        if (settings.maxPastBlocks !== "unlimited" && current !== null && from > highWater && from > noSkipThrough) {
          const start = target - settings.maxPastBlocks;
          if (start > from) {
            yield { type: "gap_skipped", network, from, to: start - 1n, reason: "max_past_blocks" };
            skippedThrough = start - 1n;
            from = start;
          }
        }

        const to = from + settings.batchSize - 1n < target ? from + settings.batchSize - 1n : target;
        const outcome = yield* emitRange(from, to, head.number);
        if (signal.aborted) return;
        if (outcome.kind === "reorg") {
          const reorg = yield* reconcile(outcome.at);
          if (reorg.kind === "fatal") return;
          if (reorg.kind === "retry") await failed("fetch_ref", reorg.at, reorg.error);
          else failures = 0;
        } else if (outcome.kind === "failed") {
          await failed("fetch_block", outcome.at, outcome.error);
        } else {
          failures = 0;
        }
        head = await refreshHead(head);
      }
    } catch (error) {
      if (signal.aborted) return;
      status.state = "failed";
      status.error =
        error instanceof ArgusError ? error : new IngestStateError({ network, operation: "run", cause: error });
      throw error;
    } finally {
      scope.controller.abort();
      scope.dispose();
      await liveLoop;
      if (status.state !== "failed") status.state = "stopped";
    }
  }

  function backoff(attempt: number): number {
    return backoffMs(settings.retry, attempt);
  }

  return {
    network,
    events() {
      if (started) throw new WatcherStartedError(network);
      started = true;
      return run();
    },
    stop() {
      if (!root.signal.aborted) root.abort();
    },
    status() {
      return {
        ...status,
        cursor: status.cursor === null ? null : { ...status.cursor },
      };
    },
  };
}

function resolveSettings<B>(options: BlockWatcherOptions<B>): Settings {
  const count = (value: number, name: string, min: number): number => {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new IngestOptionsError(`${name} must be a whole number ≥ ${min}, got ${String(value)}.`, [name]);
    }
    return value;
  };
  const positive = (value: number, name: string): number => {
    if (!Number.isFinite(value) || value <= 0) {
      throw new IngestOptionsError(`${name} must be a positive number of milliseconds, got ${String(value)}.`, [name]);
    }
    return value;
  };
  if (typeof options.network !== "string" || options.network === "") {
    throw new IngestOptionsError("network must be a non-empty slug.", ["network"]);
  }
  const confirmations = count(options.confirmationBlocks, "confirmationBlocks", 0);
  const blockTimeMs = positive(options.blockTimeMs, "blockTimeMs");
  let maxPastBlocks: bigint | "unlimited";
  if (options.maxPastBlocks === "unlimited") maxPastBlocks = "unlimited";
  else maxPastBlocks = BigInt(count(options.maxPastBlocks, "maxPastBlocks", 1));
  if (
    options.startLookbackBlocks !== undefined &&
    (typeof options.startLookbackBlocks !== "bigint" || options.startLookbackBlocks < 0n)
  ) {
    throw new IngestOptionsError(
      `startLookbackBlocks must be a block count ≥ 0, got ${String(options.startLookbackBlocks)}.`,
      ["startLookbackBlocks"],
    );
  }
  if (options.startBlock !== undefined && (typeof options.startBlock !== "bigint" || options.startBlock < 0n)) {
    throw new IngestOptionsError(`startBlock must be a block number ≥ 0, got ${String(options.startBlock)}.`, [
      "startBlock",
    ]);
  }
  let cron: CronSchedule | undefined;
  if (options.cronSchedule !== undefined) {
    const parsed = parseCron(options.cronSchedule);
    if (!parsed.ok) throw new IngestOptionsError(parsed.error.message, ["cronSchedule"]);
    cron = parsed.cron;
  }
  return {
    confirmations: BigInt(confirmations),
    maxPastBlocks,
    blockTimeMs,
    batchSize: BigInt(count(options.batchSize ?? 30, "batchSize", 1)),
    fetchConcurrency: BigInt(count(options.fetchConcurrency ?? 8, "fetchConcurrency", 1)),
    reorgWindow: count(options.reorgWindow ?? Math.max(64, confirmations), "reorgWindow", 1),
    pollIntervalMs: positive(options.pollIntervalMs ?? Math.max(100, Math.floor(blockTimeMs / 4)), "pollIntervalMs"),
    stallAfterMs: positive(options.stallAfterMs ?? 10 * blockTimeMs, "stallAfterMs"),
    cron,
    retry: {
      initialDelayMs: positive(options.retry?.initialDelayMs ?? 250, "retry.initialDelayMs"),
      maxDelayMs: positive(options.retry?.maxDelayMs ?? 30_000, "retry.maxDelayMs"),
    },
  };
}
