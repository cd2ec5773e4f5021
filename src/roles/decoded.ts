/**
 * Decode each block once per worker. A worker consumes the block log through one durable consumer per shard it
 * owns, and every one of them receives every block: without this, a worker owning 16 shards would inflate and parse
 * each block 16 times. The shard consumers share one small cache of decoded entries keyed by stream sequence; the
 * engine never changes a block, so one decoded value can serve every shard.
 *
 * A sequence names a message only within one stream: a stream recreated (a NATS restart without storage) numbers
 * from 1 again. An entry is therefore reused only when the publish time and the encoded length match too.
 */
import type { PayloadDecoder, PayloadOrigin } from "../bus/index.js";

export interface DecodedCacheOptions {
  /** Entries kept, at most (shards lagging far behind others decode again). @default 64 */
  maxEntries?: number;
  /** Encoded bytes of the entries kept, at most (decoded values are several times larger). @default 32 MiB */
  maxBytes?: number;
}

export interface DecodedCache<T> {
  /** The decoder to pass as `FetchOptions.decode` to every shard consumer of this worker. */
  readonly decode: PayloadDecoder<T>;
  /** Payloads decoded (cache misses) and served from the cache (hits), since the start. */
  stats(): { decoded: number; reused: number };
  clear(): void;
}

interface Entry<T> {
  publishedAt: number;
  size: number;
  value: T;
}

export function createDecodedCache<T>(options: DecodedCacheOptions = {}): DecodedCache<T> {
  const maxEntries = options.maxEntries ?? 64;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  /** Map order is recency order: a hit moves the entry to the end, eviction takes from the front. */
  const entries = new Map<number, Entry<T>>();
  let bytes = 0;
  let decoded = 0;
  let reused = 0;

  const remove = (sequence: number) => {
    const entry = entries.get(sequence);
    if (entry === undefined) return;
    bytes -= entry.size;
    entries.delete(sequence);
  };

  const decode: PayloadDecoder<T> = (data: Uint8Array, origin: PayloadOrigin, fallback) => {
    const hit = entries.get(origin.sequence);
    if (hit !== undefined && hit.publishedAt === origin.publishedAt && hit.size === data.byteLength) {
      entries.delete(origin.sequence);
      entries.set(origin.sequence, hit);
      reused++;
      return hit.value;
    }
    const value = fallback(data);
    decoded++;
    remove(origin.sequence);
    if (data.byteLength <= maxBytes) {
      entries.set(origin.sequence, { publishedAt: origin.publishedAt, size: data.byteLength, value });
      bytes += data.byteLength;
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries && bytes <= maxBytes) break;
        remove(oldest);
      }
    }
    return value;
  };

  return {
    decode,
    stats: () => ({ decoded, reused }),
    clear() {
      entries.clear();
      bytes = 0;
    },
  };
}
