/**
 * The membership contract, run against the in-process registry and Redis (127.0.0.1:6379, a unique key prefix per
 * test): joins and leaves are seen by every registry on the prefix, heartbeats keep a member alive, a member that
 * stops heartbeating (a crash) expires after its TTL and every watcher is told.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  createMemoryMembership,
  createRedisMembership,
  type Membership,
  type MembershipChange,
  type MembershipOptions,
  ShardCode,
} from "../../../src/shard/index.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

interface Backend {
  create(prefix: string, options: MembershipOptions): Membership;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function describeMembershipContract(title: string, backend: Backend): void {
  describe(`membership contract [${title}]`, () => {
    const opened: Membership[] = [];
    let prefix = "";
    const make = (options: MembershipOptions = {}): Membership => {
      const registry = backend.create(prefix, { ttlMs: 1_000, pollMs: 100, ...options });
      opened.push(registry);
      return registry;
    };
    const newPrefix = (): void => {
      prefix = `argus-test:${randomBytes(5).toString("hex")}:`;
    };
    newPrefix();
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((r) => r.close()));
      newPrefix();
    });

    it("join: every registry on the prefix sees the member with its meta; other prefixes do not", async () => {
      const [a, b] = [make(), make()];
      const before = Date.now();
      await a.join({ id: "worker-1", meta: { host: "h1", pid: 42 } });
      await b.join({ id: "worker-2" });
      const members = await b.members();
      expect(members.map((m) => m.id)).toEqual(["worker-1", "worker-2"]);
      expect(members[0]?.meta).toEqual({ host: "h1", pid: 42 });
      expect(members[1]?.meta).toEqual({});
      const first = members[0]!;
      expect(Math.abs(first.joinedAt - before)).toBeLessThan(5_000);
      expect(first.expiresAt - first.joinedAt).toBeGreaterThanOrEqual(900);
      expect((await a.members()).map((m) => m.id)).toEqual(["worker-1", "worker-2"]);
      const elsewhere = backend.create(`${prefix}other:`, { ttlMs: 1_000 });
      opened.push(elsewhere);
      expect(await elsewhere.members()).toEqual([]);
    });

    it("onChange: the initial set, then joins and leaves, reach another registry at once", async () => {
      const [watcher, worker] = [make({ pollMs: 5_000 }), make()];
      await worker.join({ id: "w-a" });
      const changes: MembershipChange[] = [];
      watcher.onChange((change) => changes.push(change));
      await waitFor(() => changes.length === 1, 2_000, "the initial set");
      expect(changes[0]?.joined).toEqual(["w-a"]);
      const started = Date.now();
      await worker.join({ id: "w-b" });
      await waitFor(() => changes.length === 2, 2_000, "the join");
      expect(changes[1]).toMatchObject({ joined: ["w-b"], left: [] });
      expect(changes[1]?.members.map((m) => m.id)).toEqual(["w-a", "w-b"]);
      await worker.leave("w-a");
      await waitFor(() => changes.length === 3, 2_000, "the leave");
      // Pushed, not polled (the poll interval is 5 s).
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(changes[2]).toMatchObject({ joined: [], left: ["w-a"] });
      expect((await watcher.members()).map((m) => m.id)).toEqual(["w-b"]);
    });

    it("heartbeats keep a member alive past its TTL", async () => {
      const worker = make({ ttlMs: 600, heartbeatMs: 150 });
      await worker.join({ id: "alive" });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await worker.members()).map((m) => m.id)).toEqual(["alive"]);
    });

    it("a member that stops heartbeating (a crash) expires after its TTL and watchers are told", async () => {
      const watcher = make();
      const changes: MembershipChange[] = [];
      watcher.onChange((change) => changes.push(change));
      const crashing = make({ ttlMs: 600, heartbeatMs: 150 });
      await crashing.join({ id: "doomed" });
      await crashing.join({ id: "doomed-2" });
      await waitFor(() => changes.some((c) => c.joined.includes("doomed-2")), 2_000, "the joins");
      const crashedAt = Date.now();
      await crashing.close({ leave: false });
      await waitFor(() => changes.some((c) => c.left.includes("doomed")), 3_000, "the expiry");
      const elapsed = Date.now() - crashedAt;
      expect(elapsed).toBeGreaterThanOrEqual(300);
      expect(elapsed).toBeLessThan(1_500);
      expect(await watcher.members()).toEqual([]);
    });

    it("heartbeat: true while alive; false after expiry, when it rejoins with a new joinedAt", async () => {
      const registry = make({ ttlMs: 300, heartbeatMs: 100, autoHeartbeat: false });
      await registry.join({ id: "manual", meta: { v: "1" } });
      const [first] = await registry.members();
      expect(await registry.heartbeat("manual")).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(await registry.members()).toEqual([]);
      expect(await registry.heartbeat("manual")).toBe(false);
      const [again] = await registry.members();
      expect(again?.id).toBe("manual");
      expect(again?.meta).toEqual({ v: "1" });
      expect(again?.joinedAt).toBeGreaterThan(first?.joinedAt ?? Number.POSITIVE_INFINITY);
    });

    it("close() leaves the members joined through it; a closed registry refuses calls", async () => {
      const [watcher, worker] = [make(), make()];
      await worker.join({ id: "leaving" });
      await worker.close();
      expect(await watcher.members()).toEqual([]);
      await expect(worker.members()).rejects.toMatchObject({ code: ShardCode.MembershipClosed });
    });

    it("rejects a heartbeat interval not shorter than the TTL, and empty ids", async () => {
      expect(() => make({ ttlMs: 100, heartbeatMs: 100 })).toThrow(
        expect.objectContaining({ code: ShardCode.OptionsInvalid, path: ["heartbeatMs"] }),
      );
      await expect(make().join({ id: "" })).rejects.toMatchObject({ code: ShardCode.InputInvalid });
    });
  });
}

describeMembershipContract("memory", {
  create: (prefix, options) => createMemoryMembership({ ...options, prefix }),
});

const cleanup = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
afterAll(async () => {
  const keys = await cleanup.keys("argus-test:*");
  if (keys.length > 0) await cleanup.del(...keys);
  cleanup.disconnect();
});

describeMembershipContract("redis", {
  create: (prefix, options) => createRedisMembership({ ...options, url: REDIS_URL, prefix }),
});

describe("redis membership", () => {
  it("keeps its keys under the prefix, in Redis server time", async () => {
    const prefix = `argus-test:${randomBytes(5).toString("hex")}:`;
    const registry = createRedisMembership({ redis: cleanup, prefix, ttlMs: 5_000 });
    try {
      await registry.join({ id: "w" });
      expect((await cleanup.keys(`${prefix}*`)).sort()).toEqual([`${prefix}member-info`, `${prefix}members`]);
      const [seconds] = await cleanup.time();
      const score = Number(await cleanup.zscore(`${prefix}members`, "w"));
      expect(Math.abs(score - (Number(seconds) * 1000 + 5_000))).toBeLessThan(2_000);
    } finally {
      await registry.close();
    }
    // The caller's client stays open.
    expect(await cleanup.ping()).toBe("PONG");
  });

  it("an unreachable server: calls reject with SHARD_MEMBERSHIP_UNAVAILABLE", async () => {
    const errors: Error[] = [];
    const registry = createRedisMembership({ url: "redis://127.0.0.1:1", onError: (e) => errors.push(e) });
    try {
      await expect(registry.members()).rejects.toMatchObject({
        code: ShardCode.MembershipUnavailable,
        retryable: true,
      });
    } finally {
      await registry.close();
    }
  });

  it("needs exactly one of url or redis", () => {
    expect(() => createRedisMembership({})).toThrow(expect.objectContaining({ code: ShardCode.OptionsInvalid }));
  });
});
