import type { BlockRef, IngestState, LinkedBlockRef } from "../ingest/index.js";
import { blockHashes, cursors, type Store } from "../store/index.js";

const PRUNE_EVERY = 32n;

/**
 * The watcher's `IngestState` on the store: cursors and recent block hashes per network, keyed by the store's
 * network id (the watcher speaks slugs). Rewinding after a reorg also marks the orphaned blocks' matches and
 * suppresses their undelivered notifications, in the same transaction (`blockHashes.rewindTo`).
 */
export function createStoreIngestState(
  store: Store,
  networkIds: ReadonlyMap<string, string>,
  options: { keepDepth: number },
): IngestState {
  const idOf = (slug: string): string => {
    const id = networkIds.get(slug);
    if (id === undefined) throw new Error(`network '${slug}' is not registered in the store`);
    return id;
  };
  return {
    async cursor(slug) {
      const row = await cursors.get(store, idOf(slug));
      return row === null ? null : { number: row.blockNumber, hash: row.blockHash };
    },
    async recordBlock(slug, block: LinkedBlockRef) {
      const networkId = idOf(slug);
      // One transaction per block for the hash and the cursor (this write is on the block-to-webhook path and
      // bounds catch-up speed). Blocks without a checkable parent (hardhat's bulk-mined blocks) are linked to
      // nothing: "" never matches.
      await cursors.advance(store, networkId, {
        blockNumber: block.number,
        blockHash: block.hash,
        parentHash: block.parentHash ?? "",
      });
      // Pruning every PRUNE_EVERY blocks: the few extra rows kept meanwhile only lengthen the reorg window.
      if (block.number % PRUNE_EVERY === 0n) {
        await blockHashes.record(store, networkId, [], { keepDepth: options.keepDepth });
      }
    },
    async recentHashes(slug, fromNumber) {
      const rows = await blockHashes.recent(store, idOf(slug), options.keepDepth + 1);
      const hashes = new Map<bigint, string>();
      for (const row of rows) if (row.blockNumber >= fromNumber) hashes.set(row.blockNumber, row.blockHash);
      return hashes;
    },
    async rewind(slug, ancestor: BlockRef) {
      await blockHashes.rewindTo(store, idOf(slug), ancestor.number);
    },
  };
}
