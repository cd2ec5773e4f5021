/**
 * Token-bucket rate limiting per key (`tenant:<id>`, `api_key:<id>`, `ip:<addr>`): a bucket of `limit` tokens that
 * refills at `limit` per minute, so a client may burst up to its limit and then sustain limit/minute. In-process by
 * default; with Redis, one atomic Lua script per request makes every API process share the same buckets.
 */
import type { Redis } from "ioredis";

export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket's size (requests per minute). */
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until the next request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Takes one token from `key`'s bucket of `limitPerMinute`. */
  take(key: string, limitPerMinute: number): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

function decide(tokens: number, allowed: boolean, limit: number): RateLimitDecision {
  const perSecond = limit / 60;
  return {
    allowed,
    limit,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: Math.max(0, Math.ceil((limit - tokens) / perSecond)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perSecond)),
  };
}

export interface MemoryRateLimiterOptions {
  /** Clock in ms. @default Date.now */
  now?: () => number;
  /** Buckets idle this long are forgotten (they would be full anyway). @default 120_000 */
  idleMs?: number;
}

/** Buckets in this process's memory: right for one API process (the embedded default). */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const idleMs = options.idleMs ?? 120_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let lastSweep = now();
  return {
    async take(key, limit) {
      const at = now();
      if (at - lastSweep > idleMs) {
        for (const [k, b] of buckets) if (at - b.at > idleMs) buckets.delete(k);
        lastSweep = at;
      }
      const bucket = buckets.get(key) ?? { tokens: limit, at };
      const tokens = Math.min(limit, bucket.tokens + ((at - bucket.at) * limit) / 60_000);
      const allowed = tokens >= 1;
      const left = allowed ? tokens - 1 : tokens;
      buckets.set(key, { tokens: left, at });
      return decide(left, allowed, limit);
    },
    async close() {
      buckets.clear();
    },
  };
}

/** Refill and take in one step, on Redis's clock so that every API process agrees. */
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local per_ms = capacity / 60000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(data[1]) or capacity
local at = tonumber(data[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
return {allowed, tostring(tokens)}
`;

export interface RedisRateLimiterOptions {
  redis: Redis;
  /** Key prefix, so that deployments and tests sharing a Redis stay apart. @default "argus:ratelimit:" */
  prefix?: string;
  /** Close the Redis connection on `close()`. @default false */
  ownsConnection?: boolean;
}

/** Buckets in Redis, shared by every API process of a deployment. */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const prefix = options.prefix ?? "argus:ratelimit:";
  const { redis } = options;
  return {
    async take(key, limit) {
      const result = (await redis.eval(TAKE_SCRIPT, 1, `${prefix}${key}`, String(limit))) as [number, string];
      return decide(Number(result[1]), result[0] === 1, limit);
    },
    async close() {
      if (options.ownsConnection === true) await redis.quit();
    },
  };
}
