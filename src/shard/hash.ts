/**
 * Stable hashing for shards and the ring: MurmurHash3 (x86, 32-bit) over the UTF-8 bytes of a string. The same on
 * every machine, process and version — a tenant's shard and a ring point must never depend on where they are computed.
 */
const encoder = new TextEncoder();

export function hash32(text: string, seed = 0): number {
  const bytes = encoder.encode(text);
  const length = bytes.length;
  const blocks = length & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (bytes[blocks + 2] ?? 0) << 16;
    if (tail >= 2) k ^= (bytes[blocks + 1] ?? 0) << 8;
    k ^= bytes[blocks] ?? 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The shard of a tenant: `hash32(tenantId) mod shardCount`. The shard count is fixed for a cluster's lifetime:
 * changing it moves almost every tenant.
 */
export function shardOf(tenantId: string, shardCount: number): number {
  return hash32(tenantId) % shardCount;
}
