/**
 * RPC failover with no gap, across separate role processes: the network lists two RPC URLs — the primary (weight
 * 100) is a fault-injecting proxy in front of hardhat, the secondary (weight 50) a pass-through proxy in front of the
 * same node, there only to count what it serves. While token transfers to several tenants are mined, the primary is
 * switched into each failure mode in turn (429 with Retry-After, 500, garbage, truncated bodies, a hang past the
 * client's 30 s time-out, connection resets) and healed again. Then every transfer must have reached its tenant's
 * webhook exactly once, and during each fault the secondary must have served the ingester.
 *
 * The transport keeps the endpoint that last worked (OZ §11: a failed active endpoint moves to the end of the
 * list; nothing brings the primary back on its own), which this test checks after each fault. One failure at the
 * secondary then rotates the ingester back to the primary, so that every fault mode meets a primary in use.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HardhatNode, startHardhat } from "../../src/devchain/index.js";
import { createStore, cursors, networks, type Store } from "../../src/store/index.js";
import {
  compareDeliveries,
  countMatches,
  deleteRunStreams,
  type RoleProcess,
  roleProcessEnv,
  type Sent,
  seedTenants,
  sleep,
  startRoleProcess,
  tenantAddress,
  waitUntil,
} from "../integration/roles/support.js";
import { createTestDatabase, type TestDatabase } from "../integration/store/support.js";
import { FAULT_MODES, type FaultyRpcProxy, startFaultyRpcProxy } from "../support/faulty-rpc-proxy.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/receivers.js";
import { type DeployedToken, deployToken } from "../support/token.js";

const TENANTS = 6;
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** The RPC client's per-request time-out (`createRpcTransport` default, used by `openNetworkClient`). */
const CLIENT_TIMEOUT_MS = 30_000;

describe("argus start --role: the primary RPC endpoint fails in every way, the secondary takes over, no gap", () => {
  let node: HardhatNode;
  let receiver: WebhookReceiver;
  let chain: DeployedToken;
  let database: TestDatabase;
  let store: Store;
  let primary: FaultyRpcProxy;
  let secondary: FaultyRpcProxy;
  const processes: RoleProcess[] = [];
  const run = { tag: "rpcfo", id: randomBytes(4).toString("hex"), natsUrl: NATS_URL, redisUrl: REDIS_URL, shards: 4 };
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    [node, receiver, database] = await Promise.all([startHardhat(), startWebhookReceiver(), createTestDatabase()]);
    chain = await deployToken(node);
    [primary, secondary] = await Promise.all([startFaultyRpcProxy(node.url), startFaultyRpcProxy(node.url)]);
    store = await createStore({ databaseUrl: database.url });
    await seedTenants(store, {
      count: TENANTS,
      rpcUrl: primary.url,
      // Listed secondary first: the weights, not the order, make the primary the first choice.
      rpcUrls: [
        { url: secondary.url, weight: 50 },
        { url: primary.url, weight: 100 },
      ],
      tokenAddress: chain.address,
      receiverUrl: receiver.url,
    });
    Object.assign(env, roleProcessEnv({ ...run, databaseUrl: database.url }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await Promise.all([primary?.close(), secondary?.close()]);
    await store?.close();
    await database?.drop();
    await receiver?.close();
    await node?.close();
    await deleteRunStreams(run);
  });

  it("delivers every transfer exactly once while the primary returns 429, 500, garbage, truncated bodies, hangs and resets", async () => {
    const ingest = startRoleProcess("ingest", "ingest", env);
    const worker = startRoleProcess("worker", "worker", env);
    const dispatch = startRoleProcess("dispatch", "dispatch", env);
    processes.push(ingest, worker, dispatch);
    await Promise.all(processes.map((p) => p.url));
    const network = (await networks.getBySlug(store, null, "hardhat_local"))!;
    await waitUntil(async () => (await cursors.get(store, network.id)) !== null, 60_000, "the ingest cursor");
    await waitUntil(
      async () => ((await worker.readyz()).worker as { shards: number[] }).shards.length === 4,
      30_000,
      "the worker to own every shard",
    );
    const diagnostics = () => processes.map((p) => `--- ${p.name}\n${p.output().slice(-3000)}`).join("\n");

    // Transfers keep coming, one block each, whatever the endpoints do.
    const sent: Sent[] = [];
    let sending = true;
    const sender = (async () => {
      for (let k = 0; sending; k++) {
        const tenant = k % TENANTS;
        const { hash } = await chain.transfer(tenantAddress(tenant), BigInt(k + 1));
        sent.push({ tenant, hash });
        await sleep(150);
      }
    })();

    try {
      // The primary serves; the secondary is idle.
      await waitUntil(() => primary.stats().served >= 20 && sent.length >= 3, 30_000, "the primary to serve");
      expect(secondary.stats().served).toBe(0);

      const phases: Array<{ mode: string; faulted: number; secondaryServed: number; transfers: number }> = [];
      for (const mode of FAULT_MODES) {
        const before = { primary: primary.stats(), secondary: secondary.stats(), sent: sent.length };
        primary.setMode(mode);
        await waitUntil(
          () =>
            primary.stats().faulted[mode] > before.primary.faulted[mode] &&
            secondary.stats().served >= before.secondary.served + 10 &&
            sent.length >= before.sent + 5,
          mode === "hang" ? CLIENT_TIMEOUT_MS + 20_000 : 20_000,
          `the secondary to serve while the primary is in ${mode}`,
        );
        await sleep(500); // the fault lasts a while longer
        primary.setMode("pass");
        const after = { primary: primary.stats(), secondary: secondary.stats() };
        phases.push({
          mode,
          faulted: after.primary.faulted[mode] - before.primary.faulted[mode],
          secondaryServed: after.secondary.served - before.secondary.served,
          transfers: sent.length - before.sent,
        });

        // Healed, the primary gets nothing: the ingester stays on the secondary (OZ §11). Requests still hanging
        // from the fault end at the client's time-out first (each would rotate away from the primary again).
        await waitUntil(() => primary.stats().pending === 0, CLIENT_TIMEOUT_MS + 10_000, "hung requests to end");
        const healed = primary.stats().requests;
        const servedBySecondary = secondary.stats().served;
        await sleep(700);
        expect(primary.stats().requests, `${mode}: requests to the healed primary`).toBe(healed);
        expect(secondary.stats().served).toBeGreaterThan(servedBySecondary);

        // One failure at the secondary rotates the ingester back to the primary.
        secondary.failNext("server-error");
        const served = primary.stats().served;
        await waitUntil(() => primary.stats().served >= served + 10, 10_000, "the ingester back on the primary");
        const backOnPrimary = secondary.stats().served;
        await sleep(500);
        expect(secondary.stats().served, `${mode}: the secondary after the switch back`).toBe(backOnPrimary);
      }
      for (const phase of phases) {
        expect(phase.faulted, phase.mode).toBeGreaterThan(0);
        expect(phase.secondaryServed, phase.mode).toBeGreaterThanOrEqual(10);
        expect(phase.transfers, phase.mode).toBeGreaterThanOrEqual(5);
      }
    } finally {
      sending = false;
      await sender;
    }
    await chain.mine(2); // confirmation_blocks: 1

    await receiver.waitForRequests(sent.length, 60_000).catch(() => undefined);
    await sleep(1_500); // anything late or duplicated arrives now
    const result = compareDeliveries(sent, receiver.requests);
    expect(result, diagnostics()).toMatchObject({
      missing: [],
      unexpected: [],
      duplicated: [],
      distinctWebhookIds: sent.length,
    });
    for (const p of processes) expect(p.alive(), `${p.name} is still running\n${diagnostics()}`).toBe(true);

    expect(await countMatches(database.url)).toBe(sent.length);
  }, 240_000);
});
