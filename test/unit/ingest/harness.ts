import {
  type BlockSource,
  type BlockWatcher,
  type BlockWatcherOptions,
  createBlockWatcher,
  createMemoryIngestState,
  type IngestState,
  type WatcherDiagnostic,
  type WatcherEvent,
} from "../../../src/ingest/index.js";
import type { ScriptedBlock } from "./scripted-chain.js";

export type Event<B = ScriptedBlock> = WatcherEvent<B>;

/** Fast timings for scripted chains: the watcher polls every 5 ms and retries after a few ms. */
export const FAST = {
  blockTimeMs: 20,
  pollIntervalMs: 5,
  stallAfterMs: 60_000,
  retry: { initialDelayMs: 2, maxDelayMs: 10 },
} as const;

export interface Harness<B = ScriptedBlock> {
  watcher: BlockWatcher<B>;
  diagnostics: WatcherDiagnostic[];
  /** The next event (acknowledging the previous one), or a failure after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Event<B>>;
  /** The next `count` events. */
  take(count: number, timeoutMs?: number): Promise<Array<Event<B>>>;
  /** Events until one satisfies `until` (included). */
  takeUntil(until: (event: Event<B>) => boolean, timeoutMs?: number): Promise<Array<Event<B>>>;
  /** Resolves when the stream ends (`done`), or fails after `timeoutMs`. */
  end(timeoutMs?: number): Promise<void>;
  /** Asks for the next event without waiting for it: acknowledges the last one (then `next()` returns it). */
  ack(): void;
  /** Leaves the stream without acknowledging the last event (a crash, as far as the state can tell). */
  abandon(): Promise<void>;
}

const running: Array<Harness<unknown>> = [];

/** Stops every watcher started by `watch` (call in `afterEach`). */
export async function stopAll(): Promise<void> {
  for (const harness of running.splice(0)) {
    harness.watcher.stop();
    await harness.abandon();
  }
}

/** Starts a watcher over `source` with fast timings (overridable), consumed step by step by the test. */
export function watch<B = ScriptedBlock>(
  source: BlockSource<B>,
  state: IngestState = createMemoryIngestState(),
  options: Partial<BlockWatcherOptions<B>> = {},
): Harness<B> {
  const diagnostics: WatcherDiagnostic[] = [];
  const watcher = createBlockWatcher<B>({
    network: "scripted",
    source,
    state,
    confirmationBlocks: 0,
    maxPastBlocks: "unlimited",
    ...FAST,
    ...options,
    onDiagnostic: (event) => {
      diagnostics.push(event);
      options.onDiagnostic?.(event);
    },
  });
  const events = watcher.events();
  let pending: Promise<IteratorResult<Event<B>, void>> | undefined;

  const step = async (timeoutMs: number): Promise<IteratorResult<Event<B>, void>> => {
    pending ??= events.next();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no watcher event within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const result = await Promise.race([pending, timeout]);
      pending = undefined;
      return result;
    } finally {
      clearTimeout(timer);
    }
  };

  const harness: Harness<B> = {
    watcher,
    diagnostics,
    async next(timeoutMs = 5_000) {
      const result = await step(timeoutMs);
      if (result.done) throw new Error("the watcher stream ended");
      return result.value;
    },
    async take(count, timeoutMs = 5_000) {
      const out: Array<Event<B>> = [];
      for (let i = 0; i < count; i++) out.push(await harness.next(timeoutMs));
      return out;
    },
    async takeUntil(until, timeoutMs = 5_000) {
      const out: Array<Event<B>> = [];
      for (;;) {
        const event = await harness.next(timeoutMs);
        out.push(event);
        if (until(event)) return out;
      }
    },
    async end(timeoutMs = 5_000) {
      const result = await step(timeoutMs);
      if (!result.done) throw new Error(`expected the stream to end, got ${describeEvent(result.value)}`);
    },
    ack() {
      pending ??= events.next();
    },
    async abandon() {
      // A pending next() must settle before return() can run; stop() makes it settle.
      if (pending) {
        watcher.stop();
        await pending.catch(() => undefined);
        pending = undefined;
      }
      await events.return(undefined);
    },
  };
  running.push(harness as Harness<unknown>);
  return harness;
}

export function describeEvent<B>(event: Event<B>): string {
  switch (event.type) {
    case "block":
      return `block ${event.number}`;
    case "reorg":
      return `reorg to ${event.commonAncestor.number}`;
    case "gap_skipped":
      return `gap ${event.from}…${event.to}`;
    case "stall":
      return "stall";
    case "error":
      return `error ${event.error.code}`;
  }
}

export function blockNumbers<B>(events: ReadonlyArray<Event<B>>): bigint[] {
  return events.flatMap((event) => (event.type === "block" ? [event.number] : []));
}

export function range(from: bigint, to: bigint): bigint[] {
  const out: bigint[] = [];
  for (let n = from; n <= to; n++) out.push(n);
  return out;
}

/** Polls `condition` until it holds, or fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
