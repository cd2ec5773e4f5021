/**
 * NATS restarted mid-run: ingest, two workers and dispatch as separate processes on a private NATS JetStream server
 * (its own port and store directory), PostgreSQL, Redis and hardhat. While token transfers to several tenants are
 * mined, the server is stopped for a few seconds — first cleanly (SIGTERM), then by a crash (SIGKILL) — and started
 * again on the same port and store. Every role process must ride through both outages (no exit, no restart), and
 * every transfer must reach its tenant's webhook exactly once; afterwards every consumer has acknowledged everything.
 */
import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HardhatNode, startHardhat } from "../../src/devchain/index.js";
import { createStore, cursors, networks, type Store } from "../../src/store/index.js";
import {
  compareDeliveries,
  countMatches,
  type RoleProcess,
  roleProcessEnv,
  runStreams,
  type Sent,
  seedTenants,
  sleep,
  startRoleProcess,
  tenantAddress,
  waitUntil,
} from "../integration/roles/support.js";
import { createTestDatabase, type TestDatabase } from "../integration/store/support.js";
import { type PrivateNatsServer, startPrivateNatsServer } from "../support/nats-server.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/receivers.js";
import { type DeployedToken, deployToken } from "../support/token.js";

const TENANTS = 8;
const SHARDS = 8;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Long enough for publishes and acks in flight to time out (the bus waits 5 s for an answer). */
const OUTAGE_MS = 5_000;
/** `startDispatchRole`'s default ack wait. */
const DISPATCH_ACK_WAIT_MS = 60_000;

describe("argus start --role: NATS JetStream restarted mid-run", () => {
  let nats: PrivateNatsServer;
  let node: HardhatNode;
  let receiver: WebhookReceiver;
  let chain: DeployedToken;
  let database: TestDatabase;
  let store: Store;
  const processes: RoleProcess[] = [];
  const run = { tag: "natsrs", id: randomBytes(4).toString("hex"), redisUrl: REDIS_URL, shards: SHARDS };
  const streams = runStreams(run);
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    [nats, node, receiver, database] = await Promise.all([
      startPrivateNatsServer(),
      startHardhat(),
      startWebhookReceiver(),
      createTestDatabase(),
    ]);
    chain = await deployToken(node);
    store = await createStore({ databaseUrl: database.url });
    await seedTenants(store, {
      count: TENANTS,
      rpcUrl: node.url,
      tokenAddress: chain.address,
      receiverUrl: receiver.url,
    });
    Object.assign(env, roleProcessEnv({ ...run, databaseUrl: database.url, natsUrl: nats.url }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await store?.close();
    await database?.drop();
    await receiver?.close();
    await node?.close();
    await nats?.close();
  });

  it("loses and duplicates nothing, and no role process exits, through a SIGTERM and a SIGKILL of the server", async () => {
    const ingest = startRoleProcess("ingest", "ingest", env);
    const worker1 = startRoleProcess("worker-1", "worker", env);
    const worker2 = startRoleProcess("worker-2", "worker", env);
    const dispatch = startRoleProcess("dispatch", "dispatch", env);
    processes.push(ingest, worker1, worker2, dispatch);
    await Promise.all(processes.map((p) => p.url));
    const diagnostics = () =>
      [
        ...processes.map((p) => `--- ${p.name}\n${p.output().slice(-4000)}`),
        `--- nats\n${nats.output().slice(-3000)}`,
      ].join("\n");
    const shards = async (worker: RoleProcess) => ((await worker.readyz()).worker as { shards: number[] }).shards;
    const network = (await networks.getBySlug(store, null, "hardhat_local"))!;
    await waitUntil(async () => (await cursors.get(store, network.id)) !== null, 60_000, "the ingest cursor");
    await waitUntil(
      async () => (await shards(worker1)).length + (await shards(worker2)).length === SHARDS,
      30_000,
      "the workers to own every shard",
    );

    const sent: Sent[] = [];
    let sending = true;
    const sender = (async () => {
      for (let k = 0; sending; k++) {
        const tenant = (k * 3) % TENANTS;
        const { hash } = await chain.transfer(tenantAddress(tenant), BigInt(k + 1));
        sent.push({ tenant, hash });
        await sleep(100);
      }
    })();
    /** Everything sent before `count` reached its webhook (later blocks confirm the last of them). */
    const delivered = (count: number) =>
      compareDeliveries(sent.slice(0, count), receiver.requests).missing.length === 0;

    const outages: Array<{ signal: string; sentDuring: number }> = [];
    try {
      await waitUntil(() => sent.length >= 10 && delivered(5), 60_000, "deliveries before the first outage");
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        const before = sent.length;
        await nats.stop(signal);
        expect(nats.running()).toBe(false);
        await sleep(OUTAGE_MS);
        outages.push({ signal, sentDuring: sent.length - before });
        await nats.start();
        const upTo = sent.length;
        await waitUntil(() => delivered(upTo), 90_000, `every transfer sent until the restart after ${signal}`);
      }
    } finally {
      sending = false;
      await sender;
    }
    for (const outage of outages) expect(outage.sentDuring, outage.signal).toBeGreaterThanOrEqual(5);
    await chain.mine(2); // confirmation_blocks: 1

    await receiver.waitForRequests(sent.length, 60_000).catch(() => undefined);
    await sleep(2_000); // anything late or duplicated arrives now
    const result = compareDeliveries(sent, receiver.requests);
    expect(result, diagnostics()).toMatchObject({
      missing: [],
      unexpected: [],
      duplicated: [],
      distinctWebhookIds: sent.length,
    });

    // The same processes, never restarted, are up and ready; the workers still split every shard.
    for (const p of processes) {
      expect(p.alive(), `${p.name} exited\n${diagnostics()}`).toBe(true);
      expect((await p.readyz()).status, p.name).toBe("ready");
    }
    expect((await shards(worker1)).length + (await shards(worker2)).length).toBe(SHARDS);

    // The logs agree: every shard consumer and the dispatch consumer acknowledged everything.
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const unacknowledged = async () => {
        const infos = [];
        for await (const info of jsm.consumers.list(streams.blocks)) infos.push(info);
        expect(infos.map((info) => info.name).sort()).toEqual(Array.from({ length: SHARDS }, (_, n) => `shard-${n}`));
        infos.push(await jsm.consumers.info(streams.matches, "dispatch"));
        return infos
          .map((info) => ({ name: info.name, pending: info.num_pending, ackPending: info.num_ack_pending }))
          .filter((info) => info.pending !== 0 || info.ackPending !== 0);
      };
      // Shard consumers take one block at a time: anything unacknowledged there would be a stuck shard.
      await waitUntil(
        async () => (await unacknowledged()).every((info) => info.name === "dispatch"),
        15_000,
        "every shard consumer to catch up",
      ).catch(() => undefined);
      expect(
        (await unacknowledged()).filter((info) => info.name !== "dispatch"),
        diagnostics(),
      ).toEqual([]);
      // A match stored while its ack was lost to the outage is redelivered after the dispatch consumer's ack wait
      // (60 s) and found stored: it must leave the consumer, and send nothing again (checked below).
      await waitUntil(
        async () => (await unacknowledged()).length === 0,
        DISPATCH_ACK_WAIT_MS + 15_000,
        "dispatch",
      ).catch(() => undefined);
      expect(await unacknowledged(), diagnostics()).toEqual([]);
    } finally {
      await nc.close();
    }
    expect(compareDeliveries(sent, receiver.requests)).toEqual(result);
    expect(await countMatches(database.url)).toBe(sent.length);
  }, 240_000);
});
