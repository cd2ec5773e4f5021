/**
 * The in-process block cache: an LRU with per-entry TTLs over the same keys and encoded values as Redis, bounded
 * by entry count and by bytes (blocks are kept encoded, so their size is known and a hit returns a fresh copy).
 */
import { cachedBlockCodec } from "../codec/index.js";
import { CacheCode, CacheError } from "./errors.js";
import {
  checkTtl,
  decodeHead,
  encodeHead,
  hashKey,
  headKey,
  networkBase,
  numberKey,
  resolveCacheOptions,
} from "./keys.js";
import type { BlockCache, BlockCacheOptions } from "./types.js";

export interface MemoryBlockCacheOptions extends BlockCacheOptions {
  /** @default 10_000 */
  maxEntries?: number;
  /** Encoded bytes of all entries, at most. @default 256 MiB */
  maxBytes?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

interface Entry {
  value: Uint8Array | string;
  expiresAt: number;
  size: number;
}

export function createMemoryBlockCache(options: MemoryBlockCacheOptions = {}): BlockCache {
  const { keyPrefix, blockTtlMs, headTtlMs } = resolveCacheOptions(options);
  const maxEntries = checkTtl("maxEntries", options.maxEntries ?? 10_000);
  const maxBytes = checkTtl("maxBytes", options.maxBytes ?? 256 * 1024 * 1024);
  const now = options.now ?? Date.now;
  /** Map order is recency order: a read moves the entry to the end, eviction takes from the front. */
  const entries = new Map<string, Entry>();
  let bytes = 0;
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw new CacheError(CacheCode.Closed, "The block cache was used after close().");
  };
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry) {
      bytes -= entry.size;
      entries.delete(key);
    }
  };
  const get = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      remove(key);
      return undefined;
    }
    entries.delete(key);
    entries.set(key, entry);
    return entry;
  };
  const set = (key: string, value: Uint8Array | string, ttlMs: number) => {
    remove(key);
    const size = typeof value === "string" ? value.length * 2 : value.byteLength;
    if (size > maxBytes) return; // larger than the whole cache: not worth evicting everything for
    entries.set(key, { value, expiresAt: now() + ttlMs, size });
    bytes += size;
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      remove(oldest);
    }
  };
  const text = (entry: Entry | undefined) => (typeof entry?.value === "string" ? entry.value : undefined);

  return {
    async getBlock(network, ref) {
      ensureOpen();
      const base = networkBase(keyPrefix, network);
      const hash = typeof ref === "bigint" ? text(get(numberKey(base, ref))) : ref;
      if (hash === undefined) return null;
      const entry = get(hashKey(base, hash));
      return entry && typeof entry.value !== "string" ? cachedBlockCodec.decode(entry.value) : null;
    },
    async setBlock(network, block, setOptions = {}) {
      ensureOpen();
      const base = networkBase(keyPrefix, network);
      const ttl = checkTtl("ttlMs", setOptions.ttlMs ?? blockTtlMs);
      set(hashKey(base, block.hash), cachedBlockCodec.encode(block), ttl);
      set(numberKey(base, block.number), block.hash.toLowerCase(), ttl);
    },
    async deleteBlock(network, number) {
      ensureOpen();
      const base = networkBase(keyPrefix, network);
      const hash = text(entries.get(numberKey(base, number)));
      remove(numberKey(base, number));
      if (hash !== undefined) remove(hashKey(base, hash));
    },
    async getHead(network) {
      ensureOpen();
      const value = text(get(headKey(networkBase(keyPrefix, network))));
      return value === undefined ? null : decodeHead(value);
    },
    async setHead(network, head, setOptions = {}) {
      ensureOpen();
      set(headKey(networkBase(keyPrefix, network)), encodeHead(head), checkTtl("ttlMs", setOptions.ttlMs ?? headTtlMs));
    },
    async close() {
      closed = true;
      entries.clear();
      bytes = 0;
    },
  };
}
