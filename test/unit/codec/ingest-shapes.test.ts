/** The codec's entry types mirror `ingest`'s events, so a watcher's events go onto the block log unchanged. */
import { expectTypeOf, it } from "vitest";
import type {
  BlockLogBlock,
  BlockLogGapSkipped,
  BlockLogReorg,
  CachedBlock,
  ChainBlock,
} from "../../../src/codec/index.js";
import type { BlockEvent, GapSkippedEvent, ReorgEvent, SourceBlock } from "../../../src/ingest/index.js";

it("ingest events and source blocks are assignable to block log entries and cached blocks", () => {
  expectTypeOf<BlockEvent<ChainBlock>>().toExtend<BlockLogBlock>();
  expectTypeOf<ReorgEvent>().toExtend<BlockLogReorg>();
  expectTypeOf<GapSkippedEvent>().toExtend<BlockLogGapSkipped>();
  expectTypeOf<SourceBlock<ChainBlock>>().toExtend<CachedBlock>();
});
