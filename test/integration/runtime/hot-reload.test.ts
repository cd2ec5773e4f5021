/**
 * Hot configuration on a real chain: `startArgus` in-process on PGlite and on PostgreSQL, a hardhat node with an
 * ERC-20, a loopback webhook receiver. Every change is committed to the store while Argus runs (on PostgreSQL from a
 * second connection pool, so the change reaches the runtime only through NOTIFY), and must be in effect for blocks
 * mined one second later, with no restart and no block skipped.
 */
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HardhatNode } from "../../../src/devchain/index.js";
import { type ConfigBundle, importBundle } from "../../../src/portable/index.js";
import type { RunningArgus } from "../../../src/runtime/index.js";
import { cursors, matches, monitors, networks, type Store, tenants, triggers } from "../../../src/store/index.js";
import type { WebhookReceiver } from "../../support/receivers.js";
import type { DriverName } from "../store/support.js";
import {
  monitorJson,
  networkJson,
  type RuntimeFixture,
  sleep,
  startRuntimeFixture,
  waitUntil,
  webhookTrigger,
} from "./support.js";

/** The promise under test: a committed change is in effect for blocks mined this long after it. */
const WITHIN_MS = 1_000;

for (const driver of ["pglite", "postgres"] as DriverName[]) {
  describe(`hot configuration through startArgus [${driver}]`, () => {
    let fixture: RuntimeFixture | undefined;
    let node: HardhatNode;
    let receiver: WebhookReceiver;
    let argus: RunningArgus;
    /** Where the test commits its changes: Argus's own store on PGlite, a second pool on PostgreSQL. */
    let writer: Store;
    let tokenAddress: Address;
    let transfer: (amount: bigint) => Promise<bigint>;
    let mine: (blocks: number) => Promise<void>;

    beforeAll(async () => {
      fixture = await startRuntimeFixture(driver);
      ({ node, receiver, argus, writer, transfer } = fixture);
      ({ address: tokenAddress, mine } = fixture.token);
    }, 180_000);

    afterAll(async () => {
      await fixture?.close();
    });

    /** Values of the webhook bodies received so far, in arrival order. */
    const delivered = () => receiver.requests.map((request) => JSON.parse(request.body.toString()).body as string);

    it("watches, recompiles, pauses, suspends and resumes from committed changes, each within a second", async () => {
      // Nothing configured: nothing watched.
      expect(argus.networks()).toEqual({});

      // 1. An operator imports the platform network; two tenants import their monitors. The network is watched.
      const acme = await tenants.create(writer, { slug: "acme", name: "Acme" });
      const beta = await tenants.create(writer, { slug: "beta", name: "Beta" });
      const operator: ConfigBundle = {
        networks: { "hardhat_local.json": networkJson(node.url) },
        monitors: {},
        triggers: {},
        scripts: {},
      };
      await importBundle(writer, acme.id, operator, { platformNetworks: true });
      const acmeBundle: ConfigBundle = {
        networks: {},
        monitors: {
          "transfers.json": monitorJson("Transfers", tokenAddress, { expression: "value > 0 AND value < 1000000" }),
        },
        triggers: { "hooks.json": { hook: webhookTrigger(`${receiver.url}/acme`) } },
        scripts: {},
      };
      const changedAt = Date.now();
      await importBundle(writer, acme.id, acmeBundle);
      // Beta watches the same token for an amount nobody sends (the deployment mint is 10^24): it keeps the network watched while Acme pauses.
      await importBundle(writer, beta.id, {
        networks: {},
        monitors: { "whales.json": monitorJson("Whales", tokenAddress, { expression: "value == 1" }) },
        triggers: { "hooks.json": { hook: webhookTrigger(`${receiver.url}/beta`) } },
        scripts: {},
      });
      await waitUntil(() => argus.networks().hardhat_local === "running", 5_000, "the network watcher");
      expect(Date.now() - changedAt).toBeLessThan(3_000);
      const network = (await networks.getBySlug(writer, null, "hardhat_local"))!;
      const monitor = (await monitors.getByName(writer, acme.id, "Transfers"))!;
      const processedCount = async () => {
        const text = await argus.metrics.registry.getSingleMetricAsString("argus_ingest_blocks_processed_total");
        return Number(/hardhat_local"\} (\d+)/.exec(text)?.[1] ?? 0);
      };
      // No block is being mined now: the cursor and the counter are read at rest.
      await sleep(300);
      const startCursor = (await cursors.get(writer, network.id))?.blockNumber ?? 0n;
      const startCount = await processedCount();

      // The engine matches Acme's monitor.
      await transfer(1000n);
      await mine(1);
      await receiver.waitForRequests(1, 10_000);
      expect(delivered()).toEqual(["1000"]);

      // 2. A changed expression is in effect for blocks mined a second later.
      await monitors.save(writer, {
        tenantId: acme.id,
        id: monitor.id,
        name: "Transfers",
        config: monitorJson("Transfers", tokenAddress, { expression: "value > 5000 AND value < 1000000" }),
      });
      await sleep(WITHIN_MS);
      await transfer(2000n);
      await transfer(6000n);
      await mine(1);
      await receiver.waitForRequests(2, 10_000);
      expect(delivered()).toEqual(["1000", "6000"]);

      // 3. A changed trigger (new URL) is used for the next notification.
      await triggers.save(writer, {
        tenantId: acme.id,
        key: "hook",
        triggerType: "webhook",
        config: webhookTrigger(`${receiver.url}/acme-v2`),
      });
      await sleep(WITHIN_MS);
      await transfer(7000n);
      await mine(1);
      await receiver.waitForRequests(3, 10_000);
      expect(receiver.requests.map((r) => r.path)).toEqual(["/acme", "/acme", "/acme-v2"]);

      // 4. Paused: no match from the next block on, while the network keeps being watched.
      await monitors.save(writer, {
        tenantId: acme.id,
        id: monitor.id,
        name: "Transfers",
        config: monitorJson("Transfers", tokenAddress, { expression: "value > 5000 AND value < 1000000" }),
        paused: true,
      });
      await sleep(WITHIN_MS);
      const pausedBlock = await transfer(8000n);
      await mine(1);
      await waitUntil(
        async () => ((await cursors.get(writer, network.id))?.blockNumber ?? 0n) >= pausedBlock,
        10_000,
        "the paused block to be processed",
      );

      // 5. Resumed: matches again from the next block.
      await monitors.save(writer, {
        tenantId: acme.id,
        id: monitor.id,
        name: "Transfers",
        config: monitorJson("Transfers", tokenAddress, { expression: "value > 5000 AND value < 1000000" }),
        paused: false,
      });
      await sleep(WITHIN_MS);
      await transfer(9000n);
      await mine(1);
      await receiver.waitForRequests(4, 10_000);
      expect(delivered()).toEqual(["1000", "6000", "7000", "9000"]);

      // 6. Suspended tenant: no match and no notification; reactivated: matches again.
      await tenants.setStatus(writer, acme.id, "suspended");
      await sleep(WITHIN_MS);
      const suspendedBlock = await transfer(10000n);
      await mine(1);
      await waitUntil(
        async () => ((await cursors.get(writer, network.id))?.blockNumber ?? 0n) >= suspendedBlock,
        10_000,
        "the suspended block to be processed",
      );
      await tenants.setStatus(writer, acme.id, "active");
      await sleep(WITHIN_MS);
      await transfer(11000n);
      await mine(1);
      await receiver.waitForRequests(5, 10_000);
      await sleep(500); // a notification that should not come would have come by now
      expect(delivered()).toEqual(["1000", "6000", "7000", "9000", "11000"]);

      // 7. A changed network config restarts its watcher from the cursor: no block skipped.
      await networks.save(writer, {
        tenantId: null,
        slug: "hardhat_local",
        networkType: "EVM",
        config: networkJson(node.url, 2),
      });
      await sleep(WITHIN_MS);
      await transfer(12000n);
      await mine(2);
      await receiver.waitForRequests(6, 10_000);
      expect(delivered()).toEqual(["1000", "6000", "7000", "9000", "11000", "12000"]);

      // Acme's stored matches are exactly the delivered ones; the cursor passed every block, each evaluated once.
      const stored = await matches.list(writer, { tenantId: acme.id, limit: 100 });
      expect(stored.items.length).toBe(6);
      const endCursor = (await cursors.get(writer, network.id))!.blockNumber;
      // Every block the cursor passed was evaluated; the one network-config restart may evaluate its block in
      // progress again (at-least-once evaluation; match ids make the replay store nothing twice).
      const processed = (await processedCount()) - startCount;
      const advanced = Number(endCursor - startCursor);
      expect(processed).toBeGreaterThanOrEqual(advanced);
      expect(processed).toBeLessThanOrEqual(advanced + 1);
    }, 120_000);
  });
}
