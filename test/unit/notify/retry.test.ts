import { describe, expect, it } from "vitest";
import { defaultRetryPolicy, type RetryPolicy } from "../../../src/config/index.js";
import { retryDelayMs } from "../../../src/notify/index.js";

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...defaultRetryPolicy(), ...overrides });

describe("retryDelayMs()", () => {
  it("without jitter grows initial × base^n and stops at max_backoff", () => {
    const p = policy({ jitter: "none" });
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(p, n))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10000]);
  });

  it("reads Rust durations (secs + nanos)", () => {
    const p = policy({
      jitter: "none",
      base_for_backoff: 3,
      initial_backoff: { secs: 1, nanos: 500_000_000 },
      max_backoff: { secs: 60, nanos: 0 },
    });
    expect([0, 1, 2, 3].map((n) => retryDelayMs(p, n))).toEqual([1500, 4500, 13500, 40500]);
  });

  it("with full jitter draws uniformly below the same bound", () => {
    const p = policy({ jitter: "full" });
    expect(retryDelayMs(p, 2, () => 0)).toBe(0);
    expect(retryDelayMs(p, 2, () => 0.5)).toBe(500);
    expect(retryDelayMs(p, 2, () => 0.999)).toBe(999);
    expect(retryDelayMs(p, 9, () => 0.5)).toBe(5000);
  });
});
