/**
 * The block cache on Redis (`ioredis`): blocks as codec frames under their hash, a number → hash pointer, and the
 * head, each with a TTL. A lookup by number is one round trip (a script follows the pointer server-side); keys of
 * one network share a Cluster hash tag.
 */
import { Redis } from "ioredis";
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

export interface RedisBlockCacheOptions extends BlockCacheOptions {
  /** `redis://…` URL. Ignored when `redis` is given. @default "redis://127.0.0.1:6379" */
  url?: string;
  /** A client to use; the cache then leaves closing it to the caller. */
  redis?: Redis;
}

/** KEYS[1] = number key; ARGV[1] = the network's hash-key prefix. */
const GET_BY_NUMBER = `local h = redis.call('GET', KEYS[1])
if not h then return false end
return redis.call('GET', ARGV[1] .. h)`;

/** KEYS[1] = number key; ARGV[1] = the network's hash-key prefix. */
const DELETE_BY_NUMBER = `local h = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
if h then redis.call('DEL', ARGV[1] .. h) end
return 1`;

export function createRedisBlockCache(options: RedisBlockCacheOptions = {}): BlockCache {
  const { keyPrefix, blockTtlMs, headTtlMs } = resolveCacheOptions(options);
  const owned = options.redis === undefined;
  const redis =
    options.redis ??
    new Redis(options.url ?? "redis://127.0.0.1:6379", {
      // Fail fast while Redis is away: a cache miss is cheaper than a stalled block.
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      lazyConnect: false,
    });
  // Connection errors reach callers through their commands (CACHE_UNAVAILABLE); without a listener ioredis would
  // also print each reconnect failure.
  if (owned) redis.on("error", () => undefined);
  let closed = false;

  async function run<R>(what: string, operation: () => Promise<R>): Promise<R> {
    if (closed) throw new CacheError(CacheCode.Closed, "The block cache was used after close().");
    try {
      return await operation();
    } catch (cause) {
      if (cause instanceof CacheError) throw cause;
      throw new CacheError(CacheCode.Unavailable, `Redis did not answer ${what}: ${(cause as Error)?.message}`, {
        cause,
        retryable: true,
      });
    }
  }

  const hashPrefix = (base: string) => hashKey(base, "");

  return {
    async getBlock(network, ref) {
      const base = networkBase(keyPrefix, network);
      const bytes = await run("reading a block", async () =>
        typeof ref === "bigint"
          ? ((await redis.callBuffer("EVAL", [
              GET_BY_NUMBER,
              1,
              numberKey(base, ref),
              hashPrefix(base),
            ])) as Buffer | null)
          : await redis.getBuffer(hashKey(base, ref)),
      );
      return bytes ? cachedBlockCodec.decode(bytes) : null;
    },
    async setBlock(network, block, setOptions = {}) {
      const base = networkBase(keyPrefix, network);
      const ttl = checkTtl("ttlMs", setOptions.ttlMs ?? blockTtlMs);
      const bytes = Buffer.from(cachedBlockCodec.encode(block));
      await run("storing a block", () =>
        redis
          .multi()
          .set(hashKey(base, block.hash), bytes, "PX", ttl)
          .set(numberKey(base, block.number), block.hash.toLowerCase(), "PX", ttl)
          .exec(),
      );
    },
    async deleteBlock(network, number) {
      const base = networkBase(keyPrefix, network);
      await run("deleting a block", () => redis.eval(DELETE_BY_NUMBER, 1, numberKey(base, number), hashPrefix(base)));
    },
    async getHead(network) {
      const key = headKey(networkBase(keyPrefix, network));
      const text = await run("reading the head", () => redis.get(key));
      return text === null ? null : decodeHead(text);
    },
    async setHead(network, head, setOptions = {}) {
      const key = headKey(networkBase(keyPrefix, network));
      const ttl = checkTtl("ttlMs", setOptions.ttlMs ?? headTtlMs);
      await run("storing the head", () => redis.set(key, encodeHead(head), "PX", ttl));
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
