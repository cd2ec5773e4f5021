import type { BlockLogEntry } from "../codec/index.js";

/**
 * The dedup id of a block log entry: a block by its hash, a reorg by where it rewinds to and what it orphans, a gap by
 * its range — so an ingester that crashes after publishing and replays from its cursor publishes nothing twice.
 *
 * Caveat: a chain that flips back to a block hash published within the duplicate window (A → B → A) has that block
 * deduplicated; the reorg events in between are distinct, so consumers see the flip and must re-read the block from
 * the cache or the chain.
 */
export function blockDedupId(entry: BlockLogEntry): string {
  switch (entry.type) {
    case "block":
      return `${entry.network}:b:${entry.hash.toLowerCase()}`;
    case "reorg":
      return `${entry.network}:r:${entry.fromNumber}:${entry.commonAncestor.hash.toLowerCase()}:${entry.orphaned
        .map((ref) => ref.hash.toLowerCase())
        .join(",")}`;
    case "gap_skipped":
      return `${entry.network}:g:${entry.from}:${entry.to}`;
  }
}
