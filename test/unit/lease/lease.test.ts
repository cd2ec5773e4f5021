import { describe, expect, it } from "vitest";
import * as lease from "../../../src/lease/index.js";
import {
  createMemoryLeaseManager,
  createMemoryLeaseSpace,
  type Lease,
  LeaseCode,
  type LeaseError,
  leaseKey,
  runAsLeader,
} from "../../../src/lease/index.js";

describe("src/lease public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(lease).sort()).toMatchInlineSnapshot(`
      [
        "LeaseCode",
        "LeaseError",
        "createMemoryLeaseManager",
        "createMemoryLeaseSpace",
        "createPostgresLeaseManager",
        "leaseKey",
        "processLeaseSpace",
        "runAsLeader",
      ]
    `);
  });

  it("every error code is prefixed LEASE_ and unique", () => {
    const codes = Object.values(LeaseCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^LEASE_[A-Z_]+$/);
  });
});

describe("leaseKey()", () => {
  it("is a stable signed 64-bit key per (namespace, name)", () => {
    // Pinned: every process of every version must lock the same key for the same name.
    expect(leaseKey("ingest:ethereum_mainnet")).toMatchInlineSnapshot(`5326276482231775143n`);
    expect(leaseKey("ingest:ethereum_mainnet", "other")).not.toBe(leaseKey("ingest:ethereum_mainnet"));
    expect(leaseKey("ingest:a")).not.toBe(leaseKey("ingest:b"));
    for (const name of ["a", "ingest:x", "é", "x".repeat(200)]) {
      const key = leaseKey(name);
      expect(key >= -(2n ** 63n) && key < 2n ** 63n).toBe(true);
    }
  });
});

describe("runAsLeader()", () => {
  it("runs the work only while leader and takes over when the leader's lease is lost", async () => {
    const space = createMemoryLeaseSpace();
    const [a, b] = [createMemoryLeaseManager({ space }), createMemoryLeaseManager({ space })];
    const stop = new AbortController();
    const terms: string[] = [];
    const lost: LeaseError[] = [];
    let active = 0;
    let maxActive = 0;
    const work = (who: string) => async (held: Lease) => {
      terms.push(who);
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => held.signal.addEventListener("abort", resolve, { once: true }));
      active -= 1;
    };
    const runs = [
      runAsLeader(a, "singleton", work("a"), { signal: stop.signal, onLost: (e) => lost.push(e) }),
      runAsLeader(b, "singleton", work("b"), { signal: stop.signal, onLost: (e) => lost.push(e) }),
    ];
    await expect.poll(() => terms.length).toBe(1);
    const first = terms[0];
    expect(space.revoke("singleton")).toBe(true);
    await expect.poll(() => terms.length).toBe(2);
    // The other contender took over; the revoked one contends again and waits.
    expect(terms[1]).not.toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(terms).toHaveLength(2);
    expect(lost.map((e) => e.code)).toEqual([LeaseCode.Lost]);
    stop.abort();
    await Promise.all(runs);
    expect(maxActive).toBe(1);
    expect(space.holderOf("singleton")).toBeUndefined();
  });

  it("rethrows a failure of the work after releasing the lease", async () => {
    const space = createMemoryLeaseSpace();
    const manager = createMemoryLeaseManager({ space });
    await expect(
      runAsLeader(manager, "failing", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(space.holderOf("failing")).toBeUndefined();
  });

  it("returns when the work finishes while holding the lease, and when the manager closes", async () => {
    const space = createMemoryLeaseSpace();
    const manager = createMemoryLeaseManager({ space });
    let runs = 0;
    await runAsLeader(manager, "once", async () => {
      runs += 1;
    });
    expect(runs).toBe(1);
    const closing = runAsLeader(
      manager,
      "closing",
      (held) => new Promise<void>((r) => held.signal.addEventListener("abort", () => r())),
    );
    await expect.poll(() => manager.held()).toEqual(["closing"]);
    await manager.close();
    await closing;
  });
});
