import type { CachedBlock } from "../codec/index.js";

/** The node's latest block as an ingester last saw it (same shape as `ingest`'s `ChainHead`). */
export interface CachedHead {
  number: bigint;
  hash: string | null;
}

export interface SetOptions {
  /** Overrides the cache's default time to live for this entry. */
  ttlMs?: number;
}

/**
 * Blocks and heads shared between processes, so that workers, test-a-monitor and catch-up never refetch what an
 * ingester fetched. A cache: any entry may be gone (TTL, eviction, restart); callers fall back to the chain.
 *
 * Keys are per network. By number the cache answers the block last set for that number (after a reorg, the
 * canonical one once the ingester set it; `deleteBlock` drops an orphaned number at once). By hash it answers the
 * block with that hash whatever its number. Hashes compare case-insensitively.
 */
export interface BlockCache {
  getBlock(network: string, ref: bigint | string): Promise<CachedBlock | null>;
  setBlock(network: string, block: CachedBlock, options?: SetOptions): Promise<void>;
  /** Forgets the block at `number` (by number and by its hash). */
  deleteBlock(network: string, number: bigint): Promise<void>;
  getHead(network: string): Promise<CachedHead | null>;
  setHead(network: string, head: CachedHead, options?: SetOptions): Promise<void>;
  close(): Promise<void>;
}

export interface BlockCacheOptions {
  /** Prefix of every key (`<prefix>{<network>}:…` in Redis). @default "argus:" */
  keyPrefix?: string;
  /** @default 600_000 (10 min) */
  blockTtlMs?: number;
  /** Short, so a dead ingester's head is not trusted for long. @default 30_000 */
  headTtlMs?: number;
}
