/** Key layout and option checks shared by both caches, so they agree on what is the same entry. */
import { CacheCode, CacheError } from "./errors.js";
import type { BlockCacheOptions, CachedHead } from "./types.js";

export interface ResolvedCacheOptions {
  keyPrefix: string;
  blockTtlMs: number;
  headTtlMs: number;
}

export function resolveCacheOptions(options: BlockCacheOptions = {}): ResolvedCacheOptions {
  const resolved = {
    keyPrefix: options.keyPrefix ?? "argus:",
    blockTtlMs: options.blockTtlMs ?? 600_000,
    headTtlMs: options.headTtlMs ?? 30_000,
  };
  for (const name of ["blockTtlMs", "headTtlMs"] as const) checkTtl(name, resolved[name]);
  return resolved;
}

export function checkTtl(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new CacheError(CacheCode.InvalidArgument, `Invalid ${name} ${value}: expected a positive integer.`, {
      path: [name],
    });
  }
  return value;
}

/** `{network}` is a Redis Cluster hash tag: one network's keys live on one slot, so a script may touch them all. */
export function networkBase(prefix: string, network: string): string {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(network)) {
    throw new CacheError(CacheCode.InvalidArgument, `Invalid network ${JSON.stringify(network)} for the block cache.`, {
      path: ["network"],
    });
  }
  return `${prefix}{${network}}:`;
}

export const numberKey = (base: string, number: bigint) => `${base}n:${number}`;
export const hashKey = (base: string, hash: string) => `${base}h:${hash.toLowerCase()}`;
export const headKey = (base: string) => `${base}head`;

export function encodeHead(head: CachedHead): string {
  return JSON.stringify({ number: head.number.toString(), hash: head.hash });
}

export function decodeHead(text: string): CachedHead {
  const parsed = JSON.parse(text) as { number: string; hash: string | null };
  return { number: BigInt(parsed.number), hash: parsed.hash };
}
