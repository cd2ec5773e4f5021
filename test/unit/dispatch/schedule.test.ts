import { describe, expect, it } from "vitest";
import { defaultRetryPolicy, type RetryPolicy, type Trigger } from "../../../src/config/index.js";
import {
  DEFAULT_MAX_RETRY_AFTER_MS,
  DispatchCode,
  maxAttemptsFor,
  nextRetryDelayMs,
  type RegisteredTrigger,
  reportFromOutcome,
  retryPolicyOf,
} from "../../../src/dispatch/index.js";
import { NotifyError } from "../../../src/notify/index.js";

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  max_retries: 3,
  base_for_backoff: 2,
  initial_backoff: { secs: 0, nanos: 250_000_000 },
  max_backoff: { secs: 10, nanos: 0 },
  jitter: "none",
  ...overrides,
});

function webhook(retryPolicy: RetryPolicy = defaultRetryPolicy()): RegisteredTrigger {
  const trigger: Trigger = {
    name: "hook",
    trigger_type: "webhook",
    config: {
      url: { type: "Plain", value: "https://example.com/hook" },
      method: null,
      secret: null,
      headers: null,
      message: { title: "t", body: "b" },
      payload_mode: "template",
      retry_policy: retryPolicy,
    },
  };
  return { id: "trigger-1", key: "hook", trigger };
}

const script: RegisteredTrigger = {
  id: "trigger-2",
  key: "run",
  trigger: {
    name: "run",
    trigger_type: "script",
    config: { language: "Bash", script_path: "notify.sh", arguments: null, timeout_ms: 1000 },
  },
};

describe("maxAttemptsFor()", () => {
  it("is 1 + max_retries: OZ's default policy (3 retries) gives 4 attempts", () => {
    expect(maxAttemptsFor(webhook())).toBe(4);
    expect(maxAttemptsFor(webhook(policy({ max_retries: 0 })))).toBe(1);
    expect(maxAttemptsFor(webhook(policy({ max_retries: 7 })))).toBe(8);
  });

  it("gives script triggers one attempt (OZ never retries scripts)", () => {
    expect(maxAttemptsFor(script)).toBe(1);
  });

  it("takes an operator override, as a number or a function of the trigger", () => {
    expect(maxAttemptsFor(webhook(), 10)).toBe(10);
    expect(maxAttemptsFor(script, (t) => (t.trigger.trigger_type === "script" ? 2 : 5))).toBe(2);
  });

  it("refuses an override that is not a positive integer", () => {
    expect(() => maxAttemptsFor(webhook(), 0)).toThrow(/maxAttempts must be a positive integer, got 0/);
    expect(() => maxAttemptsFor(webhook(), 1.5)).toThrowError(
      expect.objectContaining({ code: DispatchCode.OptionsInvalid }),
    );
  });
});

describe("retryPolicyOf()", () => {
  it("is the trigger's policy, or OZ's default for scripts", () => {
    const custom = policy({ max_retries: 9 });
    expect(retryPolicyOf(webhook(custom).trigger)).toBe(custom);
    expect(retryPolicyOf(script.trigger)).toEqual(defaultRetryPolicy());
  });
});

describe("nextRetryDelayMs()", () => {
  it("without jitter: initial_backoff × base^retry, capped at max_backoff", () => {
    const p = policy();
    expect([0, 1, 2, 3, 6].map((retry) => nextRetryDelayMs({ policy: p, retry }))).toEqual([
      250, 500, 1000, 2000, 10_000,
    ]);
  });

  it("with full jitter: a uniform draw below the bound", () => {
    const p = policy({ jitter: "full" });
    expect(nextRetryDelayMs({ policy: p, retry: 2, random: () => 0 })).toBe(0);
    expect(nextRetryDelayMs({ policy: p, retry: 2, random: () => 0.5 })).toBe(500);
    expect(nextRetryDelayMs({ policy: p, retry: 2, random: () => 0.999 })).toBe(999);
  });

  it("never retries before Retry-After, even beyond max_backoff, up to the cap", () => {
    const p = policy();
    expect(nextRetryDelayMs({ policy: p, retry: 0, retryAfterMs: 100 })).toBe(250); // backoff is longer
    expect(nextRetryDelayMs({ policy: p, retry: 0, retryAfterMs: 30_000 })).toBe(30_000);
    expect(nextRetryDelayMs({ policy: p, retry: 0, retryAfterMs: 30_000, maxRetryAfterMs: 20_000 })).toBe(20_000);
    expect(nextRetryDelayMs({ policy: p, retry: 0, retryAfterMs: 10 ** 12 })).toBe(DEFAULT_MAX_RETRY_AFTER_MS);
  });
});

describe("reportFromOutcome()", () => {
  const startedAt = new Date("2030-01-01T00:00:00.000Z");
  const finishedAt = new Date("2030-01-01T00:00:00.120Z");
  const timing = { startedAt, finishedAt };
  const retry = { policy: policy(), retry: 1 };

  it("records a success with its status and latency", () => {
    expect(reportFromOutcome({ ok: true, channel: "webhook", latencyMs: 120, status: 204 }, timing, retry)).toEqual({
      result: "delivered",
      startedAt,
      finishedAt,
      latencyMs: 120,
      responseCode: 204,
      error: null,
    });
  });

  it("schedules a retryable failure at finishedAt + backoff, honouring Retry-After", () => {
    const error = new NotifyError("NOTIFY_HTTP_STATUS", "Webhook http://x answered HTTP 429", {
      retryable: true,
      status: 429,
    });
    const outcome = {
      ok: false as const,
      channel: "webhook" as const,
      latencyMs: 5,
      status: 429,
      retryable: true,
      retryAfterMs: 7_000,
      error,
    };
    expect(reportFromOutcome(outcome, timing, retry)).toEqual({
      result: "retryable_failure",
      startedAt,
      finishedAt,
      latencyMs: 5,
      responseCode: 429,
      error: "NOTIFY_HTTP_STATUS: Webhook http://x answered HTTP 429",
      retryAfterMs: 7_000,
      retryAt: new Date(finishedAt.getTime() + 7_000),
    });
    const { retryAfterMs: _, ...withoutRetryAfter } = outcome;
    expect(reportFromOutcome(withoutRetryAfter, timing, retry).retryAt).toEqual(new Date(finishedAt.getTime() + 500));
  });

  it("marks a non-retryable failure permanent (no retryAt)", () => {
    const error = new NotifyError("NOTIFY_HTTP_STATUS", "answered HTTP 400", { retryable: false, status: 400 });
    const report = reportFromOutcome(
      { ok: false, channel: "webhook", latencyMs: 3, status: 400, retryable: false, error },
      timing,
      retry,
    );
    expect(report).toMatchObject({
      result: "permanent_failure",
      responseCode: 400,
      error: "NOTIFY_HTTP_STATUS: answered HTTP 400",
    });
    expect(report.retryAt).toBeUndefined();
  });
});
