import type { Logger } from "pino";
import type { MonitorMatch } from "../engine/index.js";
import { toMatchJson } from "../engine/index.js";
import {
  evaluateTriggerConditions,
  prepareTriggerConditions,
  type ScriptSettings,
} from "../notify/conditions/index.js";
import {
  type DeliveryRequest,
  matches as matchesRepo,
  type NewMatch,
  type Store,
  type SuppressedReason,
} from "../store/index.js";
import { DispatchCode, DispatchError } from "./errors.js";
import { maxAttemptsFor } from "./schedule.js";
import type { MaxAttemptsOverride, RegisteredTrigger, TriggerRegistry } from "./types.js";

export interface RecordMatchesContext {
  /** The stored network id (`networks.id`) of a match's network: one id for all, or a resolver by match. */
  networkId: string | ((match: MonitorMatch) => string | undefined);
  /** The tenant's triggers by key (see `createStoreTriggerRegistry`). */
  triggers: TriggerRegistry;
  /**
   * Trigger-condition script contents by `script_path` (from `loadScriptSources`), or a function giving a match's
   * tenant's map. A condition without content keeps the match, as in OZ.
   * @default no contents
   */
  scriptSources?: ReadonlyMap<string, string> | ((match: MonitorMatch) => ReadonlyMap<string, string> | undefined);
  /** Operator settings of the script runner (languages allowed, limits). */
  scriptSettings?: ScriptSettings;
  /** Attempts per delivery run; default `1 + retry_policy.max_retries` (scripts: 1). */
  maxAttempts?: MaxAttemptsOverride;
  /**
   * Matches whose trigger conditions run at the same time.
   * @default 8
   */
  conditionConcurrency?: number;
  /** The store's clock (throttle decisions, `created_at`, first `next_attempt_at`). @default () => new Date() */
  now?: () => Date;
  logger?: Logger;
  /** Aborts the trigger conditions; nothing is stored then (`DISPATCH_ABORTED` is thrown). */
  signal?: AbortSignal;
  /** Called after a call that enqueued pending deliveries, e.g. `dispatcher.wake`. */
  onEnqueued?: (result: RecordMatchesResult) => void;
}

/** A match a trigger condition dropped (its script printed `true`). It is not stored. */
export interface DroppedMatch {
  matchId: string;
  tenantId: string;
  monitorId: string;
  /** The condition that dropped it: its position in `trigger_conditions` and its `script_path`. */
  condition: { index: number; scriptPath: string };
}

export interface RecordMatchesResult {
  /** Matches stored by this call, in input order. */
  insertedMatchIds: string[];
  /** Matches kept by their conditions but stored before (a replayed block): nothing was enqueued for them. */
  existingMatchIds: string[];
  droppedMatches: DroppedMatch[];
  /** Deliveries enqueued for sending. */
  pendingDeliveryIds: string[];
  /** Deliveries enqueued as `suppressed`: by the monitor's throttle, or over the tenant's `notificationsPerDay`. */
  suppressedDeliveryIds: string[];
  /** The part of `suppressedDeliveryIds` held back by the tenant's daily quota (`quota_exceeded`). */
  quotaExceededDeliveryIds: string[];
  /** How many deliveries were suppressed, by reason. */
  suppressedByReason: Partial<Record<SuppressedReason, number>>;
  /** Problems that did not stop the call (unknown triggers, failed conditions), also logged. */
  problems: DispatchError[];
}

type TriggerLookup = { ok: true; registered: RegisteredTrigger } | { ok: false; problem: DispatchError };

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

function sourcesFor(ctx: RecordMatchesContext, match: MonitorMatch): ReadonlyMap<string, string> {
  const sources = typeof ctx.scriptSources === "function" ? ctx.scriptSources(match) : ctx.scriptSources;
  return sources ?? new Map();
}

/**
 * The step between the engine and the outbox: runs each match through its monitor's trigger conditions (OZ §8), then
 * stores the kept matches and enqueues one delivery per trigger key of the monitor, atomically
 * (`matches.insertMany`).
 *
 * - **Dropped matches are not stored.** A condition printing `true` means "not an alert" in OZ; the store has no
 *   dropped marker, and they are reported in `droppedMatches` (and logged at debug). A failed or timed-out condition
 *   keeps the match (a `DISPATCH_CONDITION_FAILED` problem).
 * - **Idempotent.** Match ids are deterministic and `insertMany` skips stored matches with their deliveries, so
 *   recording a replayed block stores and enqueues nothing new (conditions run again; a deterministic script gives
 *   the same verdict).
 * - **Deliveries.** One per distinct trigger key in `monitor.triggers`, id `deliveryId(matchId, key)`, with
 *   `maxAttempts` = 1 + the trigger's `retry_policy.max_retries` (or the override). An unknown key (or a stored
 *   trigger that does not validate) is a problem and gets no delivery; the other keys still do (OZ §9.5).
 * - **Throttling** is applied by the store, per monitor, in the same transaction: deliveries of throttled matches are
 *   stored as `suppressed`. So is the tenant's `notificationsPerDay`: deliveries beyond it are stored as `suppressed`
 *   with reason `quota_exceeded` (counted in `usage_counters`, replayable).
 *
 * Throws (storing nothing) when a network id is unknown, the trigger registry fails, the store fails, or `signal`
 * aborts: the caller does not acknowledge the block and records it again later.
 *
 * @example
 * const { matches } = evaluateBlock(compiled, network.slug, block);
 * await recordMatches(store, matches, { networkId: network.id, triggers: registry, onEnqueued: dispatcher.wake });
 */
export async function recordMatches(
  store: Store,
  matches: readonly MonitorMatch[],
  ctx: RecordMatchesContext,
): Promise<RecordMatchesResult> {
  const result: RecordMatchesResult = {
    insertedMatchIds: [],
    existingMatchIds: [],
    droppedMatches: [],
    pendingDeliveryIds: [],
    suppressedDeliveryIds: [],
    quotaExceededDeliveryIds: [],
    suppressedByReason: {},
    problems: [],
  };
  if (matches.length === 0) return result;
  const log = ctx.logger;

  const networkIds = matches.map((match) => {
    const id = typeof ctx.networkId === "string" ? ctx.networkId : ctx.networkId(match);
    if (id === undefined) {
      throw new DispatchError(
        DispatchCode.NetworkUnknown,
        `No stored network for slug ${JSON.stringify(match.networkSlug)} (match ${match.id}).`,
        {
          context: { tenantId: match.tenantId, monitorId: match.monitorId, matchId: match.id },
          hint: "Save the network (networks.save) before recording its matches.",
        },
      );
    }
    return id;
  });

  // 1. Trigger conditions.
  const verdicts = await mapLimit(matches, ctx.conditionConcurrency ?? 8, async (match) => {
    const configured = match.payload.monitor.trigger_conditions;
    if (configured.length === 0) return { drop: false, results: [] };
    const conditions = prepareTriggerConditions(configured, sourcesFor(ctx, match));
    return evaluateTriggerConditions(match, conditions, {
      ...(ctx.scriptSettings === undefined ? {} : { settings: ctx.scriptSettings }),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
  });
  if (ctx.signal?.aborted) {
    throw new DispatchError(DispatchCode.Aborted, "Recording matches was aborted; nothing was stored.", {
      cause: ctx.signal.reason,
    });
  }

  // 2. Triggers, looked up once per (tenant, key).
  const lookups = new Map<string, Promise<TriggerLookup>>();
  const lookup = (tenantId: string, key: string, monitorId: string): Promise<TriggerLookup> => {
    const cacheKey = `${tenantId}\u0000${key}`;
    let pending = lookups.get(cacheKey);
    if (pending === undefined) {
      pending = (async (): Promise<TriggerLookup> => {
        let registered: RegisteredTrigger | undefined;
        try {
          registered = await ctx.triggers(tenantId, key);
        } catch (error) {
          if (error instanceof DispatchError && error.code === DispatchCode.TriggerInvalid) {
            return { ok: false, problem: error };
          }
          throw new DispatchError(
            DispatchCode.TriggerLookupFailed,
            `Looking up trigger ${JSON.stringify(key)} failed: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error, retryable: true, context: { tenantId, triggerKey: key } },
          );
        }
        if (registered === undefined) {
          return {
            ok: false,
            problem: new DispatchError(
              DispatchCode.TriggerUnknown,
              `Monitor ${monitorId} lists trigger ${JSON.stringify(key)}, but the tenant has no trigger with that key; its notifications are not sent.`,
              {
                context: { tenantId, monitorId, triggerKey: key },
                path: ["triggers"],
                hint: "Create the trigger or remove the key from the monitor's triggers.",
              },
            ),
          };
        }
        return { ok: true, registered };
      })();
      lookups.set(cacheKey, pending);
    }
    return pending;
  };

  const reported = new Set<string>();
  const report = (problem: DispatchError, dedupeKey: string) => {
    if (reported.has(dedupeKey)) return;
    reported.add(dedupeKey);
    result.problems.push(problem);
    log?.warn(
      {
        code: problem.code,
        tenant_id: problem.context.tenantId,
        monitor_id: problem.context.monitorId,
        match_id: problem.context.matchId,
        trigger_key: problem.context.triggerKey,
        err_message: problem.message,
      },
      problem.code === DispatchCode.ConditionFailed
        ? "Trigger condition failed; the match is kept"
        : "Monitor trigger cannot be notified",
    );
  };

  // 3. Kept matches → rows with their deliveries.
  const rows: NewMatch[] = [];
  for (const [index, match] of matches.entries()) {
    const verdict = verdicts[index]!;
    for (const condition of verdict.results) {
      if (condition.error === null) continue;
      report(
        new DispatchError(
          DispatchCode.ConditionFailed,
          `Trigger condition ${condition.index} (${condition.scriptPath}) failed: ${condition.error.message}`,
          {
            cause: condition.error,
            path: ["trigger_conditions", condition.index],
            context: { tenantId: match.tenantId, monitorId: match.monitorId, matchId: match.id },
          },
        ),
        `condition\u0000${match.id}\u0000${condition.index}`,
      );
    }
    if (verdict.drop) {
      const last = verdict.results[verdict.results.length - 1]!;
      result.droppedMatches.push({
        matchId: match.id,
        tenantId: match.tenantId,
        monitorId: match.monitorId,
        condition: { index: last.index, scriptPath: last.scriptPath },
      });
      log?.debug(
        { tenant_id: match.tenantId, monitor_id: match.monitorId, match_id: match.id, script_path: last.scriptPath },
        "Match dropped by a trigger condition",
      );
      continue;
    }

    const deliveries: DeliveryRequest[] = [];
    const seen = new Set<string>();
    for (const key of match.payload.monitor.triggers) {
      if (seen.has(key)) {
        report(
          new DispatchError(
            DispatchCode.TriggerDuplicate,
            `Monitor ${match.monitorId} lists trigger ${JSON.stringify(key)} more than once; it is notified once.`,
            { path: ["triggers"], context: { tenantId: match.tenantId, monitorId: match.monitorId, triggerKey: key } },
          ),
          `duplicate\u0000${match.monitorId}\u0000${key}`,
        );
        continue;
      }
      seen.add(key);
      const found = await lookup(match.tenantId, key, match.monitorId);
      if (!found.ok) {
        report(found.problem, `trigger\u0000${match.tenantId}\u0000${match.monitorId}\u0000${key}`);
        continue;
      }
      const { registered } = found;
      deliveries.push({
        triggerId: registered.id,
        triggerKey: key,
        channel: registered.trigger.trigger_type,
        maxAttempts: maxAttemptsFor(registered, ctx.maxAttempts),
      });
    }
    rows.push({
      id: match.id,
      tenantId: match.tenantId,
      monitorId: match.monitorId,
      monitorVersion: match.monitorVersion,
      networkId: networkIds[index]!,
      blockNumber: match.blockNumber,
      blockHash: match.blockHash,
      txHash: match.transactionHash,
      txIndex: match.transactionIndex,
      payload: toMatchJson(match),
      deliveries,
    });
  }

  // 4. One transaction: matches, deliveries, throttle state.
  if (rows.length > 0) {
    const stored = await matchesRepo.insertMany(store, rows, ctx.now?.() ?? new Date());
    result.insertedMatchIds = stored.insertedMatchIds;
    result.pendingDeliveryIds = stored.pendingDeliveryIds;
    result.suppressedDeliveryIds = stored.suppressedDeliveryIds;
    result.quotaExceededDeliveryIds = stored.quotaExceededDeliveryIds;
    result.suppressedByReason = stored.suppressedByReason;
    const inserted = new Set(stored.insertedMatchIds);
    result.existingMatchIds = [...new Set(rows.map((row) => row.id))].filter((id) => !inserted.has(id));
  }
  if (result.pendingDeliveryIds.length > 0) ctx.onEnqueued?.(result);
  return result;
}
