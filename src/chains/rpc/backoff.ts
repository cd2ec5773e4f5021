/** Retry timing for the transport: exponential backoff with full jitter, `Retry-After`, abortable sleep. */

export interface RetryPolicy {
  /**
   * Attempt rounds after the first one. A round tries each enabled endpoint once.
   * @default 3
   */
  retries: number;
  /** @default 2 */
  base: number;
  /** @default 250 */
  initialDelayMs: number;
  /** Upper bound of every delay, `Retry-After` included. @default 10_000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  retries: 3,
  base: 2,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
});

/**
 * The delay before retry number `retry` (0 for the first retry): full jitter, i.e. uniform in
 * `[0, min(maxDelayMs, initialDelayMs * base^retry)]`, then raised to `retryAfterMs` when the server asked for a
 * pause, and capped by `maxDelayMs` in every case.
 */
export function backoffDelay(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.base ** retry);
  const jittered = Math.floor(random() * ceiling);
  const wanted = retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs);
  return Math.max(0, Math.min(policy.maxDelayMs, wanted));
}

/**
 * Parses a `Retry-After` header: delay-seconds (`"120"`, decimals tolerated) or an HTTP-date. Returns milliseconds
 * (0 for a date in the past), or `undefined` when the header is absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. The timer never outlives it. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The value an aborted operation rejects with: the signal's reason, or a standard `AbortError`. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}
