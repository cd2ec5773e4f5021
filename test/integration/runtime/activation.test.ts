/**
 * A monitor matches only blocks mined after it became active: `startArgus` in-process (PGlite and PostgreSQL), a
 * hardhat node with an ERC-20, a loopback webhook receiver. Blocks mined while a monitor was paused, while its tenant
 * was suspended, or before it was created on a network nobody watched must never produce its matches, although the
 * watcher catches up through them from its cursor; a monitor that stayed active misses no block.
 *
 * Hardhat stamps a block with max(now, parent + 1) seconds, so quickly mined blocks run ahead of the wall clock. The
 * test waits until the wall clock has passed the chain's last block before each activation: on a real chain the
 * blocks mined during a pause are older than its end.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HardhatNode } from "../../../src/devchain/index.js";
import { importBundle } from "../../../src/portable/index.js";
import type { RunningArgus } from "../../../src/runtime/index.js";
import { cursors, matches, monitors, networks, type Store, tenants } from "../../../src/store/index.js";
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

/** A committed change is in effect this long after it (the hot configuration promise). */
const WITHIN_MS = 1_000;

for (const driver of ["pglite", "postgres"] as DriverName[]) {
  describe(`monitors match only blocks after they became active [${driver}]`, () => {
    let fixture: RuntimeFixture | undefined;
    let node: HardhatNode;
    let receiver: WebhookReceiver;
    let argus: RunningArgus;
    let writer: Store;
    let tokenAddress: Address;
    let transfer: (amount: bigint) => Promise<bigint>;
    let latestTimestamp: () => Promise<number>;
    let mine: (blocks: number) => Promise<void>;

    beforeAll(async () => {
      fixture = await startRuntimeFixture(driver, { api: false });
      ({ node, receiver, argus, writer, transfer } = fixture);
      ({ address: tokenAddress, latestTimestamp, mine } = fixture.token);
    }, 180_000);

    afterAll(async () => {
      await fixture?.close();
      rmSync(scriptOut, { force: true });
    });

    /** What Beta's stored script received on stdin, one document per run. */
    const scriptOut = path.join(tmpdir(), `argus-activation-${driver}-${process.pid}-${Date.now()}.jsonl`);
    const scriptRuns = (): Array<{ monitor_match: { EVM: { monitor: { name: string } } } }> =>
      existsSync(scriptOut)
        ? readFileSync(scriptOut, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line))
        : [];

    /** Values delivered to a tenant's webhook, in arrival order. */
    const deliveredTo = (tenant: string) =>
      receiver.requests
        .filter((request) => request.path === `/${tenant}`)
        .map((request) => JSON.parse(request.body.toString()).body as string);

    /** Returns once the wall clock is in a later second than the chain's last block (see the file comment). */
    const waitForChainPast = async () => {
      const last = await latestTimestamp();
      await waitUntil(() => Math.floor(Date.now() / 1000) > last, 30_000, "the wall clock to pass the chain's clock");
    };

    it("drops what was mined during a pause, a suspension or before creation, and misses nothing else", async () => {
      const acme = await tenants.create(writer, { slug: "acme", name: "Acme" });
      const beta = await tenants.create(writer, { slug: "beta", name: "Beta" });
      const empty = { networks: {}, monitors: {}, triggers: {}, scripts: {} };
      await importBundle(
        writer,
        acme.id,
        { ...empty, networks: { "hardhat_local.json": networkJson(node.url) } },
        {
          platformNetworks: true,
        },
      );
      // The deployment's mint (to the deployer, 10^24) is older than the monitor: never matched.
      await waitForChainPast();
      await importBundle(writer, acme.id, {
        ...empty,
        monitors: { "transfers.json": monitorJson("Transfers", tokenAddress) },
        triggers: { "hooks.json": { hook: webhookTrigger(`${receiver.url}/acme`) } },
      });
      await waitUntil(() => argus.networks().hardhat_local === "running", 30_000, "the network watcher");
      const network = (await networks.getBySlug(writer, null, "hardhat_local"))!;
      const acmeMonitor = (await monitors.getByName(writer, acme.id, "Transfers"))!;
      const setAcmePaused = (paused: boolean) =>
        monitors.save(writer, {
          tenantId: acme.id,
          id: acmeMonitor.id,
          name: "Transfers",
          config: monitorJson("Transfers", tokenAddress, { paused }),
          paused,
        });
      const idle = () => waitUntil(() => argus.networks().hardhat_local === undefined, 30_000, "the watcher to stop");
      const processed = async (block: bigint) =>
        waitUntil(
          async () => ((await cursors.get(writer, network.id))?.blockNumber ?? 0n) >= block,
          20_000,
          `block ${block} to be processed`,
        );
      const processedCount = async () => {
        const text = await argus.metrics.registry.getSingleMetricAsString("argus_ingest_blocks_processed_total");
        return Number(/hardhat_local"\} (\d+)/.exec(text)?.[1] ?? 0);
      };
      // No block is being mined now: the cursor and the counter are read at rest.
      await sleep(300);
      const startCursor = (await cursors.get(writer, network.id))?.blockNumber ?? 0n;
      const startCount = await processedCount();
      /** A transfer, confirmed by one more block, and processed. */
      const confirmedTransfer = async (amount: bigint) => {
        const block = await transfer(amount);
        await mine(1);
        await processed(block);
      };

      // Matching while active.
      await confirmedTransfer(100n);
      await receiver.waitForRequests(1, 30_000);

      // 1. The network's only monitor paused: the watcher stops; what is mined meanwhile is never matched for it,
      //    although the watcher restarts from its cursor and evaluates those blocks on resume.
      await setAcmePaused(true);
      await idle();
      const cursorAtPause = (await cursors.get(writer, network.id))!.blockNumber;
      await transfer(200n);
      await transfer(300n);
      await waitForChainPast();
      await setAcmePaused(false);
      await sleep(WITHIN_MS);
      await confirmedTransfer(400n);
      await receiver.waitForRequests(2, 30_000);
      expect((await cursors.get(writer, network.id))!.blockNumber).toBeGreaterThan(cursorAtPause + 2n);

      // 2. The tenant suspended (the network idles again), then reactivated: the same.
      await tenants.setStatus(writer, acme.id, "suspended");
      await idle();
      await transfer(500n);
      await waitForChainPast();
      await tenants.setStatus(writer, acme.id, "active");
      await sleep(WITHIN_MS);
      await confirmedTransfer(600n);
      await receiver.waitForRequests(3, 30_000);

      // 3. A monitor created on an idle network after blocks with transfers: none of those blocks match for it.
      await setAcmePaused(true);
      await idle();
      await transfer(700n);
      await waitForChainPast();
      // Beta is also notified through a `script` trigger whose script lives in its stored files, not on disk.
      await importBundle(writer, beta.id, {
        ...empty,
        monitors: { "all.json": { ...monitorJson("All", tokenAddress), triggers: ["hook", "run"] } },
        triggers: {
          "hooks.json": {
            hook: webhookTrigger(`${receiver.url}/beta`),
            run: {
              name: "Append",
              trigger_type: "script",
              config: {
                language: "Bash",
                script_path: "./config/scripts/append.sh",
                arguments: null,
                timeout_ms: 5_000,
              },
            },
          },
        },
        scripts: { "scripts/append.sh": `cat >> '${scriptOut}'\necho >> '${scriptOut}'\n` },
      });
      await sleep(WITHIN_MS);
      await confirmedTransfer(800n);
      await receiver.waitForRequests(4, 30_000);

      // 4. Pauses while another tenant keeps the network watched: Beta, active throughout, misses no block.
      await setAcmePaused(false);
      await sleep(WITHIN_MS);
      await confirmedTransfer(900n);
      await setAcmePaused(true);
      await sleep(WITHIN_MS);
      await confirmedTransfer(1000n);
      await setAcmePaused(false);
      await sleep(WITHIN_MS);
      await confirmedTransfer(1100n);
      await receiver.waitForRequests(9, 30_000);
      await sleep(500); // a notification that should not come would have come by now

      expect(deliveredTo("acme")).toEqual(["100", "400", "600", "900", "1100"]);
      expect(deliveredTo("beta")).toEqual(["800", "900", "1000", "1100"]);
      await waitUntil(() => scriptRuns().length === 4, 30_000, "Beta's script notifications");
      expect(scriptRuns().map((run) => run.monitor_match.EVM.monitor.name)).toEqual(["All", "All", "All", "All"]);
      expect((await matches.list(writer, { tenantId: acme.id, limit: 100 })).items.length).toBe(5);
      expect((await matches.list(writer, { tenantId: beta.id, limit: 100 })).items.length).toBe(4);
      // Every block the cursor passed was evaluated exactly once, across the watcher's restarts.
      const endCursor = (await cursors.get(writer, network.id))!.blockNumber;
      expect((await processedCount()) - startCount).toBe(Number(endCursor - startCursor));
    }, 180_000);
  });
}
