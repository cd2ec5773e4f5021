/**
 * Reorgs over the logs: a real reorg on hardhat (`evm_snapshot` / `evm_revert`, then a longer chain) while the match of
 * an orphaned block is still in the match log — dispatch is not running yet when the ingester applies the reorg to
 * the store. Dispatch must store that match `orphaned` with its notification suppressed (never sent), and deliver
 * the new chain's matches. Then: a match whose block the ingester has not recorded yet is held back until it has.
 * In-process logs, PGlite, one tenant per webhook path.
 */
import { randomBytes } from "node:crypto";
import type { Hash } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bus, createMemoryBus } from "../../../src/bus/index.js";
import { type HardhatNode, startHardhat } from "../../../src/devchain/index.js";
import { createDispatcher, createStoreTriggerRegistry, type Dispatcher } from "../../../src/dispatch/index.js";
import type { MonitorMatch } from "../../../src/engine/index.js";
import { createMemoryLeaseManager } from "../../../src/lease/index.js";
import { createLogger, createMetrics } from "../../../src/ops/index.js";
import {
  type DesiredStateFeed,
  type DispatchRole,
  type IngestRole,
  startDispatchRole,
  startIngestRole,
  startWorkerRole,
  type WorkerRole,
  watchDesiredState,
} from "../../../src/roles/index.js";
import { createMemoryMembership, parseShardOptions } from "../../../src/shard/index.js";
import {
  blockHashes,
  createStore,
  cursors,
  deliveries,
  matches,
  networks,
  type Store,
} from "../../../src/store/index.js";
import { type RecordedRequest, startWebhookReceiver, type WebhookReceiver } from "../../support/receivers.js";
import { type DeployedToken, deployToken } from "../../support/token.js";
import { createTestDataDir } from "../store/support.js";
import { seedTenants, tenantAddress } from "./support.js";

const logger = createLogger({ level: "silent" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const requestsFor = (requests: readonly RecordedRequest[], hash: string) =>
  requests.filter((request) => request.body.toString().toLowerCase().includes(hash.toLowerCase()));

describe("reorgs with matches in flight in the logs", () => {
  let node: HardhatNode;
  let chain: DeployedToken;
  let receiver: WebhookReceiver;
  let data: Awaited<ReturnType<typeof createTestDataDir>>;
  let store: Store;
  let feed: DesiredStateFeed;
  let bus: Bus;
  let tenantIds: string[];
  let networkId: string;
  let ingest: IngestRole | undefined;
  let worker: WorkerRole | undefined;
  let dispatcher: Dispatcher | undefined;
  let dispatch: DispatchRole | undefined;

  beforeAll(async () => {
    node = await startHardhat();
    receiver = await startWebhookReceiver();
    chain = await deployToken(node);
    data = await createTestDataDir({ migrated: true });
    store = await createStore({ dataDir: data.dir });
    tenantIds = await seedTenants(store, {
      count: 2,
      rpcUrl: node.url,
      tokenAddress: chain.address,
      receiverUrl: receiver.url,
    });
    networkId = (await networks.getBySlug(store, null, "hardhat_local"))!.id;
    feed = await watchDesiredState(store, { env: {}, logger });
    bus = createMemoryBus();
  }, 120_000);

  afterAll(async () => {
    await dispatch?.stop();
    await dispatcher?.drain();
    await worker?.stop();
    await ingest?.stop();
    await bus?.close();
    await feed?.close();
    await store?.close();
    data?.remove();
    await receiver?.close();
    await node?.close();
  });

  const startDispatch = (options: { canonicalWaitMs?: number } = {}) => {
    const triggers = createStoreTriggerRegistry(store, { env: {} });
    dispatcher = createDispatcher({ store, triggers, logger, allowPrivateNetworks: true, metrics: createMetrics() });
    dispatcher.start();
    dispatch = startDispatchRole({
      store,
      matches: bus.matches,
      feed,
      triggers,
      dispatcher,
      logger,
      metrics: createMetrics(),
      ...options,
    });
  };

  it("stores a late match of an orphaned block as orphaned, suppresses its notification, delivers the new chain's", async () => {
    const metrics = createMetrics();
    ingest = startIngestRole({
      store,
      blocks: bus.blocks,
      leases: createMemoryLeaseManager(),
      feed,
      logger,
      metrics,
      leaseRetryMs: 50,
    });
    worker = await startWorkerRole({
      blocks: bus.blocks,
      matches: bus.matches,
      membership: createMemoryMembership({ prefix: `reorg-${randomBytes(4).toString("hex")}:` }),
      workerId: "worker-1",
      shards: parseShardOptions({ shardCount: 4 }),
      feed,
      logger,
      metrics,
    });
    await waitFor(async () => (await cursors.get(store, networkId)) !== null, "the first cursor");
    const head = async () => BigInt(await node.rpc<string>("eth_blockNumber"));

    // The branch that will be abandoned: a transfer in S+1, evaluated once S+2 confirms it. No dispatch yet: its
    // match waits in the match log.
    const snapshot = await node.rpc<string>("evm_snapshot");
    const orphanTx = await chain.transfer(tenantAddress(0), 1111n);
    await node.rpc("evm_mine");
    await waitFor(async () => (await bus.matches.stats()).messages === 1, "the orphaned block's match in the log");
    const orphanBlock = (await blockHashes.get(store, networkId, orphanTx.blockNumber))!;

    // The reorg: a longer chain with two other transfers. The ingester rewinds the store while the match is in flight.
    expect(await node.rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    const canonical: Hash[] = [];
    canonical.push((await chain.transfer(tenantAddress(1), 2222n)).hash);
    canonical.push((await chain.transfer(tenantAddress(0), 3333n)).hash);
    await node.rpc("hardhat_mine", ["0x3"]);
    const top = (await head()) - 1n;
    await waitFor(async () => (await cursors.get(store, networkId))?.blockNumber === top, "the new chain's cursor");
    await waitFor(async () => (await bus.matches.stats()).messages === 3, "the new chain's matches in the log");
    const replaced = await blockHashes.get(store, networkId, orphanTx.blockNumber);
    expect(replaced?.blockHash).not.toBe(orphanBlock.blockHash);
    expect(await metrics.registry.getSingleMetricAsString("argus_ingest_reorgs_total")).toContain(" 1");

    startDispatch();
    await waitFor(() => dispatch?.recorded() === 3, "dispatch to record the three matches");
    await waitFor(
      () => canonical.every((hash) => requestsFor(receiver.requests, hash).length === 1),
      "the new chain's notifications",
    );
    await sleep(1_000); // anything wrongly sent would arrive by now
    expect(requestsFor(receiver.requests, orphanTx.hash)).toEqual([]);
    expect(dispatch?.orphaned()).toBe(1);

    const stored = (await matches.list(store, { tenantId: tenantIds[0]!, limit: 10 })).items;
    const orphan = stored.find((match) => match.txHash === orphanTx.hash);
    expect(orphan).toMatchObject({ status: "orphaned", blockHash: orphanBlock.blockHash });
    const log = (await deliveries.list(store, { tenantId: tenantIds[0]!, limit: 10 })).items;
    expect(log.filter((d) => d.matchId === orphan?.id).map((d) => [d.status, d.suppressedReason])).toEqual([
      ["suppressed", "orphaned"],
    ]);
    const active = [...stored, ...(await matches.list(store, { tenantId: tenantIds[1]!, limit: 10 })).items].filter(
      (match) => match.status === "active",
    );
    expect(active.map((match) => match.txHash).sort()).toEqual([...canonical].sort());
  }, 180_000);

  it("holds back a match whose block is not recorded yet, and stores it once the ingester has", async () => {
    await ingest?.stop();
    ingest = undefined;
    const template = (await matches.list(store, { tenantId: tenantIds[1]!, limit: 1 })).items[0]!;
    // A real match of the log, moved to a block the ingester has not reached (nothing recorded there).
    const peek = await bus.matches.consumer(`peek-${randomBytes(3).toString("hex")}`, { deliverPolicy: "all" });
    const original = (await peek.fetch({ max: 10, expiresMs: 1_000 })).find((m) => m.payload.id === template.id)!;
    const tip = (await cursors.get(store, networkId))!;
    const ahead = tip.blockNumber + 1n;
    const aheadHash = `0x${randomBytes(32).toString("hex")}` as const;
    const late: MonitorMatch = {
      ...original.payload,
      id: `0x${randomBytes(32).toString("hex")}`,
      blockNumber: ahead,
      blockHash: aheadHash,
    };
    const before = dispatch!.recorded();
    await bus.matches.publish(networkId, late, { dedupId: late.id });
    await sleep(1_500);
    expect(await matches.get(store, late.tenantId, late.id)).toBeNull();
    expect(dispatch!.recorded()).toBe(before);

    // The ingester records the block: the match is stored, active (its hash is the canonical one).
    await cursors.advance(store, networkId, { blockNumber: ahead, blockHash: aheadHash, parentHash: tip.blockHash });
    await waitFor(async () => (await matches.get(store, late.tenantId, late.id)) !== null, "the held match");
    expect((await matches.get(store, late.tenantId, late.id))?.status).toBe("active");
  }, 60_000);
});
