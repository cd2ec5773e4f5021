import { afterEach, describe, expect, it } from "vitest";
import {
  type BlockEvent,
  createBlockWatcher,
  createMemoryIngestState,
  IngestOptionsError,
  type ReorgEvent,
  type WatcherEvent,
  WatcherStartedError,
} from "../../../src/ingest/index.js";
import { blockNumbers, type Event, eventually, range, stopAll, watch } from "./harness.js";
import { type ScriptedBlock, ScriptedChain } from "./scripted-chain.js";

afterEach(stopAll);

function asBlock(event: Event | undefined): BlockEvent<ScriptedBlock> {
  if (event?.type !== "block") throw new Error(`expected a block event, got ${event?.type ?? "nothing"}`);
  return event;
}

function asReorg(event: Event | undefined): ReorgEvent {
  if (event?.type !== "reorg") throw new Error(`expected a reorg event, got ${event?.type ?? "nothing"}`);
  return event;
}

/** Every block event links to the previous one (parentHash = previous hash) and numbers increase by one. */
function expectLinked(events: readonly Event[]): void {
  const blocks = events.filter((e): e is BlockEvent<ScriptedBlock> => e.type === "block");
  for (let i = 1; i < blocks.length; i++) {
    const [previous, block] = [blocks[i - 1], blocks[i]] as [BlockEvent<ScriptedBlock>, BlockEvent<ScriptedBlock>];
    expect(block.number).toBe(previous.number + 1n);
    expect(block.parentHash).toBe(previous.hash);
  }
}

/** A state whose cursor is at `number` of `chain` (as if a previous run had acknowledged it). */
async function stateAt(chain: ScriptedChain, number: bigint) {
  const state = createMemoryIngestState();
  for (let n = number - 70n < 0n ? 0n : number - 70n; n <= number; n++) {
    const block = chain.block(n);
    if (!block) throw new Error(`no block ${n}`);
    await state.recordBlock("scripted", block);
  }
  return state;
}

describe("createBlockWatcher(): order, confirmations, first start", () => {
  it("starts at head − confirmation_blocks on first start (one block, as OZ) and emits each block once confirmed", async () => {
    const chain = new ScriptedChain({ length: 11 }); // 0…10
    const run = watch(chain, undefined, { confirmationBlocks: 2 });

    const first = asBlock(await run.next());
    expect(first.number).toBe(8n);
    expect(first.hash).toBe(chain.block(8n)?.hash);
    expect(first.head).toBe(10n);

    chain.mine(3); // head 13 → blocks 9, 10, 11 confirmed
    const events = await run.take(3);
    expect(blockNumbers(events)).toEqual([9n, 10n, 11n]);
    for (const event of events) expect(asBlock(event).head - asBlock(event).number).toBeGreaterThanOrEqual(2n);
    expectLinked([first, ...events]);

    // Block 12 needs head 14: nothing is emitted at head 13.
    await expect(run.next(150)).rejects.toThrow(/no watcher event/);
    chain.mine(1);
    expect(asBlock(await run.next()).number).toBe(12n);
  });

  it("starts at startBlock when there is no cursor and catches up every block in order", async () => {
    const chain = new ScriptedChain({ length: 81 });
    const run = watch(chain, undefined, { startBlock: 3n, maxPastBlocks: 5 });
    const events = await run.take(78);
    expect(blockNumbers(events)).toEqual(range(3n, 80n));
    expectLinked(events);
  });

  it("looks back startLookbackBlocks on a first start, and max_past_blocks does not skip them", async () => {
    const chain = new ScriptedChain({ length: 21 }); // head 20
    const run = watch(chain, undefined, { confirmationBlocks: 1, startLookbackBlocks: 4n, maxPastBlocks: 2 });
    expect(blockNumbers(await run.take(5))).toEqual(range(15n, 19n));
  });

  it("waits until the chain is confirmation_blocks deep before the first block", async () => {
    const chain = new ScriptedChain({ length: 2 }); // head 1
    const run = watch(chain, undefined, { confirmationBlocks: 3 });
    await expect(run.next(100)).rejects.toThrow(/no watcher event/);
    chain.mine(2); // head 3 → block 0
    expect(asBlock(await run.next()).number).toBe(0n);
  });

  it("never asks a chain for a block below its first number (Stellar ledgers start at 1)", async () => {
    const chain = new ScriptedChain({ length: 3, firstNumber: 1n }); // 1…3
    const run = watch(chain, undefined, { confirmationBlocks: 5, startBlock: 0n });
    chain.mine(5); // head 8 → target 3
    expect(blockNumbers(await run.take(3))).toEqual([1n, 2n, 3n]);
    expect(chain.count("fetchBlock", 0n)).toBe(0);
  });
});

describe("createBlockWatcher(): acknowledgement, restarts and crash replay", () => {
  it("advances the state only when the consumer asks for the next event", async () => {
    const chain = new ScriptedChain({ length: 21 });
    const state = await stateAt(chain, 10n);
    const run = watch(chain, state);

    expect(asBlock(await run.next()).number).toBe(11n);
    expect(await state.cursor("scripted")).toEqual({ number: 10n, hash: chain.block(10n)?.hash });
    expect(asBlock(await run.next()).number).toBe(12n);
    expect(await state.cursor("scripted")).toEqual({ number: 11n, hash: chain.block(11n)?.hash });
  });

  it("replays the unacknowledged block after a crash between emit and ack, then continues without a gap", async () => {
    const chain = new ScriptedChain({ length: 21 });
    const state = await stateAt(chain, 10n);

    const first = watch(chain, state);
    const seen = await first.take(5); // 11…15; 15 delivered, not acknowledged
    expect(blockNumbers(seen)).toEqual(range(11n, 15n));
    await first.abandon();
    expect((await state.cursor("scripted"))?.number).toBe(14n);

    chain.mine(3);
    const second = watch(chain, state);
    const replayed = await second.take(9);
    expect(blockNumbers(replayed)).toEqual(range(15n, 23n));
    expect(asBlock(replayed[0]).hash).toBe(asBlock(seen[4]).hash);
    expectLinked(replayed);
  });

  it("resumes from cursor + 1 after a restart (no gap, no duplicate)", async () => {
    const chain = new ScriptedChain({ length: 31 });
    const state = await stateAt(chain, 10n);
    const first = watch(chain, state);
    await first.take(6); // 11…16, 11…15 acknowledged
    await first.next(); // acknowledges 16, receives 17
    await first.abandon();
    const second = watch(chain, state);
    expect(asBlock(await second.next()).number).toBe(17n);
  });

  it("refuses a second events() call", async () => {
    const chain = new ScriptedChain({ length: 5 });
    const run = watch(chain);
    expect(() => run.watcher.events()).toThrow(WatcherStartedError);
    try {
      run.watcher.events();
    } catch (error) {
      expect((error as WatcherStartedError).code).toBe("INGEST_WATCHER_STARTED");
    }
  });
});

describe("createBlockWatcher(): max_past_blocks", () => {
  it("skips blocks older than head − confirmations − max_past_blocks with a gap_skipped event, never silently", async () => {
    const chain = new ScriptedChain({ length: 101 }); // head 100
    const state = await stateAt(chain, 10n);
    const run = watch(chain, state, { maxPastBlocks: 20, confirmationBlocks: 2 });

    const gap = await run.next();
    // OZ: start = max(last + 1, conf − max_past_blocks) = 98 − 20 = 78.
    expect(gap).toEqual({ type: "gap_skipped", network: "scripted", from: 11n, to: 77n, reason: "max_past_blocks" });
    const events = await run.take(21);
    expect(blockNumbers(events)).toEqual(range(78n, 98n));
    expectLinked(events);
  });

  it("does not skip when the backlog is within max_past_blocks", async () => {
    const chain = new ScriptedChain({ length: 31 });
    const state = await stateAt(chain, 10n);
    const run = watch(chain, state, { maxPastBlocks: 20 });
    expect(blockNumbers(await run.take(20))).toEqual(range(11n, 30n));
  });

  it("catches up everything with unlimited, in batches fetched with bounded concurrency, checkpointing each block", async () => {
    const chain = new ScriptedChain({ length: 401 });
    chain.fetchDelayMs = 2;
    const state = await stateAt(chain, 10n);
    const run = watch(chain, state, { maxPastBlocks: "unlimited", batchSize: 30, fetchConcurrency: 4 });

    const events: Event[] = [];
    for (let i = 0; i < 390; i++) {
      const event = await run.next();
      events.push(event);
      // The cursor is always the block before the one being handled.
      if (i % 97 === 0) expect((await state.cursor("scripted"))?.number).toBe(asBlock(event).number - 1n);
    }
    expect(blockNumbers(events)).toEqual(range(11n, 400n));
    expectLinked(events);
    expect(chain.maxInFlight).toBeLessThanOrEqual(4);
    expect(chain.maxInFlight).toBeGreaterThan(1);
    // Each block is fetched exactly once: batches never overlap.
    for (const n of [11n, 40n, 41n, 200n, 400n]) expect(chain.count("fetchBlock", n)).toBe(1);
  });
});

describe("createBlockWatcher(): failures and stalls", () => {
  it("retries transient head and block failures with backoff and never skips a block", async () => {
    const chain = new ScriptedChain({ length: 21 });
    const state = await stateAt(chain, 10n);
    chain.failNext("head", 2);
    chain.failNext("fetchBlock", 3, { number: 15n });
    const run = watch(chain, state);

    const events = await run.take(10);
    expect(blockNumbers(events)).toEqual(range(11n, 20n));
    expectLinked(events);
    const retries = run.diagnostics.filter((d) => d.type === "retry");
    expect(retries.filter((d) => d.type === "retry" && d.operation === "head")).toHaveLength(2);
    const blockRetries = retries.filter((d) => d.type === "retry" && d.operation === "fetch_block");
    expect(blockRetries).toHaveLength(3);
    expect(blockRetries.map((d) => (d.type === "retry" ? d.blockNumber : undefined))).toEqual([15n, 15n, 15n]);
    expect(blockRetries.map((d) => (d.type === "retry" ? d.attempt : 0))).toEqual([1, 2, 3]);
  });

  it("reports a stall once, keeps polling, and continues when the chain moves again", async () => {
    const chain = new ScriptedChain({ length: 6 });
    const run = watch(chain, undefined, { stallAfterMs: 80 });
    expect(asBlock(await run.next()).number).toBe(5n);

    const stall = await run.next(2_000);
    expect(stall).toMatchObject({ type: "stall", network: "scripted", head: 5n });
    expect((stall as { stalledForMs: number }).stalledForMs).toBeGreaterThanOrEqual(80);
    // The stream is pull-based: while the consumer waits for the next event, the watcher keeps polling.
    const headPolls = chain.count("head");
    const resumed = run.take(2);
    await eventually(() => chain.count("head") > headPolls + 3, 15_000, "polling after the stall");

    chain.mine(2);
    expect(blockNumbers(await resumed)).toEqual([6n, 7n]);
    expect(run.watcher.status()).toMatchObject({ state: "running", head: 7n, cursor: { number: 6n } });
  });
});

describe("createBlockWatcher(): reorgs", () => {
  for (const depth of [1, 3]) {
    it(`follows a reorg of depth ${depth}: reorg event with the common ancestor and orphaned hashes, then the new chain`, async () => {
      const chain = new ScriptedChain({ length: 21 }); // 0…20
      const state = await stateAt(chain, 15n);
      const run = watch(chain, state);
      const before = await run.take(5); // 16…20
      expect(blockNumbers(before)).toEqual(range(16n, 20n));

      const { orphaned, mined } = chain.reorg(depth, depth + 1);
      const reorg = asReorg(await run.next());
      const ancestor = 20n - BigInt(depth);
      expect(reorg).toEqual({
        type: "reorg",
        network: "scripted",
        fromNumber: ancestor + 1n,
        commonAncestor: { number: ancestor, hash: chain.block(ancestor)?.hash },
        orphaned: orphaned.map((b) => ({ number: b.number, hash: b.hash })),
      });
      // The state is rewound only once the reorg is acknowledged.
      expect((await state.cursor("scripted"))?.number).toBe(20n);

      const after = await run.take(depth + 1);
      expect(after.map((e) => asBlock(e).hash)).toEqual(mined.map((b) => b.hash));
      expect(asBlock(after[0]).parentHash).toBe(chain.block(ancestor)?.hash);
      expectLinked(after);
      run.ack();
      await eventually(() => state.recorded("scripted").at(-1)?.number === 21n, 15_000, "the last block recorded");
      for (const block of state.recorded("scripted")) expect(block.hash).toBe(chain.block(block.number)?.hash);
    });
  }

  it("detects a reorg that lowers the head below the cursor from the head's hash", async () => {
    const chain = new ScriptedChain({ length: 21 });
    const state = await stateAt(chain, 17n);
    const run = watch(chain, state);
    expect(blockNumbers(await run.take(3))).toEqual([18n, 19n, 20n]);

    const { orphaned, mined } = chain.reorg(3, 2); // head 19 < cursor 20
    const reorg = asReorg(await run.next());
    expect(reorg.commonAncestor).toEqual({ number: 17n, hash: chain.block(17n)?.hash });
    expect(reorg.orphaned).toEqual(orphaned.map((b) => ({ number: b.number, hash: b.hash })));
    expect((await run.take(2)).map((e) => asBlock(e).hash)).toEqual(mined.map((b) => b.hash));
  });

  it("does not take a lagging node's lower head for a reorg", async () => {
    const chain = new ScriptedChain({ length: 21 });
    const state = await stateAt(chain, 17n);
    const run = watch(chain, state);
    expect(blockNumbers(await run.take(3))).toEqual([18n, 19n, 20n]);
    chain.headOverride = { number: 18n, hash: chain.block(18n)?.hash ?? null };
    await expect(run.next(150)).rejects.toThrow(/no watcher event/);
    chain.headOverride = undefined;
    chain.mine(1);
    expect(asBlock(await run.next()).number).toBe(21n);
  });

  it("emits nothing orphaned when confirmation_blocks covers the reorg depth", async () => {
    const chain = new ScriptedChain({ length: 21 });
    const run = watch(chain, undefined, { confirmationBlocks: 3 });
    expect(asBlock(await run.next()).number).toBe(17n);

    const { mined } = chain.reorg(3, 5); // 18…20 replaced; new head 22
    const events = await run.take(2); // 18', 19' (head 22 − 3)
    expect(events.map((e) => e.type)).toEqual(["block", "block"]);
    expect(events.map((e) => asBlock(e).hash)).toEqual(mined.slice(0, 2).map((b) => b.hash));
    expect(asBlock(events[0]).parentHash).toBe(chain.block(17n)?.hash);
  });

  it("treats a reorg reaching below the first block ever emitted as starting there (first start)", async () => {
    const chain = new ScriptedChain({ length: 11 });
    const run = watch(chain); // first start: block 10 only
    expect(asBlock(await run.next()).number).toBe(10n);
    const { mined } = chain.reorg(2, 3); // 9 and 10 replaced; 9 was never emitted
    const reorg = asReorg(await run.next());
    expect(reorg.commonAncestor).toEqual({ number: 9n, hash: chain.block(9n)?.hash });
    expect(reorg.orphaned).toHaveLength(1);
    expect(reorg.orphaned[0]?.number).toBe(10n);
    expect((await run.take(2)).map((e) => asBlock(e).hash)).toEqual(mined.slice(1).map((b) => b.hash));
  });

  it("finds the same reorg again after a crash between the reorg event and its acknowledgement", async () => {
    const chain = new ScriptedChain({ length: 21 });
    const state = await stateAt(chain, 15n);
    const first = watch(chain, state);
    await first.take(5);
    first.ack();
    await eventually(() => state.recorded("scripted").at(-1)?.number === 20n, 15_000, "block 20 recorded");
    chain.reorg(2, 3);
    const reorg = asReorg(await first.next());
    await first.abandon();

    const second = watch(chain, state);
    expect(await second.next()).toEqual(reorg);
  });

  it("stops the network with a fatal error event when the reorg is deeper than reorgWindow", async () => {
    const chain = new ScriptedChain({ length: 31 });
    const state = await stateAt(chain, 20n);
    const run = watch(chain, state, { reorgWindow: 5 });
    expect(blockNumbers(await run.take(10))).toEqual(range(21n, 30n));

    chain.reorg(8, 9);
    const event = await run.next();
    expect(event.type).toBe("error");
    const error = (event as Extract<WatcherEvent<ScriptedBlock>, { type: "error" }>).error;
    expect(error.code).toBe("INGEST_REORG_TOO_DEEP");
    expect(error.message).toMatch(/network scripted: a reorg below the cursor \(block 30\)/i);
    expect(event).toMatchObject({ fatal: true, network: "scripted" });
    await run.end();
    expect(run.watcher.status()).toMatchObject({ state: "failed", error: { code: "INGEST_REORG_TOO_DEEP" } });
    expect((await state.cursor("scripted"))?.number).toBe(30n); // not rewound on a guess
  });

  it("follows a reorg that orphans exactly reorgWindow blocks", async () => {
    const chain = new ScriptedChain({ length: 31 });
    const state = await stateAt(chain, 20n);
    const run = watch(chain, state, { reorgWindow: 5 });
    expect(blockNumbers(await run.take(10))).toEqual(range(21n, 30n));
    run.ack();
    await eventually(() => state.recorded("scripted").at(-1)?.number === 30n, 15_000, "block 30 recorded");
    chain.reorg(5, 6);
    const reorg = asReorg(await run.next());
    expect(reorg.commonAncestor.number).toBe(25n);
    expect(reorg.orphaned.map((o) => o.number)).toEqual(range(26n, 30n));
  });

  it("retries the walk back when fetching canonical headers fails", async () => {
    const chain = new ScriptedChain({ length: 21 });
    const state = await stateAt(chain, 17n);
    const run = watch(chain, state);
    await run.take(3);
    run.ack();
    await eventually(() => state.recorded("scripted").at(-1)?.number === 20n, 15_000, "block 20 recorded");
    chain.reorg(2, 3);
    chain.failNext("fetchRef", 2);
    const reorg = asReorg(await run.next());
    expect(reorg.commonAncestor.number).toBe(18n);
    expect(run.diagnostics.filter((d) => d.type === "retry" && d.operation === "fetch_ref")).toHaveLength(2);
  });
});

describe("createBlockWatcher(): stopping", () => {
  it("stop() ends a stream that waits for the next block", async () => {
    const chain = new ScriptedChain({ length: 5 });
    const run = watch(chain);
    await run.next();
    const waiting = run.next(5_000).catch((error: Error) => error);
    const polls = chain.count("head");
    await eventually(() => chain.count("head") > polls + 1, 15_000, "the watcher waiting for a head");
    run.watcher.stop();
    expect(await waiting).toBeInstanceOf(Error); // "the watcher stream ended"
    expect(run.watcher.status().state).toBe("stopped");
  });

  it("an aborted signal stops the watcher like stop()", async () => {
    const chain = new ScriptedChain({ length: 5 });
    const controller = new AbortController();
    const run = watch(chain, undefined, { signal: controller.signal });
    await run.next();
    const ended = run.end(5_000);
    controller.abort();
    await ended;
    expect(run.watcher.status().state).toBe("stopped");
  });
});

describe("createBlockWatcher(): options", () => {
  const chain = new ScriptedChain({ length: 2 });
  const base = {
    network: "n",
    source: chain,
    state: createMemoryIngestState(),
    confirmationBlocks: 1,
    maxPastBlocks: 10,
    blockTimeMs: 1000,
  };
  it.each([
    [{ confirmationBlocks: -1 }, /confirmationBlocks must be a whole number ≥ 0/],
    [{ maxPastBlocks: 0 }, /maxPastBlocks must be a whole number ≥ 1/],
    [{ blockTimeMs: 0 }, /blockTimeMs must be a positive number/],
    [{ batchSize: 0 }, /batchSize must be a whole number ≥ 1/],
    [{ startBlock: -1n }, /startBlock must be a block number ≥ 0/],
    [{ startLookbackBlocks: -2n }, /startLookbackBlocks must be a block count ≥ 0/],
    [{ cronSchedule: "0 */1 * * *" }, /5-field Unix cron is not supported/],
    [{ network: "" }, /network must be a non-empty slug/],
  ])("rejects %o", (override, message) => {
    expect(() => createBlockWatcher({ ...base, ...override })).toThrow(message);
    try {
      createBlockWatcher({ ...base, ...override });
    } catch (error) {
      expect(error).toBeInstanceOf(IngestOptionsError);
      expect((error as IngestOptionsError).code).toBe("INGEST_INVALID_OPTIONS");
    }
  });

  it("derives the polling interval from block_time_ms (max(100 ms, block_time / 4))", async () => {
    const slow = new ScriptedChain({ length: 3 });
    const polledAt: number[] = [];
    const run = watch(slow, undefined, {
      blockTimeMs: 2_000,
      pollIntervalMs: undefined,
      onDiagnostic: (d) => {
        if (d.type === "head" && d.via === "poll") polledAt.push(Date.now());
      },
    });
    await run.next();
    const waiting = run.next(10_000).catch(() => undefined);
    await eventually(() => polledAt.length >= 4, 5_000, "four head polls");
    const gaps = polledAt.slice(2, 4).map((at, i) => at - (polledAt[i + 1] as number));
    // 2000 ms blocks → a 500 ms interval: not the 5 ms of the test default, not a cron minute.
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(450);
      expect(gap).toBeLessThan(1_000);
    }
    run.watcher.stop();
    await waiting;
  });
});
