/**
 * The block log and match log on NATS JetStream (server 2.9+): one stream per log with a subject per network
 * (`<prefix>.blocks.<network>`, `<prefix>.matches.<network>`), `Nats-Msg-Id` dedup within a duplicate window,
 * durable pull consumers with explicit acks, ack-wait redelivery, delayed naks and max deliveries, and limits-based
 * retention (max age, messages, bytes). The connection reconnects forever; a fetch that fails while the server is
 * away throws a retryable `BUS_UNAVAILABLE`, and the same consumer handle works again once the client is back.
 */
import {
  AckPolicy,
  type Consumer,
  type ConsumerConfig,
  type ConsumerInfo,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  DeliverPolicy as NatsDeliverPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { blockLogEntryCodec, matchCodec } from "../codec/index.js";
import { BusCode, BusError } from "./errors.js";
import {
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
} from "./types.js";

export interface JetStreamBusOptions extends LogOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. Ignored when `connection` is given. */
  servers?: string | string[];
  /** An open connection to use; the bus then leaves closing it to the caller. */
  connection?: NatsConnection;
  /** Subject prefix: subjects are `<prefix>.blocks.<network>` and `<prefix>.matches.<network>`. @default "argus" */
  subjectPrefix?: string;
  /** Stream name prefix: streams are `<prefix>_BLOCKS`, `<prefix>_MATCHES`. @default the subject prefix, upper-cased */
  streamPrefix?: string;
  /** @default "file" */
  storage?: "file" | "memory";
  /** Stream replicas (clustered servers). @default 1 */
  replicas?: number;
  /** Time to wait for a publish ack or an API answer. @default 5_000 */
  requestTimeoutMs?: number;
  /** Connection name shown by the server (`nats server report connections`). @default "argus" */
  name?: string;
  onUndecodable?: (message: UndecodableMessage) => void;
}

const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
/** Room for the message's headers (`Nats-Msg-Id`) within the server's `max_payload`. */
const HEADER_ALLOWANCE = 512;
/** nats.js refuses pull expiries under a second. */
const MIN_EXPIRES_MS = 1_000;
const nanos = (ms: number) => ms * 1_000_000;
/** How long past a pull's expiry the client waits before it ends the pull itself. */
const CLIENT_GRACE_MS = 1_000;

/** Whether the client is connected right now (from the connection's status events). */
interface ConnectionState {
  connected: boolean;
}

function unavailable(what: string, cause: unknown): BusError {
  return new BusError(BusCode.Unavailable, `NATS JetStream did not answer ${what}: ${(cause as Error)?.message}`, {
    cause,
    retryable: true,
  });
}

function isConsumerNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound;
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

class JetStreamLog<T> implements Log<T> {
  readonly stream: string;
  private readonly subjectBase: string;
  closed = false;

  constructor(
    readonly name: LogName,
    private readonly codec: LogCodec<T>,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: Required<Pick<JetStreamBusOptions, "subjectPrefix" | "requestTimeoutMs">> &
      Pick<JetStreamBusOptions, "onUndecodable">,
    streamPrefix: string,
    private readonly connection: ConnectionState,
  ) {
    this.stream = `${streamPrefix}_${name.toUpperCase()}`;
    this.subjectBase = `${options.subjectPrefix}.${name}`;
  }

  subject(key: string): string {
    return `${this.subjectBase}.${key}`;
  }

  /** Creates the stream, or brings an existing one's limits in line with the options. */
  async ensureStream(busOptions: JetStreamBusOptions): Promise<void> {
    const retention = resolveRetention(this.name, busOptions[this.name]);
    const config: Partial<StreamConfig> = {
      subjects: [`${this.subjectBase}.*`],
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      storage: busOptions.storage === "memory" ? StorageType.Memory : StorageType.File,
      num_replicas: busOptions.replicas ?? 1,
      max_age: nanos(retention.maxAgeMs),
      max_msgs: retention.maxMessages,
      max_bytes: retention.maxBytes,
      // The server rejects a duplicate window longer than the max age.
      duplicate_window: nanos(Math.min(retention.duplicateWindowMs, retention.maxAgeMs)),
    };
    try {
      await this.jsm.streams.info(this.stream);
      await this.jsm.streams.update(this.stream, config);
    } catch (error) {
      if (!isStreamNotFound(error)) throw unavailable(`creating stream ${this.stream}`, error);
      await this.jsm.streams.add({ name: this.stream, ...config });
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new BusError(BusCode.Closed, `The ${this.name} log was used after the bus was closed.`);
  }

  async publish(key: string, payload: T, options: PublishOptions): Promise<PublishAck> {
    this.ensureOpen();
    checkName("subject key", key);
    const data = this.codec.encode(payload);
    const limit = (this.nc.info?.max_payload ?? 1024 * 1024) - HEADER_ALLOWANCE;
    if (data.byteLength > limit) throw tooLarge(this.name, data.byteLength, limit);
    try {
      const ack = await this.js.publish(this.subject(key), data, {
        msgID: options.dedupId,
        expect: { streamName: this.stream },
        timeout: this.options.requestTimeoutMs,
      });
      return { sequence: ack.seq, duplicate: ack.duplicate };
    } catch (cause) {
      throw new BusError(
        BusCode.PublishFailed,
        `Publishing to ${this.subject(key)} was not confirmed: ${(cause as Error)?.message}`,
        { cause, retryable: true, hint: "Publish again with the same dedup id; the log stores it once." },
      );
    }
  }

  async consumer(name: string, options?: ConsumerOptions): Promise<LogConsumer<T>> {
    this.ensureOpen();
    checkName("consumer name", name);
    const resolved = resolveConsumerOptions(options);
    const filter = resolved.key === null ? `${this.subjectBase}.*` : this.subject(resolved.key);
    let info: ConsumerInfo;
    try {
      info = await this.jsm.consumers.info(this.stream, name);
    } catch (error) {
      if (!isConsumerNotFound(error)) throw unavailable(`reading consumer ${name}`, error);
      info = await this.createConsumer(name, filter, resolved);
    }
    if (info.config.filter_subject !== filter) {
      const keyOf = (subject: string | undefined) =>
        subject === undefined || subject.endsWith(".*") ? null : subject.slice(this.subjectBase.length + 1);
      throw conflict(this.name, name, keyOf(info.config.filter_subject), resolved.key);
    }
    let consumer: Consumer;
    try {
      consumer = await this.js.consumers.get(this.stream, name);
    } catch (error) {
      throw unavailable(`binding consumer ${name}`, error);
    }
    return this.handle(name, consumer);
  }

  private async createConsumer(name: string, filter: string, options: ResolvedConsumerOptions): Promise<ConsumerInfo> {
    const policy = options.deliverPolicy;
    const config: Partial<ConsumerConfig> = {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(options.ackWaitMs),
      max_deliver: options.maxDeliver,
      max_ack_pending: options.maxAckPending,
      filter_subject: filter,
      ...(policy === "all"
        ? { deliver_policy: NatsDeliverPolicy.All }
        : policy === "new"
          ? { deliver_policy: NatsDeliverPolicy.New }
          : { deliver_policy: NatsDeliverPolicy.StartSequence, opt_start_seq: policy.startSequence }),
    };
    try {
      return await this.jsm.consumers.add(this.stream, config);
    } catch (error) {
      throw unavailable(`creating consumer ${name}`, error);
    }
  }

  private handle(name: string, consumer: Consumer): LogConsumer<T> {
    const fetch = (options: FetchOptions<T> = {}) => this.fetch(name, consumer, options);
    return {
      name,
      fetch,
      next: async (options = {}) => (await fetch({ ...options, max: 1 }))[0] ?? null,
      lag: () => this.lag(name),
    };
  }

  private async fetch(name: string, consumer: Consumer, options: FetchOptions<T>): Promise<Array<LogMessage<T>>> {
    this.ensureOpen();
    const max = options.max ?? 1;
    const deadline = Date.now() + Math.max(MIN_EXPIRES_MS, options.expiresMs ?? 5_000);
    const out: Array<LogMessage<T>> = [];
    // Undecodable messages are terminated and skipped, so pull again until something usable came or time is up.
    while (out.length < max && !options.signal?.aborted && !this.closed) {
      const remaining = deadline - Date.now();
      if (remaining < MIN_EXPIRES_MS && out.length > 0) break;
      if (remaining <= 0) break;
      let delivered = 0;
      let timedOut = false;
      try {
        const expires = Math.max(MIN_EXPIRES_MS, remaining);
        const batch = await consumer.fetch({ max_messages: max - out.length, expires });
        const stop = () => batch.stop();
        // The server ends the pull at `expires`, but while the connection is down nothing ends it (nats.js pauses
        // its heartbeat check): our own deadline does.
        const timer = setTimeout(() => {
          timedOut = true;
          batch.stop();
        }, expires + CLIENT_GRACE_MS);
        options.signal?.addEventListener("abort", stop, { once: true });
        try {
          for await (const message of batch) {
            delivered++;
            const decoded = this.wrap(name, message, options.decode);
            if (decoded) out.push(decoded);
          }
        } finally {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", stop);
        }
        if (timedOut && out.length === 0 && !this.connection.connected) {
          throw unavailable(`fetching for consumer ${name}`, new Error("disconnected from the server"));
        }
      } catch (error) {
        if (error instanceof BusError) throw error;
        if (this.closed) break;
        if (isConsumerNotFound(error)) throw notFoundError(this.name, name, error);
        if (out.length > 0) break;
        throw unavailable(`fetching for consumer ${name}`, error);
      }
      if (delivered === 0 || delivered === out.length) break;
    }
    return out;
  }

  private wrap(consumer: string, message: JsMsg, decode?: PayloadDecoder<T>): LogMessage<T> | null {
    const key = message.subject.slice(this.subjectBase.length + 1);
    let payload: T;
    try {
      payload =
        decode === undefined
          ? this.codec.decode(message.data)
          : decode(message.data, { key, sequence: message.seq, publishedAt: message.time.getTime() }, (data) =>
              this.codec.decode(data),
            );
    } catch (error) {
      message.term(); // no reason: servers before 2.10.4 ignore "+TERM <reason>"
      this.options.onUndecodable?.({ log: this.name, consumer, key, sequence: message.seq, error });
      return null;
    }
    return {
      key,
      sequence: message.seq,
      deliveryCount: message.info.deliveryCount,
      publishedAt: message.time.getTime(),
      payload,
      ack: async () => {
        let confirmed = false;
        try {
          confirmed = await message.ackAck({ timeout: this.options.requestTimeoutMs });
        } catch (cause) {
          throw unavailable(`acknowledging message ${message.seq}`, cause);
        }
        if (!confirmed) throw unavailable(`acknowledging message ${message.seq}`, new Error("ack not confirmed"));
      },
      nak: (delayMs) => (delayMs && delayMs > 0 ? message.nak(delayMs) : message.nak()),
      inProgress: () => message.working(),
      term: () => message.term(),
    };
  }

  private async lag(name: string): Promise<ConsumerLag> {
    this.ensureOpen();
    try {
      return lagOf(await this.jsm.consumers.info(this.stream, name));
    } catch (error) {
      if (isConsumerNotFound(error)) throw notFoundError(this.name, name, error);
      throw unavailable(`reading consumer ${name}`, error);
    }
  }

  async deleteConsumer(name: string): Promise<boolean> {
    this.ensureOpen();
    try {
      return await this.jsm.consumers.delete(this.stream, name);
    } catch (error) {
      if (isConsumerNotFound(error)) return false;
      throw unavailable(`deleting consumer ${name}`, error);
    }
  }

  async lags(): Promise<ConsumerLag[]> {
    this.ensureOpen();
    const out: ConsumerLag[] = [];
    try {
      for await (const info of this.jsm.consumers.list(this.stream)) out.push(lagOf(info));
    } catch (error) {
      throw unavailable(`listing consumers of ${this.stream}`, error);
    }
    return out;
  }

  async stats(): Promise<LogStats> {
    this.ensureOpen();
    try {
      const { state } = await this.jsm.streams.info(this.stream);
      return {
        messages: state.messages,
        bytes: state.bytes,
        firstSequence: state.first_seq,
        lastSequence: state.last_seq,
      };
    } catch (error) {
      throw unavailable(`reading stream ${this.stream}`, error);
    }
  }
}

function lagOf(info: ConsumerInfo): ConsumerLag {
  return {
    name: info.name,
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    redelivered: info.num_redelivered,
    deliveredSequence: info.delivered.stream_seq,
    ackFloor: info.ack_floor.stream_seq,
  };
}

function notFoundError(log: string, name: string, cause: unknown): BusError {
  return new BusError(BusCode.ConsumerNotFound, `The ${log} log has no consumer ${JSON.stringify(name)}.`, {
    cause,
    path: ["consumer", name],
  });
}

function watchConnection(nc: NatsConnection): ConnectionState {
  const state: ConnectionState = { connected: !nc.isClosed() };
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") state.connected = false;
      else if (status.type === "reconnect") state.connected = true;
    }
  })().catch(() => undefined);
  void nc.closed().then(() => {
    state.connected = false;
  });
  return state;
}

/**
 * Connects (unless given a connection), creates or updates both streams, and returns the bus. Streams are created
 * with the retention options; an existing stream's limits are updated to them, so changing them takes effect at
 * the next start.
 *
 * @example
 * const bus = await createJetStreamBus({ servers: process.env.NATS_URL, subjectPrefix: "argus" });
 * await bus.blocks.publish("ethereum_mainnet", entry, { dedupId: entry.hash });
 */
export async function createJetStreamBus(options: JetStreamBusOptions = {}): Promise<Bus> {
  const subjectPrefix = options.subjectPrefix ?? "argus";
  if (!SUBJECT_PREFIX.test(subjectPrefix)) {
    throw new BusError(
      BusCode.InvalidName,
      `Invalid subject prefix ${JSON.stringify(subjectPrefix)}: use dot-separated tokens of letters, digits, "_", "-".`,
      { path: ["subjectPrefix"] },
    );
  }
  const streamPrefix = options.streamPrefix ?? subjectPrefix.replace(/[.-]/g, "_").toUpperCase();
  checkName("consumer name", streamPrefix);
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const owned = options.connection === undefined;
  let nc: NatsConnection;
  try {
    nc =
      options.connection ??
      (await connect({
        servers: options.servers ?? "nats://127.0.0.1:4222",
        name: options.name ?? "argus",
        // The log is the backbone of a distributed deployment: never give up on the server.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: requestTimeoutMs,
      }));
  } catch (cause) {
    throw unavailable("the connection request", cause);
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: requestTimeoutMs });
    const js = jetstream(nc, { timeout: requestTimeoutMs });
    const logOptions = { subjectPrefix, requestTimeoutMs, onUndecodable: options.onUndecodable };
    const connection = watchConnection(nc);
    const blocks = new JetStreamLog("blocks", blockLogEntryCodec, nc, js, jsm, logOptions, streamPrefix, connection);
    const matches = new JetStreamLog("matches", matchCodec, nc, js, jsm, logOptions, streamPrefix, connection);
    await blocks.ensureStream(options);
    await matches.ensureStream(options);
    let closing: Promise<void> | undefined;
    return {
      kind: "jetstream",
      blocks,
      matches,
      close() {
        closing ??= (async () => {
          blocks.closed = true;
          matches.closed = true;
          if (owned) await nc.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    if (owned) await nc.close().catch(() => undefined);
    throw error instanceof BusError ? error : unavailable("setting up the streams", error);
  }
}
