/**
 * The roles over the in-process logs, in one process on PGlite: ingest, worker and dispatch wired through the
 * block log and match log (`startRoles` without NATS), a real hardhat chain, many tenants. Every transfer reaches
 * exactly its tenant's webhook, once.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HardhatNode, startHardhat } from "../../../src/devchain/index.js";
import { createLogger } from "../../../src/ops/index.js";
import { type RunningRoles, startRoles } from "../../../src/roles/index.js";
import { resolveSettings } from "../../../src/settings/index.js";
import { createStore } from "../../../src/store/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/receivers.js";
import { type DeployedToken, deployToken } from "../../support/token.js";
import { createTestDataDir } from "../store/support.js";
import { compareDeliveries, type Sent, seedTenants, tenantAddress } from "./support.js";

const TENANTS = 12;
const TRANSFERS = 36;

describe("roles over the in-process logs", () => {
  let node: HardhatNode;
  let receiver: WebhookReceiver;
  let chain: DeployedToken;
  let roles: RunningRoles | undefined;
  let data: Awaited<ReturnType<typeof createTestDataDir>>;

  beforeAll(async () => {
    node = await startHardhat();
    receiver = await startWebhookReceiver();
    chain = await deployToken(node);
    data = await createTestDataDir({ migrated: true });
    const store = await createStore({ dataDir: data.dir });
    await seedTenants(store, {
      count: TENANTS,
      rpcUrl: node.url,
      tokenAddress: chain.address,
      receiverUrl: receiver.url,
    });
    await store.close();
  }, 120_000);

  afterAll(async () => {
    await roles?.stop();
    data?.remove();
    await receiver?.close();
    await node?.close();
  });

  it("delivers every transfer to its tenant exactly once", async () => {
    const settings = resolveSettings({
      flags: { role: "ingest,worker,dispatch", port: "0", "data-dir": data.dir, "allow-private-networks": true },
      env: { ARGUS_SHARD_COUNT: "8", ARGUS_REDIS_PREFIX: `roles-mem-${randomBytes(4).toString("hex")}:` },
      cwd: process.cwd(),
    });
    roles = await startRoles({ settings, env: {}, logger: createLogger({ level: "silent" }) });
    expect(roles.bus?.kind).toBe("memory");
    const status = roles.status() as { worker: { shards: number[] } };
    // The only worker owns every shard.
    expect(status.worker.shards).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    const sent: Sent[] = [];
    for (let k = 0; k < TRANSFERS; k++) {
      const tenant = k % TENANTS;
      const { hash } = await chain.transfer(tenantAddress(tenant), BigInt(k + 1));
      sent.push({ tenant, hash });
    }
    await chain.mine(2); // confirmation_blocks: 1
    await receiver.waitForRequests(TRANSFERS, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more may arrive
    const result = compareDeliveries(sent, receiver.requests);
    expect(result).toMatchObject({ missing: [], unexpected: [], duplicated: [], distinctWebhookIds: TRANSFERS });
    expect(receiver.requests).toHaveLength(TRANSFERS);

    // Each of the 8 shard consumers received every block; the worker decoded each one once.
    const blocks = await roles.bus!.blocks.stats();
    const { worker } = roles.status() as { worker: { decoding: { decoded: number; reused: number } } };
    expect(worker.decoding.decoded).toBeLessThanOrEqual(blocks.messages);
    expect(worker.decoding.reused).toBeGreaterThanOrEqual(worker.decoding.decoded * 4);
  }, 120_000);
});
