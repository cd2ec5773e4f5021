import { describe, expect, it } from "vitest";
import { sleep } from "../../../../src/chains/rpc/backoff.js";
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from "../../../../src/chains/rpc/index.js";

describe("DEFAULT_RETRY_POLICY", () => {
  it("is OZ's policy: 3 retries, base 2, 250 ms initial, 10 s max", () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ retries: 3, base: 2, initialDelayMs: 250, maxDelayMs: 10_000 });
  });
});

describe("backoffDelay()", () => {
  const policy = DEFAULT_RETRY_POLICY;

  it("draws uniformly below the exponential ceiling (full jitter)", () => {
    expect([0, 1, 2, 3, 10].map((retry) => backoffDelay(policy, retry, undefined, () => 0.999999))).toEqual([
      249, 499, 999, 1999, 9999,
    ]);
    expect(backoffDelay(policy, 3, undefined, () => 0)).toBe(0);
    expect(backoffDelay(policy, 2, undefined, () => 0.5)).toBe(500);
  });

  it("waits at least Retry-After, but never longer than the maximum delay", () => {
    expect(backoffDelay(policy, 0, 3_000, () => 0.1)).toBe(3_000);
    expect(backoffDelay(policy, 0, 60_000, () => 0.1)).toBe(10_000);
    expect(backoffDelay(policy, 5, 1, () => 0.5)).toBe(4_000);
  });
});

describe("parseRetryAfter()", () => {
  it("reads delay-seconds and HTTP dates, ignores what it cannot read", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("2", now)).toBe(2_000);
    expect(parseRetryAfter(" 0.5 ", now)).toBe(500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now)).toBe(3_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
  });
});

describe("sleep()", () => {
  it("rejects with the abort reason as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const pending = sleep(60_000, controller.signal).catch((error: unknown) => error);
    controller.abort(new Error("stop"));
    expect(await pending).toMatchObject({ message: "stop" });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("rejects at once for an aborted signal", async () => {
    await expect(sleep(10, AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
  });
});
