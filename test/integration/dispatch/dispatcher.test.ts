import { afterEach, describe, expect, it } from "vitest";
import {
  createDispatcher,
  DispatchCode,
  DispatchError,
  recordMatches,
  replayDead,
  replayDelivery,
} from "../../../src/dispatch/index.js";
import { deliveryId, type Store, triggers } from "../../../src/store/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/receivers.js";
import { describeStoreContract, waitFor } from "../store/support.js";
import {
  attemptsOf,
  type DispatchWorld,
  deliveryOf,
  matchVariants,
  registryFor,
  seedDispatchWorld,
  startDispatcher,
  stopDispatchers,
  webhookTriggerJson,
} from "./support.js";

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await stopDispatchers();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

/** One webhook trigger `ops` → `r`; records the fixture match; returns its delivery id. */
async function enqueueOne(
  store: Store,
  r: WebhookReceiver,
  options: { maxRetries?: number; retryPolicy?: object; tenantId?: string } = {},
): Promise<{ world: DispatchWorld; id: string }> {
  const world = await seedDispatchWorld(store, {
    triggers: { ops: webhookTriggerJson(r.url, options) },
    ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
  });
  const result = await recordMatches(store, world.matches, {
    networkId: world.network.id,
    triggers: registryFor(store),
  });
  expect(result.pendingDeliveryIds).toHaveLength(1);
  return { world, id: result.pendingDeliveryIds[0]! };
}

describeStoreContract("dispatcher", (h) => {
  it("delivers on the first try: one attempt (status 200, latency), webhook-id = delivery id", async () => {
    const r = await receiver();
    const { world, id } = await enqueueOne(h.store, r);
    const dispatcher = startDispatcher(h.store);
    const [event] = await dispatcher.waitForAttempts(1);
    expect(event).toMatchObject({
      deliveryId: id,
      tenantId: world.tenantId,
      triggerKey: "ops",
      channel: "webhook",
      attempt: 1,
      outcome: "delivered",
      applied: true,
      delivery: { status: "delivered" },
    });
    expect(event!.latencyMs).toBe(event!.report.latencyMs);
    const [request] = r.requests;
    expect(request!.headers["webhook-id"]).toBe(id);
    expect(JSON.parse(request!.body.toString())).toMatchObject({ title: `${world.monitor.name} matched` });
    expect(await deliveryOf(h.store, world.tenantId, id)).toMatchObject({ status: "delivered", attempts: 1 });
    const attempts = await attemptsOf(h.store, world.tenantId, id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      attempt: 1,
      outcome: "delivered",
      responseCode: 200,
      leaseOwner: dispatcher.owner,
      error: null,
    });
    expect(attempts[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(attempts[0]!.finishedAt!.getTime()).toBeGreaterThanOrEqual(attempts[0]!.startedAt.getTime());
  });

  it("retries 500, 500, then delivers: 3 attempts recorded, the same webhook-id each time", async () => {
    const r = await receiver();
    r.respondWith({ status: 500, body: "oops" }, { status: 500, body: "oops" });
    const { world, id } = await enqueueOne(h.store, r);
    const dispatcher = startDispatcher(h.store);
    await dispatcher.waitForAttempts(3);
    expect(r.requests.map((q) => q.headers["webhook-id"])).toEqual([id, id, id]);
    expect(await deliveryOf(h.store, world.tenantId, id)).toMatchObject({ status: "delivered", attempts: 3 });
    const attempts = await attemptsOf(h.store, world.tenantId, id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.responseCode])).toEqual([
      [1, "retryable_failure", 500],
      [2, "retryable_failure", 500],
      [3, "delivered", 200],
    ]);
    expect(attempts[0]!.error).toMatch(/^NOTIFY_HTTP_STATUS: .*HTTP 500/);
  });

  it("honours Retry-After on 429: the next attempt is not due before it, even beyond max_backoff", async () => {
    const r = await receiver();
    r.respondWith({ status: 429, headers: { "Retry-After": "3" } });
    // max_backoff 1 s: the policy alone would retry within a second.
    const { world, id } = await enqueueOne(h.store, r);
    const dispatcher = startDispatcher(h.store);
    const [event] = await dispatcher.waitForAttempts(1);
    expect(event!.report).toMatchObject({ result: "retryable_failure", responseCode: 429, retryAfterMs: 3_000 });
    const delivery = await deliveryOf(h.store, world.tenantId, id);
    const [attempt] = await attemptsOf(h.store, world.tenantId, id);
    expect(delivery.status).toBe("pending");
    expect(attempt).toMatchObject({ outcome: "retryable_failure", responseCode: 429, retryAfterMs: 3_000 });
    expect(delivery.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(attempt!.finishedAt!.getTime() + 3_000);
    expect(r.requests).toHaveLength(1);
  });

  it("dead-letters a permanent failure (400) after one attempt", async () => {
    const r = await receiver();
    r.respondWith({ status: 400, body: "bad payload" });
    const { world, id } = await enqueueOne(h.store, r);
    const dispatcher = startDispatcher(h.store);
    await dispatcher.waitForAttempts(1);
    const delivery = await deliveryOf(h.store, world.tenantId, id);
    expect(delivery).toMatchObject({ status: "dead", attempts: 1 });
    expect(delivery.lastError).toContain("HTTP 400");
    expect((await attemptsOf(h.store, world.tenantId, id)).map((a) => a.outcome)).toEqual(["permanent_failure"]);
    expect(r.requests).toHaveLength(1);
  });

  it("dead-letters after the attempt limit; replayDelivery sends it again under the same id, history kept", async () => {
    const r = await receiver();
    r.setDefaultResponse({ status: 503 });
    const { world, id } = await enqueueOne(h.store, r, { maxRetries: 1 });
    const dispatcher = startDispatcher(h.store);
    await dispatcher.waitForAttempts(2);
    await waitFor(async () => (await deliveryOf(h.store, world.tenantId, id)).status === "dead", 5_000, "dead");
    expect((await deliveryOf(h.store, world.tenantId, id)).lastError).toMatch(/after 2 of 2 attempts/);

    r.setDefaultResponse({ status: 200 });
    const replayed = await replayDelivery(h.store, world.tenantId, id, { wake: dispatcher.wake });
    expect(replayed).toMatchObject({ status: "pending", attemptBase: 2 });
    await dispatcher.waitForAttempts(3);
    expect(await deliveryOf(h.store, world.tenantId, id)).toMatchObject({ status: "delivered", attempts: 3 });
    expect((await attemptsOf(h.store, world.tenantId, id)).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, "retryable_failure"],
      [2, "retryable_failure"],
      [3, "delivered"],
    ]);
    expect(new Set(r.requests.map((q) => q.headers["webhook-id"]))).toEqual(new Set([id]));
  });

  it("replayDead replays a tenant's dead deliveries matching the filter and skips none of another monitor", async () => {
    const r = await receiver();
    r.setDefaultResponse({ status: 400 });
    const world = await seedDispatchWorld(h.store, { triggers: { ops: webhookTriggerJson(r.url) } });
    const other = await seedDispatchWorld(h.store, { triggers: { ops: webhookTriggerJson(r.url) } });
    const ctx = { networkId: world.network.id, triggers: registryFor(h.store) };
    const mine = await recordMatches(h.store, matchVariants(world, 2), ctx);
    const theirs = await recordMatches(h.store, matchVariants(other, 1), ctx);
    const dispatcher = startDispatcher(h.store);
    await dispatcher.waitForAttempts(3);
    await dispatcher.drain();

    const result = await replayDead(h.store, { tenantId: world.tenantId, monitorId: world.monitor.id });
    expect(result.skipped).toEqual([]);
    expect(result.replayed.map((d) => d.id).sort()).toEqual([...mine.pendingDeliveryIds].sort());
    for (const d of result.replayed) expect(d.status).toBe("pending");
    expect((await deliveryOf(h.store, other.tenantId, theirs.pendingDeliveryIds[0]!)).status).toBe("dead");
  });

  it("dead-letters a delivery whose trigger was removed after it was enqueued (DISPATCH_TRIGGER_UNKNOWN)", async () => {
    const r = await receiver();
    const { world, id } = await enqueueOne(h.store, r);
    await triggers.remove(h.store, world.tenantId, world.storedTriggers.get("ops")!.id);
    const dispatcher = startDispatcher(h.store);
    await dispatcher.waitForAttempts(1);
    const delivery = await deliveryOf(h.store, world.tenantId, id);
    expect(delivery.status).toBe("dead");
    expect(delivery.lastError).toMatch(/^DISPATCH_TRIGGER_UNKNOWN: /);
    expect(r.requests).toHaveLength(0);
  });

  it("wake() after enqueuing delivers at once, without waiting for the poll", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, { triggers: { ops: webhookTriggerJson(r.url) } });
    const [first, second] = matchVariants(world, 2);
    const ctx = { networkId: world.network.id, triggers: registryFor(h.store) };
    await recordMatches(h.store, [first!], ctx);
    // Polls a minute apart: after the first delivery (and the claim that follows it) the loop sleeps, and only a
    // wake-up can find the second delivery within the test's deadline.
    const dispatcher = startDispatcher(h.store, { pollIntervalMs: 60_000 });
    await dispatcher.waitForAttempts(1);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the follow-up claim finish
    const started = Date.now();
    await recordMatches(h.store, [second!], { ...ctx, onEnqueued: dispatcher.wake });
    await r.waitForRequests(2, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    await dispatcher.waitForAttempts(2);
  });

  it("re-recording a delivered block sends nothing again", async () => {
    const r = await receiver();
    const { world } = await enqueueOne(h.store, r);
    const dispatcher = startDispatcher(h.store);
    await dispatcher.waitForAttempts(1);
    const again = await recordMatches(h.store, world.matches, {
      networkId: world.network.id,
      triggers: registryFor(h.store),
      onEnqueued: dispatcher.wake,
    });
    expect(again.pendingDeliveryIds).toEqual([]);
    await dispatcher.drain();
    expect(r.requests).toHaveLength(1);
    expect(dispatcher.events).toHaveLength(1);
  });

  it("drain() finishes the in-flight attempt, records it, and claims nothing more", async () => {
    const r = await receiver();
    r.respondWith({ status: 200, delayMs: 300 });
    const { world, id } = await enqueueOne(h.store, r);
    const dispatcher = startDispatcher(h.store);
    await r.waitForRequests(1);
    await dispatcher.drain();
    expect(dispatcher.state).toBe("stopped");
    expect(await deliveryOf(h.store, world.tenantId, id)).toMatchObject({ status: "delivered" });

    const more = await recordMatches(h.store, matchVariants(world, 3).slice(1), {
      networkId: world.network.id,
      triggers: registryFor(h.store),
      onEnqueued: dispatcher.wake,
    });
    expect(more.pendingDeliveryIds).toHaveLength(2);
    dispatcher.wake();
    expect((await deliveryOf(h.store, world.tenantId, more.pendingDeliveryIds[0]!)).status).toBe("pending");
    expect(r.requests).toHaveLength(1);
  });

  it("stop() aborts a hanging attempt and records it as retryable, due now, under the same id", async () => {
    const r = await receiver();
    r.respondWith({ hang: true });
    const { world, id } = await enqueueOne(h.store, r);
    const dispatcher = startDispatcher(h.store);
    await r.waitForRequests(1);
    const before = new Date();
    await dispatcher.stop();
    expect(dispatcher.state).toBe("stopped");
    const delivery = await deliveryOf(h.store, world.tenantId, id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, leaseOwner: null });
    expect(delivery.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(delivery.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    const [attempt] = await attemptsOf(h.store, world.tenantId, id);
    expect(attempt).toMatchObject({ outcome: "retryable_failure" });
    expect(attempt!.error).toMatch(/^DISPATCH_ABORTED: The dispatcher stopped/);

    // Another dispatcher takes it over at once.
    r.setDefaultResponse({ status: 200 });
    const next = startDispatcher(h.store, { owner: "successor" });
    await next.waitForAttempts(1);
    expect(await deliveryOf(h.store, world.tenantId, id)).toMatchObject({ status: "delivered", attempts: 2 });
    expect(r.requests.map((q) => q.headers["webhook-id"])).toEqual([id, id]);
  });

  it("stop() also hands back claims still waiting for a slot: recorded as not sent, due now", async () => {
    const r = await receiver();
    r.setDefaultResponse({ hang: true });
    const world = await seedDispatchWorld(h.store, { triggers: { ops: webhookTriggerJson(r.url) } });
    const recorded = await recordMatches(h.store, matchVariants(world, 3), {
      networkId: world.network.id,
      triggers: registryFor(h.store),
    });
    const dispatcher = startDispatcher(h.store, { maxInFlightPerTenant: 1 });
    await r.waitForRequests(1);
    await waitFor(() => dispatcher.inFlight === 3, 2_000, "all three claimed");
    await dispatcher.stop();
    expect(r.requests).toHaveLength(1);
    const errors = [];
    for (const id of recorded.pendingDeliveryIds) {
      expect(await deliveryOf(h.store, world.tenantId, id)).toMatchObject({ status: "pending", attempts: 1 });
      const [attempt] = await attemptsOf(h.store, world.tenantId, id);
      errors.push(attempt!.error);
    }
    expect(errors.sort()).toEqual([
      "DISPATCH_ABORTED: The dispatcher stopped before the attempt started; nothing was sent.",
      "DISPATCH_ABORTED: The dispatcher stopped before the attempt started; nothing was sent.",
      "DISPATCH_ABORTED: The dispatcher stopped during the attempt.",
    ]);
  });

  it("aborts an attempt that would outlive its lease (a script slower than the lease) and records it", async () => {
    const world = await seedDispatchWorld(h.store, {
      triggers: {
        slow: {
          name: "Slow script",
          trigger_type: "script",
          config: { language: "Bash", script_path: "slow.sh", arguments: null, timeout_ms: 30_000 },
        },
      },
    });
    const recorded = await recordMatches(h.store, world.matches, {
      networkId: world.network.id,
      triggers: registryFor(h.store),
    });
    const [id] = recorded.pendingDeliveryIds;
    const started = Date.now();
    const dispatcher = startDispatcher(h.store, {
      leaseMs: 1_500,
      timeoutMs: 500,
      deliverOptions: { readScript: async () => "sleep 20" },
    });
    const [event] = await dispatcher.waitForAttempts(1, 10_000);
    // Lease 1.5 s, margin 300 ms: aborted at about 1.2 s, long before the script's own 30 s.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(event!.report.error).toMatch(
      /^DISPATCH_ABORTED: The attempt was aborted 300 ms before its 1500 ms lease ended/,
    );
    // Scripts get one attempt: dead, replayable.
    expect(await deliveryOf(h.store, world.tenantId, id!)).toMatchObject({ status: "dead", attempts: 1 });
  });

  it("takes over a delivery whose owner vanished mid-attempt once the lease expires: same id, attempt kept", async () => {
    const r = await receiver();
    r.respondWith({ hang: true });
    const { world, id } = await enqueueOne(h.store, r);
    // The first owner claims and sends, then never reports (its process is gone): it runs on a clock far behind,
    // the successor on a clock past the lease.
    const ghost = startDispatcher(h.store, { owner: "ghost", leaseMs: 10_000, timeoutMs: 5_000 });
    await r.waitForRequests(1);
    const after = () => new Date(Date.now() + 10_001);
    r.setDefaultResponse({ status: 200 });
    const successor = startDispatcher(h.store, { owner: "successor", now: after });
    await successor.waitForAttempts(1);
    expect(await deliveryOf(h.store, world.tenantId, id)).toMatchObject({ status: "delivered", attempts: 2 });
    const attempts = await attemptsOf(h.store, world.tenantId, id);
    expect(attempts.map((a) => [a.attempt, a.leaseOwner, a.outcome])).toEqual([
      [1, "ghost", "lease_expired"],
      [2, "successor", "delivered"],
    ]);
    expect(r.requests.map((q) => q.headers["webhook-id"])).toEqual([id, id]);
    // The ghost's late report changes nothing.
    await ghost.stop();
    expect(await deliveryOf(h.store, world.tenantId, id)).toMatchObject({ status: "delivered", attempts: 2 });
    expect(ghost.events[0]).toMatchObject({ applied: false });
  });

  it("fairness: a tenant whose receiver hangs does not hold up another tenant's deliveries", async () => {
    const slow = await receiver();
    slow.setDefaultResponse({ hang: true });
    const fast = await receiver();
    const a = await seedDispatchWorld(h.store, {
      tenantId: "00000000-0000-0000-0000-00000000000a",
      triggers: { ops: webhookTriggerJson(slow.url) },
    });
    const b = await seedDispatchWorld(h.store, {
      tenantId: "00000000-0000-0000-0000-00000000000b",
      triggers: { ops: webhookTriggerJson(fast.url) },
    });
    const ctx = { networkId: a.network.id, triggers: registryFor(h.store) };
    // Tenant A's backlog is older than B's delivery and larger than A's share of slots.
    await recordMatches(h.store, matchVariants(a, 6), ctx);
    const dispatcher = startDispatcher(h.store, {
      maxInFlight: 8,
      maxInFlightPerTenant: 2,
      timeoutMs: 5_000,
      leaseMs: 20_000,
    });
    await slow.waitForRequests(2);
    const startedB = Date.now();
    await recordMatches(h.store, b.matches, { ...ctx, onEnqueued: dispatcher.wake });
    await fast.waitForRequests(1, 3_000);
    expect(Date.now() - startedB).toBeLessThan(3_000);
    // A never got more than its two slots, although six of its deliveries were due.
    expect(slow.requests).toHaveLength(2);
    await waitFor(
      async () => (await deliveryOf(h.store, b.tenantId, deliveryId(b.matches[0]!.id, "ops"))).status === "delivered",
      3_000,
      "tenant B delivered",
    );
  });
});

describe("createDispatcher options", () => {
  it("refuses a lease that does not outlast the attempt timeout", () => {
    const build = () =>
      createDispatcher({
        store: {} as never,
        triggers: () => undefined,
        leaseMs: 10_000,
        timeoutMs: 10_000,
      });
    expect(build).toThrow(DispatchError);
    expect(build).toThrow(/leaseMs \(10000\) must exceed timeoutMs \(10000\) plus 2000 ms/);
    try {
      build();
    } catch (error) {
      expect(error).toMatchObject({ code: DispatchCode.OptionsInvalid, path: ["leaseMs"] });
    }
  });

  it("refuses non-positive concurrency limits", () => {
    expect(() => createDispatcher({ store: {} as never, triggers: () => undefined, maxInFlight: 0 })).toThrow(
      /maxInFlight must be an integer in \[1, 10000\], got 0/,
    );
  });
});
