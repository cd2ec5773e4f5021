/**
 * SHA-256 (FIPS 180-4) for match ids: many short messages that share a long prefix (`["argus.match.v1", network,
 * block hash, …`). The shared prefix's full 64-byte blocks are compressed once; each message then only hashes its
 * own tail. Gives exactly viem's `sha256` (tested against it).
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const W = new Int32Array(64);
/** Character codes of the lowercase hex digits. */
const HEX_CODES: readonly number[] = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
const utf8 = new TextEncoder();

/** Compresses the 64-byte block of `bytes` at `offset` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4;
    W[i] =
      ((bytes[j] as number) << 24) |
      ((bytes[j + 1] as number) << 16) |
      ((bytes[j + 2] as number) << 8) |
      (bytes[j + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15] as number;
    const w2 = W[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + (K[i] as number) + (W[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

function encode(text: string): Uint8Array {
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) if (text.charCodeAt(i) >= 0x80) ascii = false;
  if (!ascii) return utf8.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** SHA-256 of `prefix + tail` for many tails, with `prefix`'s whole blocks compressed once. */
export class Sha256WithPrefix {
  readonly prefix: string;
  private readonly state = new Int32Array(8);
  /** Prefix bytes after its last whole block. */
  private readonly rest: Uint8Array;
  /** Bytes of the prefix compressed into `state`. */
  private readonly consumed: number;
  private readonly work = new Int32Array(8);
  /** Scratch space for the padded tail blocks. */
  private buffer = new Uint8Array(256);
  /** Scratch space for the hex digits of the digest. */
  private readonly codes: number[] = [];

  constructor(prefix: string) {
    this.prefix = prefix;
    const bytes = encode(prefix);
    this.state.set(INITIAL);
    this.consumed = bytes.length - (bytes.length % 64);
    for (let offset = 0; offset < this.consumed; offset += 64) compress(this.state, bytes, offset);
    this.rest = bytes.slice(this.consumed);
  }

  /** Lowercase hex SHA-256 of `prefix + tail` (no `0x`), or of its first `words` 32-bit words. */
  hex(tail: string, words = 8): string {
    const restLength = this.rest.length;
    let length = restLength + tail.length;
    // ASCII tails are written straight into the reusable block buffer; others are UTF-8 encoded first.
    let ascii = true;
    for (let i = 0; i < tail.length && ascii; i++) if (tail.charCodeAt(i) >= 0x80) ascii = false;
    const encoded = ascii ? null : utf8.encode(tail);
    if (encoded) length = restLength + encoded.length;
    const size = (length + 9 + 63) & ~63;
    let padded = this.buffer;
    if (padded.length < size) {
      padded = new Uint8Array(size);
      this.buffer = padded;
    }
    padded.fill(0, 0, size);
    padded.set(this.rest, 0);
    if (encoded) padded.set(encoded, restLength);
    else for (let i = 0; i < tail.length; i++) padded[restLength + i] = tail.charCodeAt(i);
    padded[length] = 0x80;
    // Message length in bits, big-endian, in the last 8 bytes (messages here are far below 2^53 bits).
    const bits = (this.consumed + length) * 8;
    const high = Math.floor(bits / 0x100000000);
    padded[size - 8] = high >>> 24;
    padded[size - 7] = (high >>> 16) & 0xff;
    padded[size - 6] = (high >>> 8) & 0xff;
    padded[size - 5] = high & 0xff;
    padded[size - 4] = (bits >>> 24) & 0xff;
    padded[size - 3] = (bits >>> 16) & 0xff;
    padded[size - 2] = (bits >>> 8) & 0xff;
    padded[size - 1] = bits & 0xff;
    const state = this.work;
    state.set(this.state);
    for (let offset = 0; offset < size; offset += 64) compress(state, padded, offset);
    const codes = this.codes;
    codes.length = words * 8;
    for (let i = 0; i < words; i++) {
      const word = state[i] as number;
      for (let k = 0; k < 8; k++) codes[i * 8 + k] = HEX_CODES[(word >>> (28 - k * 4)) & 0xf] as number;
    }
    return String.fromCharCode.apply(null, codes);
  }
}
