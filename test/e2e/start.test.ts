import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Address, createPublicClient, createWalletClient, defineChain, type Hash, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HardhatNode, startHardhat } from "../../src/devchain/index.js";
import { repoRoot } from "../support/cli.js";
import { compileContract } from "../support/contracts.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/receivers.js";

const chain = defineChain({
  id: 31337,
  name: "hardhat",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1"] } },
});
const token = compileContract("Token");

interface Argus {
  child: ChildProcess;
  output: () => string;
  url: Promise<string>;
}

/** Starts `./bin/argus start` as a real process; resolves its health URL from its first stdout line. */
function startArgusProcess(configDir: string, dataDir: string): Argus {
  const child = spawn(
    path.join(repoRoot, "bin/argus"),
    ["start", "--config-dir", configDir, "--data-dir", dataDir, "--port", "0", "--allow-private-networks"],
    { env: { ...process.env, ARGUS_LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Health and metrics: (http:\/\/\S+)\/readyz/.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`argus exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output, url };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("argus start on a real chain, delivering to a real webhook receiver", () => {
  let node: HardhatNode;
  let receiver: WebhookReceiver;
  let root: string;
  let tokenAddress: Address;
  let transfer: (to: Address, amount: bigint) => Promise<Hash>;
  let accounts: Address[];
  const running: Argus[] = [];

  beforeAll(async () => {
    node = await startHardhat();
    receiver = await startWebhookReceiver();
    const transport = http(node.url);
    const publicClient = createPublicClient({ chain, transport, cacheTime: 0 });
    accounts = await node.rpc<Address[]>("eth_accounts");
    const wallet = createWalletClient({ chain, transport, account: accounts[0]! });
    const deployHash = await wallet.deployContract({ abi: token.abi, bytecode: token.bytecode, args: [10n ** 24n] });
    tokenAddress = (await publicClient.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;
    transfer = async (to, amount) => {
      const hash = await wallet.writeContract({
        address: tokenAddress,
        abi: token.abi,
        functionName: "transfer",
        args: [to, amount],
      });
      await publicClient.waitForTransactionReceipt({ hash });
      return hash;
    };

    root = await mkdtemp(path.join(tmpdir(), "argus-start-"));
    const config = path.join(root, "config");
    for (const dir of ["networks", "monitors", "triggers"]) await mkdir(path.join(config, dir), { recursive: true });
    await writeFile(
      path.join(config, "networks/hardhat_local.json"),
      JSON.stringify({
        network_type: "EVM",
        slug: "hardhat_local",
        name: "Hardhat Local",
        rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: node.url }, weight: 100 }],
        chain_id: 31337,
        block_time_ms: 500,
        confirmation_blocks: 1,
        cron_schedule: "*/5 * * * * *",
        max_past_blocks: "unlimited",
        store_blocks: false,
      }),
    );
    await writeFile(
      path.join(config, "triggers/webhook.json"),
      JSON.stringify({
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
      }),
    );
    await writeFile(
      path.join(config, "monitors/transfers.json"),
      JSON.stringify({
        name: "Token transfers",
        networks: ["hardhat_local"],
        paused: false,
        addresses: [{ address: tokenAddress, contract_spec: token.abi }],
        match_conditions: {
          functions: [],
          events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 0 AND value < 1000000" }],
          transactions: [],
        },
        trigger_conditions: [],
        triggers: ["local_webhook"],
      }),
    );
  }, 180_000);

  afterAll(async () => {
    for (const argus of running) {
      argus.child.kill("SIGKILL");
      await exited(argus.child);
    }
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
    const [, alice, bob] = accounts as [Address, Address, Address];
    const sent: Hash[] = [];
    for (let i = 1n; i <= 3n; i++) sent.push(await transfer(alice, i * 1000n));
    await node.rpc("hardhat_mine", ["0x2"]); // confirmations
    await receiver.waitForRequests(3, 30_000);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/argus_ingest_blocks_processed_total\{network="hardhat_local"\} \d+/);

    // Kill it hard, let the chain move on without it, then restart from the same data directory.
    first.child.kill("SIGKILL");
    await exited(first.child);
    for (let i = 4n; i <= 6n; i++) sent.push(await transfer(bob, i * 1000n));
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

    second.child.kill("SIGTERM");
    expect(await exited(second.child)).toBe(0);
  }, 180_000);
});
