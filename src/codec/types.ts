import type { EvmBlock, MonitorMatch, StellarLedger } from "../engine/index.js";

/** A block of any chain family the engine evaluates: `EvmBlock` or `StellarLedger` (told apart by `chain`). */
export type ChainBlock = EvmBlock | StellarLedger;

/** A block by number and hash (same shape as `ingest`'s `BlockRef`). */
export interface BlockRef {
  number: bigint;
  hash: string;
}

/** A block the ingester hands to workers (same shape as `ingest`'s `BlockEvent<ChainBlock>`). */
export interface BlockLogBlock {
  type: "block";
  network: string;
  number: bigint;
  hash: string;
  parentHash: string | null;
  block: ChainBlock;
  /** The head the ingester knew when it emitted this block. */
  head: bigint;
}

/** Blocks published earlier left the chain (same shape as `ingest`'s `ReorgEvent`). */
export interface BlockLogReorg {
  type: "reorg";
  network: string;
  fromNumber: bigint;
  commonAncestor: BlockRef;
  orphaned: BlockRef[];
}

/** Blocks that will never be published (same shape as `ingest`'s `GapSkippedEvent`). */
export interface BlockLogGapSkipped {
  type: "gap_skipped";
  network: string;
  from: bigint;
  to: bigint;
  reason: "max_past_blocks";
}

/** One entry of the block log: the data-carrying events of a block watcher, in the watcher's order. */
export type BlockLogEntry = BlockLogBlock | BlockLogReorg | BlockLogGapSkipped;

/** A block as the block cache keeps it (same shape as `ingest`'s `SourceBlock<ChainBlock>`). */
export interface CachedBlock {
  number: bigint;
  hash: string;
  parentHash: string | null;
  block: ChainBlock;
}

/** One entry of the match log. */
export type MatchLogEntry = MonitorMatch;

/** Turns values into bytes and back. `decode` throws `CodecError`, never returns a partial value. */
export interface Codec<T> {
  /** What the codec carries, for messages (`"block log entry"`). */
  readonly name: string;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}
