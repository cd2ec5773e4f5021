/**
 * Configuration changes over Redis pub/sub, next to PostgreSQL's LISTEN/NOTIFY: a process whose database connection
 * cannot LISTEN (behind a transaction pooler, for instance) still hears every change, from any process that can.
 *
 * Every process that hears a change from PostgreSQL (committed: NOTIFY is delivered on commit) republishes it on
 * `<prefix>config` as `{"origin": <process>, "change": <ConfigChange>}`; every process subscribes there too and
 * ignores its own messages. A change may arrive several times (once per relaying process): harmless, since a change
 * only asks for a reconciliation with the store, and reconciliations are coalesced. Redis does not keep messages: a
 * subscriber that reconnects reconciles in full, and the periodic reconciliation stays the safety net.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "../ops/index.js";
import type { ConfigChange } from "../store/index.js";
import { parseConfigChange } from "../store/index.js";

export interface RedisFanOutOptions {
  /** `redis://…` or `rediss://…`. */
  url: string;
  /** Prefix of Argus's Redis keys and channels (`ARGUS_REDIS_PREFIX`); the channel is `<prefix>config`. @default "argus:" */
  prefix?: string;
}

export interface RedisFanOut {
  /** Republishes a change heard from PostgreSQL (fire and forget: a Redis outage never blocks the listener). */
  relay(change: ConfigChange): void;
  close(): Promise<void>;
}

interface FanOutHandlers {
  logger: Logger;
  onChange(change: ConfigChange): void;
  /** The subscription was (re)established after messages may have been lost. */
  onReconnect(): void;
}

/** How long the start waits for the first subscription; past it, Redis counts as down and is retried in background. */
const SUBSCRIBE_WAIT_MS = 5_000;

export function configChannel(prefix = "argus:"): string {
  return `${prefix}config`;
}

export async function startRedisFanOut(options: RedisFanOutOptions, handlers: FanOutHandlers): Promise<RedisFanOut> {
  const { logger } = handlers;
  const channel = configChannel(options.prefix);
  const origin = `${process.pid}-${randomBytes(6).toString("hex")}`;
  // Named after the channel, so an operator (or a test) can tell the fan-out's connections apart in CLIENT LIST.
  const connectionName = `argus-config-fanout:${channel}`.replace(/[^\w:.-]/g, "_");
  const clientOptions = { connectionName, maxRetriesPerRequest: 1, connectTimeout: 5_000 };
  const subscriber = new Redis(options.url, clientOptions);
  const publisher = new Redis(options.url, clientOptions);
  let warned = false;
  const warn = (error: Error) => {
    // Once per outage: ioredis retries on its own and would repeat the error at every attempt.
    if (warned) return;
    warned = true;
    logger.warn({ err_message: error.message }, "Redis configuration fan-out unavailable; retrying");
  };
  subscriber.on("error", warn);
  publisher.on("error", warn);

  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    const change = parseMessage(message, origin);
    if (change !== null) handlers.onChange(change);
  });
  /** Whether the start's subscription failed: the first connection then counts as a reconnect. */
  let missedStart = false;
  let readyCount = 0;
  subscriber.on("ready", () => {
    readyCount += 1;
    warned = false;
    if (readyCount === 1 && !missedStart) return;
    // Subscribed again (idempotent, whatever ioredis resubscribed by itself) before reconciling: what was published
    // while the connection was down is lost, the reconciliation reads it from the store.
    subscriber.subscribe(channel).then(
      () => handlers.onReconnect(),
      (error: Error) => warn(error),
    );
  });

  try {
    await withTimeout(subscriber.subscribe(channel), SUBSCRIBE_WAIT_MS);
  } catch (error) {
    missedStart = true;
    warn(error as Error);
  }

  return {
    relay(change) {
      publisher.publish(channel, JSON.stringify({ origin, change })).catch((error: Error) => warn(error));
    },
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}

function parseMessage(message: string, self: string): ConfigChange | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { origin, change } = value as Record<string, unknown>;
  if (origin === self || typeof origin !== "string") return null;
  return parseConfigChange(JSON.stringify(change));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
