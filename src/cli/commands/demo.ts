import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Abi, type Address, createWalletClient, defineChain, type Hex, http, parseEther } from "viem";
import { type HardhatNode, startHardhat } from "../../devchain/index.js";
import { createLogger } from "../../ops/index.js";
import { startArgus } from "../../runtime/index.js";
import { defineCommand, EXIT_OK, UsageError } from "../command.js";

const demoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples/demo");

/** hardhat's first account deploys at nonce 0, so the demo config can name the token's address in advance. */
const DEMO_TOKEN = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

export const demoCommand = defineCommand({
  name: "demo",
  summary:
    "Run a self-contained demo: a local chain with token traffic, watched by Argus, delivering to a local webhook.",
  usage: "argus demo [--deliveries N]",
  details: "  --deliveries N  Stop after N webhooks were delivered (default: run until Ctrl-C)\n",
  options: { deliveries: { type: "string" } },
  async run(values, io) {
    const wanted = values.deliveries === undefined ? Number.POSITIVE_INFINITY : Number(values.deliveries);
    if (!(wanted > 0)) throw new UsageError(`--deliveries must be a positive integer, got '${values.deliveries}'`);

    io.stdout("Starting a local EVM chain (hardhat) and a local webhook receiver...\n");
    const node = await startHardhat();
    const dataDir = await mkdtemp(path.join(tmpdir(), "argus-demo-"));
    let received = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const receiver = await startReceiver((body) => {
      received++;
      const { title, body: text } = JSON.parse(body) as { title: string; body: string };
      io.stdout(`webhook #${received}: ${title}\n  ${text.replace(/\n+/g, "\n  ").trim()}\n`);
      if (received >= wanted) done();
    });
    const stop = () => done();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      const env = { ...io.env, ARGUS_DEMO_RPC_URL: node.url, ARGUS_DEMO_WEBHOOK_URL: `${receiver.url}/demo` };
      const traffic = await startTraffic(node.url, node.rpc);
      const argus = await startArgus({
        configDir: path.join(demoDir, "config"),
        dataDir,
        port: 0,
        env,
        logger: createLogger({ env: { ARGUS_LOG_LEVEL: io.env.ARGUS_LOG_LEVEL ?? "error" } }),
        allowPrivateNetworks: true,
      });
      io.stdout(
        `Argus is watching the demo chain at ${node.url} with the monitors of examples/demo/config (health: ${argus.url}/readyz; REST API docs: ${argus.url}/api/docs).\nToken transfers are sent every second; matches arrive below as webhooks. Ctrl-C stops.\n`,
      );
      await finished;
      traffic.stop();
      await argus.stop();
      return EXIT_OK;
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      await receiver.close();
      await node.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
});

async function startReceiver(onBody: (body: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      response.writeHead(204).end();
      onBody(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Sends token traffic once a second: transfers of varied size between the node's accounts, and now and then a
 * transfer from an empty account that reverts, so both demo monitors have something to find.
 */
async function startTraffic(url: string, rpc: HardhatNode["rpc"]) {
  const artifact = JSON.parse(readFileSync(path.join(demoDir, "Token.json"), "utf8")) as { abi: Abi; bytecode: Hex };
  const chain = defineChain({
    id: 31337,
    name: "demo",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const accounts = (await rpc("eth_accounts")) as Address[];
  const [deployer, ...others] = accounts as [Address, ...Address[]];
  const wallet = (account: Address) => createWalletClient({ chain, transport: http(url), account });
  const deployHash = await wallet(deployer).deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [parseEther("1000000")],
  });
  const receipt = (await rpc("eth_getTransactionReceipt", [deployHash])) as { contractAddress: string } | null;
  if (receipt?.contractAddress?.toLowerCase() !== DEMO_TOKEN) {
    throw new Error(`the demo token deployed at ${receipt?.contractAddress}, not at ${DEMO_TOKEN} as configured`);
  }
  let round = 0;
  const timer = setInterval(() => {
    round++;
    const to = others[round % others.length]!;
    const amount = parseEther(String([5, 120, 750, 40, 2_000][round % 5]));
    const send =
      round % 4 === 0
        ? // An account that never received tokens: the transfer reverts on-chain.
          wallet(others[others.length - 1]!).writeContract({
            address: DEMO_TOKEN,
            abi: artifact.abi,
            functionName: "transfer",
            args: [to, amount],
            gas: 100_000n,
          })
        : wallet(deployer).writeContract({
            address: DEMO_TOKEN,
            abi: artifact.abi,
            functionName: "transfer",
            args: [to, amount],
          });
    send.catch(() => {});
  }, 1_000);
  return { stop: () => clearInterval(timer) };
}
