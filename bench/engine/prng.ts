/**
 * Seeded, deterministic randomness for the benchmark generators (no `Math.random`).
 *
 * `createRng(seed)` is mulberry32: small, fast and good enough for synthetic data. Every draw the generators make goes
 * through one `Rng`, so the same seed always yields byte-identical output.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** `length` random bytes as lowercase hex without `0x`. */
  hex(length: number): string;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => uint32() / 4294967296;
  return {
    next,
    uint32,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error("pick from an empty list");
      return item;
    },
    hex: (length) => {
      let out = "";
      while (out.length < length * 2) out += uint32().toString(16).padStart(8, "0");
      return out.slice(0, length * 2);
    },
  };
}

/** Mixes several integers into one 32-bit seed (so `(seed, blockNumber)` pairs get independent streams). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    let x = Math.floor(part) >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    for (const word of [x, high]) {
      x = word;
      for (let i = 0; i < 4; i++) {
        h ^= x & 0xff;
        h = Math.imul(h, 0x01000193) >>> 0;
        x >>>= 8;
      }
    }
  }
  return h >>> 0;
}

/**
 * Zipf-like sampler over `size` ranks: rank `k` (0-based) has weight `1 / (k + 1) ** exponent`, so low ranks are hot.
 */
export interface Zipf {
  sample(rng: Rng): number;
}

export function createZipf(size: number, exponent: number): Zipf {
  const cdf = new Float64Array(size);
  let total = 0;
  for (let k = 0; k < size; k++) {
    total += 1 / (k + 1) ** exponent;
    cdf[k] = total;
  }
  return {
    sample(rng) {
      const target = rng.next() * total;
      let lo = 0;
      let hi = size - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((cdf[mid] ?? 0) < target) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
  };
}
