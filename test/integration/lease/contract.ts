/**
 * The lease contract, run against every backend: exactly one holder per name; release, close and a killed session
 * all hand the lease to a waiting contender within seconds; the loser learns at once through `signal` and `onLost`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { LeaseCode, LeaseError, type LeaseManager } from "../../../src/lease/index.js";
import { stillPending, uniqueName, waitFor } from "./support.js";

export interface LeaseBackend {
  create(): LeaseManager;
  /** Takes `name` away from its holder behind its back (PostgreSQL: `pg_terminate_backend` of its session). */
  revoke(name: string): Promise<void>;
  /** How long a takeover may take (the PostgreSQL backend polls). */
  takeoverMs: number;
}

const FAST_RETRY = { retryMs: 100 };

export function describeLeaseContract(title: string, backend: LeaseBackend): void {
  describe(`lease contract [${title}]`, () => {
    const managers: LeaseManager[] = [];
    const make = (): LeaseManager => {
      const manager = backend.create();
      managers.push(manager);
      return manager;
    };
    afterEach(async () => {
      await Promise.all(managers.splice(0).map((m) => m.close()));
    });

    it("two contenders: exactly one holds the lease", async () => {
      const name = uniqueName();
      const [a, b] = [make(), make()];
      const results = await Promise.all([a.tryAcquire(name), b.tryAcquire(name)]);
      expect(results.filter((lease) => lease !== undefined)).toHaveLength(1);
      const holder = results[0] !== undefined ? a : b;
      const other = holder === a ? b : a;
      expect(holder.held()).toEqual([name]);
      expect(other.held()).toEqual([]);
      expect(await other.tryAcquire(name)).toBeUndefined();
    });

    it("three waiting contenders: one at a time, each release hands over to exactly one other", async () => {
      const name = uniqueName();
      const contenders = [make(), make(), make()];
      const pending = contenders.map((m, i) => m.acquire(name, FAST_RETRY).then((lease) => ({ i, lease })));
      const first = await Promise.race(pending);
      const rest = pending.filter((_, i) => i !== first.i);
      expect(await stillPending(Promise.race(rest), 400)).toBe(true);
      await first.lease.release();
      const second = await Promise.race(rest);
      expect(second.i).not.toBe(first.i);
      const last = pending.find((_, i) => i !== first.i && i !== second.i) as (typeof pending)[number];
      expect(await stillPending(last, 300)).toBe(true);
      await second.lease.release();
      const third = await last;
      expect(new Set([first.i, second.i, third.i]).size).toBe(3);
      expect(third.lease.held).toBe(true);
    });

    it("leases are not re-entrant and names are independent", async () => {
      const [name, other] = [uniqueName(), uniqueName()];
      const a = make();
      const lease = await a.tryAcquire(name);
      expect(lease?.name).toBe(name);
      expect(lease?.holderId).toBe(a.holderId);
      expect(await a.tryAcquire(name)).toBeUndefined();
      expect((await make().tryAcquire(other))?.held).toBe(true);
      expect(a.held()).toEqual([name]);
    });

    it("release: the signal aborts with LEASE_RELEASED, onLost stays silent, a waiter takes over", async () => {
      const name = uniqueName();
      const [a, b] = [make(), make()];
      const lease = await a.acquire(name);
      const lost: LeaseError[] = [];
      lease.onLost((error) => lost.push(error));
      const waiting = b.acquire(name, FAST_RETRY);
      expect(await stillPending(waiting, 300)).toBe(true);
      const started = Date.now();
      await lease.release();
      await lease.release(); // idempotent
      expect(lease.held).toBe(false);
      expect(lease.signal.aborted).toBe(true);
      expect((lease.signal.reason as LeaseError).code).toBe(LeaseCode.Released);
      const next = await waiting;
      expect(Date.now() - started).toBeLessThan(backend.takeoverMs);
      expect(next.held).toBe(true);
      expect(a.held()).toEqual([]);
      expect(lost).toEqual([]);
      expect(await lease.confirm()).toBe(false);
    });

    it("close: the holder's leases end with LEASE_CLOSED and a waiter takes over", async () => {
      const name = uniqueName();
      const [a, b] = [make(), make()];
      const lease = await a.acquire(name);
      const lost: LeaseError[] = [];
      lease.onLost((error) => lost.push(error));
      const waiting = b.acquire(name, FAST_RETRY);
      await a.close();
      expect((lease.signal.reason as LeaseError).code).toBe(LeaseCode.Closed);
      expect(lost.map((e) => e.code)).toEqual([LeaseCode.Closed]);
      expect((await waiting).held).toBe(true);
      await expect(a.tryAcquire(uniqueName())).rejects.toMatchObject({ code: LeaseCode.Closed });
      await expect(a.acquire(uniqueName())).rejects.toMatchObject({ code: LeaseCode.Closed });
    });

    it("a revoked holder learns it lost the lease at once; a waiter takes over within seconds", async () => {
      const name = uniqueName();
      const [a, b] = [make(), make()];
      const lease = await a.acquire(name);
      expect(await lease.confirm()).toBe(true);
      const lost: LeaseError[] = [];
      lease.onLost((error) => lost.push(error));
      const waiting = b.acquire(name, FAST_RETRY);
      expect(await stillPending(waiting, 300)).toBe(true);
      const started = Date.now();
      await backend.revoke(name);
      await waitFor(() => lost.length > 0, backend.takeoverMs, "the holder to learn of the loss");
      expect(lease.signal.aborted).toBe(true);
      expect(lost.map((e) => e.code)).toEqual([LeaseCode.Lost]);
      expect(lost[0]).toBeInstanceOf(LeaseError);
      expect(lost[0]?.retryable).toBe(true);
      const next = await waiting;
      expect(Date.now() - started).toBeLessThan(backend.takeoverMs);
      expect(next.holderId).toBe(b.holderId);
      expect(await lease.confirm()).toBe(false);
      expect(a.held()).toEqual([]);
      // The loser can contend again (and waits, since the lease is taken).
      expect(await a.tryAcquire(name)).toBeUndefined();
      // onLost after the fact still reports the loss.
      const late = await new Promise<LeaseError>((resolve) => lease.onLost(resolve));
      expect(late.code).toBe(LeaseCode.Lost);
    });

    it("a waiting acquire stops with LEASE_ABORTED when its signal aborts", async () => {
      const name = uniqueName();
      const [a, b] = [make(), make()];
      await a.acquire(name);
      const controller = new AbortController();
      const waiting = b.acquire(name, { ...FAST_RETRY, signal: controller.signal });
      setTimeout(() => controller.abort(), 150);
      await expect(waiting).rejects.toMatchObject({ code: LeaseCode.Aborted, lease: name });
      expect(b.held()).toEqual([]);
    });

    it("rejects an empty or oversized name with LEASE_NAME_INVALID", async () => {
      const a = make();
      await expect(a.tryAcquire("")).rejects.toMatchObject({ code: LeaseCode.NameInvalid });
      await expect(a.acquire("x".repeat(201))).rejects.toMatchObject({ code: LeaseCode.NameInvalid });
    });
  });
}
