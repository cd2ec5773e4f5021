/**
 * The block cache between processes: an ingester that takes a network over re-fetches nothing its predecessor
 * fetched, and the API's test-a-monitor reads a block an ingester fetched without an RPC call. RPC calls are counted
 * at a loopback proxy in front of a real hardhat node (and at the fixture RPC server's request log); the cache is
 * Redis, written and read through two separate clients as two processes would.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CountingProxy, startCountingProxy } from "../../../bench/rpc/proxy.js";
import { createMemoryBus } from "../../../src/bus/index.js";
import { type BlockCache, createMemoryBlockCache, createRedisBlockCache } from "../../../src/cache/index.js";
import { openNetworkClient } from "../../../src/chains/index.js";
import type { ChainBlock } from "../../../src/codec/index.js";
import type { Network } from "../../../src/config/index.js";
import { type HardhatNode, startHardhat } from "../../../src/devchain/index.js";
import { type BlockSource, createEvmBlockSource } from "../../../src/ingest/index.js";
import { createMemoryLeaseManager } from "../../../src/lease/index.js";
import { createLogger, createMetrics } from "../../../src/ops/index.js";
import {
  cachingBlockSource,
  type DesiredStateFeed,
  type IngestRole,
  startIngestRole,
  watchDesiredState,
} from "../../../src/roles/index.js";
import { blockHashes, createStore, cursors, networks, type Store } from "../../../src/store/index.js";
import { startEvmFixtureRpc } from "../../support/evm-fixture-rpc.js";
import { deployToken } from "../../support/token.js";
import { call, describeApi, seedFixtureMonitor } from "../api/support.js";
import { createTestDataDir } from "../store/support.js";
import { seedTenants, tenantAddress } from "./support.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const logger = createLogger({ level: "silent" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("ingest takeover through the block cache", () => {
  let node: HardhatNode;
  let proxy: CountingProxy;
  let data: Awaited<ReturnType<typeof createTestDataDir>>;
  let store: Store;
  let feed: DesiredStateFeed;
  const caches: BlockCache[] = [];
  const roles: IngestRole[] = [];

  beforeAll(async () => {
    node = await startHardhat();
    const chain = await deployToken(node);
    proxy = await startCountingProxy(node.url);
    data = await createTestDataDir({ migrated: true });
    store = await createStore({ dataDir: data.dir });
    await seedTenants(store, {
      count: 2,
      rpcUrl: proxy.url,
      tokenAddress: chain.address,
      receiverUrl: "http://127.0.0.1:9",
    });
    await chain.transfer(tenantAddress(0), 5n);
    feed = await watchDesiredState(store, { env: {}, logger });
  }, 120_000);

  afterAll(async () => {
    for (const role of roles) await role.stop();
    for (const cache of caches) await cache.close();
    await feed?.close();
    await store?.close();
    data?.remove();
    await proxy?.close();
    await node?.close();
  });

  it("fetches the blocks its predecessor fetched from the cache, with no RPC call for them", async () => {
    const prefix = `roles-cache-${randomBytes(4).toString("hex")}:`;
    const bus = createMemoryBus();
    const leases = createMemoryLeaseManager();
    const start = (cache: BlockCache) => {
      caches.push(cache);
      const role = startIngestRole({
        store,
        blocks: bus.blocks,
        leases,
        feed,
        logger,
        metrics: createMetrics(),
        cache,
        leaseRetryMs: 50,
      });
      roles.push(role);
      return role;
    };
    const networkId = (await networks.getBySlug(store, null, "hardhat_local"))!.id;
    const head = async () => BigInt(await node.rpc<string>("eth_blockNumber"));
    const cursorAt = async (n: bigint) => (await cursors.get(store, networkId))?.blockNumber === n;

    // The first ingester starts near head − confirmations (looking back to its monitors' activation), then follows 8
    // more blocks.
    const first = start(createRedisBlockCache({ url: REDIS_URL, keyPrefix: prefix }));
    await waitFor(async () => (await cursors.get(store, networkId)) !== null, "the first cursor");
    await node.rpc("hardhat_mine", ["0x8"]);
    const top = (await head()) - 1n;
    await waitFor(() => cursorAt(top), "the first ingester to reach the head");
    await first.stop();
    expect(first.cacheStats().misses).toBeGreaterThanOrEqual(8);
    const publishedByFirst = (await bus.blocks.stats()).messages;
    expect(publishedByFirst).toBeGreaterThanOrEqual(1 + 8);

    // As if it had died after fetching (and publishing) its last 5 blocks, before recording them.
    const back = top - 5n;
    const anchor = (await blockHashes.get(store, networkId, back))!;
    await cursors.rewind(store, networkId, { blockNumber: back, blockHash: anchor.blockHash });
    proxy.reset();

    // Its successor is another Redis client: another process as far as the cache can tell.
    const second = start(createRedisBlockCache({ url: REDIS_URL, keyPrefix: prefix }));
    await waitFor(() => cursorAt(top), "the successor to catch up");
    const fetched = proxy.counts().methods;
    expect(fetched.eth_getBlockByNumber ?? 0, JSON.stringify(fetched)).toBe(0);
    expect((fetched.eth_getTransactionReceipt ?? 0) + (fetched.eth_getBlockReceipts ?? 0)).toBe(0);
    expect(second.cacheStats()).toEqual({ hits: 5, misses: 0 });
    // The same 5 blocks were published again under the same dedup ids: the log kept them once.
    expect((await bus.blocks.stats()).messages).toBe(publishedByFirst);

    // A block nobody fetched yet comes from the node, once.
    await node.rpc("evm_mine");
    await waitFor(() => cursorAt(top + 1n), "the next block");
    expect(proxy.counts().methods.eth_getBlockByNumber).toBe(1);
    expect(second.cacheStats()).toEqual({ hits: 5, misses: 1 });
    await bus.close();
  }, 120_000);
});

describeApi("POST …/monitors/{id}/test with a block cache", (h) => {
  it("reads a block an ingester fetched from the cache: the same matches, no RPC call", async () => {
    const rpc = await startEvmFixtureRpc();
    const cache = createMemoryBlockCache();
    try {
      const { tenant, url, monitorId } = await seedFixtureMonitor(h, rpc.url, {
        operator: "cachetest",
        tenant: "cachetester",
      });
      const test = (app = h.app) =>
        call(h, "POST", `${url}/monitors/${monitorId}/test`, {
          token: tenant.token,
          body: { network: "ethereum_mainnet", block: 21306058 },
          app,
        });

      const direct = await test();
      expect(direct.status, JSON.stringify(direct.body)).toBe(200);
      expect((direct.body.matches as unknown[]).length).toBe(1);

      // What the ingester does with every block it fetches: through the cache, under the network's id.
      const networkId = (await networks.getBySlug(h.store, null, "ethereum_mainnet"))!.id;
      const client = openNetworkClient({
        network_type: "EVM",
        slug: "ethereum_mainnet",
        rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: rpc.url }, weight: 100 }],
      } as unknown as Network);
      if (client.chain.type !== "EVM") throw new Error("expected an EVM client");
      const source = cachingBlockSource(
        createEvmBlockSource({ client: client.chain.client }) as BlockSource<ChainBlock>,
        {
          cache,
          key: networkId,
        },
      );
      await source.fetchBlock(21306058n);
      client.close();

      const cached = await h.rebuild({ blockCache: cache });
      rpc.requests.length = 0;
      const fromCache = await test(cached);
      expect(fromCache.status, JSON.stringify(fromCache.body)).toBe(200);
      expect(fromCache.body.matches).toEqual(direct.body.matches);
      expect(rpc.requests.map((request) => request.method)).toEqual([]);

      // Another block is not cached: the node is asked.
      const other = await call(h, "POST", `${url}/monitors/${monitorId}/test`, {
        token: tenant.token,
        body: { network: "ethereum_mainnet", block: 21306059 },
        app: cached,
      });
      expect(other.status).not.toBe(500);
      expect(rpc.requests.length).toBeGreaterThan(0);
    } finally {
      await cache.close();
      await rpc.close();
    }
  });
});
