/**
 * @module codec
 *
 * Versioned, compact byte encodings of what crosses process boundaries: block log entries (blocks, reorgs, skipped
 * gaps), matches, and cached blocks. A 4-byte frame header (magic, format version, flags) precedes a JSON body;
 * bodies of 4 KiB and more are deflate-compressed; bigints travel as decimal strings. Decoding a frame of an
 * unknown version throws `CODEC_UNSUPPORTED_VERSION`; every decode either returns the whole value or throws a
 * `CodecError` with the JSON path of the problem.
 *
 * Imports `engine` types and `chains/stellar` (to re-assemble ledgers); no I/O.
 *
 * @example
 * const bytes = blockLogEntryCodec.encode({ type: "block", network, number, hash, parentHash, head, block });
 * const entry = blockLogEntryCodec.decode(bytes); // deep-equal to what was encoded
 */
export { blockLogEntryCodec, cachedBlockCodec, matchCodec } from "./codecs.js";
export { CodecCode, CodecError } from "./errors.js";
export { COMPRESS_THRESHOLD_BYTES, FRAME_VERSION } from "./frame.js";
export type {
  BlockLogBlock,
  BlockLogEntry,
  BlockLogGapSkipped,
  BlockLogReorg,
  BlockRef,
  CachedBlock,
  ChainBlock,
  Codec,
  MatchLogEntry,
} from "./types.js";
