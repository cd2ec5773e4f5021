/**
 * Pure scheduling rules of durable delivery: how many attempts a trigger gets, when the next one runs, and how an
 * attempt's outcome is written down.
 */
import { defaultRetryPolicy, type RetryPolicy, type Trigger } from "../config/index.js";
import { type DeliveryOutcome, retryDelayMs } from "../notify/index.js";
import type { AttemptReport } from "../store/index.js";
import { DispatchCode, DispatchError } from "./errors.js";
import type { MaxAttemptsOverride, RegisteredTrigger } from "./types.js";

/** Longest `Retry-After` honoured, unless the dispatcher is configured otherwise: one hour. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The retry policy of a trigger (spec §9.4). Script triggers have none in OZ; when an operator allows them more than
 * one attempt, OZ's default policy spaces the attempts.
 */
export function retryPolicyOf(trigger: Trigger): RetryPolicy {
  return trigger.trigger_type === "script" ? defaultRetryPolicy() : trigger.config.retry_policy;
}

/**
 * Attempts allowed per delivery run: `1 + retry_policy.max_retries` (OZ's default policy: 3 retries, so 4 attempts);
 * script triggers get one attempt (OZ never retries a script, which need not be idempotent). An operator override
 * (a number, or a function of the trigger) replaces that.
 */
export function maxAttemptsFor(registered: RegisteredTrigger, override?: MaxAttemptsOverride): number {
  const { trigger } = registered;
  const value =
    override === undefined
      ? trigger.trigger_type === "script"
        ? 1
        : 1 + trigger.config.retry_policy.max_retries
      : typeof override === "number"
        ? override
        : override(registered);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DispatchError(
      DispatchCode.OptionsInvalid,
      `maxAttempts must be a positive integer, got ${String(value)} for trigger ${JSON.stringify(registered.key)}.`,
      { path: ["maxAttempts"], context: { triggerKey: registered.key } },
    );
  }
  return value;
}

export interface NextRetryDelayParameters {
  policy: RetryPolicy;
  /** 0 for the pause after the run's first attempt, 1 after the second, … */
  retry: number;
  /** The receiver's `Retry-After`, ms. */
  retryAfterMs?: number | undefined;
  /** Cap on a honoured `Retry-After`. @default DEFAULT_MAX_RETRY_AFTER_MS */
  maxRetryAfterMs?: number;
  /** @default Math.random */
  random?: () => number;
}

/**
 * The pause before the next attempt: the policy's exponential backoff `min(max_backoff, initial_backoff ×
 * base_for_backoff^retry)`, drawn uniformly below that bound with `jitter: "full"` (`retryDelayMs`); a `Retry-After`
 * lengthens it (never shortens it), even beyond `max_backoff`, up to `maxRetryAfterMs`.
 *
 * Unlike OZ's in-memory loop, which gives up when `Retry-After` exceeds `max_backoff`, a durable delivery can wait.
 */
export function nextRetryDelayMs(parameters: NextRetryDelayParameters): number {
  const backoff = retryDelayMs(parameters.policy, parameters.retry, parameters.random);
  if (parameters.retryAfterMs === undefined) return backoff;
  const cap = parameters.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  return Math.max(backoff, Math.min(Math.max(0, parameters.retryAfterMs), cap));
}

/** The attempt log's `retry_after_ms` is an int4 column. */
const INT4_MAX = 2_147_483_647;

/** The text stored as an attempt's error: code first, then the (already redacted) message. */
export function errorText(error: { code: string; message: string }): string {
  return `${error.code}: ${error.message}`;
}

/**
 * Turns `deliver`'s outcome into the attempt report the store records. Retryable failures get `retryAt`
 * (`finishedAt` + `nextRetryDelayMs`); whether attempts remain is the store's decision (it dead-letters the last).
 */
export function reportFromOutcome(
  outcome: DeliveryOutcome,
  timing: { startedAt: Date; finishedAt: Date },
  retry: Omit<NextRetryDelayParameters, "retryAfterMs">,
): AttemptReport {
  const base = {
    startedAt: timing.startedAt,
    finishedAt: timing.finishedAt,
    latencyMs: outcome.latencyMs,
    responseCode: outcome.status ?? null,
  };
  if (outcome.ok) return { ...base, result: "delivered", error: null };
  const error = errorText(outcome.error);
  if (!outcome.retryable) return { ...base, result: "permanent_failure", error };
  const delay = nextRetryDelayMs({ ...retry, retryAfterMs: outcome.retryAfterMs });
  return {
    ...base,
    result: "retryable_failure",
    error,
    retryAfterMs: outcome.retryAfterMs === undefined ? null : Math.min(outcome.retryAfterMs, INT4_MAX),
    retryAt: new Date(timing.finishedAt.getTime() + delay),
  };
}
