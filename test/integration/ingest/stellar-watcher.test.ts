import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRpcTransport, type RpcTransport } from "../../../src/chains/rpc/index.js";
import { createStellarClient } from "../../../src/chains/stellar/index.js";
import type { StellarLedger } from "../../../src/engine/index.js";
import {
  type BlockEvent,
  type BlockSource,
  createMemoryIngestState,
  createStellarBlockSource,
} from "../../../src/ingest/index.js";
import { type StellarFixtureRpc, startStellarFixtureRpc } from "../../support/stellar-fixture-rpc.js";
import { blockNumbers, range, stopAll, watch } from "../../unit/ingest/harness.js";

/** The watcher over a Stellar-RPC-speaking server: ledgers with real header XDR, a retention window that grows. */

let rpc: StellarFixtureRpc;
let transport: RpcTransport;
let source: BlockSource<StellarLedger>;

beforeAll(async () => {
  rpc = await startStellarFixtureRpc({ loadFixtures: false, retention: { oldestLedger: 1000, latestLedger: 1100 } });
  transport = createRpcTransport({ endpoints: [{ url: rpc.url, weight: 100 }], timeoutMs: 5_000 });
  source = createStellarBlockSource({ client: createStellarClient({ transport }) });
});
afterAll(async () => {
  transport?.close();
  await rpc?.close();
});
afterEach(stopAll);

describe("block watcher on Stellar-RPC", () => {
  it("reads the head from getLatestLedger and links ledgers by their header's previous ledger hash", async () => {
    const head = await source.head();
    expect(head.number).toBe(BigInt(rpc.window.latestLedger));
    const ref = await source.fetchRef(1050n);
    const previous = await source.fetchRef(1049n);
    expect(ref?.parentHash).toBe(previous?.hash);
    expect(await source.fetchRef(BigInt(rpc.window.latestLedger + 50))).toBeNull();
  });

  it("catches up from startBlock in range reads, in order and linked, then follows new ledgers", async () => {
    const run = watch(source, createMemoryIngestState(), {
      network: "stellar_testnet",
      confirmationBlocks: 1,
      maxPastBlocks: "unlimited",
      startBlock: 1000n,
      batchSize: 30,
      blockTimeMs: 100,
      pollIntervalMs: 10,
    });
    const before = rpc.callsOf("getLedgers").length;
    const events = await run.take(100, 10_000); // head 1100, one confirmation → up to 1099
    expect(blockNumbers(events)).toEqual(range(1000n, 1099n));
    const blocks = events as Array<BlockEvent<StellarLedger>>;
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]?.parentHash).toBe(blocks[i - 1]?.hash);
    expect(blocks[0]?.block.sequence).toBe(1000);
    // Batches of 30 are read as ranges: far fewer getLedgers calls than ledgers.
    expect(rpc.callsOf("getLedgers").length - before).toBeLessThan(20);

    rpc.setRetention({ oldestLedger: 1000, latestLedger: 1105 });
    const more = await run.take(5, 10_000);
    expect(blockNumbers(more)).toEqual(range(1100n, 1104n));
    expect((more[0] as BlockEvent<StellarLedger>).parentHash).toBe(blocks[99]?.hash);
  });
});
