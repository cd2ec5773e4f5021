import { expect, it } from "vitest";
import { blockHashes, cursors, deliveries, matches, StoreError } from "../../../src/store/index.js";
import { describeStoreContract, hex, newMatch, seedWorld } from "./support.js";

describeStoreContract("cursors", (h) => {
  it("cursors.get() is null for a network that was never processed", async () => {
    const { network } = await seedWorld(h.store);
    expect(await cursors.get(h.store, network.id)).toBeNull();
  });

  it("cursors.advance() moves forward and round-trips block numbers beyond 2^53 as bigint", async () => {
    const { network } = await seedWorld(h.store);
    const big = 9_007_199_254_740_993n; // 2^53 + 1: not representable as a JS number
    await cursors.advance(h.store, network.id, { blockNumber: 10n, blockHash: hex(10) });
    const cursor = await cursors.advance(h.store, network.id, { blockNumber: big, blockHash: hex(big) });
    expect(cursor.blockNumber).toBe(big);
    const read = await cursors.get(h.store, network.id);
    expect(typeof read?.blockNumber).toBe("bigint");
    expect(read).toMatchObject({ networkId: network.id, blockNumber: big, blockHash: hex(big) });
    expect(read?.updatedAt).toBeInstanceOf(Date);
  });

  it("cursors.advance() accepts the largest int8 block number", async () => {
    const { network } = await seedWorld(h.store);
    const max = 9_223_372_036_854_775_807n;
    await cursors.advance(h.store, network.id, { blockNumber: max, blockHash: "0xff" });
    expect((await cursors.get(h.store, network.id))?.blockNumber).toBe(max);
  });

  it("cursors.advance() to the current block and hash is a no-op (a replay)", async () => {
    const { network } = await seedWorld(h.store);
    const first = await cursors.advance(h.store, network.id, { blockNumber: 5n, blockHash: hex(5) });
    const again = await cursors.advance(h.store, network.id, { blockNumber: 5n, blockHash: hex(5) });
    expect(again).toEqual(first);
  });

  it("cursors.advance() refuses to move backwards or sideways with STORE_CURSOR_REGRESSION", async () => {
    const { network } = await seedWorld(h.store);
    await cursors.advance(h.store, network.id, { blockNumber: 7n, blockHash: hex(7) });
    const backwards = cursors.advance(h.store, network.id, { blockNumber: 6n, blockHash: hex(6) });
    await expect(backwards).rejects.toBeInstanceOf(StoreError);
    await expect(backwards).rejects.toMatchObject({ code: "STORE_CURSOR_REGRESSION" });
    await expect(cursors.advance(h.store, network.id, { blockNumber: 7n, blockHash: "0xother" })).rejects.toMatchObject(
      { code: "STORE_CURSOR_REGRESSION" },
    );
    expect((await cursors.get(h.store, network.id))?.blockNumber).toBe(7n);
  });

  it("cursors.rewind() moves the cursor back explicitly", async () => {
    const { network } = await seedWorld(h.store);
    await cursors.advance(h.store, network.id, { blockNumber: 20n, blockHash: hex(20) });
    await cursors.rewind(h.store, network.id, { blockNumber: 15n, blockHash: hex(15) });
    expect(await cursors.get(h.store, network.id)).toMatchObject({ blockNumber: 15n, blockHash: hex(15) });
  });

  it("cursors.advance() with a parentHash records the block in the same step", async () => {
    const { network } = await seedWorld(h.store);
    await cursors.advance(h.store, network.id, { blockNumber: 3n, blockHash: hex(3), parentHash: hex(2) });
    expect(await blockHashes.get(h.store, network.id, 3n)).toMatchObject({ blockHash: hex(3), parentHash: hex(2) });
  });

  it("cursors.advance() rejects negative or non-bigint block numbers", async () => {
    const { network } = await seedWorld(h.store);
    await expect(cursors.advance(h.store, network.id, { blockNumber: -1n, blockHash: "0x" })).rejects.toMatchObject({
      code: "STORE_INVALID_ARGUMENT",
    });
    await expect(
      cursors.advance(h.store, network.id, { blockNumber: 5 as unknown as bigint, blockHash: "0x" }),
    ).rejects.toMatchObject({ code: "STORE_INVALID_ARGUMENT" });
  });

  it("cursors of an unknown network are refused by the foreign key", async () => {
    await expect(
      cursors.advance(h.store, "no-such-network", { blockNumber: 1n, blockHash: "0x1" }),
    ).rejects.toMatchObject({ code: "STORE_REFERENCE_INVALID" });
  });
});

describeStoreContract("blockHashes", (h) => {
  const chain = (from: bigint, to: bigint, fork = "") =>
    Array.from({ length: Number(to - from + 1n) }, (_, i) => {
      const n = from + BigInt(i);
      return {
        blockNumber: n,
        blockHash: `${hex(n)}${fork}`,
        parentHash: `${hex(n - 1n)}${n - 1n >= from ? fork : ""}`,
      };
    });

  it("blockHashes.recent() returns the latest blocks, highest first", async () => {
    const { network } = await seedWorld(h.store);
    await blockHashes.record(h.store, network.id, chain(1n, 10n));
    const recent = await blockHashes.recent(h.store, network.id, 3);
    expect(recent.map((b) => b.blockNumber)).toEqual([10n, 9n, 8n]);
    expect(recent[0]).toMatchObject({ blockHash: hex(10), parentHash: hex(9) });
  });

  it("blockHashes.record() replaces a block number seen before on another fork", async () => {
    const { network } = await seedWorld(h.store);
    await blockHashes.record(h.store, network.id, chain(1n, 3n));
    await blockHashes.record(h.store, network.id, [{ blockNumber: 3n, blockHash: "0xfork3", parentHash: hex(2) }]);
    expect((await blockHashes.get(h.store, network.id, 3n))?.blockHash).toBe("0xfork3");
  });

  it("blockHashes.record() with keepDepth prunes blocks beyond the depth", async () => {
    const { network } = await seedWorld(h.store);
    await blockHashes.record(h.store, network.id, chain(1n, 20n), { keepDepth: 5 });
    const left = await blockHashes.recent(h.store, network.id, 100);
    expect(left.map((b) => b.blockNumber)).toEqual([20n, 19n, 18n, 17n, 16n]);
  });

  it("blockHashes keep networks apart", async () => {
    const a = await seedWorld(h.store);
    const b = await seedWorld(h.store);
    await blockHashes.record(h.store, a.network.id, chain(1n, 3n));
    await blockHashes.record(h.store, b.network.id, chain(1n, 2n, "bb"));
    expect((await blockHashes.recent(h.store, b.network.id)).map((x) => x.blockNumber)).toEqual([2n, 1n]);
    await blockHashes.rewindTo(h.store, a.network.id, 1n);
    expect((await blockHashes.recent(h.store, b.network.id)).map((x) => x.blockNumber)).toEqual([2n, 1n]);
  });

  it("blockHashes.rewindTo() forgets the abandoned blocks, rewinds the cursor and orphans their matches in one step", async () => {
    const world = await seedWorld(h.store);
    const net = world.network.id;
    await blockHashes.record(h.store, net, chain(100n, 105n));
    await cursors.advance(h.store, net, { blockNumber: 105n, blockHash: hex(105) });
    const kept = newMatch(world, 102n);
    const lost = newMatch(world, 104n);
    await matches.insertMany(h.store, [kept, lost]);

    const result = await blockHashes.rewindTo(h.store, net, 102n);

    expect(result.removedBlocks).toEqual([103n, 104n, 105n]);
    expect(result.cursor).toMatchObject({ blockNumber: 102n, blockHash: hex(102) });
    expect(result.matchIds).toEqual([lost.id]);
    expect(result.suppressedDeliveryIds).toHaveLength(2);
    expect(await cursors.get(h.store, net)).toMatchObject({ blockNumber: 102n, blockHash: hex(102) });
    expect((await blockHashes.recent(h.store, net, 10)).map((b) => b.blockNumber)[0]).toBe(102n);
    expect((await matches.get(h.store, world.tenantId, kept.id))?.status).toBe("active");
    const orphan = await matches.get(h.store, world.tenantId, lost.id);
    expect(orphan?.status).toBe("orphaned");
    expect(orphan?.orphanedAt).toBeInstanceOf(Date);
    for (const id of result.suppressedDeliveryIds) {
      expect(await deliveries.get(h.store, world.tenantId, id)).toMatchObject({
        status: "suppressed",
        suppressedReason: "orphaned",
      });
    }
    // Idempotent: a second rewind to the same ancestor changes nothing more.
    const again = await blockHashes.rewindTo(h.store, net, 102n);
    expect(again).toMatchObject({ removedBlocks: [], matchIds: [], suppressedDeliveryIds: [] });
  });

  it("blockHashes.rewindTo() fails with STORE_NOT_FOUND when the ancestor is not recorded", async () => {
    const { network } = await seedWorld(h.store);
    await blockHashes.record(h.store, network.id, chain(10n, 12n));
    await expect(blockHashes.rewindTo(h.store, network.id, 5n)).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
    expect(await blockHashes.recent(h.store, network.id)).toHaveLength(3);
  });
});
