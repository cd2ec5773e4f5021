import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideThrottle, type ThrottlePolicy, type ThrottleState } from "../../../src/store/index.js";

const fresh: ThrottleState = { lastNotifiedAt: null, windowStartedAt: null, windowCount: 0 };
const t = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

/** Feeds matches at the given times through the policy; returns what each decision was. */
function run(policy: ThrottlePolicy, times: number[]): string[] {
  let state = fresh;
  return times.map((ms) => {
    const decision = decideThrottle(state, policy, t(ms));
    state = decision.state;
    return decision.notify ? "notify" : decision.reason;
  });
}

describe("decideThrottle()", () => {
  it("notifies every match when the policy is empty", () => {
    expect(run({}, [0, 0, 1, 2])).toEqual(["notify", "notify", "notify", "notify"]);
  });

  it("minIntervalMs suppresses matches inside the cooldown and notifies at its end", () => {
    expect(run({ minIntervalMs: 1000 }, [0, 10, 999, 1000, 1500, 2000])).toEqual([
      "notify",
      "throttle_cooldown",
      "throttle_cooldown",
      "notify",
      "throttle_cooldown",
      "notify",
    ]);
  });

  it("a threshold of N notifies on the N-th match within the window, then starts over", () => {
    expect(run({ threshold: { count: 3, windowMs: 1000 } }, [0, 100, 200, 300, 400, 500])).toEqual([
      "throttle_threshold",
      "throttle_threshold",
      "notify",
      "throttle_threshold",
      "throttle_threshold",
      "notify",
    ]);
  });

  it("matches spread wider than the window never reach the threshold", () => {
    expect(run({ threshold: { count: 2, windowMs: 1000 } }, [0, 1000, 2000, 3000])).toEqual([
      "throttle_threshold",
      "throttle_threshold",
      "throttle_threshold",
      "throttle_threshold",
    ]);
  });

  it("threshold and cooldown combine: a reached threshold inside the cooldown waits for the next match", () => {
    expect(run({ threshold: { count: 2, windowMs: 10_000 }, minIntervalMs: 5000 }, [0, 1, 2, 3, 6000])).toEqual([
      "throttle_threshold",
      "notify",
      "throttle_threshold",
      "throttle_cooldown",
      "notify",
    ]);
  });

  it("never notifies twice within minIntervalMs (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 60 }),
        (interval, gaps) => {
          let now = 0;
          const times = gaps.map((gap) => (now += gap));
          const decisions = run({ minIntervalMs: interval }, times);
          const notified = times.filter((_, i) => decisions[i] === "notify");
          for (let i = 1; i < notified.length; i++)
            expect(notified[i]! - notified[i - 1]!).toBeGreaterThanOrEqual(interval);
          if (times.length > 0) expect(decisions[0]).toBe("notify");
        },
      ),
    );
  });
});
