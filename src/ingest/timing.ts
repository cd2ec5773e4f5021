/** Timers for the watcher: every wait ends early when its signal aborts, and no timer outlives its wait. */
import { setMaxListeners } from "node:events";

/** Resolves after `ms`, or as soon as `signal` aborts (it never rejects: callers check `signal.aborted`). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * A doorbell: `ring()` wakes the current (or the next) `wait`. Rings while nobody waits are remembered once, so a
 * head that arrives between two checks is never slept through.
 */
export interface Doorbell {
  ring(): void;
  /** Resolves on a ring (past or new), after `ms`, or when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void>;
}

export function createDoorbell(): Doorbell {
  let rung = false;
  let wake: (() => void) | undefined;
  return {
    ring() {
      rung = true;
      wake?.();
    },
    async wait(ms, signal) {
      if (rung || signal.aborted) {
        rung = false;
        return;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        signal.addEventListener("abort", done, { once: true });
        wake = done;
      });
      rung = false;
    },
  };
}

export interface BackoffPolicy {
  /** @default 250 */
  initialDelayMs: number;
  /** @default 30_000 */
  maxDelayMs: number;
}

/**
 * Delay before retry `attempt` (1 for the first): exponential from `initialDelayMs`, capped at `maxDelayMs`, with
 * "equal jitter" (half fixed, half random) so that retries never spin and several watchers do not retry in step.
 */
export function backoffMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** An `AbortController` that also aborts when `parent` does; `dispose()` detaches it. */
export function childController(parent: AbortSignal): { controller: AbortController; dispose(): void } {
  const controller = new AbortController();
  // Catch-up fetches a batch of blocks concurrently, each request listening on this signal (and removing its
  // listener when done): more than Node's default of 10 listeners is expected here, not a leak.
  setMaxListeners(64, controller.signal);
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener("abort", onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener("abort", onAbort) };
}
