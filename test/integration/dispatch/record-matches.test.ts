import { afterEach, expect, it } from "vitest";
import { DispatchCode, recordMatches } from "../../../src/dispatch/index.js";
import { deliveries, deliveryId, matches as storedMatches } from "../../../src/store/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/receivers.js";
import { describeStoreContract } from "../store/support.js";
import {
  deliveryOf,
  matchVariants,
  registryFor,
  seedDispatchWorld,
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

const T0 = new Date("2030-01-01T00:00:00Z");
const at = (ms: number) => () => new Date(T0.getTime() + ms);

describeStoreContract("recordMatches", (h) => {
  it("stores each match once with one pending delivery per trigger key, ids deterministic", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, {
      triggers: { ops: webhookTriggerJson(r.url), audit: webhookTriggerJson(`${r.url}/audit`) },
    });
    const [match] = world.matches;
    const result = await recordMatches(h.store, world.matches, {
      networkId: world.network.id,
      triggers: registryFor(h.store),
    });
    expect(result.insertedMatchIds).toEqual([match!.id]);
    expect(result.existingMatchIds).toEqual([]);
    expect(result.droppedMatches).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(result.pendingDeliveryIds).toEqual([deliveryId(match!.id, "ops"), deliveryId(match!.id, "audit")]);
    const stored = await storedMatches.get(h.store, world.tenantId, match!.id);
    expect(stored).toMatchObject({
      monitorId: world.monitor.id,
      monitorVersion: world.monitor.version,
      networkId: world.network.id,
      blockNumber: match!.blockNumber,
      blockHash: match!.blockHash,
      txHash: match!.transactionHash,
      txIndex: match!.transactionIndex,
    });
    // The payload is the OZ match JSON scripts and raw webhooks receive.
    expect(Object.keys(stored!.payload as object)).toEqual(["EVM"]);
    const ops = await deliveryOf(h.store, world.tenantId, deliveryId(match!.id, "ops"));
    expect(ops).toMatchObject({
      status: "pending",
      triggerId: world.storedTriggers.get("ops")!.id,
      triggerKey: "ops",
      channel: "webhook",
      maxAttempts: 4, // 1 + max_retries (3)
      attempts: 0,
    });
  });

  it("recording the same matches again (a replayed block) stores and enqueues nothing new", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, { triggers: { ops: webhookTriggerJson(r.url) } });
    const batch = matchVariants(world, 3);
    const ctx = { networkId: world.network.id, triggers: registryFor(h.store) };
    const first = await recordMatches(h.store, batch, ctx);
    expect(first.insertedMatchIds).toHaveLength(3);
    expect(first.pendingDeliveryIds).toHaveLength(3);
    let woken = 0;
    const again = await recordMatches(h.store, batch, { ...ctx, onEnqueued: () => woken++ });
    expect(again.insertedMatchIds).toEqual([]);
    expect(again.pendingDeliveryIds).toEqual([]);
    expect(again.existingMatchIds.sort()).toEqual(batch.map((m) => m.id).sort());
    expect(woken).toBe(0);
    const all = await deliveries.list(h.store, { tenantId: world.tenantId });
    expect(all.items).toHaveLength(3);
  });

  it("an unknown trigger key is a problem and gets no delivery; the monitor's other triggers still do", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, {
      triggers: { ops: webhookTriggerJson(r.url) },
      monitorTriggers: ["missing", "ops", "ops"],
    });
    const result = await recordMatches(h.store, world.matches, {
      networkId: world.network.id,
      triggers: registryFor(h.store),
    });
    expect(result.pendingDeliveryIds).toEqual([deliveryId(world.matches[0]!.id, "ops")]);
    expect(result.problems.map((p) => p.code).sort()).toEqual([
      DispatchCode.TriggerDuplicate,
      DispatchCode.TriggerUnknown,
    ]);
    const unknown = result.problems.find((p) => p.code === DispatchCode.TriggerUnknown)!;
    expect(unknown.context).toMatchObject({
      tenantId: world.tenantId,
      monitorId: world.monitor.id,
      triggerKey: "missing",
    });
    expect(unknown.message).toContain('"missing"');
  });

  it("maxAttempts is 1 + the trigger's max_retries, or the operator's override", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, {
      triggers: { ops: webhookTriggerJson(r.url, { maxRetries: 5 }) },
    });
    const [a, b] = matchVariants(world, 2);
    const ctx = { networkId: world.network.id, triggers: registryFor(h.store) };
    await recordMatches(h.store, [a!], ctx);
    await recordMatches(h.store, [b!], { ...ctx, maxAttempts: () => 9 });
    expect((await deliveryOf(h.store, world.tenantId, deliveryId(a!.id, "ops"))).maxAttempts).toBe(6);
    expect((await deliveryOf(h.store, world.tenantId, deliveryId(b!.id, "ops"))).maxAttempts).toBe(9);
  });

  it("a trigger condition printing true drops the match: not stored, nothing enqueued", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, {
      triggers: { ops: webhookTriggerJson(r.url) },
      triggerConditions: [
        { script_path: "keep.js", language: "JavaScript", arguments: null, timeout_ms: 5_000 },
        { script_path: "drop.js", language: "JavaScript", arguments: null, timeout_ms: 5_000 },
      ],
    });
    const sources = new Map([
      ["keep.js", "console.log(false)"],
      ["drop.js", "console.log(true)"],
    ]);
    const result = await recordMatches(h.store, world.matches, {
      networkId: world.network.id,
      triggers: registryFor(h.store),
      scriptSources: sources,
    });
    expect(result.droppedMatches).toEqual([
      {
        matchId: world.matches[0]!.id,
        tenantId: world.tenantId,
        monitorId: world.monitor.id,
        condition: { index: 1, scriptPath: "drop.js" },
      },
    ]);
    expect(result.insertedMatchIds).toEqual([]);
    expect(result.pendingDeliveryIds).toEqual([]);
    expect(await storedMatches.get(h.store, world.tenantId, world.matches[0]!.id)).toBeNull();
  });

  it("a failing or missing trigger condition keeps the match and reports the problem", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, {
      triggers: { ops: webhookTriggerJson(r.url) },
      triggerConditions: [
        { script_path: "boom.js", language: "JavaScript", arguments: null, timeout_ms: 5_000 },
        { script_path: "absent.js", language: "JavaScript", arguments: null, timeout_ms: 5_000 },
      ],
    });
    const result = await recordMatches(h.store, world.matches, {
      networkId: world.network.id,
      triggers: registryFor(h.store),
      scriptSources: new Map([["boom.js", "throw new Error('boom')"]]),
    });
    expect(result.droppedMatches).toEqual([]);
    expect(result.insertedMatchIds).toEqual([world.matches[0]!.id]);
    expect(result.pendingDeliveryIds).toEqual([deliveryId(world.matches[0]!.id, "ops")]);
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([
      [DispatchCode.ConditionFailed, ["trigger_conditions", 0]],
      [DispatchCode.ConditionFailed, ["trigger_conditions", 1]],
    ]);
  });

  it("throttle: a minimum interval between notifications suppresses the deliveries of matches inside it", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, {
      triggers: { ops: webhookTriggerJson(r.url) },
      throttle: { minIntervalMs: 5_000 },
    });
    const [a, b, c] = matchVariants(world, 3);
    const ctx = { networkId: world.network.id, triggers: registryFor(h.store) };
    const first = await recordMatches(h.store, [a!], { ...ctx, now: at(0) });
    const second = await recordMatches(h.store, [b!], { ...ctx, now: at(1_000) });
    const third = await recordMatches(h.store, [c!], { ...ctx, now: at(5_000) });
    expect(first.pendingDeliveryIds).toEqual([deliveryId(a!.id, "ops")]);
    expect(second.pendingDeliveryIds).toEqual([]);
    expect(second.suppressedDeliveryIds).toEqual([deliveryId(b!.id, "ops")]);
    expect(third.pendingDeliveryIds).toEqual([deliveryId(c!.id, "ops")]);
    // The suppressed match is still stored (a record of what happened), its delivery marked with the reason.
    expect(second.insertedMatchIds).toEqual([b!.id]);
    expect(await deliveryOf(h.store, world.tenantId, deliveryId(b!.id, "ops"))).toMatchObject({
      status: "suppressed",
      suppressedReason: "throttle_cooldown",
    });
  });

  it("throttle: an alert threshold notifies only the Nth match within the window", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, {
      triggers: { ops: webhookTriggerJson(r.url) },
      throttle: { threshold: { count: 3, windowMs: 60_000 } },
    });
    const batch = matchVariants(world, 4);
    const ctx = { networkId: world.network.id, triggers: registryFor(h.store) };
    const results = [];
    for (const [i, match] of batch.entries()) {
      results.push(await recordMatches(h.store, [match], { ...ctx, now: at(i * 1_000) }));
    }
    expect(results.map((res) => res.pendingDeliveryIds.length)).toEqual([0, 0, 1, 0]);
    expect(await deliveryOf(h.store, world.tenantId, deliveryId(batch[0]!.id, "ops"))).toMatchObject({
      status: "suppressed",
      suppressedReason: "throttle_threshold",
    });
  });

  it("throws DISPATCH_NETWORK_UNKNOWN and stores nothing when a match's network has no stored id", async () => {
    const r = await receiver();
    const world = await seedDispatchWorld(h.store, { triggers: { ops: webhookTriggerJson(r.url) } });
    await expect(
      recordMatches(h.store, world.matches, { networkId: () => undefined, triggers: registryFor(h.store) }),
    ).rejects.toMatchObject({ code: DispatchCode.NetworkUnknown });
    expect(await storedMatches.get(h.store, world.tenantId, world.matches[0]!.id)).toBeNull();
  });
});
