import { describe, expect, it } from "vitest";
import { createMemoryBlockCache } from "../../../src/cache/index.js";
import { blockEntry, fixtureEvmBlocks } from "../../unit/codec/samples.js";
import { describeCacheContract } from "./cache-contract.js";

let n = 0;
describeCacheContract(
  "memory",
  async (options) => createMemoryBlockCache(options),
  () => `t${++n}:`,
);

describe("memory block cache bounds", () => {
  const block = (i: number) => {
    const { type: _t, network: _n, head: _h, ...rest } = blockEntry("n", fixtureEvmBlocks()[0]!);
    return { ...rest, number: BigInt(i), hash: `0x${i}` };
  };

  it("evicts the least recently used entries beyond maxEntries", async () => {
    const cache = createMemoryBlockCache({ maxEntries: 4 }); // a block takes two entries (hash, number)
    await cache.setBlock("eth", block(1));
    await cache.setBlock("eth", block(2));
    expect(await cache.getBlock("eth", 1n)).not.toBeNull(); // 1 is now the most recent
    await cache.setBlock("eth", block(3));
    expect(await cache.getBlock("eth", 1n)).not.toBeNull();
    expect(await cache.getBlock("eth", "0x2")).toBeNull();
  });

  it("stays within maxBytes", async () => {
    const size = (await import("../../../src/codec/index.js")).cachedBlockCodec.encode(block(1)).byteLength;
    const cache = createMemoryBlockCache({ maxBytes: size * 3 });
    for (let i = 1; i <= 10; i++) await cache.setBlock("eth", block(i));
    const kept = [];
    for (let i = 1; i <= 10; i++) if (await cache.getBlock("eth", BigInt(i))) kept.push(i);
    expect(kept.length).toBeLessThanOrEqual(3);
    expect(kept).toContain(10);
  });
});
