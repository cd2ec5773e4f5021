import { and, asc, desc, eq, gte, inArray, type SQL, sql } from "drizzle-orm";
import {
  assertBlockNumber,
  chunks,
  inTransaction,
  type Page,
  run,
  type Store,
  type StoreTransaction,
  seqPage,
} from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { deliveryId } from "./ids.js";
import { chargeDailyUsage, type DailyCharge } from "./quotas.js";
import {
  type CHANNELS,
  deliveries as deliveriesTable,
  deliveryAttempts,
  matches as matchesTable,
  monitors as monitorsTable,
  type SUPPRESSED_REASONS,
  throttleState,
} from "./schema.js";
import { decideThrottle, policyFromJson, type ThrottlePolicy, type ThrottleState } from "./throttle.js";
import { type CounterAddition, subtractFromCounters, usagePeriod } from "./usage.js";

export type StoredMatch = typeof matchesTable.$inferSelect;
export type MatchStatus = StoredMatch["status"];
export type Channel = (typeof CHANNELS)[number];
/** Why a delivery is `suppressed`. */
export type SuppressedReason = (typeof SUPPRESSED_REASONS)[number];

/** One notification to enqueue for a match: a trigger of the match's monitor. */
export interface DeliveryRequest {
  triggerId: string;
  /** Part of the deterministic delivery id. */
  triggerKey: string;
  channel: Channel;
  /** Attempts allowed: 1 + the trigger's `retry_policy.max_retries`. */
  maxAttempts: number;
}

/** A match as the engine produced it, with where it goes. */
export interface NewMatch {
  /** The engine's deterministic match id. */
  id: string;
  tenantId: string;
  monitorId: string;
  monitorVersion: number;
  networkId: string;
  blockNumber: bigint;
  blockHash: string;
  txHash: string | null;
  txIndex: number;
  /** The OZ match JSON (`{"EVM": {...}}`); stored as written (key order kept). */
  payload: unknown;
  /** The outbox rows to create with the match (none for a monitor without triggers). */
  deliveries: readonly DeliveryRequest[];
}

export interface InsertMatchesResult {
  /** Ids of matches stored by this call, in input order; matches already stored are skipped with their deliveries. */
  insertedMatchIds: string[];
  /** Deliveries enqueued as `pending`. */
  pendingDeliveryIds: string[];
  /** Deliveries enqueued as `suppressed`: by the monitor's throttle, or over the tenant's `notificationsPerDay`. */
  suppressedDeliveryIds: string[];
  /** The part of `suppressedDeliveryIds` held back by the tenant's `notificationsPerDay` (`quota_exceeded`). */
  quotaExceededDeliveryIds: string[];
  /** How many deliveries were suppressed, by reason (e.g. for a metric). */
  suppressedByReason: Partial<Record<SuppressedReason, number>>;
}

export type { Page } from "./db.js";

export interface ListMatchesParameters {
  tenantId: string;
  monitorId?: string;
  networkId?: string;
  status?: MatchStatus;
  /** @default 50 (at most 500) */
  limit?: number;
  cursor?: string;
}

export interface OrphanResult {
  /** Matches that were active and are now `orphaned`. */
  matchIds: string[];
  /** Their deliveries that had not finished, now `suppressed` with reason `orphaned`. */
  suppressedDeliveryIds: string[];
}

const INSERT_CHUNK = 500;

function validate(match: NewMatch, index: number): void {
  const fail = (field: string, message: string) => {
    throw new StoreError(StoreCode.InvalidArgument, `matches.insertMany: matches[${index}].${field} ${message}`, {
      path: [index, field],
    });
  };
  assertBlockNumber(match.blockNumber, "matches.insertMany", `matches[${index}].blockNumber`);
  if (!Number.isInteger(match.txIndex) || match.txIndex < 0) fail("txIndex", `must be a non-negative integer.`);
  if (!Number.isInteger(match.monitorVersion) || match.monitorVersion < 1) {
    fail("monitorVersion", "must be a positive integer.");
  }
  const keys = new Set<string>();
  for (const [i, request] of match.deliveries.entries()) {
    if (keys.has(request.triggerKey)) fail(`deliveries[${i}].triggerKey`, `repeats ${request.triggerKey}.`);
    keys.add(request.triggerKey);
    if (!Number.isInteger(request.maxAttempts) || request.maxAttempts < 1) {
      fail(`deliveries[${i}].maxAttempts`, "must be a positive integer.");
    }
  }
}

/** Applies each throttled monitor's policy to its new matches, in input order, with the state rows locked. */
async function throttle(
  tx: StoreTransaction,
  fresh: readonly NewMatch[],
  now: Date,
): Promise<Map<string, "throttle_cooldown" | "throttle_threshold">> {
  const suppressed = new Map<string, "throttle_cooldown" | "throttle_threshold">();
  const monitorIds = [...new Set(fresh.map((m) => m.monitorId))].sort();
  const policies = new Map<string, { tenantId: string; policy: ThrottlePolicy }>();
  for (const part of chunks(monitorIds, INSERT_CHUNK)) {
    const rows = await tx
      .select({ id: monitorsTable.id, tenantId: monitorsTable.tenantId, throttle: monitorsTable.throttle })
      .from(monitorsTable)
      .where(and(inArray(monitorsTable.id, part), sql`${monitorsTable.throttle} is not null`));
    for (const row of rows) {
      const policy = policyFromJson(row.throttle);
      if (policy !== undefined) policies.set(row.id, { tenantId: row.tenantId, policy });
    }
  }
  if (policies.size === 0) return suppressed;

  const keys = [...policies.entries()].map(([monitorId, { tenantId }]) => ({ tenantId, monitorId }));
  // Sorted inserts and locks: concurrent writers take row locks in one order and cannot deadlock.
  await tx
    .insert(throttleState)
    .values(keys.map((k) => ({ ...k, createdAt: now, updatedAt: now })))
    .onConflictDoNothing();
  const stateRows = await tx
    .select()
    .from(throttleState)
    .where(inArray(throttleState.monitorId, [...policies.keys()]))
    .orderBy(asc(throttleState.tenantId), asc(throttleState.monitorId))
    .for("update");
  const states = new Map<string, ThrottleState>(
    stateRows.map((row) => [
      row.monitorId,
      { lastNotifiedAt: row.lastNotifiedAt, windowStartedAt: row.windowStartedAt, windowCount: row.windowCount },
    ]),
  );
  for (const match of fresh) {
    const entry = policies.get(match.monitorId);
    const state = states.get(match.monitorId);
    if (entry === undefined || state === undefined) continue;
    const decision = decideThrottle(state, entry.policy, now);
    states.set(match.monitorId, decision.state);
    if (!decision.notify) suppressed.set(match.id, decision.reason);
  }
  for (const [monitorId, state] of states) {
    await tx
      .update(throttleState)
      .set({ ...state, updatedAt: now })
      .where(eq(throttleState.monitorId, monitorId));
  }
  return suppressed;
}

/**
 * Counts the new matches and the notifications about to be enqueued per tenant (UTC day) and holds back, as
 * `quota_exceeded`, the deliveries beyond the tenant's `notificationsPerDay`. Throttled deliveries cost no quota.
 * Which deliveries fit follows the input order (earlier blocks first), each match's triggers in their order.
 * Returns the suppressed reason of every delivery that is not sent.
 */
async function applyDailyQuota(
  tx: StoreTransaction,
  fresh: readonly NewMatch[],
  throttled: ReadonlyMap<string, "throttle_cooldown" | "throttle_threshold">,
  now: Date,
): Promise<Map<string, SuppressedReason>> {
  const reasons = new Map<string, SuppressedReason>();
  const charges = new Map<string, DailyCharge>();
  for (const m of fresh) {
    const charge = charges.get(m.tenantId) ?? { tenantId: m.tenantId, matches: 0, notifications: 0 };
    charge.matches += 1;
    if (!throttled.has(m.id)) charge.notifications += m.deliveries.length;
    charges.set(m.tenantId, charge);
  }
  const fits = await chargeDailyUsage(tx, [...charges.values()], now);
  const left = new Map(fits);
  for (const m of fresh) {
    const reason = throttled.get(m.id);
    for (const d of m.deliveries) {
      const id = deliveryId(m.id, d.triggerKey);
      if (reason !== undefined) {
        reasons.set(id, reason);
        continue;
      }
      const room = left.get(m.tenantId) ?? 0;
      if (room > 0) left.set(m.tenantId, room - 1);
      else reasons.set(id, "quota_exceeded");
    }
  }
  return reasons;
}

/**
 * Stores matches and enqueues their deliveries in ONE transaction (the outbox): a crash leaves either both or
 * neither. Idempotent on the match id: a match that is already stored is skipped together with its deliveries, so
 * replaying a block enqueues nothing twice. Throttled monitors get their deliveries as `suppressed`.
 *
 * Usage is counted in the same transaction, per tenant and UTC day (`usagePeriod("day", now)`): `matches` (new
 * matches) and `notifications` (deliveries enqueued as `pending`). Deliveries beyond the tenant's
 * `notificationsPerDay` are stored as `suppressed` with reason `quota_exceeded` (listed, replayable, never dropped);
 * concurrent calls never let more than the limit through (see `chargeDailyUsage`).
 *
 * @example
 * const { insertedMatchIds } = await matches.insertMany(store, [
 *   { ...match, networkId, payload: toMatchJson(match),
 *     deliveries: [{ triggerId, triggerKey: "slack_ops", channel: "slack", maxAttempts: 4 }] },
 * ]);
 */
async function insertMany(
  store: Store,
  input: readonly NewMatch[],
  now: Date = new Date(),
): Promise<InsertMatchesResult> {
  input.forEach(validate);
  const result: InsertMatchesResult = {
    insertedMatchIds: [],
    pendingDeliveryIds: [],
    suppressedDeliveryIds: [],
    quotaExceededDeliveryIds: [],
    suppressedByReason: {},
  };
  if (input.length === 0) return result;
  const unique = [...new Map(input.map((m) => [m.id, m])).values()];
  return inTransaction(store, "matches.insertMany", async (tx) => {
    const inserted = new Set<string>();
    const sorted = [...unique].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const part of chunks(sorted, INSERT_CHUNK)) {
      const rows = await tx
        .insert(matchesTable)
        .values(
          part.map((m) => ({
            id: m.id,
            tenantId: m.tenantId,
            monitorId: m.monitorId,
            monitorVersion: m.monitorVersion,
            networkId: m.networkId,
            blockNumber: m.blockNumber,
            blockHash: m.blockHash,
            txHash: m.txHash,
            txIndex: m.txIndex,
            payload: m.payload,
            createdAt: now,
            updatedAt: now,
          })),
        )
        .onConflictDoNothing({ target: matchesTable.id })
        .returning({ id: matchesTable.id });
      for (const row of rows) inserted.add(row.id);
    }
    const fresh = unique.filter((m) => inserted.has(m.id));
    if (fresh.length === 0) return result;
    result.insertedMatchIds = fresh.map((m) => m.id);

    const throttled = await throttle(tx, fresh, now);
    const reasons = await applyDailyQuota(tx, fresh, throttled, now);
    const rows = fresh
      .flatMap((m) =>
        m.deliveries.map((d) => {
          const id = deliveryId(m.id, d.triggerKey);
          const reason = reasons.get(id) ?? null;
          return {
            id,
            tenantId: m.tenantId,
            matchId: m.id,
            monitorId: m.monitorId,
            triggerId: d.triggerId,
            triggerKey: d.triggerKey,
            channel: d.channel,
            status: reason === null ? ("pending" as const) : ("suppressed" as const),
            suppressedReason: reason,
            maxAttempts: d.maxAttempts,
            nextAttemptAt: now,
            createdAt: now,
            updatedAt: now,
          };
        }),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const part of chunks(rows, INSERT_CHUNK)) {
      await tx.insert(deliveriesTable).values(part).onConflictDoNothing({ target: deliveriesTable.id });
    }
    // Report in input order.
    for (const m of fresh) {
      for (const d of m.deliveries) {
        const id = deliveryId(m.id, d.triggerKey);
        const reason = reasons.get(id);
        if (reason === undefined) {
          result.pendingDeliveryIds.push(id);
          continue;
        }
        result.suppressedDeliveryIds.push(id);
        if (reason === "quota_exceeded") result.quotaExceededDeliveryIds.push(id);
        result.suppressedByReason[reason] = (result.suppressedByReason[reason] ?? 0) + 1;
      }
    }
    return result;
  });
}

/** @internal Orphans a network's active matches from `fromBlock` on and suppresses their unfinished deliveries. */
export async function orphanMatches(
  tx: StoreTransaction,
  networkId: string,
  fromBlock: bigint,
  now: Date,
): Promise<OrphanResult> {
  const orphaned = await tx
    .update(matchesTable)
    .set({ status: "orphaned", orphanedAt: now, updatedAt: now })
    .where(
      and(
        eq(matchesTable.networkId, networkId),
        gte(matchesTable.blockNumber, fromBlock),
        eq(matchesTable.status, "active"),
      ),
    )
    .returning({ id: matchesTable.id });
  const matchIds = orphaned.map((row) => row.id);
  return { matchIds, suppressedDeliveryIds: await suppressOrphanedDeliveries(tx, matchIds, now) };
}

/**
 * @internal Suppresses (reason `orphaned`) the unfinished deliveries of matches just marked orphaned. Those never
 * attempted are given back to the tenant's `notifications` count of the day they were enqueued: a reorg does not use
 * up the daily quota.
 */
export async function suppressOrphanedDeliveries(
  tx: StoreTransaction,
  matchIds: readonly string[],
  now: Date,
): Promise<string[]> {
  const suppressedDeliveryIds: string[] = [];
  const refunds: CounterAddition[] = [];
  for (const part of chunks([...matchIds], INSERT_CHUNK)) {
    const open = await tx
      .select({
        id: deliveriesTable.id,
        tenantId: deliveriesTable.tenantId,
        status: deliveriesTable.status,
        attempts: deliveriesTable.attempts,
        leaseUntil: deliveriesTable.leaseUntil,
        createdAt: deliveriesTable.createdAt,
      })
      .from(deliveriesTable)
      .where(and(inArray(deliveriesTable.matchId, part), inArray(deliveriesTable.status, ["pending", "in_flight"])))
      .orderBy(asc(deliveriesTable.id))
      .for("update");
    if (open.length === 0) continue;
    // An in-flight attempt whose lease already ran out will never be recorded by its (crashed) owner.
    for (const row of open) {
      if (row.status === "in_flight" && row.leaseUntil !== null && row.leaseUntil <= now) {
        await tx
          .update(deliveryAttempts)
          .set({ outcome: "lease_expired", finishedAt: now, error: "lease expired", updatedAt: now })
          .where(
            and(
              eq(deliveryAttempts.deliveryId, row.id),
              eq(deliveryAttempts.attempt, row.attempts),
              eq(deliveryAttempts.outcome, "in_flight"),
            ),
          );
      }
    }
    const ids = open.map((row) => row.id);
    await tx
      .update(deliveriesTable)
      .set({
        status: "suppressed",
        suppressedReason: "orphaned",
        leaseOwner: null,
        leaseUntil: null,
        updatedAt: now,
      })
      .where(inArray(deliveriesTable.id, ids));
    suppressedDeliveryIds.push(...ids);
    // Never tried, never sent: give the notification back to the day's quota it was counted in.
    for (const row of open) {
      if (row.status !== "pending" || row.attempts !== 0) continue;
      refunds.push({
        tenantId: row.tenantId,
        metric: "notifications",
        period: usagePeriod("day", row.createdAt),
        by: 1n,
      });
    }
  }
  // Once, after every chunk: counter locks are taken in one sorted pass, like matches.insertMany takes them.
  await subtractFromCounters(tx, refunds, now);
  return suppressedDeliveryIds;
}

/**
 * After a reorg: marks the network's active matches at or above `fromBlock` as `orphaned` and suppresses their
 * pending (and in-flight) deliveries, in one transaction. Idempotent. Delivered notifications stay delivered.
 */
async function markOrphaned(
  store: Store,
  networkId: string,
  fromBlock: bigint,
  now: Date = new Date(),
): Promise<OrphanResult> {
  assertBlockNumber(fromBlock, "matches.markOrphaned", "fromBlock");
  return inTransaction(store, "matches.markOrphaned", (tx) => orphanMatches(tx, networkId, fromBlock, now));
}

async function get(store: Store, tenantId: string, id: string): Promise<StoredMatch | null> {
  return run(store, "matches.get", async (db) => {
    const [row] = await db
      .select()
      .from(matchesTable)
      .where(and(eq(matchesTable.tenantId, tenantId), eq(matchesTable.id, id)));
    return row ?? null;
  });
}

/** A tenant's matches, newest first, with cursor pagination. */
async function list(store: Store, parameters: ListMatchesParameters): Promise<Page<StoredMatch>> {
  const filters: SQL[] = [eq(matchesTable.tenantId, parameters.tenantId)];
  if (parameters.monitorId !== undefined) filters.push(eq(matchesTable.monitorId, parameters.monitorId));
  if (parameters.networkId !== undefined) filters.push(eq(matchesTable.networkId, parameters.networkId));
  if (parameters.status !== undefined) filters.push(eq(matchesTable.status, parameters.status));
  return seqPage(store, "matches.list", parameters, matchesTable.seq, filters, (db, where, limit) =>
    db.select().from(matchesTable).where(where).orderBy(desc(matchesTable.seq)).limit(limit),
  );
}

/** Matches: stored once per deterministic id, with their deliveries (the outbox). */
export const matches = { insertMany, markOrphaned, get, list };
