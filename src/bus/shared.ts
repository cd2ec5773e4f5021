/** What both implementations share: names, defaults, option checks. */
import type { BlockLogEntry, Codec, MatchLogEntry } from "../codec/index.js";
import { BusCode, BusError } from "./errors.js";
import type { ConsumerOptions, Log, RetentionOptions } from "./types.js";

export type BlockLog = Log<BlockLogEntry>;
export type MatchLog = Log<MatchLogEntry>;

/** The two logs of a deployment, and how to let go of them. */
export interface Bus {
  readonly kind: "memory" | "jetstream";
  readonly blocks: BlockLog;
  readonly matches: MatchLog;
  /** Stops every pending fetch (they resolve empty) and releases the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * A message whose payload did not decode (a newer writer, or foreign bytes on the subject). It is terminated —
 * retrying cannot help — and reported here; the consumer carries on with the next one.
 */
export interface UndecodableMessage {
  log: string;
  consumer: string;
  key: string;
  sequence: number;
  error: unknown;
}

export type LogName = "blocks" | "matches";

export const RETENTION_DEFAULTS: Record<LogName, Required<RetentionOptions>> = {
  blocks: { maxAgeMs: 24 * 3_600_000, maxMessages: 100_000, maxBytes: 1024 ** 3, duplicateWindowMs: 120_000 },
  matches: { maxAgeMs: 7 * 24 * 3_600_000, maxMessages: 1_000_000, maxBytes: 1024 ** 3, duplicateWindowMs: 120_000 },
};

export interface ResolvedConsumerOptions {
  key: string | null;
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
  deliverPolicy: NonNullable<ConsumerOptions["deliverPolicy"]>;
}

const NAME = /^[A-Za-z0-9_-]{1,200}$/;

/** Subject keys and consumer names become NATS subject tokens and durable names: no dots, spaces or wildcards. */
export function checkName(kind: "subject key" | "consumer name", value: string): void {
  if (!NAME.test(value)) {
    throw new BusError(
      BusCode.InvalidName,
      `Invalid ${kind} ${JSON.stringify(value)}: use 1–200 letters, digits, "_" or "-".`,
      { path: [kind === "subject key" ? "key" : "name"] },
    );
  }
}

function positive(name: string, value: number, allowMinusOne = false): number {
  if (!Number.isInteger(value) || (value < 1 && !(allowMinusOne && value === -1))) {
    throw new BusError(BusCode.InvalidOption, `Invalid ${name} ${value}: expected a positive integer.`, {
      path: [name],
    });
  }
  return value;
}

export function resolveConsumerOptions(options: ConsumerOptions = {}): ResolvedConsumerOptions {
  if (options.key !== undefined) checkName("subject key", options.key);
  const policy = options.deliverPolicy ?? "all";
  if (typeof policy === "object") positive("deliverPolicy.startSequence", policy.startSequence);
  return {
    key: options.key ?? null,
    ackWaitMs: positive("ackWaitMs", options.ackWaitMs ?? 30_000),
    maxDeliver: positive("maxDeliver", options.maxDeliver ?? 5, true),
    maxAckPending: positive("maxAckPending", options.maxAckPending ?? 1000),
    deliverPolicy: policy,
  };
}

export function resolveRetention(log: LogName, options: RetentionOptions = {}): Required<RetentionOptions> {
  const resolved = { ...RETENTION_DEFAULTS[log], ...options };
  for (const [name, value] of Object.entries(resolved)) positive(name, value);
  return resolved;
}

export function tooLarge(log: string, size: number, limit: number): BusError {
  return new BusError(
    BusCode.PayloadTooLarge,
    `A ${log} payload of ${size} bytes exceeds the log's limit of ${limit} bytes.`,
    { hint: "Raise the NATS server's max_payload (e.g. to 8 MB) for chains with very large blocks." },
  );
}

export function abortedError(): BusError {
  return new BusError(BusCode.Aborted, "The bus operation was aborted.");
}

export type LogCodec<T> = Codec<T>;

/** A durable consumer asked for again with another subject key. */
export function conflict(log: string, name: string, existing: string | null, asked: string | null): BusError {
  const show = (key: string | null) => (key === null ? "every key" : JSON.stringify(key));
  return new BusError(
    BusCode.ConsumerConflict,
    `Consumer ${JSON.stringify(name)} of the ${log} log reads ${show(existing)}, not ${show(asked)}.`,
    { path: ["consumer", name, "key"], hint: "Use another consumer name, or delete the consumer first." },
  );
}
