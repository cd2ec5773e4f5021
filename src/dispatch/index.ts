/**
 * @module dispatch
 *
 * Durable delivery, between the engine and the receivers: `recordMatches` runs trigger conditions and stores each
 * kept match once with one outbox row per trigger (throttled per monitor by the store); `createDispatcher` claims
 * due rows under a lease, sends each with `notify`'s `deliver` (one attempt), records every attempt, retries with
 * backoff and jitter (honouring `Retry-After`), dead-letters after the limit; `replayDelivery` / `replayDead` send
 * dead deliveries again. A delivery's id is deterministic (match id + trigger key) and is the `webhook-id` of every
 * attempt, so crashes and replays never produce a second id for one notification.
 *
 * Imports `store`, `notify`, `engine` and `config` through their `index.ts`; owns no tables.
 *
 * @example
 * const triggers = createStoreTriggerRegistry(store);
 * const dispatcher = createDispatcher({ store, triggers, logger });
 * dispatcher.start();
 * await recordMatches(store, matches, { networkId: network.id, triggers, onEnqueued: dispatcher.wake });
 * // on shutdown
 * await dispatcher.drain();
 */
export {
  type AttemptEvent,
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  type DispatcherState,
} from "./dispatcher.js";
export { DispatchCode, DispatchError, type DispatchErrorContext } from "./errors.js";
export {
  type DroppedMatch,
  type RecordMatchesContext,
  type RecordMatchesResult,
  recordMatches,
} from "./record-matches.js";
export { createStoreTriggerRegistry, type StoreTriggerRegistryOptions } from "./registry.js";
export {
  type ReplayDeadFilter,
  type ReplayDeadResult,
  type ReplayOptions,
  replayDead,
  replayDelivery,
} from "./replay.js";
export {
  DEFAULT_MAX_RETRY_AFTER_MS,
  maxAttemptsFor,
  type NextRetryDelayParameters,
  nextRetryDelayMs,
  reportFromOutcome,
  retryPolicyOf,
} from "./schedule.js";
export {
  createStoreScriptReader,
  type ScriptReader,
  type StoreScriptReaderOptions,
  storedScriptCandidates,
} from "./scripts.js";
export type { MaxAttemptsOverride, RegisteredTrigger, TriggerRegistry } from "./types.js";
