/**
 * The dispatch role: the durable consumer `dispatch` on the match log stores every match — trigger conditions, the
 * match and its outbox rows in one transaction, idempotent on the match id — and only then acknowledges it; the
 * dispatcher delivers the outbox (its per-delivery leases make any number of dispatch processes safe). A crash
 * between storing and acknowledging redelivers the match, which the store recognises by its id: nothing is stored
 * or sent twice.
 */
import type { LogConsumer, LogMessage, MatchLog } from "../bus/index.js";
import type { MatchLogEntry } from "../codec/index.js";
import { type Dispatcher, recordMatches, type TriggerRegistry } from "../dispatch/index.js";
import type { MonitorMatch } from "../engine/index.js";
import type { ScriptSettings } from "../notify/conditions/index.js";
import type { Logger, Metrics } from "../ops/index.js";
import type { Store } from "../store/index.js";
import type { DesiredStateFeed } from "./feed.js";

export interface DispatchRoleOptions {
  store: Store;
  matches: MatchLog;
  feed: DesiredStateFeed;
  /** The trigger registry of the moment (the caller replaces it on trigger changes). */
  triggers: TriggerRegistry;
  /** Delivers the outbox; started and drained by the caller. */
  dispatcher: Dispatcher;
  scriptSettings?: ScriptSettings;
  logger: Logger;
  metrics: Metrics;
  /** Matches stored per transaction batch, at most. @default 128 */
  batchSize?: number;
  /** A match delivered and not acknowledged within this is redelivered. @default 60_000 */
  ackWaitMs?: number;
  /** How long one pull waits before checking for a stop. @default 1_000 */
  pullMs?: number;
}

export interface DispatchRole {
  /** Matches acknowledged (stored, or found stored) by this process since it started. */
  recorded(): number;
  stop(): Promise<void>;
}

export function startDispatchRole(options: DispatchRoleOptions): DispatchRole {
  const { logger } = options;
  const controller = new AbortController();
  const batchSize = options.batchSize ?? 128;
  let recorded = 0;

  const storeBatch = async (messages: Array<LogMessage<MatchLogEntry>>): Promise<void> => {
    const networkOf = new Map<string, string>();
    const unique = new Map<string, MonitorMatch>();
    for (const message of messages) {
      networkOf.set(message.payload.id, message.key);
      unique.set(message.payload.id, message.payload);
    }
    const scripts = options.feed.current().scripts;
    const result = await recordMatches(options.store, [...unique.values()], {
      networkId: (match) => networkOf.get(match.id),
      triggers: options.triggers,
      scriptSources: (match) => scripts.get(match.tenantId),
      ...(options.scriptSettings ? { scriptSettings: options.scriptSettings } : {}),
      logger,
      signal: controller.signal,
      onEnqueued: () => options.dispatcher.wake(),
    });
    for (const problem of result.problems) logger.warn({ code: problem.code, error: problem.message }, "Match problem");
  };

  const run = async (): Promise<void> => {
    const { signal } = controller;
    let consumer: LogConsumer<MatchLogEntry> | undefined;
    let failures = 0;
    while (!signal.aborted) {
      let messages: Array<LogMessage<MatchLogEntry>>;
      try {
        consumer ??= await options.matches.consumer("dispatch", {
          maxAckPending: batchSize * 4,
          maxDeliver: -1,
          ackWaitMs: options.ackWaitMs ?? 60_000,
          deliverPolicy: "all",
        });
        messages = await consumer.fetch({ max: batchSize, expiresMs: options.pullMs ?? 1_000, signal });
      } catch (error) {
        if (signal.aborted) return;
        consumer = undefined;
        logger.warn({ error: (error as Error).message }, "Pulling matches failed; retrying");
        await sleep(Math.min(5_000, 250 * 2 ** Math.min(failures++, 5)));
        continue;
      }
      if (messages.length === 0) continue;
      try {
        await storeBatch(messages);
      } catch (error) {
        const wait = Math.min(5_000, 250 * 2 ** Math.min(failures++, 5));
        logger.warn({ error: (error as Error).message, retry_in_ms: wait }, "Storing matches failed; redelivering");
        for (const message of messages) message.nak(wait);
        continue;
      }
      failures = 0;
      // Stored: an ack that does not reach the log only means the batch comes again, and is found stored.
      await Promise.all(messages.map((message) => message.ack().catch(() => undefined)));
      recorded += messages.length;
    }
  };
  const done = run();

  return {
    recorded: () => recorded,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
