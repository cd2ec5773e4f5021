/**
 * Per-monitor notification throttling, as OpenZeppelin Defender's monitors offered it. Pure: the store applies it
 * to a monitor's new matches, in order, inside the transaction that stores them, with the monitor's
 * `throttle_state` row locked, so concurrent dispatchers see one consistent sequence.
 */
import type { ThrottlePolicyJson } from "./schema.js";

export interface ThrottlePolicy {
  /** Minimum time between two notified matches of the monitor (Defender's "min time between notifications"). */
  minIntervalMs?: number;
  /**
   * Notify only when `count` matches happened within `windowMs` (Defender's "alert threshold"). The window starts at
   * its first match; when it fires, or when it runs out, the next match starts a new window.
   */
  threshold?: { count: number; windowMs: number };
}

export interface ThrottleState {
  lastNotifiedAt: Date | null;
  windowStartedAt: Date | null;
  windowCount: number;
}

export type ThrottleDecision =
  | { notify: true; state: ThrottleState }
  | { notify: false; reason: "throttle_cooldown" | "throttle_threshold"; state: ThrottleState };

/**
 * Decides whether a new match at `now` is notified, and returns the next state.
 *
 * @example
 * let state = { lastNotifiedAt: null, windowStartedAt: null, windowCount: 0 };
 * const d = decideThrottle(state, { threshold: { count: 3, windowMs: 60_000 } }, now);
 * // d.notify === false, d.reason === "throttle_threshold" (1 of 3)
 */
export function decideThrottle(state: ThrottleState, policy: ThrottlePolicy, now: Date): ThrottleDecision {
  let { lastNotifiedAt, windowStartedAt, windowCount } = state;
  const threshold = policy.threshold;
  if (threshold !== undefined && threshold.count > 1) {
    if (windowStartedAt === null || now.getTime() - windowStartedAt.getTime() >= threshold.windowMs) {
      windowStartedAt = now;
      windowCount = 0;
    }
    windowCount += 1;
    if (windowCount < threshold.count) {
      return { notify: false, reason: "throttle_threshold", state: { lastNotifiedAt, windowStartedAt, windowCount } };
    }
  }
  const minInterval = policy.minIntervalMs ?? 0;
  if (minInterval > 0 && lastNotifiedAt !== null && now.getTime() - lastNotifiedAt.getTime() < minInterval) {
    return { notify: false, reason: "throttle_cooldown", state: { lastNotifiedAt, windowStartedAt, windowCount } };
  }
  return { notify: true, state: { lastNotifiedAt: now, windowStartedAt: null, windowCount: 0 } };
}

/** @internal */
export function policyFromJson(json: ThrottlePolicyJson | null | undefined): ThrottlePolicy | undefined {
  if (json === null || json === undefined) return undefined;
  const policy: ThrottlePolicy = {};
  if (typeof json.min_interval_ms === "number") policy.minIntervalMs = json.min_interval_ms;
  if (json.threshold !== undefined)
    policy.threshold = { count: json.threshold.count, windowMs: json.threshold.window_ms };
  return policy.minIntervalMs === undefined && policy.threshold === undefined ? undefined : policy;
}

/** @internal */
export function policyToJson(policy: ThrottlePolicy | null | undefined): ThrottlePolicyJson | null {
  if (policy === null || policy === undefined) return null;
  const json: ThrottlePolicyJson = {};
  if (policy.minIntervalMs !== undefined) json.min_interval_ms = policy.minIntervalMs;
  if (policy.threshold !== undefined) {
    json.threshold = { count: policy.threshold.count, window_ms: policy.threshold.windowMs };
  }
  return json;
}
