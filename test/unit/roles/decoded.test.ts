import { describe, expect, it } from "vitest";
import { createDecodedCache } from "../../../src/roles/index.js";

const bytes = (n: number) => new Uint8Array(n).fill(7);

describe("createDecodedCache", () => {
  it("decodes a message once for every consumer that receives it, and again when its stream was recreated", () => {
    const cache = createDecodedCache<{ n: number }>();
    let calls = 0;
    const decode = () => ({ n: ++calls });
    const origin = { key: "net", sequence: 5, publishedAt: 1_000 };
    const first = cache.decode(bytes(10), origin, decode);
    const second = cache.decode(bytes(10), origin, decode);
    expect(second).toBe(first);
    expect(calls).toBe(1);
    // The same sequence in a new stream (another publish time, or another size) is another message.
    expect(cache.decode(bytes(10), { ...origin, publishedAt: 2_000 }, decode)).toEqual({ n: 2 });
    expect(cache.decode(bytes(11), { ...origin, publishedAt: 2_000 }, decode)).toEqual({ n: 3 });
    expect(cache.stats()).toEqual({ decoded: 3, reused: 1 });
  });

  it("keeps at most maxEntries and maxBytes, evicting the least recently used", () => {
    const cache = createDecodedCache<number>({ maxEntries: 2, maxBytes: 100 });
    let calls = 0;
    const decode = () => ++calls;
    const at = (sequence: number, size = 10) =>
      cache.decode(bytes(size), { key: "k", sequence, publishedAt: 1 }, decode);
    at(1);
    at(2);
    at(1); // 1 is now the most recent
    at(3); // evicts 2
    expect(calls).toBe(3);
    at(1);
    expect(calls).toBe(3);
    at(2);
    expect(calls).toBe(4);
    at(4, 95); // over the byte budget with the others: they go
    expect(calls).toBe(5);
    at(4);
    at(2);
    expect(calls).toBe(7); // 4 came again with another size (a new message); 2 had been evicted
    expect(() =>
      cache.decode(bytes(1), { key: "k", sequence: 9, publishedAt: 1 }, () => {
        throw new Error("undecodable");
      }),
    ).toThrow("undecodable");
  });
});
