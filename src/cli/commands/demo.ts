import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Abi, type Address, createWalletClient, defineChain, type Hex, http, parseEther } from "viem";
import { openNetworkClient } from "../../chains/index.js";
import { formatProblem, hasErrors, loadConfigDir } from "../../config/index.js";
import { type HardhatNode, startHardhat } from "../../devchain/index.js";
import { evaluateBlock, type MonitorMatch } from "../../engine/index.js";
import { defineCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";

const demoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples/demo");

/** hardhat's first account deploys at nonce 0, so the demo config can name the token's address in advance. */
const DEMO_TOKEN = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

export const demoCommand = defineCommand({
  name: "demo",
  summary: "Run a self-contained demo: a local chain with token traffic, watched by the monitors in examples/demo/.",
  usage: "argus demo [--blocks N]",
  details: "  --blocks N  Stop after N blocks have been evaluated (default: run until Ctrl-C)\n",
  options: { blocks: { type: "string" } },
  async run(values, io) {
    const maxBlocks = values.blocks === undefined ? Number.POSITIVE_INFINITY : Number(values.blocks);
    if (!(maxBlocks > 0)) throw new UsageError(`--blocks must be a positive integer, got '${values.blocks}'`);

    io.stdout("Starting a local EVM chain (hardhat)...\n");
    const node = await startHardhat();
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      const env = { ...io.env, ARGUS_DEMO_RPC_URL: node.url };
      const config = await loadConfigDir(path.join(demoDir, "config"), { env });
      if (hasErrors(config.problems)) {
        for (const problem of config.problems) io.stderr(`${formatProblem(problem)}\n`);
        return EXIT_FAILURE;
      }
      const network = config.networks.get("demo_local");
      if (!network) throw new UsageError("examples/demo/config has no 'demo_local' network");
      const traffic = await startTraffic(node.url, node.rpc, stop.signal);
      const definitions = [...config.monitors.values()].map(({ monitor }) => ({
        id: monitor.name,
        tenantId: "demo",
        version: 1,
        monitor,
      }));
      const client = openNetworkClient(network);
      const { compiled } = await client.compile(definitions);
      io.stdout(
        `Watching ${network.name} at ${node.url} with ${definitions.length} monitors: ${definitions.map((d) => `'${d.id}'`).join(", ")}\n`,
      );

      let next = (await client.latestBlockNumber()) + 1n;
      let evaluated = 0;
      while (!stop.signal.aborted && evaluated < maxBlocks) {
        const head = await client.latestBlockNumber();
        for (; next <= head && evaluated < maxBlocks; next++, evaluated++) {
          const block = await client.fetchBlock(next);
          const { matches } = evaluateBlock(compiled, network.slug, block);
          io.stdout(`block ${next}: ${block.transactions.length} tx, ${matches.length} match(es)\n`);
          for (const match of matches) io.stdout(describeMatch(match));
        }
        await sleep(300, stop.signal);
      }
      traffic.stop();
      client.close();
      return EXIT_OK;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await node.close();
    }
  },
});

function describeMatch(match: MonitorMatch): string {
  const { payload } = match;
  const reasons = [...(payload.matched_on_args.functions ?? []), ...(payload.matched_on_args.events ?? [])].map(
    (entry) => `${entry.signature} ${entry.args.map((a) => `${a.name}=${a.value}`).join(" ")}`,
  );
  const status = payload.matched_on.transactions[0]?.status ?? "";
  return `  match '${match.monitorId}' tx ${match.transactionHash} ${status} ${reasons.join("; ")}\n`;
}

/**
 * Sends token traffic once a second: transfers of varied size between the node's accounts, and now and then a
 * transfer from an empty account that reverts, so both demo monitors have something to find.
 */
async function startTraffic(url: string, rpc: HardhatNode["rpc"], signal: AbortSignal) {
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
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  return { stop: () => clearInterval(timer) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
