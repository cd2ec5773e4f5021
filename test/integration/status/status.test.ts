/**
 * The operator view on the real servers: a PostgreSQL store with cursors and deliveries, a PostgreSQL advisory-lock
 * ingest lease, workers in Redis membership, consumers on JetStream, a hardhat node for one network's head. The
 * report (in process and from a real `./bin/argus status` process) must show exactly the numbers put there.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import Fastify from "fastify";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bus, createJetStreamBus, createMemoryBus } from "../../../src/bus/index.js";
import { type BlockCache, createRedisBlockCache } from "../../../src/cache/index.js";
import { type HardhatNode, startHardhat } from "../../../src/devchain/index.js";
import {
  createMemoryLeaseManager,
  createMemoryLeaseSpace,
  createPostgresLeaseManager,
  type LeaseManager,
} from "../../../src/lease/index.js";
import { createRedisMembership, type Membership, parseShardOptions } from "../../../src/shard/index.js";
import {
  collectStatus,
  formatStatus,
  type StatusReport,
  StatusReportSchema,
  statusRoute,
  workerMeta,
} from "../../../src/status/index.js";
import {
  createStore,
  cursors,
  deliveries,
  matches,
  networks,
  type Store,
  type StoredNetwork,
} from "../../../src/store/index.js";
import { runArgus } from "../../support/cli.js";
import { blockEntry, fixtureEvmBlocks } from "../../unit/codec/samples.js";
import {
  createTestDatabase,
  createTestDataDir,
  newMatch,
  seedWorld,
  type TenantWorld,
  type TestDatabase,
} from "../store/support.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

function networkJson(slug: string, url: string) {
  return {
    network_type: "EVM",
    slug,
    name: slug,
    rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: url }, weight: 100 }],
    chain_id: 31337,
    block_time_ms: 1000,
    confirmation_blocks: 1,
    cron_schedule: "*/5 * * * * *",
    max_past_blocks: 50,
    store_blocks: false,
  };
}

async function saveNetwork(store: Store, slug: string, url: string): Promise<StoredNetwork> {
  return networks.save(store, { tenantId: null, slug, networkType: "EVM", config: networkJson(slug, url) });
}

/** A TCP server that accepts connections and never answers: an RPC that hangs. */
async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Six deliveries (three matches × two triggers): one delivered, one dead-lettered, one failed once and waiting for
 * its retry a minute later, three never attempted.
 */
async function seedDeliveries(store: Store, world: TenantWorld): Promise<void> {
  await matches.insertMany(store, [newMatch(world, 10n, 0), newMatch(world, 11n, 0), newMatch(world, 12n, 0)]);
  const owner = "dispatch-test";
  const claimed = await deliveries.claimDue(store, { now: new Date(), limit: 3, owner, leaseMs: 30_000 });
  expect(claimed).toHaveLength(3);
  const results = ["delivered", "permanent_failure", "retryable_failure"] as const;
  for (const [i, { delivery, attempt }] of claimed.entries()) {
    const result = results[i]!;
    await deliveries.recordAttempt(store, {
      deliveryId: delivery.id,
      attempt,
      owner,
      report: {
        result,
        finishedAt: new Date(),
        latencyMs: 5,
        responseCode: result === "delivered" ? 200 : result === "permanent_failure" ? 400 : 503,
        ...(result === "retryable_failure" ? { retryAt: new Date(Date.now() + 60_000) } : {}),
      },
    });
  }
}

describe("argus status on PostgreSQL, Redis, NATS JetStream and hardhat", () => {
  let database: TestDatabase;
  let store: Store;
  let node: HardhatNode;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let leases: LeaseManager;
  let membership: Membership;
  let bus: Bus;
  let cache: BlockCache;
  const redisPrefix = `argus-status-test-${randomBytes(4).toString("hex")}:`;
  const natsPrefix = `argusstatus${randomBytes(4).toString("hex")}`;
  let hardhat: StoredNetwork;
  let cached: StoredNetwork;
  let world: TenantWorld;
  let leasePid: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await createStore({ databaseUrl: database.url });
    [node, silent] = await Promise.all([startHardhat(), startSilentServer()]);
    await node.rpc("hardhat_mine", ["0x14"]); // head 20

    hardhat = await saveNetwork(store, "hardhat_local", node.url);
    cached = await saveNetwork(store, "cached_net", "http://127.0.0.1:1"); // nothing listens: the cache must answer
    await saveNetwork(store, "hanging_net", silent.url);
    world = await seedWorld(store); // its network's stored config is not a complete OZ network
    await cursors.advance(store, hardhat.id, { blockNumber: 15n, blockHash: "0x15" });
    await cursors.advance(store, cached.id, { blockNumber: 100n, blockHash: "0x100" });
    await seedDeliveries(store, world);
    cache = createRedisBlockCache({ url: REDIS_URL, keyPrefix: redisPrefix, headTtlMs: 600_000 });
    await cache.setHead(cached.id, { number: 120n, hash: null });

    // As the roles do: the lease namespace is the deployment's NATS subject prefix.
    leases = createPostgresLeaseManager({ connectionString: database.url, namespace: natsPrefix });
    await leases.acquire(`ingest:${hardhat.id}`);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>(
      "select pid from pg_stat_activity where application_name = 'argus-lease' and datname = current_database()",
    );
    await client.end();
    expect(rows).toHaveLength(1);
    leasePid = rows[0]!.pid;

    membership = createRedisMembership({ url: REDIS_URL, prefix: redisPrefix, ttlMs: 60_000 });
    await membership.join({ id: "worker-a", meta: workerMeta({ shards: [0, 1, 2, 3], tenants: 2, monitors: 5 }) });
    await membership.join({
      id: "worker-b",
      meta: workerMeta({ shards: [4, 5, 6], tenants: 1, monitors: 1, host: "b.local", pid: 42 }),
    });

    bus = await createJetStreamBus({ servers: NATS_URL, subjectPrefix: natsPrefix });
    const sample = blockEntry("eth", fixtureEvmBlocks()[0]!);
    for (const i of [1, 2, 3]) {
      await bus.blocks.publish(hardhat.id, { ...sample, number: BigInt(i), hash: `0x${i}` }, { dedupId: `b${i}` });
    }
    const consumerA = await bus.blocks.consumer("worker-shard-0", { maxAckPending: 1 });
    const first = await consumerA.next({ expiresMs: 5_000 });
    await first!.ack();
    await bus.blocks.consumer("worker-shard-1");
  }, 120_000);

  afterAll(async () => {
    await bus?.close();
    await cache?.close();
    await membership?.close();
    await leases?.close();
    await store?.close();
    await database?.drop();
    await node?.close();
    await silent?.close();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for (const log of ["BLOCKS", "MATCHES"])
      await jsm.streams.delete(`${natsPrefix.toUpperCase()}_${log}`).catch(() => false);
    await nc.close();
  });

  const network = (report: StatusReport, slug: string) => report.networks.items.find((n) => n.slug === slug);

  it("collectStatus() reports heads, cursors and lag, the ingest leader, workers, consumer lag and deliveries", async () => {
    const now = new Date();
    const report = await collectStatus({
      store,
      bus,
      membership,
      leaseBackend: { kind: "postgres", namespace: natsPrefix },
      cache,
      now,
      shards: parseShardOptions({ shardCount: 8 }),
      rpc: { timeoutMs: 500 },
    });
    expect(StatusReportSchema.parse(report)).toEqual(report);
    expect(report.store.driver).toBe("postgres");

    expect(report.networks.state).toBe("ok");
    expect(report.networks.items.map((n) => n.slug)).toEqual(
      ["cached_net", "hanging_net", "hardhat_local", world.network.slug].sort(),
    );
    expect(network(report, "hardhat_local")).toMatchObject({
      id: hardhat.id,
      type: "EVM",
      head: "20",
      headSource: "rpc",
      cursor: "15",
      lag: 5,
    });
    expect(network(report, "hardhat_local")?.cursorAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(network(report, "hardhat_local")?.cursorAgeSeconds).toBeLessThan(120);
    expect(network(report, "cached_net")).toMatchObject({ head: "120", headSource: "cache", cursor: "100", lag: 20 });
    expect(network(report, "hanging_net")).toMatchObject({
      head: null,
      cursor: null,
      lag: null,
      cursorUpdatedAt: null,
      headError: { code: "STATUS_HEAD_TIMEOUT" },
    });
    expect(network(report, world.network.slug)?.headError?.code).toBe("STATUS_NETWORK_UNUSABLE");

    expect(report.ingestLeaders.state).toBe("ok");
    const leader = report.ingestLeaders.items.find((l) => l.networkId === hardhat.id);
    expect(leader?.lease).toBe(`ingest:${hardhat.id}`);
    expect(leader?.holder).toMatchObject({ id: `pg:${leasePid}`, pid: leasePid, application: "argus-lease" });
    expect(report.ingestLeaders.items.filter((l) => l.holder !== null)).toHaveLength(1);

    expect(report.workers).toMatchObject({ state: "ok", shardCount: 8, unownedShards: 1 });
    expect(
      report.workers.items.map((w) => [w.id, w.shards, w.shardsSource, w.tenants, w.monitors, w.host, w.pid]),
    ).toEqual([
      ["worker-a", [0, 1, 2, 3], "announced", 2, 5, null, null],
      ["worker-b", [4, 5, 6], "announced", 1, 1, "b.local", 42],
    ]);

    expect(report.streams.state).toBe("ok");
    expect(report.streams.source).toBe("jetstream");
    const blocks = report.streams.items.find((s) => s.log === "blocks");
    expect(blocks).toMatchObject({ messages: 3, lastSequence: 3 });
    expect(blocks?.consumers.map((c) => [c.name, c.pending, c.ackPending, c.ackFloor])).toEqual([
      ["worker-shard-0", 2, 0, 1],
      ["worker-shard-1", 3, 0, 0],
    ]);
    expect(report.streams.items.find((s) => s.log === "matches")?.consumers).toEqual([]);

    expect(report.deliveries.state).toBe("ok");
    expect(report.deliveries.counts).toMatchObject({
      byStatus: { pending: 4, in_flight: 0, delivered: 1, dead: 1, suppressed: 0 },
      total: 6,
      deadLetters: 1,
      retrying: 1,
    });
    expect(Date.parse(report.deliveries.counts!.oldestDueAt!)).toBeLessThanOrEqual(now.getTime());

    const text = formatStatus(report);
    expect(text).toMatch(/hardhat_local\s+EVM\s+20\s+15\s+5\s/);
    expect(text).toContain(`pg:${leasePid}`);
    expect(text).toMatch(/worker-b\s+b\.local\s+42\s+3\s+1\s+1/);
    expect(text).toMatch(/blocks\s+worker-shard-1\s+3\s+0\s+0\s+0/);
    expect(text).toMatch(/PENDING.*DEAD LETTERS[^\n]*\n4\s+0\s+1\s+1\s+0\s+1/);
  });

  it("a source that does not answer marks only its own part unavailable", async () => {
    const down = createRedisMembership({ url: "redis://127.0.0.1:1", prefix: redisPrefix });
    try {
      const report = await collectStatus({ store, membership: down, now: new Date(), rpc: false });
      expect(report.workers.state).toBe("unavailable");
      expect(report.workers.error?.code).toBe("SHARD_MEMBERSHIP_UNAVAILABLE");
      expect(report.networks.state).toBe("ok");
      expect(network(report, "hardhat_local")).toMatchObject({ head: null, headSource: null, cursor: "15", lag: null });
      expect(report.deliveries.counts?.total).toBe(6);
      expect(report.streams.state).toBe("not_configured");
      expect(report.ingestLeaders.state).toBe("not_configured");
    } finally {
      await down.close();
    }
  });

  it("workers that announce no shards (as the worker role) get the plan the workers compute, with its load", async () => {
    const prefix = `${redisPrefix}computed:`;
    const plain = createRedisMembership({ url: REDIS_URL, prefix, ttlMs: 60_000 });
    try {
      await plain.join({ id: "w1", meta: { pid: 1 } });
      await plain.join({ id: "w2", meta: { pid: 2 } });
      const report = await collectStatus({
        store,
        membership: plain,
        shards: parseShardOptions({ shardCount: 16 }),
        now: new Date(),
        rpc: false,
      });
      expect(report.workers).toMatchObject({ state: "ok", shardCount: 16, unownedShards: 0 });
      const [w1, w2] = report.workers.items;
      expect([w1?.shardsSource, w2?.shardsSource]).toEqual(["computed", "computed"]);
      expect([w1?.pid, w2?.pid]).toEqual([1, 2]);
      const all = [...(w1?.shards ?? []), ...(w2?.shards ?? [])].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 16 }, (_, i) => i));
      // The only active monitor: seedWorld's, on one network, of the built-in tenant.
      expect((w1?.monitors ?? 0) + (w2?.monitors ?? 0)).toBe(1);
      expect((w1?.tenants ?? 0) + (w2?.tenants ?? 0)).toBe(1);
    } finally {
      await plain.close();
    }
  });

  it("`argus status --json` in a real process prints the same numbers from DATABASE_URL, REDIS_URL and NATS_URL", async () => {
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: REDIS_URL,
      ARGUS_REDIS_PREFIX: redisPrefix,
      NATS_URL: NATS_URL,
      ARGUS_NATS_PREFIX: natsPrefix,
      ARGUS_SHARD_COUNT: "8",
      ARGUS_LOG_LEVEL: "silent",
    };
    const run = await runArgus(["status", "--json", "--rpc-timeout", "500"], { env });
    expect(run.code, run.stderr).toBe(0);
    const report = StatusReportSchema.parse(JSON.parse(run.stdout));
    expect(network(report, "hardhat_local")).toMatchObject({ head: "20", cursor: "15", lag: 5, headSource: "rpc" });
    expect(network(report, "cached_net")).toMatchObject({ head: "120", headSource: "cache", cursor: "100", lag: 20 });
    expect(report.ingestLeaders.items.find((l) => l.networkId === hardhat.id)?.holder?.pid).toBe(leasePid);
    expect(report.workers.items.map((w) => w.id)).toEqual(["worker-a", "worker-b"]);
    expect(report.workers.unownedShards).toBe(1);
    expect(report.streams.items.find((s) => s.log === "blocks")?.consumers.map((c) => [c.name, c.pending])).toEqual([
      ["worker-shard-0", 2],
      ["worker-shard-1", 3],
    ]);
    expect(report.deliveries.counts).toMatchObject({ deadLetters: 1, total: 6, retrying: 1 });

    const text = await runArgus(["status", "--no-rpc"], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("Networks (postgres)");
    expect(text.stdout).toMatch(/cached_net\s+EVM\s+120 \(cache\)\s+100\s+20\s/);
    expect(text.stdout).toMatch(/hanging_net\s+EVM\s+-\s+-\s+-/);
    expect(text.stdout).toContain("shards: 7/8 owned");
    expect(text.stdout).toMatch(/worker-shard-0\s+2\s+0/);

    // NATS unreachable: the report still comes, consumer lag is marked unavailable, exit code 1.
    const broken = await runArgus(["status", "--json", "--no-rpc"], {
      env: { ...env, NATS_URL: "nats://127.0.0.1:1" },
    });
    expect(broken.code).toBe(1);
    const partial = StatusReportSchema.parse(JSON.parse(broken.stdout));
    expect(partial.streams.state).toBe("unavailable");
    expect(partial.deliveries.counts?.deadLetters).toBe(1);
  }, 60_000);
});

describe("status embedded: PGlite, in-process leases and bus, GET /platform/status", () => {
  it("reports the in-process lease holder and memory consumers, served through statusRoute", async () => {
    const data = await createTestDataDir({ migrated: true });
    const store = await createStore({ dataDir: data.dir });
    const space = createMemoryLeaseSpace();
    const leases = createMemoryLeaseManager({ space });
    const bus = createMemoryBus();
    try {
      const world = await seedWorld(store);
      await cursors.advance(store, world.network.id, { blockNumber: 7n, blockHash: "0x7" });
      await seedDeliveries(store, world);
      await leases.acquire(`ingest:${world.network.id}`);
      await bus.matches.consumer("dispatch");

      const collect = () =>
        collectStatus({ store, bus, leaseBackend: { kind: "memory", space }, now: new Date(), rpc: false });
      const app = Fastify();
      // The REST API's compilers: zod schemas validate and filter what goes out.
      app.setValidatorCompiler(() => () => true);
      app.setSerializerCompiler(
        ({ schema }) =>
          (value) =>
            JSON.stringify(StatusReportSchema === schema ? StatusReportSchema.parse(value) : value),
      );
      await app.register(
        statusRoute({
          collect,
          authorize: (request) => {
            if (request.headers["x-operator"] !== "yes")
              throw Object.assign(new Error("operators only"), { statusCode: 403 });
          },
        }),
        { prefix: "/api/v1" },
      );
      const refused = await app.inject({ method: "GET", url: "/api/v1/platform/status" });
      expect(refused.statusCode).toBe(403);
      const response = await app.inject({
        method: "GET",
        url: "/api/v1/platform/status",
        headers: { "x-operator": "yes" },
      });
      expect(response.statusCode).toBe(200);
      const report = StatusReportSchema.parse(response.json());
      expect(report.store.driver).toBe("pglite");
      expect(report.networks.items).toEqual([
        expect.objectContaining({ id: world.network.id, cursor: "7", head: null, lag: null }),
      ]);
      expect(report.ingestLeaders).toMatchObject({
        state: "ok",
        source: "memory",
        items: [{ networkId: world.network.id, holder: { id: leases.holderId } }],
      });
      expect(report.streams.source).toBe("memory");
      expect(report.streams.items.find((s) => s.log === "matches")?.consumers.map((c) => c.name)).toEqual(["dispatch"]);
      expect(report.workers.state).toBe("not_configured");
      expect(report.deliveries.counts?.byStatus).toEqual({
        pending: 4,
        in_flight: 0,
        delivered: 1,
        dead: 1,
        suppressed: 0,
      });
      await app.close();
    } finally {
      await leases.close();
      await bus.close();
      await store.close();
      data.remove();
    }
  }, 60_000);
});
