/** The block cache contract (`src/cache/types.ts`), run against every implementation with an isolated key prefix. */
import { afterEach, describe, expect, it } from "vitest";
import { type BlockCache, type BlockCacheOptions, CacheCode, CacheError } from "../../../src/cache/index.js";
import type { CachedBlock, ChainBlock } from "../../../src/codec/index.js";
import { blockEntry, fixtureEvmBlocks, fixtureStellarLedger, generatedEvmBlock } from "../../unit/codec/samples.js";

export type CacheFactory = (options: BlockCacheOptions) => Promise<BlockCache>;

function cached(block: ChainBlock, overrides: Partial<CachedBlock> = {}): CachedBlock {
  const { type: _t, network: _n, head: _h, ...rest } = blockEntry("n", block);
  return { ...rest, ...overrides };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeCacheContract(name: string, factory: CacheFactory, prefix: () => string): void {
  describe(`${name} block cache contract`, () => {
    const open: BlockCache[] = [];
    async function cache(options: BlockCacheOptions = {}): Promise<BlockCache> {
      const created = await factory({ keyPrefix: prefix(), ...options });
      open.push(created);
      return created;
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((c) => c.close()));
    });

    it("returns real EVM and Stellar blocks by number and by hash (any case), per network", async () => {
      const c = await cache();
      const evm = cached(fixtureEvmBlocks()[0]!);
      const stellar = cached(fixtureStellarLedger());
      await c.setBlock("ethereum_mainnet", evm);
      await c.setBlock("stellar_testnet", stellar);
      expect(await c.getBlock("ethereum_mainnet", evm.number)).toEqual(evm);
      expect(await c.getBlock("ethereum_mainnet", evm.hash.toUpperCase().replace("0X", "0x"))).toEqual(evm);
      expect(await c.getBlock("stellar_testnet", stellar.number)).toEqual(stellar);
      expect(await c.getBlock("stellar_testnet", stellar.hash)).toEqual(stellar);
      expect(await c.getBlock("base_mainnet", evm.number)).toBeNull();
      expect(await c.getBlock("ethereum_mainnet", evm.number + 1n)).toBeNull();
    });

    it("a mainnet-shaped block round-trips", async () => {
      const c = await cache();
      const big = cached(generatedEvmBlock(3));
      await c.setBlock("ethereum_mainnet", big);
      expect(await c.getBlock("ethereum_mainnet", big.number)).toEqual(big);
    });

    it("after a reorg the number answers the block set last; the orphan stays reachable by hash until deleted", async () => {
      const c = await cache();
      const original = cached(fixtureEvmBlocks()[0]!);
      const replacement = { ...original, hash: "0xfeed", block: { ...original.block, hash: "0xfeed" } } as CachedBlock;
      await c.setBlock("eth", original);
      await c.setBlock("eth", replacement);
      expect((await c.getBlock("eth", original.number))?.hash).toBe("0xfeed");
      expect((await c.getBlock("eth", original.hash))?.hash).toBe(original.hash);
      await c.deleteBlock("eth", original.number);
      expect(await c.getBlock("eth", original.number)).toBeNull();
      expect(await c.getBlock("eth", "0xfeed")).toBeNull();
      await c.deleteBlock("eth", 12345n); // nothing there: no error
    });

    it("heads are kept per network and overwritten, including downwards", async () => {
      const c = await cache();
      expect(await c.getHead("eth")).toBeNull();
      await c.setHead("eth", { number: 2n ** 64n, hash: "0xab" });
      await c.setHead("base", { number: 7n, hash: null });
      expect(await c.getHead("eth")).toEqual({ number: 2n ** 64n, hash: "0xab" });
      await c.setHead("eth", { number: 5n, hash: null });
      expect(await c.getHead("eth")).toEqual({ number: 5n, hash: null });
      expect(await c.getHead("base")).toEqual({ number: 7n, hash: null });
    });

    it("entries expire after their TTL (default or per entry)", async () => {
      const c = await cache({ blockTtlMs: 300, headTtlMs: 300 });
      const block = cached(fixtureEvmBlocks()[1]!);
      await c.setBlock("eth", block);
      await c.setHead("eth", { number: 1n, hash: null });
      await c.setHead("long", { number: 1n, hash: null }, { ttlMs: 60_000 });
      expect(await c.getBlock("eth", block.number)).not.toBeNull();
      await sleep(450);
      expect(await c.getBlock("eth", block.number)).toBeNull();
      expect(await c.getBlock("eth", block.hash)).toBeNull();
      expect(await c.getHead("eth")).toBeNull();
      expect(await c.getHead("long")).not.toBeNull();
    });

    it("caches with different key prefixes do not see each other's entries", async () => {
      const a = await cache();
      const b = await cache();
      await a.setHead("eth", { number: 1n, hash: null });
      expect(await b.getHead("eth")).toBeNull();
    });

    it("rejects bad networks and TTLs with coded errors, and use after close", async () => {
      const c = await cache();
      const codeOf = async (promise: Promise<unknown>) =>
        promise.then(
          () => "resolved",
          (error: unknown) => (error instanceof CacheError ? error.code : String(error)),
        );
      expect(await codeOf(c.getHead("eth.main"))).toBe(CacheCode.InvalidArgument);
      expect(await codeOf(c.setHead("eth", { number: 1n, hash: null }, { ttlMs: 0 }))).toBe(CacheCode.InvalidArgument);
      await c.close();
      expect(await codeOf(c.getHead("eth"))).toBe(CacheCode.Closed);
    });
  });
}
