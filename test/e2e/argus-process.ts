/**
 * Shared pieces of the end-to-end tests that run `./bin/argus start` as a real process against a real hardhat node:
 * the process itself (see also `../support/token.js` for the ERC-20 that makes transfers), an OZ config directory and
 * readings of `/metrics`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Address } from "viem";
import type { HardhatNode } from "../../src/devchain/index.js";
import { type ArgusChild, spawnArgus } from "../support/cli.js";
import { tokenContract } from "../support/token.js";

export interface ConfigFiles {
  network: Record<string, unknown>;
  triggers: Record<string, unknown>;
  monitor: Record<string, unknown>;
}

/** Writes an OZ config directory (one network, one trigger file, one monitor) under `root/config`; returns it. */
export async function writeConfig(root: string, files: ConfigFiles): Promise<string> {
  const config = path.join(root, "config");
  for (const dir of ["networks", "monitors", "triggers"]) await mkdir(path.join(config, dir), { recursive: true });
  await writeFile(path.join(config, `networks/${String(files.network.slug)}.json`), JSON.stringify(files.network));
  await writeFile(path.join(config, "triggers/triggers.json"), JSON.stringify(files.triggers));
  await writeFile(path.join(config, "monitors/monitor.json"), JSON.stringify(files.monitor));
  return config;
}

/** An OZ EVM network file for the hardhat node (HTTP polling). */
export function hardhatNetwork(node: HardhatNode, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
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
    ...overrides,
  };
}

/** A monitor of the token's Transfer events (value in range), sending to `triggers`. */
export function transferMonitor(tokenAddress: Address, triggers: string[]): Record<string, unknown> {
  return {
    name: "Token transfers",
    networks: ["hardhat_local"],
    paused: false,
    addresses: [{ address: tokenAddress, contract_spec: tokenContract().abi }],
    match_conditions: {
      functions: [],
      events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 0 AND value < 1000000" }],
      transactions: [],
    },
    trigger_conditions: [],
    triggers,
  };
}

/** A fast retry policy for triggers (OZ `retry_policy`). */
export function fastRetry(maxRetries: number, maxBackoffMs = 1_000): Record<string, unknown> {
  return {
    max_retries: maxRetries,
    base_for_backoff: 2,
    initial_backoff: { secs: 0, nanos: 200_000_000 },
    max_backoff: { secs: Math.floor(maxBackoffMs / 1000), nanos: (maxBackoffMs % 1000) * 1_000_000 },
    jitter: "full",
  };
}

export { exited } from "../support/cli.js";

export interface ArgusProcess extends ArgusChild {
  /** Sends SIGTERM and resolves with the exit code (a clean stop is 0). */
  stop(): Promise<number | null>;
  /** SIGKILL, for clean-ups. */
  kill(): Promise<number | null>;
}

/**
 * Starts `./bin/argus start` as a real process on a free port, with loopback notification targets allowed, importing
 * `configDir` for the built-in tenant (none: configuration comes through the API).
 */
export function startArgusProcess(
  configDir: string | undefined,
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): ArgusProcess {
  const args = ["start", ...(configDir === undefined ? [] : ["--config-dir", configDir])];
  const argus = spawnArgus("argus", [...args, "--data-dir", dataDir, "--port", "0", "--allow-private-networks"], {
    ARGUS_LOG_LEVEL: "warn",
    ...env,
  });
  return { ...argus, stop: () => argus.kill("SIGTERM"), kill: () => argus.kill("SIGKILL") };
}

/** The value of one Prometheus sample (`name{labels}`), or 0 when it is not exposed yet. */
export async function metric(baseUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  for (const line of text.split("\n")) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return 0;
}

/** Polls `condition` until it holds; throws with `describe()` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
