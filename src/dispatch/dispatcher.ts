import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import pino, { type Logger } from "pino";
import { defaultRetryPolicy, type RetryPolicy } from "../config/index.js";
import type { ScriptSettings } from "../notify/conditions/index.js";
import { type DeliverOptions, type DeliveryOutcome, deliver } from "../notify/index.js";
import type { Metrics } from "../ops/index.js";
import {
  type AttemptReport,
  type Channel,
  type ClaimedDelivery,
  type Delivery,
  deliveries,
  type Store,
  StoreCode,
  StoreError,
} from "../store/index.js";
import { DispatchCode, DispatchError } from "./errors.js";
import { FairQueue, type QueuedClaim } from "./fair-queue.js";
import { errorText, nextRetryDelayMs, reportFromOutcome, retryPolicyOf } from "./schedule.js";
import type { ScriptReader } from "./scripts.js";
import type { RegisteredTrigger, TriggerRegistry } from "./types.js";

/**
 * `idle` (created) → `running` (`start()`) → `draining` (`drain()`: no new claims, claimed work finishes) →
 * `stopped`; `stopping` while `stop()` aborts what runs; `failed` when the store was closed under the loop.
 */
export type DispatcherState = "idle" | "running" | "draining" | "stopping" | "stopped" | "failed";

export interface DispatcherOptions {
  store: Store;
  /** The tenant's trigger for a delivery's trigger key (its current config is used for every attempt). */
  triggers: TriggerRegistry;
  /** Lease owner written on claimed deliveries; unique per process. @default `dispatch-<host>-<pid>-<random>` */
  owner?: string;
  /**
   * Claimed deliveries this dispatcher holds at once (running or waiting for a slot).
   * @default 64
   */
  maxInFlight?: number;
  /**
   * Attempts one tenant may run at once: a tenant whose receiver hangs occupies at most this many slots.
   * @default 16
   */
  maxInFlightPerTenant?: number;
  /**
   * How often the outbox is polled for due deliveries when nothing woke the loop (`wake()`, a finished attempt, a
   * retry falling due).
   * @default 250
   */
  pollIntervalMs?: number;
  /**
   * Lease of a claimed delivery. Must exceed the attempt timeout (plus a margin for recording): an attempt still
   * running near the end of its lease is aborted, so a lease never expires under a live dispatcher.
   * @default 60_000
   */
  leaseMs?: number;
  /**
   * Budget of one HTTP or SMTP attempt (`deliver`'s `timeoutMs`). Scripts use their own `timeout_ms`.
   * @default 10_000
   */
  timeoutMs?: number;
  /** Operator setting, passed to `deliver`: allow loopback/private destinations. Never a tenant's choice. @default false */
  allowPrivateNetworks?: boolean;
  /** Script runner settings for `script` triggers. */
  scriptSettings?: ScriptSettings;
  /**
   * Where `script` triggers read their scripts, per tenant (`createStoreScriptReader`: the tenant's stored files).
   * Takes precedence over `deliverOptions.readScript`; unset, scripts are read from disk as `deliver` does, which
   * suits only a single-tenant operator's own config.
   */
  scripts?: ScriptReader;
  /** Further `deliver` options (DNS resolver, SMTP TLS, Telegram base URL, script roots, environment). */
  deliverOptions?: Omit<DeliverOptions, "signal" | "allowPrivateNetworks" | "timeoutMs" | "scriptSettings" | "now">;
  /** Longest `Retry-After` honoured. @default 3_600_000 (one hour) */
  maxRetryAfterMs?: number;
  /**
   * The clock written to the store and compared with `next_attempt_at` / `lease_until` (tests move it). Timers
   * (poll, lease budget) measure real time.
   * @default () => new Date()
   */
  now?: () => Date;
  /** Random source of the backoff jitter. @default Math.random */
  random?: () => number;
  /** @default a silent logger */
  logger?: Logger;
  metrics?: Pick<Metrics, "deliveryAttempts" | "deliveryLatency">;
  /** Called after each attempt was recorded (or recording failed). Must not throw. */
  onAttempt?: (event: AttemptEvent) => void;
  /** Aborting it stops the dispatcher (as `stop()`). */
  signal?: AbortSignal;
}

/** One finished attempt, as recorded. */
export interface AttemptEvent {
  deliveryId: string;
  tenantId: string;
  matchId: string;
  triggerKey: string;
  /** The channel the attempt used (the trigger's current type; the enqueued channel when no trigger was found). */
  channel: Channel;
  /** 1-based, across runs (a replay continues the numbering). */
  attempt: number;
  /** `report.result`: what the attempt's outcome was (bounded: fit for a metrics label). */
  outcome: AttemptReport["result"];
  /** `report.latencyMs`. */
  latencyMs: number;
  report: AttemptReport;
  /** The delivery after recording (`undefined` when recording failed). */
  delivery: Delivery | undefined;
  /** `false` when this dispatcher had lost the lease (the attempt is kept; the delivery was not moved). */
  applied: boolean;
  /** Why recording failed, if it did (the lease then expires and another claim retries the same delivery). */
  recordError?: unknown;
}

export interface Dispatcher {
  readonly owner: string;
  /** The trigger registry it was created with (share it with `recordMatches`). */
  readonly triggers: TriggerRegistry;
  readonly state: DispatcherState;
  /** Deliveries claimed and not yet recorded (running or waiting for a slot). */
  readonly inFlight: number;
  /** Starts the loop. Idempotent while running. */
  start(): void;
  /** Claims due deliveries now instead of at the next poll (call it after enqueuing). Cheap; never throws. */
  wake(): void;
  /** Graceful shutdown: stops claiming, finishes every claimed delivery (bounded by the lease), then `stopped`. */
  drain(): Promise<void>;
  /**
   * Fast shutdown: aborts running attempts and records them (and claims not yet started) as retryable failures due
   * now, so another dispatcher takes them over at once under the same delivery ids.
   */
  stop(): Promise<void>;
}

interface HeldClaim {
  claim: ClaimedDelivery;
  /** `performance.now()` at claim time: the lease runs from here. */
  claimedAt: number;
}

const DEFAULTS = {
  maxInFlight: 64,
  maxInFlightPerTenant: 16,
  pollIntervalMs: 250,
  leaseMs: 60_000,
  timeoutMs: 10_000,
} as const;

/** `claimDue` takes at most this many per call. */
const CLAIM_BATCH_MAX = 200;
const MAX_CLAIM_BACKOFF_MS = 5_000;
const RECORD_TRIES = 3;

function positiveInteger(value: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new DispatchError(
      DispatchCode.OptionsInvalid,
      `createDispatcher: ${name} must be an integer in [1, ${max}], got ${String(value)}.`,
      { path: [name] },
    );
  }
  return value;
}

/** Time kept free at the end of a lease for recording the attempt. */
export function leaseMarginMs(leaseMs: number): number {
  return Math.min(2_000, Math.floor(leaseMs / 5));
}

function isStoreClosed(error: unknown): boolean {
  return error instanceof StoreError && error.code === StoreCode.Closed;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The delivery loop: claims due outbox rows under a lease, sends each through `deliver` (one attempt), records the
 * attempt, and schedules the next one on retryable failures.
 *
 * Guarantees:
 * - **Same id on every attempt.** The notification id is the delivery id (`webhook-id`), so a retry, a replay, or a
 *   takeover after a crash sends the same id; a receiver sees a given id again only as a retry.
 * - **At-least-once, never lost.** An attempt is recorded after it ends. A dispatcher that dies mid-attempt leaves
 *   its lease to expire; the next claim records the interrupted attempt as `lease_expired` and retries the delivery.
 * - **Lease-bounded.** A claim waits for a slot at most until its deadline, and a running attempt is aborted before
 *   its lease ends, so a live dispatcher never lets a lease lapse (which would let two dispatchers send at once).
 * - **Retries** follow the trigger's retry policy (§9.4: exponential backoff, full jitter), never earlier than a
 *   `Retry-After`; 4xx (except 408/429) and other permanent failures dead-letter at once; the store dead-letters
 *   the last allowed attempt.
 * - **Fairness.** Round-robin over tenants, at most `maxInFlightPerTenant` attempts per tenant.
 *
 * @example
 * const dispatcher = createDispatcher({ store, triggers: createStoreTriggerRegistry(store), logger });
 * dispatcher.start();
 * await recordMatches(store, matches, { networkId, triggers, onEnqueued: dispatcher.wake });
 * shutdown.add(() => dispatcher.drain());
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const store = options.store;
  const registry = options.triggers;
  const owner = options.owner ?? `dispatch-${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  if (owner === "") {
    throw new DispatchError(DispatchCode.OptionsInvalid, "createDispatcher: owner must not be empty.", {
      path: ["owner"],
    });
  }
  const maxInFlight = positiveInteger(options.maxInFlight ?? DEFAULTS.maxInFlight, "maxInFlight", 10_000);
  const maxPerTenant = positiveInteger(
    options.maxInFlightPerTenant ?? Math.min(DEFAULTS.maxInFlightPerTenant, maxInFlight),
    "maxInFlightPerTenant",
    10_000,
  );
  const pollIntervalMs = positiveInteger(options.pollIntervalMs ?? DEFAULTS.pollIntervalMs, "pollIntervalMs");
  const timeoutMs = positiveInteger(options.timeoutMs ?? DEFAULTS.timeoutMs, "timeoutMs");
  const leaseMs = positiveInteger(options.leaseMs ?? DEFAULTS.leaseMs, "leaseMs", 2_147_483_647);
  const margin = leaseMarginMs(leaseMs);
  if (leaseMs <= timeoutMs + margin) {
    throw new DispatchError(
      DispatchCode.OptionsInvalid,
      `createDispatcher: leaseMs (${leaseMs}) must exceed timeoutMs (${timeoutMs}) plus ${margin} ms for recording the attempt.`,
      { path: ["leaseMs"], hint: `Use leaseMs of at least ${timeoutMs + margin + 1}, e.g. ${2 * timeoutMs + margin}.` },
    );
  }
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 3_600_000;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const log = options.logger ?? pino({ level: "silent" });
  const deliverOptions: DeliverOptions = {
    ...options.deliverOptions,
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    timeoutMs,
    now: () => now().getTime(),
    ...(options.scriptSettings === undefined ? {} : { scriptSettings: options.scriptSettings }),
  };

  const scripts = options.scripts;
  /** The tenant's scripts for a `script` trigger, when a reader is configured. */
  const scriptsOf = (tenantId: string): Pick<DeliverOptions, "readScript"> =>
    scripts === undefined ? {} : { readScript: (scriptPath) => scripts(tenantId, scriptPath) };

  const queue = new FairQueue<HeldClaim>({ maxRunning: maxInFlight, maxRunningPerTenant: maxPerTenant });
  const attempts = new Set<Promise<void>>();
  const stopController = new AbortController();
  // Every attempt in flight listens for the stop (and removes its listener when done): not a leak, so raise the cap.
  setMaxListeners(maxInFlight + 16, stopController.signal);
  let state: DispatcherState = "idle";
  let loopDone: Promise<void> = Promise.resolve();
  let finished: Promise<void> | undefined;

  // Wake-ups: a sticky flag, so a wake during a claim is not lost.
  let wakeRequested = false;
  let wakeWaiter: (() => void) | undefined;
  let retryWake: { due: number; timer: NodeJS.Timeout } | undefined;

  function wake(): void {
    wakeRequested = true;
    const waiter = wakeWaiter;
    wakeWaiter = undefined;
    waiter?.();
  }

  function sleep(ms: number): Promise<void> {
    if (wakeRequested) {
      wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (wakeWaiter === done) wakeWaiter = undefined;
        wakeRequested = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      wakeWaiter = done;
    });
  }

  /** Wakes the loop when a retry this dispatcher scheduled falls due before the next poll. */
  function scheduleWake(at: Date): void {
    const ms = Math.max(0, at.getTime() - now().getTime()) + 1;
    if (ms >= pollIntervalMs || state !== "running") return;
    const due = performance.now() + ms;
    if (retryWake !== undefined && retryWake.due <= due) return;
    if (retryWake !== undefined) clearTimeout(retryWake.timer);
    retryWake = {
      due,
      timer: setTimeout(() => {
        retryWake = undefined;
        wake();
      }, ms),
    };
  }

  function emit(event: AttemptEvent): void {
    try {
      options.onAttempt?.(event);
    } catch (error) {
      log.error({ err: error }, "onAttempt callback threw");
    }
  }

  async function record(held: HeldClaim, report: AttemptReport, channel: Channel): Promise<void> {
    const { delivery, attempt, match } = held.claim;
    const fields = {
      tenant_id: delivery.tenantId,
      delivery_id: delivery.id,
      match_id: match.id,
      trigger_key: delivery.triggerKey,
      attempt,
    };
    options.metrics?.deliveryAttempts.inc({ channel, outcome: report.result });
    options.metrics?.deliveryLatency.observe({ channel }, report.latencyMs / 1000);
    const base = {
      deliveryId: delivery.id,
      tenantId: delivery.tenantId,
      matchId: match.id,
      triggerKey: delivery.triggerKey,
      channel,
      attempt,
      outcome: report.result,
      latencyMs: report.latencyMs,
      report,
    };
    for (let tryNumber = 1; ; tryNumber += 1) {
      try {
        const recorded = await deliveries.recordAttempt(store, { deliveryId: delivery.id, attempt, owner, report });
        const after = recorded.delivery;
        if (!recorded.applied) {
          log.warn({ ...fields, status: after.status }, "Delivery attempt recorded after the lease was lost");
        } else if (after.status === "delivered") {
          log.debug({ ...fields, duration_ms: report.latencyMs, response_code: report.responseCode }, "Delivered");
        } else if (after.status === "dead") {
          log.warn({ ...fields, error: after.lastError }, "Delivery dead-lettered");
        } else if (after.status === "pending") {
          log.warn(
            { ...fields, error: report.error, next_attempt_at: after.nextAttemptAt.toISOString() },
            "Delivery attempt failed; retry scheduled",
          );
          scheduleWake(after.nextAttemptAt);
        }
        emit({ ...base, delivery: after, applied: recorded.applied });
        return;
      } catch (error) {
        const retryable = error instanceof StoreError && error.retryable;
        if (!retryable || tryNumber >= RECORD_TRIES) {
          log.error(
            { ...fields, err: error },
            "Recording a delivery attempt failed; the lease will expire and the delivery be retried",
          );
          emit({ ...base, delivery: undefined, applied: false, recordError: error });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** (tryNumber - 1)));
      }
    }
  }

  function failure(
    result: "retryable_failure" | "permanent_failure",
    error: DispatchError,
    timing: { startedAt: Date; finishedAt: Date; latencyMs: number },
    retryAt?: Date,
  ): AttemptReport {
    return {
      result,
      startedAt: timing.startedAt,
      finishedAt: timing.finishedAt,
      latencyMs: timing.latencyMs,
      responseCode: null,
      error: errorText(error),
      ...(result === "retryable_failure" ? { retryAt: retryAt ?? timing.finishedAt } : {}),
    };
  }

  async function attemptOnce(
    held: HeldClaim,
    signal: AbortSignal,
  ): Promise<{ report: AttemptReport; channel: Channel }> {
    const { delivery, attempt, match } = held.claim;
    const context = {
      tenantId: delivery.tenantId,
      deliveryId: delivery.id,
      matchId: match.id,
      triggerKey: delivery.triggerKey,
    };
    const startedAt = now();
    const started = performance.now();
    const timing = () => ({ startedAt, finishedAt: now(), latencyMs: Math.round(performance.now() - started) });
    const retry = attempt - delivery.attemptBase - 1;
    const backoff = (policy: RetryPolicy, at: Date) =>
      new Date(at.getTime() + nextRetryDelayMs({ policy, retry, random, maxRetryAfterMs }));

    let registered: RegisteredTrigger | undefined;
    try {
      registered = await registry(delivery.tenantId, delivery.triggerKey);
    } catch (error) {
      const t = timing();
      if (error instanceof DispatchError && error.code === DispatchCode.TriggerInvalid) {
        return { report: failure("permanent_failure", error, t), channel: delivery.channel };
      }
      const lookupError = new DispatchError(
        DispatchCode.TriggerLookupFailed,
        `Looking up trigger ${JSON.stringify(delivery.triggerKey)} failed: ${describe(error)}`,
        { cause: error, retryable: true, context },
      );
      return {
        report: failure("retryable_failure", lookupError, t, backoff(defaultRetryPolicy(), t.finishedAt)),
        channel: delivery.channel,
      };
    }
    if (registered === undefined) {
      const unknown = new DispatchError(
        DispatchCode.TriggerUnknown,
        `The tenant has no trigger ${JSON.stringify(delivery.triggerKey)} any more.`,
        { context, hint: "Recreate the trigger, then replay the delivery." },
      );
      return { report: failure("permanent_failure", unknown, timing()), channel: delivery.channel };
    }
    const trigger = registered.trigger;
    const payload = match.payload;
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      const invalid = new DispatchError(DispatchCode.PayloadInvalid, `Match ${match.id} has no JSON object payload.`, {
        context,
      });
      return { report: failure("permanent_failure", invalid, timing()), channel: trigger.trigger_type };
    }

    let outcome: DeliveryOutcome;
    try {
      outcome = await deliver(
        { id: delivery.id, trigger, match: payload },
        { ...deliverOptions, ...scriptsOf(delivery.tenantId), signal },
      );
    } catch (error) {
      const t = timing();
      const crashed = new DispatchError(DispatchCode.DeliverCrashed, `deliver() threw: ${describe(error)}`, {
        cause: error,
        context,
      });
      return {
        report: failure("retryable_failure", crashed, t, backoff(retryPolicyOf(trigger), t.finishedAt)),
        channel: trigger.trigger_type,
      };
    }
    const finishedAt = now();
    if (!outcome.ok && signal.aborted) {
      // Our own abort, not the receiver's verdict: whatever `deliver` classified, the delivery is retried.
      const stopping = stopController.signal.aborted;
      const reason = signal.reason instanceof DispatchError ? signal.reason : undefined;
      const aborted =
        reason ?? new DispatchError(DispatchCode.Aborted, "The attempt was aborted.", { context, retryable: true });
      const t = { startedAt, finishedAt, latencyMs: outcome.latencyMs };
      return {
        report: {
          ...failure(
            "retryable_failure",
            aborted,
            t,
            stopping ? finishedAt : backoff(retryPolicyOf(trigger), finishedAt),
          ),
          responseCode: outcome.status ?? null,
        },
        channel: trigger.trigger_type,
      };
    }
    return {
      report: reportFromOutcome(
        outcome,
        { startedAt, finishedAt },
        { policy: retryPolicyOf(trigger), retry, random, maxRetryAfterMs },
      ),
      channel: trigger.trigger_type,
    };
  }

  async function runAttempt(held: HeldClaim): Promise<void> {
    const controller = new AbortController();
    const onStop = () =>
      controller.abort(
        new DispatchError(DispatchCode.Aborted, "The dispatcher stopped during the attempt.", { retryable: true }),
      );
    if (stopController.signal.aborted) onStop();
    else stopController.signal.addEventListener("abort", onStop, { once: true });
    const budget = held.claimedAt + leaseMs - margin - performance.now();
    const timer = setTimeout(
      () =>
        controller.abort(
          new DispatchError(
            DispatchCode.Aborted,
            `The attempt was aborted ${margin} ms before its ${leaseMs} ms lease ended.`,
            { retryable: true, hint: "Raise the dispatcher's leaseMs above the trigger's longest attempt." },
          ),
        ),
      Math.max(0, budget),
    );
    let result: { report: AttemptReport; channel: Channel };
    try {
      result = await attemptOnce(held, controller.signal);
    } finally {
      clearTimeout(timer);
      stopController.signal.removeEventListener("abort", onStop);
    }
    await record(held, result.report, result.channel);
  }

  function pump(): void {
    for (const item of queue.take(performance.now())) {
      const running: Promise<void> = runAttempt(item.value)
        .catch((error: unknown) =>
          log.error({ err: error, delivery_id: item.value.claim.delivery.id }, "Attempt failed"),
        )
        .finally(() => {
          queue.finish(item.tenantId);
          attempts.delete(running);
          wake();
        });
      attempts.add(running);
    }
  }

  function waitMs(): number {
    const deadline = queue.nextDeadline();
    return deadline === undefined ? pollIntervalMs : Math.min(pollIntervalMs, deadline - performance.now());
  }

  async function loop(): Promise<void> {
    let failures = 0;
    for (;;) {
      if (state !== "running" && state !== "draining") return;
      pump();
      if (state === "draining") {
        if (queue.queued === 0 && queue.running === 0) return;
        await sleep(waitMs());
        continue;
      }
      const capacity = maxInFlight - queue.running - queue.queued;
      if (capacity <= 0) {
        await sleep(waitMs());
        continue;
      }
      const limit = Math.min(capacity, CLAIM_BATCH_MAX);
      let claims: ClaimedDelivery[];
      // The lease starts when the claim is made, not when its answer arrives: measure from before the call.
      const claimedAt = performance.now();
      try {
        claims = await deliveries.claimDue(store, { now: now(), limit, owner, leaseMs });
        failures = 0;
      } catch (error) {
        if (isStoreClosed(error)) {
          log.error({ err: error, owner }, "The store was closed under the dispatcher; it stops");
          state = "failed";
          return;
        }
        failures += 1;
        log.error({ err: error, owner, failures }, "Claiming due deliveries failed");
        await sleep(Math.min(MAX_CLAIM_BACKOFF_MS, pollIntervalMs * 2 ** failures));
        continue;
      }
      const startBy = claimedAt + leaseMs - margin - timeoutMs;
      for (const claim of claims) {
        queue.push({ tenantId: claim.delivery.tenantId, value: { claim, claimedAt }, startBy });
      }
      pump();
      if (claims.length === limit) continue; // more may be due
      await sleep(waitMs());
    }
  }

  function notStarted(item: QueuedClaim<HeldClaim>): Promise<void> {
    const at = now();
    const error = new DispatchError(
      DispatchCode.Aborted,
      "The dispatcher stopped before the attempt started; nothing was sent.",
      { retryable: true },
    );
    return record(
      item.value,
      failure("retryable_failure", error, { startedAt: at, finishedAt: at, latencyMs: 0 }, at),
      item.value.claim.delivery.channel,
    );
  }

  async function settle(): Promise<void> {
    while (attempts.size > 0) await Promise.allSettled([...attempts]);
  }

  function cleanup(): void {
    if (retryWake !== undefined) clearTimeout(retryWake.timer);
    retryWake = undefined;
    options.signal?.removeEventListener("abort", onSignal);
  }

  async function stop(): Promise<void> {
    if (state === "idle") {
      state = "stopped";
      cleanup();
      return;
    }
    if (state === "stopped" || state === "failed") {
      await settle();
      return;
    }
    if (state === "stopping") return finished;
    state = "stopping";
    stopController.abort();
    wake();
    finished = (async () => {
      await loopDone;
      await Promise.all(queue.clear().map(notStarted));
      await settle();
      cleanup();
      state = "stopped";
    })();
    return finished;
  }

  async function drain(): Promise<void> {
    if (state === "idle") {
      state = "stopped";
      cleanup();
      return;
    }
    if (state === "running") {
      state = "draining";
      wake();
      finished = (async () => {
        await loopDone;
        await settle();
        cleanup();
        if (state === "draining") state = "stopped";
      })();
    }
    await finished;
    await settle();
  }

  function onSignal(): void {
    void stop();
  }

  function start(): void {
    if (state === "running") return;
    if (state !== "idle") {
      throw new DispatchError(
        DispatchCode.OptionsInvalid,
        `createDispatcher: cannot start a dispatcher that is ${state}.`,
        {
          hint: "Create a new dispatcher.",
        },
      );
    }
    if (options.signal?.aborted) {
      state = "stopped";
      return;
    }
    options.signal?.addEventListener("abort", onSignal, { once: true });
    state = "running";
    log.debug({ owner, max_in_flight: maxInFlight, lease_ms: leaseMs }, "Dispatcher started");
    loopDone = loop().catch((error: unknown) => {
      log.error({ err: error, owner }, "The dispatcher loop failed");
      state = "failed";
    });
  }

  return {
    owner,
    triggers: registry,
    get state() {
      return state;
    },
    get inFlight() {
      return queue.running + queue.queued;
    },
    start,
    wake,
    drain,
    stop,
  };
}
