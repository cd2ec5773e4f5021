import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { CacheCode, createRedisBlockCache } from "../../../src/cache/index.js";
import { describeCacheContract } from "./cache-contract.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const run = `argustest:${randomUUID().slice(0, 8)}:`;
let n = 0;

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${run}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describeCacheContract(
  "redis",
  async (options) => createRedisBlockCache({ url: REDIS_URL, ...options }),
  () => `${run}${++n}:`,
);

describe("redis block cache", () => {
  it("writes the documented keys with TTLs", async () => {
    const prefix = `${run}layout:`;
    const cache = createRedisBlockCache({ url: REDIS_URL, keyPrefix: prefix, headTtlMs: 5_000 });
    const redis = new Redis(REDIS_URL);
    try {
      await cache.setHead("eth", { number: 3n, hash: "0x3" });
      expect(await redis.get(`${prefix}{eth}:head`)).toBe('{"number":"3","hash":"0x3"}');
      const ttl = await redis.pttl(`${prefix}{eth}:head`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5_000);
    } finally {
      await cache.close();
      await redis.quit();
    }
  });

  it("reports an unreachable Redis as a retryable CACHE_UNAVAILABLE", async () => {
    const cache = createRedisBlockCache({ url: "redis://127.0.0.1:1" });
    try {
      await expect(cache.getHead("eth")).rejects.toMatchObject({ code: CacheCode.Unavailable, retryable: true });
    } finally {
      await cache.close();
    }
  });
});
