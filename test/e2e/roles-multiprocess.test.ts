/**
 * Scale-out for real: `./bin/argus start --role …` as separate OS processes — two ingest (a leader and a standby),
 * two workers, and dispatch — on PostgreSQL, NATS JetStream and Redis, with a real hardhat chain and 100 tenants
 * each watching the token transfers to its own address. While ≥ 300 transfers are mined, a worker, the ingest
 * leader and the dispatcher are SIGKILLed; then every transfer must have reached exactly its tenant's webhook, once:
 * as many distinct webhook-ids as transfers, nothing missing, nothing duplicated, nothing misrouted.
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
  deleteRunStreams,
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
import { startWebhookReceiver, type WebhookReceiver } from "../support/receivers.js";
import { type DeployedToken, deployToken } from "../support/token.js";

const TENANTS = Number(process.env.ROLES_E2E_TENANTS ?? 100);
const TRANSFERS = Number(process.env.ROLES_E2E_TRANSFERS ?? 300);
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("argus start --role: ingest, workers and dispatch as separate processes", () => {
  let node: HardhatNode;
  let receiver: WebhookReceiver;
  let chain: DeployedToken;
  let database: TestDatabase;
  let store: Store;
  const processes: RoleProcess[] = [];
  const run = { tag: "roles", id: randomBytes(4).toString("hex"), natsUrl: NATS_URL, redisUrl: REDIS_URL, shards: 16 };
  const env: NodeJS.ProcessEnv = {};

  const startRole = (name: string, role: string): RoleProcess => {
    const started = startRoleProcess(name, role, env);
    processes.push(started);
    return started;
  };

  const shardsOf = async (role: RoleProcess): Promise<number[]> =>
    ((await role.readyz()).worker as { shards: number[] }).shards;
  const leads = async (role: RoleProcess): Promise<boolean> =>
    Object.values((await role.readyz()).ingest as Record<string, string>).includes("leading");

  beforeAll(async () => {
    [node, receiver, database] = await Promise.all([startHardhat(), startWebhookReceiver(), createTestDatabase()]);
    chain = await deployToken(node);
    store = await createStore({ databaseUrl: database.url });
    await seedTenants(store, {
      count: TENANTS,
      rpcUrl: node.url,
      tokenAddress: chain.address,
      receiverUrl: receiver.url,
    });
    Object.assign(env, roleProcessEnv({ ...run, databaseUrl: database.url }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await store?.close();
    await database?.drop();
    await receiver?.close();
    await node?.close();
    await deleteRunStreams(run);
  });

  it(`delivers ${TRANSFERS} transfers of ${TENANTS} tenants exactly once through kills of a worker, the ingest leader and dispatch`, async () => {
    const ingestA = startRole("ingest-a", "ingest");
    const ingestB = startRole("ingest-b", "ingest");
    const worker1 = startRole("worker-1", "worker");
    const worker2 = startRole("worker-2", "worker");
    let dispatch = startRole("dispatch-1", "dispatch");
    await Promise.all(processes.map((p) => p.url));

    // Two workers split the 16 shards; exactly one ingester leads; the cursor exists (blocks before it are not watched).
    await waitUntil(
      async () =>
        (await shardsOf(worker1)).length + (await shardsOf(worker2)).length === 16 &&
        (await shardsOf(worker2)).length > 0 &&
        (await shardsOf(worker1)).length > 0,
      30_000,
      "both workers to own shards",
    );
    await waitUntil(async () => (await leads(ingestA)) !== (await leads(ingestB)), 30_000, "one ingest leader");
    const network = (await networks.getBySlug(store, null, "hardhat_local"))!;
    await waitUntil(async () => (await cursors.get(store, network.id)) !== null, 30_000, "the ingest cursor");

    const sent: Sent[] = [];
    const killAt = new Map<number, () => Promise<unknown>>([
      [Math.floor(TRANSFERS * 0.25), () => worker1.kill()],
      [
        Math.floor(TRANSFERS * 0.5),
        async () => {
          const leader = (await leads(ingestA)) ? ingestA : ingestB;
          await leader.kill();
        },
      ],
      [
        Math.floor(TRANSFERS * 0.75),
        async () => {
          await dispatch.kill();
          dispatch = startRole("dispatch-2", "dispatch");
        },
      ],
    ]);
    for (let k = 0; k < TRANSFERS; k++) {
      await killAt.get(k)?.();
      const tenant = (k * 7) % TENANTS;
      const { hash } = await chain.transfer(tenantAddress(tenant), BigInt(k + 1));
      sent.push({ tenant, hash });
    }
    await chain.mine(2); // confirmation_blocks: 1

    // The surviving worker took every shard over; the standby ingester leads.
    await waitUntil(async () => (await shardsOf(worker2)).length === 16, 30_000, "worker-2 to own every shard");
    await receiver.waitForRequests(TRANSFERS, 120_000).catch(() => undefined);
    await sleep(2_000); // anything late or duplicated arrives now
    const result = compareDeliveries(sent, receiver.requests);
    expect(result, processes.map((p) => `--- ${p.name}\n${p.output().slice(-3000)}`).join("\n")).toMatchObject({
      missing: [],
      unexpected: [],
      duplicated: [],
      distinctWebhookIds: TRANSFERS,
    });

    // The logs agree: every shard consumer and the dispatch consumer acknowledged everything (no block dropped or
    // stuck), and the store holds one match per transfer.
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const streams = runStreams(run);
      const shardConsumers = [];
      for await (const info of jsm.consumers.list(streams.blocks)) shardConsumers.push(info);
      expect(shardConsumers.map((info) => info.name).sort()).toEqual(
        Array.from({ length: 16 }, (_, n) => `shard-${n}`).sort(),
      );
      for (const info of shardConsumers)
        expect([info.name, info.num_pending, info.num_ack_pending]).toEqual([info.name, 0, 0]);
      const dispatchInfo = await jsm.consumers.info(streams.matches, "dispatch");
      expect([dispatchInfo.num_pending, dispatchInfo.num_ack_pending]).toEqual([0, 0]);
    } finally {
      await nc.close();
    }
    expect(await countMatches(database.url)).toBe(TRANSFERS);
  }, 240_000);
});
