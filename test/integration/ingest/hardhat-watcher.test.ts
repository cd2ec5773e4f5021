import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEvmClient } from "../../../src/chains/evm/index.js";
import { createRpcTransport, type RpcTransport } from "../../../src/chains/rpc/index.js";
import { type HardhatNode, startHardhat } from "../../../src/devchain/index.js";
import type { EvmBlock } from "../../../src/engine/index.js";
import {
  type BlockEvent,
  type BlockSource,
  type BlockWatcherOptions,
  createEvmBlockSource,
  createEvmLiveHeads,
  createMemoryIngestState,
  type ReorgEvent,
  resolveWebSocket,
  type WatcherEvent,
  type WebSocketConstructor,
} from "../../../src/ingest/index.js";
import { blockNumbers, type Harness, range, stopAll, watch } from "../../unit/ingest/harness.js";

/**
 * The watcher against a real hardhat 2 node: blocks mined with evm_mine / hardhat_mine, a 500-block catch-up, and a
 * real reorg made with evm_snapshot / evm_revert, by polling and by WebSocket newHeads.
 */

// Node 20 has no global WebSocket; the `ws` package is in node_modules (hardhat's, for its own WebSocket server).
// Production code takes the client as an option, so the test brings one.
const WebSocket: WebSocketConstructor = resolveWebSocket();

type Event = WatcherEvent<EvmBlock>;

let node: HardhatNode;
let transport: RpcTransport;
let source: BlockSource<EvmBlock>;
let accounts: string[];

beforeAll(async () => {
  node = await startHardhat();
  transport = createRpcTransport({ endpoints: [{ url: node.url, weight: 100 }], timeoutMs: 10_000 });
  source = createEvmBlockSource({ client: createEvmClient({ transport, blockReceipts: false }) });
  accounts = await node.rpc<string[]>("eth_accounts");
});
afterAll(async () => {
  transport?.close();
  await node?.close();
});
afterEach(stopAll);

const POLLING: Partial<BlockWatcherOptions<EvmBlock>> = {
  network: "hardhat",
  confirmationBlocks: 0,
  blockTimeMs: 200,
  pollIntervalMs: 20,
  retry: { initialDelayMs: 10, maxDelayMs: 100 },
};

const NEVER = "0 0 0 1 1 * 2099";

function liveOptions(): Partial<BlockWatcherOptions<EvmBlock>> {
  return {
    ...POLLING,
    // Polling so slow that only the WebSocket can deliver heads within the test's deadlines.
    pollIntervalMs: 60_000,
    cronSchedule: NEVER,
    liveHeads: createEvmLiveHeads({ urls: [node.url.replace(/^http/, "ws")], WebSocket }),
  };
}

function asBlock(event: Event | undefined): BlockEvent<EvmBlock> {
  if (event?.type !== "block") throw new Error(`expected a block event, got ${event?.type ?? "nothing"}`);
  return event;
}

async function canonicalHash(number: bigint): Promise<string> {
  const block = await node.rpc<{ hash: string } | null>("eth_getBlockByNumber", [`0x${number.toString(16)}`, false]);
  if (!block) throw new Error(`hardhat has no block ${number}`);
  return block.hash.toLowerCase();
}

async function headNumber(): Promise<bigint> {
  return BigInt(await node.rpc<string>("eth_blockNumber"));
}

/** Sends a transfer (automine: one block per transaction). */
async function transfer(from: number, to: number, wei: bigint): Promise<string> {
  return node.rpc<string>("eth_sendTransaction", [
    { from: accounts[from], to: accounts[to], value: `0x${wei.toString(16)}` },
  ]);
}

/**
 * Numbers increase by one and each block links to the previous one. Blocks that `hardhat_mine` reserves carry a zero
 * parent hash, which the EVM source reports as `null` (no link to check); their hashes are compared with the node's.
 */
function expectLinked(events: readonly Event[]): void {
  const blocks = events.filter((e): e is BlockEvent<EvmBlock> => e.type === "block");
  for (let i = 1; i < blocks.length; i++) {
    expect(blocks[i]?.number).toBe((blocks[i - 1]?.number ?? 0n) + 1n);
    if (blocks[i]?.parentHash !== null) expect(blocks[i]?.parentHash).toBe(blocks[i - 1]?.hash);
  }
}

/** Waits (within the harness deadline) until the watcher has emitted block `number`. */
async function until(run: Harness<EvmBlock>, number: bigint): Promise<Event[]> {
  return run.takeUntil((event) => event.type === "block" && event.number === number, 10_000);
}

describe("block watcher on hardhat: blocks mined with evm_mine and hardhat_mine", () => {
  for (const mode of ["polling", "websocket newHeads"] as const) {
    it(`emits every block in order, linked, with its transactions (${mode})`, async () => {
      const run = watch(source, createMemoryIngestState(), mode === "polling" ? POLLING : liveOptions());
      const first = asBlock(await run.next(10_000));
      expect(first.number).toBe(await headNumber());

      await node.rpc("evm_mine");
      const hash = await transfer(0, 1, 1n);
      await node.rpc("hardhat_mine", ["0x5"]);
      const target = first.number + 7n;
      const events = await until(run, target);
      expect(blockNumbers(events)).toEqual(range(first.number + 1n, target));
      expectLinked([first, ...events]);
      for (const event of events) expect(asBlock(event).hash).toBe(await canonicalHash(asBlock(event).number));
      const withTx = asBlock(events[1]).block;
      expect(withTx.transactions.map((t) => t.transaction.hash)).toEqual([hash]);
      expect(withTx.transactions[0]?.receipt?.status).toBe("0x1");
    });
  }

  it("delivers a mined block over WebSocket newHeads promptly", async () => {
    const run = watch(source, createMemoryIngestState(), liveOptions());
    await run.next(10_000);
    const waiting = run.next(10_000);
    // Wait for the subscription before mining, so the head comes from it (polling is off for 60 s).
    const deadline = Date.now() + 10_000;
    while (run.watcher.status().liveHeads !== "live") {
      if (Date.now() > deadline) throw new Error("live heads did not connect");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const minedAt = Date.now();
      await node.rpc("evm_mine");
      const event = asBlock(i === 0 ? await waiting : await run.next(10_000));
      delays.push(Date.now() - minedAt);
      expect(event.number).toBe(await headNumber());
    }
    // Head detection is push, not poll: each block arrives long before the 60 s poll could.
    expect(Math.max(...delays)).toBeLessThan(1_000);
    expect(run.diagnostics.filter((d) => d.type === "head" && d.via === "live").length).toBeGreaterThanOrEqual(10);
  });
});

describe("block watcher on hardhat: catch-up", () => {
  it('catches up 500 blocks behind with max_past_blocks "unlimited", in order, without gaps', async () => {
    const state = createMemoryIngestState();
    const start = await headNumber();
    const ref = await source.fetchRef(start);
    if (!ref) throw new Error("no start block");
    await state.recordBlock("hardhat", ref);
    await node.rpc("hardhat_mine", ["0x1f4"]);

    const run = watch(source, state, { ...POLLING, maxPastBlocks: "unlimited", batchSize: 30, fetchConcurrency: 8 });
    const events = await run.take(500, 10_000);
    expect(blockNumbers(events)).toEqual(range(start + 1n, start + 500n));
    expect(asBlock(events[0]).parentHash).toBe(ref.hash);
    expectLinked(events);
    for (const event of events) expect(asBlock(event).hash).toBe(await canonicalHash(asBlock(event).number));
    run.ack();
    const deadline = Date.now() + 5_000;
    while ((await state.cursor("hardhat"))?.number !== start + 500n) {
      if (Date.now() > deadline) throw new Error("the cursor did not reach the last block");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  it("skips a backlog beyond a numeric max_past_blocks with a gap_skipped event", async () => {
    const state = createMemoryIngestState();
    const start = await headNumber();
    const ref = await source.fetchRef(start);
    if (!ref) throw new Error("no start block");
    await state.recordBlock("hardhat", ref);
    await node.rpc("hardhat_mine", ["0x64"]); // 100 blocks

    const run = watch(source, state, { ...POLLING, maxPastBlocks: 10 });
    const gap = await run.next(10_000);
    expect(gap).toEqual({
      type: "gap_skipped",
      network: "hardhat",
      from: start + 1n,
      to: start + 89n,
      reason: "max_past_blocks",
    });
    expect(blockNumbers(await run.take(11, 10_000))).toEqual(range(start + 90n, start + 100n));
  });
});

describe("block watcher on hardhat: a real reorg (evm_snapshot, evm_revert, different blocks)", () => {
  for (const mode of ["polling", "websocket newHeads"] as const) {
    it(`emits reorg with the common ancestor and the orphaned hashes, then the new canonical blocks (${mode})`, async () => {
      const state = createMemoryIngestState();
      const run = watch(source, state, mode === "polling" ? POLLING : liveOptions());
      const first = asBlock(await run.next(10_000));
      const ancestor = { number: first.number, hash: first.hash };
      const snapshot = await node.rpc<string>("evm_snapshot");

      // Three blocks with a transaction each, seen by the watcher (confirmation_blocks 0).
      for (let i = 0; i < 3; i++) await transfer(0, 1, 1_000n + BigInt(i));
      const seen = await until(run, ancestor.number + 3n);
      expect(blockNumbers(seen)).toEqual(range(ancestor.number + 1n, ancestor.number + 3n));
      const orphaned = seen.map((e) => ({ number: asBlock(e).number, hash: asBlock(e).hash }));

      // Back to the snapshot, then four different blocks (other senders, recipients and values).
      expect(await node.rpc<boolean>("evm_revert", [snapshot])).toBe(true);
      expect(await headNumber()).toBe(ancestor.number);
      for (let i = 0; i < 4; i++) await transfer(2, 3, 7_000n + BigInt(i));
      const canonical: string[] = [];
      for (let n = ancestor.number + 1n; n <= ancestor.number + 4n; n++) canonical.push(await canonicalHash(n));
      expect(canonical.slice(0, 3)).not.toEqual(orphaned.map((o) => o.hash));

      const reorg = (await run.next(10_000)) as ReorgEvent;
      expect(reorg).toEqual({
        type: "reorg",
        network: "hardhat",
        fromNumber: ancestor.number + 1n,
        commonAncestor: ancestor,
        orphaned,
      });

      const after = await until(run, ancestor.number + 4n);
      expect(after.map((e) => e.type)).toEqual(["block", "block", "block", "block"]); // no second reorg
      expect(blockNumbers(after)).toEqual(range(ancestor.number + 1n, ancestor.number + 4n)); // no gap, no duplicate
      expect(after.map((e) => asBlock(e).hash)).toEqual(canonical);
      expect(asBlock(after[0]).parentHash).toBe(ancestor.hash);
      expectLinked(after);
      expect(asBlock(after[0]).block.transactions[0]?.transaction.from).toBe(accounts[2]?.toLowerCase());

      // Once acknowledged, the state holds only canonical hashes.
      run.ack();
      const deadline = Date.now() + 5_000;
      while ((await state.cursor("hardhat"))?.number !== ancestor.number + 4n) {
        if (Date.now() > deadline) throw new Error("the cursor did not reach the last block");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const block of state.recorded("hardhat")) expect(block.hash).toBe(await canonicalHash(block.number));
    });
  }
});
