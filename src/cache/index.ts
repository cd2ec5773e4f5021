/**
 * @module cache
 *
 * The block cache: blocks by (network, number | hash) and each network's latest head, with TTLs and a key prefix —
 * in-process (`createMemoryBlockCache`, an LRU bounded by entries and bytes; the embedded default) or on Redis
 * (`createRedisBlockCache`). Both store the same `codec` frames under the same keys and pass one contract suite.
 *
 * Imports `codec` and `errors`; nothing above it.
 *
 * @example
 * const cache = process.env.REDIS_URL ? createRedisBlockCache({ url: process.env.REDIS_URL }) : createMemoryBlockCache();
 * await cache.setBlock("ethereum_mainnet", { number, hash, parentHash, block });
 * const hit = await cache.getBlock("ethereum_mainnet", number); // or by hash
 */
export { CacheCode, CacheError } from "./errors.js";
export { createMemoryBlockCache, type MemoryBlockCacheOptions } from "./memory.js";
export { createRedisBlockCache, type RedisBlockCacheOptions } from "./redis.js";
export type { BlockCache, BlockCacheOptions, CachedHead, SetOptions } from "./types.js";
