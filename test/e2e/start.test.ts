import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Address, Hash } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HardhatNode, startHardhat } from "../../src/devchain/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/receivers.js";
import { type DeployedToken, deployToken } from "../support/token.js";
import { type ArgusProcess, hardhatNetwork, startArgusProcess, transferMonitor, writeConfig } from "./argus-process.js";

describe("argus start on a real chain, delivering to a real webhook receiver", () => {
  let node: HardhatNode;
  let receiver: WebhookReceiver;
  let root: string;
  let token: DeployedToken;
  const running: ArgusProcess[] = [];

  beforeAll(async () => {
    node = await startHardhat();
    receiver = await startWebhookReceiver();
    token = await deployToken(node);
    root = await mkdtemp(path.join(tmpdir(), "argus-start-"));
    await writeConfig(root, {
      network: hardhatNetwork(node),
      triggers: {
        local_webhook: {
          name: "Local webhook",
          trigger_type: "webhook",
          config: {
            url: { type: "Plain", value: `${receiver.url}/hook` },
            method: "POST",
            secret: { type: "Plain", value: "whsec-test-secret" },
            headers: { Authorization: "Bearer e2e" },
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an OZ notification template
            message: { title: "Transfer", body: "${transaction.hash} value=${events.0.args.value}" },
          },
        },
      },
      monitor: transferMonitor(token.address, ["local_webhook"]),
    });
  }, 180_000);

  afterAll(async () => {
    for (const argus of running) await argus.kill();
    await receiver?.close();
    await node?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("delivers each transfer once, survives SIGKILL and a restart without skipping or repeating a block", async () => {
    const config = path.join(root, "config");
    const data = path.join(root, "data");
    const first = startArgusProcess(config, data);
    running.push(first);
    const url = await first.url;
    // Readiness and metrics answer.
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 30_000 }).toBe(200);
    const [, alice, bob] = token.accounts as [Address, Address, Address];
    const sent: Hash[] = [];
    for (let i = 1n; i <= 3n; i++) sent.push((await token.transfer(alice, i * 1000n)).hash);
    await node.rpc("hardhat_mine", ["0x2"]); // confirmations
    await receiver.waitForRequests(3, 30_000);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/argus_ingest_blocks_processed_total\{network="hardhat_local"\} \d+/);

    // Kill it hard, let the chain move on without it, then restart from the same data directory.
    await first.kill();
    for (let i = 4n; i <= 6n; i++) sent.push((await token.transfer(bob, i * 1000n)).hash);
    await node.rpc("hardhat_mine", ["0x2"]);
    const second = startArgusProcess(config, data);
    running.push(second);
    await second.url;
    await receiver.waitForRequests(6, 30_000);
    // Give a duplicate time to show up if there were one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const bodies = receiver.requests.map(
      (request) => JSON.parse(request.body.toString()) as { title: string; body: string },
    );
    const hashes = bodies.map((body) => body.body.split(" ")[0]);
    expect(hashes.sort()).toEqual([...sent].sort());
    const ids = receiver.requests.map((request) => request.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(6);
    for (const request of receiver.requests) {
      expect(request.headers["webhook-signature"]).toMatch(/^v1,/);
      expect(request.headers["x-signature"]).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(bodies.map((body) => body.body.split("value=")[1]).sort()).toEqual([
      "1000",
      "2000",
      "3000",
      "4000",
      "5000",
      "6000",
    ]);

    expect(await second.stop()).toBe(0);
  }, 180_000);
});
