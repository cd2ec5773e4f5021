/**
 * The in-process block log and match log: the embedded default. Same contract as JetStream (`types.ts`): dedup
 * window, durable named consumers shared by any number of handles, explicit acks, ack-wait redelivery, delayed naks,
 * max deliveries, bounded retention. Payloads are kept encoded, so memory is bounded by `maxBytes` and every
 * delivery decodes a fresh copy (no consumer can change what another one reads).
 */
import { blockLogEntryCodec, matchCodec } from "../codec/index.js";
import { BusCode, BusError } from "./errors.js";
import {
  abortedError,
  type Bus,
  checkName,
  conflict,
  type LogCodec,
  type LogName,
  type ResolvedConsumerOptions,
  resolveConsumerOptions,
  resolveRetention,
  tooLarge,
  type UndecodableMessage,
} from "./shared.js";
import type {
  ConsumerLag,
  ConsumerOptions,
  FetchOptions,
  Log,
  LogConsumer,
  LogMessage,
  LogOptions,
  LogStats,
  PayloadDecoder,
  PublishAck,
  PublishOptions,
  RetentionOptions,
} from "./types.js";

export interface MemoryBusOptions extends LogOptions {
  /** Largest encoded payload accepted, as NATS's `max_payload`. @default 1 MiB (NATS's default) */
  maxPayloadBytes?: number;
  onUndecodable?: (message: UndecodableMessage) => void;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

interface StoredMessage {
  sequence: number;
  key: string;
  data: Uint8Array;
  time: number;
}

interface PendingDelivery {
  count: number;
  redeliverAt: number;
}

interface ConsumerState {
  name: string;
  options: ResolvedConsumerOptions;
  /** The next stream sequence to consider for a first delivery. */
  nextSequence: number;
  pending: Map<number, PendingDelivery>;
  /** Sequences delivered more than once and not acknowledged since (JetStream's `num_redelivered`). */
  redelivered: Set<number>;
  deliveredSequence: number;
}

/** A wake-up signal: waiters park on `wait`, any change calls `notify`. */
class Signal {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

class MemoryLog<T> implements Log<T> {
  private readonly retention: Required<RetentionOptions>;
  /** Contiguous by sequence from `messages[head]`; dropped from the front only. */
  private messages: StoredMessage[] = [];
  private head = 0;
  private bytes = 0;
  private lastSequence = 0;
  /** dedup id → (sequence, time), in insertion (= time) order. */
  private readonly dedup = new Map<string, { sequence: number; time: number }>();
  private readonly consumers = new Map<string, ConsumerState>();
  private readonly signal = new Signal();
  closed = false;

  constructor(
    readonly name: LogName,
    private readonly codec: LogCodec<T>,
    retention: RetentionOptions | undefined,
    private readonly maxPayloadBytes: number,
    private readonly now: () => number,
    private readonly onUndecodable: ((message: UndecodableMessage) => void) | undefined,
  ) {
    this.retention = resolveRetention(name, retention);
  }

  close(): void {
    this.closed = true;
    this.signal.notify();
  }

  private ensureOpen(): void {
    if (this.closed) throw new BusError(BusCode.Closed, `The ${this.name} log was used after the bus was closed.`);
  }

  async publish(key: string, payload: T, options: PublishOptions): Promise<PublishAck> {
    this.ensureOpen();
    checkName("subject key", key);
    if (options.signal?.aborted) throw abortedError();
    const data = this.codec.encode(payload);
    if (data.byteLength > this.maxPayloadBytes) throw tooLarge(this.name, data.byteLength, this.maxPayloadBytes);
    const now = this.now();
    this.forgetOldDedupIds(now);
    const earlier = this.dedup.get(options.dedupId);
    if (earlier) return { sequence: earlier.sequence, duplicate: true };
    const sequence = ++this.lastSequence;
    this.messages.push({ sequence, key, data, time: now });
    this.bytes += data.byteLength;
    this.dedup.set(options.dedupId, { sequence, time: now });
    this.applyRetention(now);
    this.signal.notify();
    return { sequence, duplicate: false };
  }

  private forgetOldDedupIds(now: number): void {
    for (const [id, entry] of this.dedup) {
      if (now - entry.time < this.retention.duplicateWindowMs) break;
      this.dedup.delete(id);
    }
  }

  private get size(): number {
    return this.messages.length - this.head;
  }

  private applyRetention(now: number): void {
    const { maxAgeMs, maxMessages, maxBytes } = this.retention;
    while (this.size > 0) {
      const oldest = this.messages[this.head]!;
      if (this.size <= maxMessages && this.bytes <= maxBytes && now - oldest.time < maxAgeMs) break;
      this.bytes -= oldest.data.byteLength;
      this.head++;
      for (const consumer of this.consumers.values()) consumer.redelivered.delete(oldest.sequence);
    }
    // Compact once the dropped prefix dominates, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.head = 0;
    }
  }

  private firstSequence(): number {
    return this.size > 0 ? this.messages[this.head]!.sequence : this.lastSequence + 1;
  }

  private message(sequence: number): StoredMessage | undefined {
    return this.size > 0 ? this.messages[this.head + sequence - this.firstSequence()] : undefined;
  }

  async consumer(name: string, options?: ConsumerOptions): Promise<LogConsumer<T>> {
    this.ensureOpen();
    checkName("consumer name", name);
    const resolved = resolveConsumerOptions(options);
    let state = this.consumers.get(name);
    if (!state) {
      const policy = resolved.deliverPolicy;
      const nextSequence =
        policy === "all" ? 1 : policy === "new" ? this.lastSequence + 1 : Math.max(1, policy.startSequence);
      state = {
        name,
        options: resolved,
        nextSequence,
        pending: new Map(),
        redelivered: new Set(),
        deliveredSequence: 0,
      };
      this.consumers.set(name, state);
    } else if (state.options.key !== resolved.key) {
      throw conflict(this.name, name, state.options.key, resolved.key);
    }
    return this.handle(state);
  }

  private handle(state: ConsumerState): LogConsumer<T> {
    const fetch = (options: FetchOptions<T> = {}) => this.fetch(state, options);
    return {
      name: state.name,
      fetch,
      next: async (options = {}) => (await fetch({ ...options, max: 1 }))[0] ?? null,
      lag: async () => {
        this.ensureOpen();
        if (this.consumers.get(state.name) !== state) throw notFound(this.name, state.name);
        return this.lagOf(state);
      },
    };
  }

  private async fetch(state: ConsumerState, options: FetchOptions<T>): Promise<Array<LogMessage<T>>> {
    this.ensureOpen();
    if (this.consumers.get(state.name) !== state) throw notFound(this.name, state.name);
    const max = options.max ?? 1;
    const deadline = this.now() + (options.expiresMs ?? 5_000);
    const out: Array<LogMessage<T>> = [];
    for (;;) {
      if (options.signal?.aborted || this.closed || this.consumers.get(state.name) !== state) return out;
      this.collect(state, max - out.length, out, options.decode);
      const now = this.now();
      if (out.length >= max || now >= deadline) return out;
      let wakeAt = deadline;
      for (const delivery of state.pending.values()) wakeAt = Math.min(wakeAt, delivery.redeliverAt);
      await this.signal.wait(wakeAt - now, options.signal);
    }
  }

  /** Due redeliveries first (in sequence order), then first deliveries while `maxAckPending` allows. */
  private collect(state: ConsumerState, room: number, out: Array<LogMessage<T>>, decode?: PayloadDecoder<T>): void {
    const now = this.now();
    const { ackWaitMs, maxDeliver, maxAckPending, key } = state.options;
    const due = [...state.pending].filter(([, d]) => d.redeliverAt <= now).sort(([a], [b]) => a - b);
    for (const [sequence, delivery] of due) {
      if (out.length >= room) return;
      const stored = this.message(sequence);
      if (!stored || (maxDeliver !== -1 && delivery.count >= maxDeliver)) {
        state.pending.delete(sequence); // exhausted, or gone with retention: dropped for this consumer
        continue;
      }
      delivery.count++;
      delivery.redeliverAt = now + ackWaitMs;
      state.redelivered.add(sequence);
      this.deliver(state, stored, delivery.count, out, decode);
    }
    let sequence = Math.max(state.nextSequence, this.firstSequence());
    while (out.length < room && state.pending.size < maxAckPending && sequence <= this.lastSequence) {
      const stored = this.message(sequence)!;
      sequence++;
      state.nextSequence = sequence;
      if (key !== null && stored.key !== key) continue;
      state.pending.set(stored.sequence, { count: 1, redeliverAt: now + ackWaitMs });
      state.deliveredSequence = stored.sequence;
      this.deliver(state, stored, 1, out, decode);
    }
  }

  private deliver(
    state: ConsumerState,
    stored: StoredMessage,
    count: number,
    out: Array<LogMessage<T>>,
    decode?: PayloadDecoder<T>,
  ): void {
    let payload: T;
    try {
      payload =
        decode === undefined
          ? this.codec.decode(stored.data)
          : decode(stored.data, { key: stored.key, sequence: stored.sequence, publishedAt: stored.time }, (data) =>
              this.codec.decode(data),
            );
    } catch (error) {
      state.pending.delete(stored.sequence);
      this.onUndecodable?.({ log: this.name, consumer: state.name, key: stored.key, sequence: stored.sequence, error });
      return;
    }
    const settle = (change: (delivery: PendingDelivery) => void) => {
      const delivery = state.pending.get(stored.sequence);
      if (delivery) change(delivery);
      this.signal.notify();
    };
    const done = () => {
      state.pending.delete(stored.sequence);
      state.redelivered.delete(stored.sequence);
    };
    out.push({
      key: stored.key,
      sequence: stored.sequence,
      deliveryCount: count,
      publishedAt: stored.time,
      payload,
      ack: async () => {
        this.ensureOpen();
        settle(done);
      },
      nak: (delayMs = 0) => settle((d) => (d.redeliverAt = this.now() + delayMs)),
      inProgress: () => settle((d) => (d.redeliverAt = this.now() + state.options.ackWaitMs)),
      term: () => settle(done),
    });
  }

  private lagOf(state: ConsumerState): ConsumerLag {
    const now = this.now();
    const { maxDeliver, key } = state.options;
    for (const [sequence, delivery] of state.pending) {
      // Deliveries that ran out while nobody fetched leave, as on the server.
      const exhausted = maxDeliver !== -1 && delivery.count >= maxDeliver && delivery.redeliverAt <= now;
      if (exhausted || !this.message(sequence)) state.pending.delete(sequence);
    }
    let pending = 0;
    for (let sequence = Math.max(state.nextSequence, this.firstSequence()); sequence <= this.lastSequence; sequence++) {
      if (key === null || this.message(sequence)!.key === key) pending++;
    }
    const lowestPending = Math.min(...state.pending.keys());
    return {
      name: state.name,
      pending,
      ackPending: state.pending.size,
      redelivered: state.redelivered.size,
      deliveredSequence: state.deliveredSequence,
      ackFloor: state.pending.size > 0 ? lowestPending - 1 : state.deliveredSequence,
    };
  }

  async deleteConsumer(name: string): Promise<boolean> {
    this.ensureOpen();
    const existed = this.consumers.delete(name);
    this.signal.notify();
    return existed;
  }

  async lags(): Promise<ConsumerLag[]> {
    this.ensureOpen();
    return [...this.consumers.values()].map((state) => this.lagOf(state));
  }

  async stats(): Promise<LogStats> {
    this.ensureOpen();
    this.applyRetention(this.now());
    return {
      messages: this.size,
      bytes: this.bytes,
      firstSequence: this.size > 0 ? this.firstSequence() : this.lastSequence === 0 ? 0 : this.lastSequence + 1,
      lastSequence: this.lastSequence,
    };
  }
}

function notFound(log: string, name: string): BusError {
  return new BusError(BusCode.ConsumerNotFound, `The ${log} log has no consumer ${JSON.stringify(name)}.`, {
    path: ["consumer", name],
  });
}

/**
 * The embedded bus: both logs in this process. Nothing survives the process; the cursor in the store is the truth,
 * so a restart re-publishes from it.
 *
 * @example
 * const bus = createMemoryBus();
 * await bus.blocks.publish("ethereum_mainnet", entry, { dedupId: entry.hash });
 * const consumer = await bus.blocks.consumer("worker-shard-0", { key: "ethereum_mainnet", maxAckPending: 1 });
 * const message = await consumer.next({ expiresMs: 1000 });
 * if (message) { handle(message.payload); await message.ack(); }
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const now = options.now ?? Date.now;
  const maxPayload = options.maxPayloadBytes ?? 1024 * 1024;
  const blocks = new MemoryLog("blocks", blockLogEntryCodec, options.blocks, maxPayload, now, options.onUndecodable);
  const matches = new MemoryLog("matches", matchCodec, options.matches, maxPayload, now, options.onUndecodable);
  return {
    kind: "memory",
    blocks,
    matches,
    async close() {
      blocks.close();
      matches.close();
    },
  };
}
