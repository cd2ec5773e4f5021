/** Realistic token amounts for the block and ledger generators. */
import type { Rng } from "./prng.js";

/** A uniform integer below `bound`, from `hexDigits` random hex digits. */
export function randomBelow(rng: Rng, bound: bigint, hexDigits = 32): bigint {
  if (bound <= 1n) return 0n;
  return BigInt(`0x${rng.hex(hexDigits)}`) % bound;
}

/** An integer close to `10 ** exp10`, with random low digits (so amounts look like real ones). */
export function unitsFromExp(rng: Rng, exp10: number, hexDigits = 32): bigint {
  if (exp10 < 0) return 1n;
  const whole = Math.floor(exp10);
  const lead = Math.floor(10 ** (exp10 - whole) * 1e6);
  if (whole >= 6) {
    const shift = 10n ** BigInt(whole - 6);
    return BigInt(lead) * shift + randomBelow(rng, shift, hexDigits);
  }
  return BigInt(Math.max(1, Math.floor(lead / 10 ** (6 - whole))));
}

/** log10 of a USD amount: mostly $1–$100k; 3% $100k–$3M; 0.3% whales at $3M–$30M. */
export function usdExp(rng: Rng): number {
  const r = rng.next();
  if (r < 0.003) return 6.5 + rng.next();
  if (r < 0.033) return 5 + rng.next() * 1.5;
  return rng.next() * 5;
}
