import { and, asc, desc, eq, inArray, lte, type SQL, sql } from "drizzle-orm";
import { inTransaction, type Page, run, type Store, type StoreTransaction, seqPage } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import type { StoredMatch } from "./matches.js";
import { limitsFor } from "./quotas.js";
import {
  type ATTEMPT_OUTCOMES,
  deliveryAttempts as attemptsTable,
  deliveries as deliveriesTable,
  matches as matchesTable,
  tenants as tenantsTable,
} from "./schema.js";
import { addToCounters, usagePeriod } from "./usage.js";

export type Delivery = typeof deliveriesTable.$inferSelect;
export type DeliveryStatus = Delivery["status"];
export type DeliveryAttempt = typeof attemptsTable.$inferSelect;
export type AttemptOutcomeKind = (typeof ATTEMPT_OUTCOMES)[number];

/** A delivery leased to one dispatcher for one attempt, with the match it notifies about. */
export interface ClaimedDelivery {
  delivery: Delivery;
  /** The 1-based attempt number this claim started; pass it back to `recordAttempt`. */
  attempt: number;
  match: StoredMatch;
}

export interface ClaimDueParameters {
  /** The dispatcher's clock; due means `next_attempt_at <= now`, or an in-flight lease ending `<= now`. */
  now: Date;
  limit: number;
  /** Who holds the lease (a stable id per dispatcher process). */
  owner: string;
  /** How long the lease lasts; longer than the channel's worst-case attempt (timeouts included). */
  leaseMs: number;
}

/** What happened to one attempt, as the dispatcher saw it. */
export interface AttemptReport {
  /**
   * `delivered`: accepted by the receiver. `retryable_failure`: 408/429/5xx/timeout/connection error; retried at
   * `retryAt` unless this was the last allowed attempt (then dead). `permanent_failure`: dead at once.
   */
  result: "delivered" | "retryable_failure" | "permanent_failure";
  /** When the request started (defaults to the claim time). */
  startedAt?: Date;
  finishedAt: Date;
  latencyMs: number;
  /** HTTP status, SMTP reply code or script exit code, when there was one. */
  responseCode?: number | null;
  error?: string | null;
  /** The receiver's `Retry-After`, in ms, when it sent one. */
  retryAfterMs?: number | null;
  /** When to try again (backoff with jitter, honouring Retry-After): required for `retryable_failure`. */
  retryAt?: Date;
}

export interface RecordAttemptParameters {
  deliveryId: string;
  attempt: number;
  owner: string;
  report: AttemptReport;
}

export interface RecordAttemptResult {
  /** The delivery after recording. */
  delivery: Delivery;
  /**
   * `false` when the caller no longer held the lease (it expired and the delivery was claimed again, or it was
   * suppressed by a reorg) or the attempt was already recorded: the attempt row is kept, the delivery unchanged.
   */
  applied: boolean;
}

export interface ListDeliveriesParameters {
  tenantId: string;
  status?: DeliveryStatus;
  matchId?: string;
  monitorId?: string;
  /** @default 50 (at most 500) */
  limit?: number;
  cursor?: string;
}

function validateClaim(parameters: ClaimDueParameters): void {
  if (!Number.isInteger(parameters.limit) || parameters.limit < 1 || parameters.limit > 1000) {
    throw new StoreError(StoreCode.InvalidArgument, "deliveries.claimDue: limit must be an integer in [1, 1000].", {
      path: ["limit"],
    });
  }
  if (!Number.isSafeInteger(parameters.leaseMs) || parameters.leaseMs < 1) {
    throw new StoreError(StoreCode.InvalidArgument, "deliveries.claimDue: leaseMs must be a positive integer.", {
      path: ["leaseMs"],
    });
  }
  if (parameters.owner === "") {
    throw new StoreError(StoreCode.InvalidArgument, "deliveries.claimDue: owner must not be empty.", {
      path: ["owner"],
    });
  }
}

/** Attempts left in the current run (a replay starts a new run). */
const exhausted = sql`${deliveriesTable.attempts} - ${deliveriesTable.attemptBase} >= ${deliveriesTable.maxAttempts}`;
const notExhausted = sql`${deliveriesTable.attempts} - ${deliveriesTable.attemptBase} < ${deliveriesTable.maxAttempts}`;
/**
 * A delivery is sent only while its tenant is active and its monitor live and not paused. The others stay where
 * they are (pending, or in flight with an expired lease) and go out once the tenant is reactivated or the monitor
 * resumed: suspending or pausing holds notifications back, it does not drop them.
 */
const deliverable = sql`exists (select 1 from tenants t where t.id = ${deliveriesTable.tenantId} and t.status = 'active' and t.deleted_at is null) and exists (select 1 from monitors m where m.tenant_id = ${deliveriesTable.tenantId} and m.id = ${deliveriesTable.monitorId} and not m.paused and m.deleted_at is null)`;

async function expireAttempts(tx: StoreTransaction, rows: readonly Delivery[], now: Date): Promise<void> {
  for (const row of rows) {
    await tx
      .update(attemptsTable)
      .set({
        outcome: "lease_expired",
        finishedAt: now,
        error: `lease of ${row.leaseOwner ?? "?"} expired at ${row.leaseUntil?.toISOString() ?? "?"}`,
        updatedAt: now,
      })
      .where(
        and(
          eq(attemptsTable.deliveryId, row.id),
          eq(attemptsTable.attempt, row.attempts),
          eq(attemptsTable.outcome, "in_flight"),
        ),
      );
  }
}

/**
 * Leases up to `limit` due deliveries to `owner` and starts an attempt on each (attempt row `in_flight`).
 *
 * Due: `pending` with `next_attempt_at <= now`, or `in_flight` whose lease ended (its owner crashed or stalled: the
 * interrupted attempt is recorded as `lease_expired` and the delivery is retried under the SAME id). An expired
 * delivery that used its last attempt goes to `dead` instead. Rows are locked with `FOR UPDATE SKIP LOCKED`, so
 * concurrent dispatchers on PostgreSQL never claim the same row; PGlite runs the same statements. Deliveries of a
 * suspended tenant or of a paused or deleted monitor are not claimed (they wait, see `deliverable`).
 */
async function claimDue(store: Store, parameters: ClaimDueParameters): Promise<ClaimedDelivery[]> {
  validateClaim(parameters);
  const { now, limit, owner, leaseMs } = parameters;
  const leaseUntil = new Date(now.getTime() + leaseMs);
  return inTransaction(store, "deliveries.claimDue", async (tx) => {
    // 1. Expired leases on the last allowed attempt: dead-letter.
    const spent = await tx
      .select()
      .from(deliveriesTable)
      .where(and(eq(deliveriesTable.status, "in_flight"), lte(deliveriesTable.leaseUntil, now), exhausted))
      .orderBy(asc(deliveriesTable.leaseUntil))
      .limit(limit)
      .for("update", { skipLocked: true });
    if (spent.length > 0) {
      await expireAttempts(tx, spent, now);
      for (const row of spent) {
        await tx
          .update(deliveriesTable)
          .set({
            status: "dead",
            leaseOwner: null,
            leaseUntil: null,
            lastError: `attempt ${row.attempts} was interrupted (lease of ${row.leaseOwner ?? "?"} expired) and it was the last allowed`,
            updatedAt: now,
          })
          .where(eq(deliveriesTable.id, row.id));
      }
    }

    // 2. Expired leases with attempts left, then pending rows that are due (each query uses its partial index).
    const expired = await tx
      .select()
      .from(deliveriesTable)
      .where(
        and(eq(deliveriesTable.status, "in_flight"), lte(deliveriesTable.leaseUntil, now), notExhausted, deliverable),
      )
      .orderBy(asc(deliveriesTable.leaseUntil), asc(deliveriesTable.id))
      .limit(limit)
      .for("update", { skipLocked: true });
    const due =
      expired.length >= limit
        ? []
        : await tx
            .select()
            .from(deliveriesTable)
            .where(and(eq(deliveriesTable.status, "pending"), lte(deliveriesTable.nextAttemptAt, now), deliverable))
            .orderBy(asc(deliveriesTable.nextAttemptAt), asc(deliveriesTable.id))
            .limit(limit - expired.length)
            .for("update", { skipLocked: true });
    const picked = [...expired, ...due];
    if (picked.length === 0) return [];
    await expireAttempts(tx, expired, now);

    // 3. Lease them and open one attempt each.
    const claimed = await tx
      .update(deliveriesTable)
      .set({
        status: "in_flight",
        attempts: sql`${deliveriesTable.attempts} + 1`,
        leaseOwner: owner,
        leaseUntil,
        updatedAt: now,
      })
      .where(
        inArray(
          deliveriesTable.id,
          picked.map((row) => row.id),
        ),
      )
      .returning();
    await tx.insert(attemptsTable).values(
      claimed.map((row) => ({
        tenantId: row.tenantId,
        deliveryId: row.id,
        attempt: row.attempts,
        leaseOwner: owner,
        startedAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    );
    const matchRows = await tx
      .select()
      .from(matchesTable)
      .where(inArray(matchesTable.id, [...new Set(claimed.map((row) => row.matchId))]));
    const byId = new Map(matchRows.map((row) => [row.id, row]));
    const order = new Map(picked.map((row, index) => [row.id, index]));
    return claimed
      .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
      .map((delivery) => ({ delivery, attempt: delivery.attempts, match: byId.get(delivery.matchId)! }));
  });
}

function validateReport(parameters: RecordAttemptParameters): void {
  const { report, attempt } = parameters;
  const fail = (field: string, message: string) => {
    throw new StoreError(StoreCode.InvalidArgument, `deliveries.recordAttempt: ${field} ${message}`, {
      path: [field],
    });
  };
  if (!Number.isInteger(attempt) || attempt < 1) fail("attempt", "must be a positive integer.");
  if (!Number.isFinite(report.latencyMs) || report.latencyMs < 0) fail("report.latencyMs", "must be >= 0.");
  if (report.result === "retryable_failure" && report.retryAt === undefined) {
    fail("report.retryAt", "is required for a retryable failure.");
  }
}

/**
 * Records the outcome of an attempt and moves the delivery on, in one transaction:
 * `delivered` → delivered; `permanent_failure` → dead; `retryable_failure` → pending at `retryAt`, or dead when the
 * run's attempts are used up.
 * Only the lease holder moves the delivery; a late report from a former holder is kept as its attempt's record.
 */
async function recordAttempt(store: Store, parameters: RecordAttemptParameters): Promise<RecordAttemptResult> {
  validateReport(parameters);
  const { deliveryId, attempt, owner, report } = parameters;
  return inTransaction(store, "deliveries.recordAttempt", async (tx) => {
    const [delivery] = await tx.select().from(deliveriesTable).where(eq(deliveriesTable.id, deliveryId)).for("update");
    if (delivery === undefined) {
      throw new StoreError(StoreCode.NotFound, `deliveries.recordAttempt: no delivery ${deliveryId}.`);
    }
    const recorded = await tx
      .update(attemptsTable)
      .set({
        outcome: report.result,
        ...(report.startedAt === undefined ? {} : { startedAt: report.startedAt }),
        finishedAt: report.finishedAt,
        latencyMs: Math.round(report.latencyMs),
        responseCode: report.responseCode ?? null,
        error: report.error ?? null,
        retryAfterMs: report.retryAfterMs ?? null,
        updatedAt: report.finishedAt,
      })
      .where(
        and(
          eq(attemptsTable.deliveryId, deliveryId),
          eq(attemptsTable.attempt, attempt),
          eq(attemptsTable.leaseOwner, owner),
          inArray(attemptsTable.outcome, ["in_flight", "lease_expired"]),
        ),
      )
      .returning({ id: attemptsTable.id });
    if (recorded.length === 0) {
      const [existing] = await tx
        .select({ id: attemptsTable.id })
        .from(attemptsTable)
        .where(and(eq(attemptsTable.deliveryId, deliveryId), eq(attemptsTable.attempt, attempt)));
      if (existing === undefined) {
        throw new StoreError(
          StoreCode.InvalidArgument,
          `deliveries.recordAttempt: delivery ${deliveryId} has no attempt ${attempt}; attempts start with claimDue().`,
          { path: ["attempt"] },
        );
      }
      return { delivery, applied: false }; // already recorded, or another owner's attempt
    }
    const holdsLease =
      delivery.status === "in_flight" && delivery.leaseOwner === owner && delivery.attempts === attempt;
    if (!holdsLease) return { delivery, applied: false };

    const now = report.finishedAt;
    const released = { leaseOwner: null, leaseUntil: null, updatedAt: now };
    let next: Partial<typeof deliveriesTable.$inferInsert>;
    if (report.result === "delivered") {
      next = { ...released, status: "delivered", deliveredAt: now, lastError: null };
    } else if (report.result === "permanent_failure") {
      next = { ...released, status: "dead", lastError: report.error ?? "permanent failure" };
    } else if (delivery.attempts - delivery.attemptBase >= delivery.maxAttempts) {
      next = {
        ...released,
        status: "dead",
        lastError: `${report.error ?? "retryable failure"} (after ${delivery.attempts - delivery.attemptBase} of ${delivery.maxAttempts} attempts)`,
      };
    } else {
      // A reorg suppresses in-flight deliveries too (matches.markOrphaned), so an orphaned match never gets here.
      next = { ...released, status: "pending", nextAttemptAt: report.retryAt!, lastError: report.error ?? null };
    }
    const [updated] = await tx.update(deliveriesTable).set(next).where(eq(deliveriesTable.id, deliveryId)).returning();
    return { delivery: updated!, applied: true };
  });
}

/**
 * Sends a dead delivery again: back to `pending` (due now) with a fresh run of `maxAttempts` attempts. Its id and
 * its attempt history stay; new attempts continue the numbering. A delivery suppressed as `quota_exceeded` can be
 * replayed the same way while today's quota has room (it counts as one of the day's notifications); otherwise
 * `QUOTA_EXCEEDED`.
 */
async function replay(store: Store, tenantId: string, id: string, now: Date = new Date()): Promise<Delivery> {
  return inTransaction(store, "deliveries.replay", async (tx) => {
    const [delivery] = await tx
      .select()
      .from(deliveriesTable)
      .where(and(eq(deliveriesTable.tenantId, tenantId), eq(deliveriesTable.id, id)))
      .for("update");
    if (delivery === undefined) throw new StoreError(StoreCode.NotFound, `deliveries.replay: no delivery ${id}.`);
    const overQuota = delivery.status === "suppressed" && delivery.suppressedReason === "quota_exceeded";
    if (delivery.status !== "dead" && !overQuota) {
      throw new StoreError(
        StoreCode.InvalidState,
        `deliveries.replay: delivery ${id} is ${delivery.status}${delivery.suppressedReason === null ? "" : ` (${delivery.suppressedReason})`}; only dead deliveries and those held back by the daily quota can be replayed.`,
      );
    }
    const [match] = await tx
      .select({ status: matchesTable.status })
      .from(matchesTable)
      .where(eq(matchesTable.id, delivery.matchId));
    if (match?.status === "orphaned") {
      throw new StoreError(
        StoreCode.InvalidState,
        `deliveries.replay: the match of delivery ${id} was orphaned by a reorg; it is not replayed.`,
      );
    }
    // A held-back notification replayed counts as one of today's, and only while today's quota has room: otherwise
    // replaying would be a way around the limit. (The throw rolls the counter back with everything else.)
    if (overQuota) {
      const period = usagePeriod("day", now);
      const [counted] = await addToCounters(tx, [{ tenantId, metric: "notifications", period, by: 1n }], now);
      const [tenant] = await tx.select().from(tenantsTable).where(eq(tenantsTable.id, tenantId));
      const limit = tenant === undefined ? null : limitsFor(tenant).notificationsPerDay;
      if (limit !== null && counted !== undefined && counted.value > BigInt(limit)) {
        throw new StoreError(
          StoreCode.QuotaExceeded,
          `deliveries.replay: today's notification quota (${limit} per day) is used up; delivery ${id} stays held back.`,
          {
            path: ["notificationsPerDay"],
            hint: "Replay it after midnight UTC, or raise the tenant's notificationsPerDay limit (plan or override).",
          },
        );
      }
    }
    const [updated] = await tx
      .update(deliveriesTable)
      .set({
        status: "pending",
        suppressedReason: null,
        attemptBase: delivery.attempts,
        nextAttemptAt: now,
        lastError: null,
        updatedAt: now,
      })
      .where(eq(deliveriesTable.id, id))
      .returning();
    return updated!;
  });
}

async function get(store: Store, tenantId: string, id: string): Promise<Delivery | null> {
  return run(store, "deliveries.get", async (db) => {
    const [row] = await db
      .select()
      .from(deliveriesTable)
      .where(and(eq(deliveriesTable.tenantId, tenantId), eq(deliveriesTable.id, id)));
    return row ?? null;
  });
}

/** Every attempt of a delivery, in order. */
async function attempts(store: Store, tenantId: string, id: string): Promise<DeliveryAttempt[]> {
  return run(store, "deliveries.attempts", (db) =>
    db
      .select()
      .from(attemptsTable)
      .where(and(eq(attemptsTable.tenantId, tenantId), eq(attemptsTable.deliveryId, id)))
      .orderBy(asc(attemptsTable.attempt)),
  );
}

/** A tenant's deliveries, newest first, filtered, with cursor pagination. */
async function list(store: Store, parameters: ListDeliveriesParameters): Promise<Page<Delivery>> {
  const filters: SQL[] = [eq(deliveriesTable.tenantId, parameters.tenantId)];
  if (parameters.status !== undefined) filters.push(eq(deliveriesTable.status, parameters.status));
  if (parameters.matchId !== undefined) filters.push(eq(deliveriesTable.matchId, parameters.matchId));
  if (parameters.monitorId !== undefined) filters.push(eq(deliveriesTable.monitorId, parameters.monitorId));
  return seqPage(store, "deliveries.list", parameters, deliveriesTable.seq, filters, (db, where, limit) =>
    db.select().from(deliveriesTable).where(where).orderBy(desc(deliveriesTable.seq)).limit(limit),
  );
}

/** The delivery outbox: leases, attempts, retries, dead letters and replay. */
export const deliveries = { claimDue, recordAttempt, replay, get, attempts, list };
