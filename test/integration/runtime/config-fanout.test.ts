/**
 * Configuration changes fanned out over Redis pub/sub (real Redis on 127.0.0.1:6379, a unique channel prefix per
 * test): a process that hears a change from PostgreSQL republishes it, and a process that cannot LISTEN (behind a
 * pooler: `listenPostgres: false`) hears it from Redis, down to `startArgus` reconciling its engine.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/ops/index.js";
import { importBundle } from "../../../src/portable/index.js";
import { type ConfigListener, listenConfigChanges } from "../../../src/runtime/config-listener.js";
import { startArgus } from "../../../src/runtime/index.js";
import { type ConfigChange, createStore, monitors, type Store, tenants } from "../../../src/store/index.js";
import { createTestDatabase, createTestDataDir, type TestDatabase, waitFor } from "../store/support.js";
import { bareMonitorJson } from "./support.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const logger = createLogger({ level: "silent" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recorder() {
  const changes: ConfigChange[] = [];
  let reconnects = 0;
  return {
    changes,
    reconnects: () => reconnects,
    onChange: (change: ConfigChange) => changes.push(change),
    onReconnect: () => {
      reconnects += 1;
    },
  };
}

const networkJson = {
  network_type: "EVM",
  slug: "hardhat_local",
  name: "Hardhat Local",
  // Nothing answers there: the watcher need not run, the test looks at what the runtime wants to watch.
  rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: "http://127.0.0.1:9" }, weight: 100 }],
  chain_id: 31337,
  block_time_ms: 250,
  confirmation_blocks: 1,
  cron_schedule: "*/5 * * * * *",
  max_past_blocks: 10,
  store_blocks: false,
};

describe("configuration fan-out over Redis pub/sub", () => {
  let database: TestDatabase;
  let writer: Store;
  let redis: Redis;
  const open: ConfigListener[] = [];
  const prefix = () => `argus-test-${randomBytes(5).toString("hex")}:`;

  beforeAll(async () => {
    database = await createTestDatabase();
    writer = await createStore({ databaseUrl: database.url });
    redis = new Redis(REDIS_URL);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((listener) => listener.close()));
  });
  afterAll(async () => {
    redis?.disconnect();
    await writer?.close();
    await database?.drop();
  });

  const listen = async (options: Parameters<typeof listenConfigChanges>[1]) => {
    const listener = await listenConfigChanges(writer, options);
    open.push(listener);
    return listener;
  };

  it("relays what PostgreSQL announced to processes that only hear Redis, once, on their prefix only", async () => {
    const channelPrefix = prefix();
    const relay = recorder();
    const pooled = recorder();
    const other = recorder();
    await listen({ logger, redis: { url: REDIS_URL, prefix: channelPrefix }, ...relay });
    await listen({ logger, redis: { url: REDIS_URL, prefix: channelPrefix }, listenPostgres: false, ...pooled });
    await listen({ logger, redis: { url: REDIS_URL, prefix: prefix() }, listenPostgres: false, ...other });

    const tenant = await tenants.create(writer, { slug: `fan-${randomBytes(3).toString("hex")}`, name: "Fan" });
    const monitor = await monitors.save(writer, { tenantId: tenant.id, name: "M", config: bareMonitorJson("M") });
    await tenants.setStatus(writer, tenant.id, "suspended");
    const expected: ConfigChange[] = [
      { kind: "monitor", tenantId: tenant.id, id: monitor.id, op: "saved" },
      { kind: "tenant", tenantId: tenant.id, id: tenant.id, op: "status" },
    ];
    await waitFor(() => pooled.changes.length >= 2, 5_000, "the changes over Redis");
    await sleep(300); // a duplicate or an echo would have arrived by now
    // The relay heard PostgreSQL only (its own Redis echo is ignored); the pooled process heard Redis only.
    expect(relay.changes).toEqual(expected);
    expect(pooled.changes).toEqual(expected);
    expect(other.changes).toEqual([]);

    // Anything else on the channel is ignored.
    await redis.publish(`${channelPrefix}config`, "not json");
    await redis.publish(`${channelPrefix}config`, JSON.stringify({ origin: "x", change: { kind: "bogus" } }));
    await tenants.setStatus(writer, tenant.id, "active");
    await waitFor(() => pooled.changes.length >= 3, 5_000, "the next change over Redis");
    expect(pooled.changes[2]).toEqual({ kind: "tenant", tenantId: tenant.id, id: tenant.id, op: "status" });
  });

  it("reconciles after its Redis connection was lost, and hears changes again", async () => {
    const channelPrefix = prefix();
    const relay = recorder();
    const pooled = recorder();
    await listen({ logger, redis: { url: REDIS_URL, prefix: channelPrefix }, ...relay });
    await listen({ logger, redis: { url: REDIS_URL, prefix: channelPrefix }, listenPostgres: false, ...pooled });
    expect(pooled.reconnects()).toBe(0);

    // Kill the fan-out's connections on this channel (by name: other suites' connections are left alone).
    const clients = String(await redis.call("CLIENT", "LIST"))
      .split("\n")
      .filter((line) => line.includes(`name=argus-config-fanout:${channelPrefix}config `));
    expect(clients.length).toBe(4); // two processes, a subscriber and a publisher each
    for (const line of clients) await redis.call("CLIENT", "KILL", "ID", /id=(\d+)/.exec(line)![1]!);
    await waitFor(() => pooled.reconnects() >= 1 && relay.reconnects() >= 1, 10_000, "the fan-out to reconnect");

    const tenant = await tenants.create(writer, { slug: `fan-${randomBytes(3).toString("hex")}`, name: "Fan" });
    await tenants.setStatus(writer, tenant.id, "suspended");
    await waitFor(() => pooled.changes.length >= 1, 5_000, "a change after the reconnect");
    expect(pooled.changes).toEqual([{ kind: "tenant", tenantId: tenant.id, id: tenant.id, op: "status" }]);
  });

  it("reaches a startArgus that cannot LISTEN, through another process's relay, within a second", async () => {
    const channelPrefix = prefix();
    const data = await createTestDataDir();
    const argus = await startArgus({
      dataDir: data.dir,
      databaseUrl: database.url,
      port: 0,
      env: {},
      logger,
      api: false,
      reconcileIntervalMs: 600_000,
      redisUrl: REDIS_URL,
      redisPrefix: channelPrefix,
      listenPostgres: false,
    });
    try {
      const tenant = await tenants.create(writer, { slug: `fan-${randomBytes(3).toString("hex")}`, name: "Fan" });
      const empty = { networks: {}, monitors: {}, triggers: {}, scripts: {} };
      await importBundle(
        writer,
        tenant.id,
        { ...empty, networks: { "hardhat_local.json": networkJson } },
        {
          platformNetworks: true,
        },
      );
      await importBundle(writer, tenant.id, { ...empty, monitors: { "a.json": bareMonitorJson("A") } });
      // Nobody relays yet, and this runtime does not LISTEN: it has not heard of the monitor.
      await sleep(1_500);
      expect(argus.networks()).toEqual({});

      // Another process LISTENs and relays: the next change reaches the runtime, which reconciles in full.
      await listen({ logger, redis: { url: REDIS_URL, prefix: channelPrefix }, ...recorder() });
      const changedAt = Date.now();
      await importBundle(writer, tenant.id, {
        ...empty,
        monitors: { "a.json": bareMonitorJson("A"), "b.json": bareMonitorJson("B") },
      });
      await waitFor(() => "hardhat_local" in argus.networks(), 5_000, "the runtime to watch the network");
      expect(Date.now() - changedAt).toBeLessThan(1_000);
    } finally {
      await argus.stop();
      data.remove();
    }
  });
});
