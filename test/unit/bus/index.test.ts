import { expect, it } from "vitest";
import * as bus from "../../../src/bus/index.js";
import * as cache from "../../../src/cache/index.js";
import * as codec from "../../../src/codec/index.js";

it("bus, cache and codec export exactly their public surface", () => {
  expect(Object.keys(bus).sort()).toEqual([
    "BusCode",
    "BusError",
    "RETENTION_DEFAULTS",
    "blockDedupId",
    "createJetStreamBus",
    "createMemoryBus",
  ]);
  expect(Object.keys(cache).sort()).toEqual([
    "CacheCode",
    "CacheError",
    "createMemoryBlockCache",
    "createRedisBlockCache",
  ]);
  expect(Object.keys(codec).sort()).toEqual([
    "COMPRESS_THRESHOLD_BYTES",
    "CodecCode",
    "CodecError",
    "FRAME_VERSION",
    "blockLogEntryCodec",
    "cachedBlockCodec",
    "matchCodec",
  ]);
});

it("blockDedupId names a block by hash (case-insensitive), reorgs and gaps by what they cover", () => {
  const ref = { number: 1n, hash: "0xAB" };
  expect(bus.blockDedupId({ type: "gap_skipped", network: "eth", from: 1n, to: 9n, reason: "max_past_blocks" })).toBe(
    "eth:g:1:9",
  );
  expect(
    bus.blockDedupId({ type: "reorg", network: "eth", fromNumber: 2n, commonAncestor: ref, orphaned: [ref] }),
  ).toBe("eth:r:2:0xab:0xab");
});
