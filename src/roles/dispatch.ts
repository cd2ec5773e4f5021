/**
 * The dispatch role: the durable consumer `dispatch` on the match log stores every match — trigger conditions, the
 * match and its outbox rows in one transaction, idempotent on the match id — and only then acknowledges it; the
 * dispatcher delivers the outbox (its per-delivery leases make any number of dispatch processes safe). A crash
 * between storing and acknowledging redelivers the match, which the store recognises by its id: nothing is stored
 * or sent twice.
 *
 * Reorgs: the ingester applies a reorg to the store (orphaning the matches stored by then) as soon as it has
 * published it, while matches of the orphaned blocks may still be in the logs. So every match is checked against the
 * network's recorded block hashes (`canonical`): a match whose block was replaced is stored `orphaned` with its
 * notifications suppressed; one whose block the ingester has not recorded yet is held back (negatively acknowledged
 * with a short delay) until it has — or, should no ingester record anything for `canonicalWaitMs`, stored unverified
 * (a later reorg still orphans it). After storing, the check is repeated under the network's cursor lock, which
 * closes the window in which a rewind could commit between the check and the insert.
 */
import type { LogConsumer, LogMessage, MatchLog } from "../bus/index.js";
import type { MatchLogEntry } from "../codec/index.js";
import { type Dispatcher, recordMatches, type TriggerRegistry } from "../dispatch/index.js";
import type { MonitorMatch } from "../engine/index.js";
import type { ScriptSettings } from "../notify/conditions/index.js";
import type { Logger, Metrics } from "../ops/index.js";
import { canonical, type Store, type StoredMatchRef } from "../store/index.js";
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
  /**
   * A match whose block the ingester has not recorded (as canonical or replaced) is held back at most this long after
   * it was published, then stored unverified. @default 30_000
   */
  canonicalWaitMs?: number;
  /** Wall clock, compared with the log's publish times. @default Date.now */
  now?: () => number;
}

export interface DispatchRole {
  /** Matches acknowledged (stored, or found stored) by this process since it started. */
  recorded(): number;
  /** Matches of blocks that had left the chain, stored as orphaned by this process (their notifications suppressed). */
  orphaned(): number;
  stop(): Promise<void>;
}

export function startDispatchRole(options: DispatchRoleOptions): DispatchRole {
  const { logger } = options;
  const controller = new AbortController();
  const batchSize = options.batchSize ?? 128;
  const canonicalWaitMs = options.canonicalWaitMs ?? 30_000;
  const now = options.now ?? Date.now;
  let recorded = 0;
  let orphaned = 0;

  /** Stores what can be stored; returns the messages held back (their block's fate not known yet). */
  const storeBatch = async (messages: Array<LogMessage<MatchLogEntry>>): Promise<Array<LogMessage<MatchLogEntry>>> => {
    const held: Array<LogMessage<MatchLogEntry>> = [];
    const networkOf = new Map<string, string>();
    const unique = new Map<string, MonitorMatch>();
    /** Per network, the stored matches to check again under the cursor lock. */
    const verified = new Map<string, StoredMatchRef[]>();
    for (const [networkId, group] of groupBy(messages, (message) => message.key)) {
      const verdicts = await canonical.verdicts(
        options.store,
        networkId,
        group.map((message) => message.payload),
      );
      group.forEach((message, index) => {
        const match = message.payload;
        const verdict = verdicts[index];
        if (verdict === "unknown" && now() - message.publishedAt < canonicalWaitMs) {
          held.push(message);
          return;
        }
        networkOf.set(match.id, networkId);
        unique.set(match.id, match);
        if (verdict !== "unknown") {
          const list = verified.get(networkId) ?? [];
          list.push({ id: match.id, blockNumber: match.blockNumber, blockHash: match.blockHash });
          verified.set(networkId, list);
        }
      });
    }
    if (unique.size === 0) return held;
    const scripts = options.feed.current().scripts;
    const result = await recordMatches(options.store, [...unique.values()], {
      networkId: (match) => networkOf.get(match.id),
      triggers: options.triggers,
      scriptSources: (match) => scripts.get(match.tenantId),
      ...(options.scriptSettings ? { scriptSettings: options.scriptSettings } : {}),
      logger,
      signal: controller.signal,
    });
    for (const problem of result.problems) logger.warn({ code: problem.code, error: problem.message }, "Match problem");
    for (const [reason, n] of Object.entries(result.suppressedByReason)) {
      options.metrics.notificationsSuppressed.inc({ reason }, n);
    }
    // Before the dispatcher is woken: a match orphaned here has its deliveries suppressed before anyone claims them.
    for (const [networkId, refs] of verified) {
      const late = await canonical.orphanAbandoned(options.store, networkId, refs);
      if (late.matchIds.length === 0) continue;
      orphaned += late.matchIds.length;
      logger.info(
        { network_id: networkId, matches: late.matchIds.length, suppressed: late.suppressedDeliveryIds.length },
        "Matches of blocks that left the chain were stored as orphaned; their notifications are suppressed",
      );
    }
    if (result.pendingDeliveryIds.length > 0) options.dispatcher.wake();
    return held;
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
      let held: Array<LogMessage<MatchLogEntry>>;
      try {
        held = await storeBatch(messages);
      } catch (error) {
        const wait = Math.min(5_000, 250 * 2 ** Math.min(failures++, 5));
        logger.warn({ error: (error as Error).message, retry_in_ms: wait }, "Storing matches failed; redelivering");
        for (const message of messages) message.nak(wait);
        continue;
      }
      failures = 0;
      // The ingester records a block a moment after publishing it: ask again soon, then less often.
      for (const message of held) message.nak(Math.min(1_000, 50 * 2 ** Math.min(message.deliveryCount - 1, 5)));
      const done = messages.filter((message) => !held.includes(message));
      // Stored: an ack that does not reach the log only means the batch comes again, and is found stored.
      await Promise.all(done.map((message) => message.ack().catch(() => undefined)));
      recorded += done.length;
    }
  };
  const done = run();

  return {
    recorded: () => recorded,
    orphaned: () => orphaned,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  return groups;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
