import { afterEach, describe, expect, it } from "vitest";
import {
  createMemoryLeaseManager,
  createMemoryLeaseSpace,
  createPostgresLeaseManager,
  LeaseCode,
  type LeaseError,
  type LeaseManager,
  leaseKey,
} from "../../../src/lease/index.js";
import { describeLeaseContract } from "./contract.js";
import { adminQuery, LEASE_DATABASE_URL, uniqueName, waitFor } from "./support.js";

const space = createMemoryLeaseSpace();
describeLeaseContract("memory", {
  create: () => createMemoryLeaseManager({ space }),
  revoke: async (name) => {
    expect(space.revoke(name)).toBe(true);
  },
  takeoverMs: 500,
});

/** The session(s) holding `name`'s advisory lock (as `pg_locks` shows a one-argument lock). */
async function holderPids(name: string): Promise<number[]> {
  const unsigned = BigInt.asUintN(64, leaseKey(name));
  const rows = await adminQuery<{ pid: number }>(
    `select pid from pg_locks where locktype = 'advisory' and objsubid = 1 and granted
       and classid = $1::bigint::oid and objid = $2::bigint::oid`,
    [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()],
  );
  return rows.map((row) => row.pid);
}

describeLeaseContract("postgres", {
  create: () => createPostgresLeaseManager({ connectionString: LEASE_DATABASE_URL, checkIntervalMs: 500 }),
  revoke: async (name) => {
    const pids = await holderPids(name);
    expect(pids).toHaveLength(1);
    await adminQuery("select pg_terminate_backend($1)", [pids[0]]);
  },
  takeoverMs: 3_000,
});

describe("postgres leases", () => {
  const managers: LeaseManager[] = [];
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
  });

  it("holds a session advisory lock on the stable 64-bit key of the name, on one dedicated connection", async () => {
    const manager = createPostgresLeaseManager({ connectionString: LEASE_DATABASE_URL });
    managers.push(manager);
    const [a, b] = [uniqueName(), uniqueName()];
    await manager.acquire(a);
    await manager.acquire(b);
    const [pidA, pidB] = [await holderPids(a), await holderPids(b)];
    expect(pidA).toHaveLength(1);
    expect(pidB).toEqual(pidA);
    const sessions = await adminQuery<{ application_name: string }>(
      "select application_name from pg_stat_activity where pid = $1",
      [pidA[0]],
    );
    expect(sessions[0]?.application_name).toBe("argus-lease");
    await manager.close();
    await waitFor(async () => (await holderPids(a)).length === 0, 3_000, "the lock to be freed on close");
  });

  it("a namespace separates deployments sharing a database", async () => {
    const name = uniqueName();
    const [one, two] = [
      createPostgresLeaseManager({ connectionString: LEASE_DATABASE_URL, namespace: "deployment-1" }),
      createPostgresLeaseManager({ connectionString: LEASE_DATABASE_URL, namespace: "deployment-2" }),
    ];
    managers.push(one, two);
    expect(await one.tryAcquire(name)).toBeDefined();
    expect(await two.tryAcquire(name)).toBeDefined();
  });

  it("a killed session loses every lease on it; the manager reconnects for the next acquire", async () => {
    const manager = createPostgresLeaseManager({ connectionString: LEASE_DATABASE_URL });
    managers.push(manager);
    const [a, b] = [uniqueName(), uniqueName()];
    const leases = [await manager.acquire(a), await manager.acquire(b)];
    const lost: LeaseError[] = [];
    for (const lease of leases) lease.onLost((error) => lost.push(error));
    const [pid] = await holderPids(a);
    await adminQuery("select pg_terminate_backend($1)", [pid]);
    await waitFor(() => lost.length === 2, 3_000, "both leases to be lost");
    expect(lost.map((e) => e.code)).toEqual([LeaseCode.Lost, LeaseCode.Lost]);
    expect(manager.held()).toEqual([]);
    const again = await manager.acquire(a);
    expect(again.held).toBe(true);
    const [newPid] = await holderPids(a);
    expect(newPid).not.toBe(pid);
  });

  it("an unreachable server: tryAcquire rejects with LEASE_BACKEND_UNAVAILABLE, acquire retries until aborted", async () => {
    const manager = createPostgresLeaseManager({
      connectionString: "postgres://postgres@127.0.0.1:1/test",
      connectTimeoutMs: 500,
    });
    managers.push(manager);
    await expect(manager.tryAcquire(uniqueName())).rejects.toMatchObject({
      code: LeaseCode.BackendUnavailable,
      retryable: true,
    });
    const errors: LeaseError[] = [];
    const local = createPostgresLeaseManager({
      connectionString: "postgres://postgres@127.0.0.1:1/test",
      connectTimeoutMs: 500,
      onError: (error) => errors.push(error),
    });
    managers.push(local);
    const waiting = local.acquire(uniqueName(), { retryMs: 50, signal: AbortSignal.timeout(600) });
    await expect(waiting).rejects.toMatchObject({ code: LeaseCode.Aborted });
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.every((e) => e.code === LeaseCode.BackendUnavailable)).toBe(true);
  });

  it("rejects out-of-range options with LEASE_OPTIONS_INVALID", () => {
    expect(() => createPostgresLeaseManager({ connectionString: LEASE_DATABASE_URL, checkIntervalMs: 0 })).toThrow(
      expect.objectContaining({ code: LeaseCode.OptionsInvalid, path: ["checkIntervalMs"] }),
    );
  });
});
