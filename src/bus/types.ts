/**
 * The contract of the block log and the match log. Both implementations (`memory.ts`, `jetstream.ts`) honour it,
 * and one test suite (`test/integration/bus/log-contract.ts`) runs against both.
 *
 * Semantics (JetStream's, reproduced in memory):
 * - A log is a sequence of messages, each on a subject key (a network slug), numbered by a `sequence` that grows by
 *   one per stored message across all keys.
 * - `publish` stores a message unless one with the same `dedupId` was stored within the duplicate window; then it
 *   returns the earlier message's sequence with `duplicate: true`.
 * - A consumer is durable and named: its position and unacknowledged messages outlive the handle. Any number of
 *   handles of the same name share its messages (each message goes to one of them).
 * - Delivery is at least once. A message delivered and not acknowledged within `ackWaitMs` (or `nak`ed) is delivered
 *   again, up to `maxDeliver` deliveries in all; after the last one it is dropped for that consumer. `term` drops it
 *   at once. Redeliveries go before new messages.
 * - First deliveries follow sequence order. With `maxAckPending: 1` processing is strictly ordered: the next message
 *   is not delivered before the current one is acked, terminated or exhausted its deliveries.
 * - Retention is bounded (max age, max messages, max bytes); the oldest messages go first, and consumers behind them
 *   move on to the oldest message still kept.
 */
export interface PublishAck {
  /** The stream sequence of the stored message (of the earlier one when `duplicate`). */
  sequence: number;
  /** A message with the same dedup id was stored within the duplicate window; nothing new was stored. */
  duplicate: boolean;
}

export interface PublishOptions {
  /** Idempotency key: the block hash for blocks, the match id for matches. */
  dedupId: string;
  signal?: AbortSignal;
}

export type DeliverPolicy = "all" | "new" | { startSequence: number };

export interface ConsumerOptions {
  /** Only messages of this subject key (network slug). @default every key */
  key?: string;
  /** Redeliver a message not acknowledged within this time. @default 30_000 */
  ackWaitMs?: number;
  /** Deliveries of one message in all, the first included; `-1` for no limit. @default 5 */
  maxDeliver?: number;
  /** Messages delivered and not yet acknowledged, at most; `1` gives strict order. @default 1000 */
  maxAckPending?: number;
  /** Where a new consumer starts (ignored when it exists). @default "all" */
  deliverPolicy?: DeliverPolicy;
}

export interface FetchOptions<T = unknown> {
  /** Deliver at most this many messages. @default 1 */
  max?: number;
  /** Wait at most this long for `max` messages; resolves with what arrived (maybe none). @default 5_000 */
  expiresMs?: number;
  signal?: AbortSignal;
  /**
   * Decodes payloads instead of the log's codec (`decode(data)` is the codec), e.g. through a cache shared by the
   * consumers of one process, so that a message they all receive is decoded once. Throwing makes the message
   * undecodable (terminated). The value is handed out as returned: consumers sharing it must not change it.
   */
  decode?: PayloadDecoder<T>;
}

/** Where a payload comes from, for a `FetchOptions.decode` that caches (a sequence is reused only by a new stream). */
export interface PayloadOrigin {
  key: string;
  sequence: number;
  /** When the log stored it (ms since the epoch). */
  publishedAt: number;
}

export type PayloadDecoder<T> = (data: Uint8Array, origin: PayloadOrigin, decode: (data: Uint8Array) => T) => T;

export interface LogMessage<T> {
  /** The subject key (network slug) it was published on. */
  readonly key: string;
  readonly sequence: number;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** When the log stored it (ms since the epoch). */
  readonly publishedAt: number;
  readonly payload: T;
  /** Done: never deliver it again to this consumer. Resolves once the log recorded the ack. */
  ack(): Promise<void>;
  /** Not done: deliver it again after `delayMs` (at once without it). Counts as a delivery. */
  nak(delayMs?: number): void;
  /** Still working on it: restart its ack wait. */
  inProgress(): void;
  /** Never deliver it again to this consumer, done or not (a poison message). */
  term(): void;
}

/** How far a consumer is behind its log: what the operator view and autoscaling read. */
export interface ConsumerLag {
  name: string;
  /** Messages matching the consumer's filter not yet delivered. */
  pending: number;
  /** Messages delivered and not yet acknowledged. */
  ackPending: number;
  /** Messages delivered more than once, so far. */
  redelivered: number;
  /** The highest stream sequence delivered (0 before the first). */
  deliveredSequence: number;
  /** Every message up to this stream sequence is acknowledged (or dropped). */
  ackFloor: number;
}

export interface LogConsumer<T> {
  readonly name: string;
  /** Up to `max` messages; see `FetchOptions`. */
  fetch(options?: FetchOptions<T>): Promise<Array<LogMessage<T>>>;
  /** The next message as soon as there is one, or `null` after `expiresMs`. */
  next(options?: Omit<FetchOptions<T>, "max">): Promise<LogMessage<T> | null>;
  lag(): Promise<ConsumerLag>;
}

export interface LogStats {
  messages: number;
  bytes: number;
  /** The oldest sequence kept (0 when empty and nothing was ever stored). */
  firstSequence: number;
  lastSequence: number;
}

export interface Log<T> {
  /** `"blocks"` or `"matches"`. */
  readonly name: string;
  publish(key: string, payload: T, options: PublishOptions): Promise<PublishAck>;
  /** A handle on the durable consumer `name`, created with `options` if it does not exist. */
  consumer(name: string, options?: ConsumerOptions): Promise<LogConsumer<T>>;
  /** Resolves `false` when there was no such consumer. */
  deleteConsumer(name: string): Promise<boolean>;
  /** Lag of every consumer of this log, by name. */
  lags(): Promise<ConsumerLag[]>;
  stats(): Promise<LogStats>;
}

export interface RetentionOptions {
  /** Drop messages older than this. @default 24 h for blocks, 7 days for matches */
  maxAgeMs?: number;
  /** Keep at most this many messages. @default 100_000 for blocks, 1_000_000 for matches */
  maxMessages?: number;
  /** Keep at most this many bytes of payload. @default 1 GiB for blocks, 1 GiB for matches */
  maxBytes?: number;
  /** Dedup ids are remembered this long. @default 2 min */
  duplicateWindowMs?: number;
}

export interface LogOptions {
  blocks?: RetentionOptions;
  matches?: RetentionOptions;
}
