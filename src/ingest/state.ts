import { CursorRegressionError } from "./errors.js";
import type { BlockRef, LinkedBlockRef } from "./types.js";

/**
 * What the watcher persists per network: the cursor (the last block handed off) and the recent block hashes it
 * needs to detect and follow reorgs. The store implements it over PostgreSQL/PGlite; `createMemoryIngestState` is
 * the in-process implementation with the same contract.
 *
 * Contract:
 * - `recordBlock` is called only after the block was handed off (acknowledged). It records the block's hash and moves
 *   the cursor to it, atomically. Numbers only grow (gaps are allowed: `max_past_blocks` can skip); recording the
 *   cursor block again with the same hash is a no-op (a replay); anything else lower is an error.
 * - `rewind` deletes every recorded hash above `ancestor.number` and sets the cursor to `ancestor`, atomically.
 * - Hashes may be pruned, but at least the newest `reorgWindow + 1` recorded blocks (the watcher's option) must be
 *   kept: the watcher reads a missing hash inside that window as "never emitted".
 */
export interface IngestState {
  /** The last acknowledged block, or `null` when the network was never ingested. */
  cursor(network: string): Promise<BlockRef | null>;
  /** Records a handed-off block and advances the cursor to it. */
  recordBlock(network: string, block: LinkedBlockRef): Promise<void>;
  /** Recorded hashes of blocks numbered `fromNumber` and above, by number. */
  recentHashes(network: string, fromNumber: bigint): Promise<Map<bigint, string>>;
  /** Forgets the blocks above `ancestor` and moves the cursor back to it (after a reorg was acknowledged). */
  rewind(network: string, ancestor: BlockRef): Promise<void>;
}

export interface MemoryIngestStateOptions {
  /** Recorded hashes kept per network; older ones are pruned. @default 1024 */
  retainBlocks?: number;
}

/** The in-process `IngestState`, with a read-only view for tests and the embedded runtime's status pages. */
export interface MemoryIngestState extends IngestState {
  /** The recorded hashes of a network, ascending by number. */
  recorded(network: string): LinkedBlockRef[];
}

interface NetworkRecord {
  cursor: BlockRef | null;
  blocks: Map<bigint, LinkedBlockRef>;
}

/**
 * Creates an in-memory `IngestState` (lost on restart: for tests and embedded runs without a store).
 *
 * @example
 * const state = createMemoryIngestState();
 * const watcher = createBlockWatcher({ network: "ethereum_mainnet", state, source, ...settings });
 */
export function createMemoryIngestState(options: MemoryIngestStateOptions = {}): MemoryIngestState {
  const retain = options.retainBlocks ?? 1024;
  const networks = new Map<string, NetworkRecord>();
  const of = (network: string): NetworkRecord => {
    let record = networks.get(network);
    if (!record) {
      record = { cursor: null, blocks: new Map() };
      networks.set(network, record);
    }
    return record;
  };

  return {
    async cursor(network) {
      const cursor = networks.get(network)?.cursor ?? null;
      return cursor === null ? null : { ...cursor };
    },

    async recordBlock(network, block) {
      const record = of(network);
      const cursor = record.cursor;
      if (cursor !== null && block.number <= cursor.number) {
        if (block.number === cursor.number && block.hash === cursor.hash) return;
        throw new CursorRegressionError(
          network,
          `recordBlock(${block.number}, ${block.hash}) would move the cursor back from block ${cursor.number} (${cursor.hash}).`,
        );
      }
      record.blocks.set(block.number, { number: block.number, hash: block.hash, parentHash: block.parentHash });
      record.cursor = { number: block.number, hash: block.hash };
      const oldest = block.number - BigInt(retain);
      for (const number of record.blocks.keys()) {
        if (number <= oldest) record.blocks.delete(number);
      }
    },

    async recentHashes(network, fromNumber) {
      const hashes = new Map<bigint, string>();
      for (const block of networks.get(network)?.blocks.values() ?? []) {
        if (block.number >= fromNumber) hashes.set(block.number, block.hash);
      }
      return hashes;
    },

    async rewind(network, ancestor) {
      const record = of(network);
      for (const number of record.blocks.keys()) {
        if (number > ancestor.number) record.blocks.delete(number);
      }
      record.cursor = { number: ancestor.number, hash: ancestor.hash };
    },

    recorded(network) {
      return [...(networks.get(network)?.blocks.values() ?? [])]
        .sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0))
        .map((block) => ({ ...block }));
    },
  };
}
