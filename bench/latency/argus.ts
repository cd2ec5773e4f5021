/**
 * The benchmark's Argus side: an OZ config directory (one hardhat network, one transfer monitor, one webhook
 * trigger), Argus started either as `./bin/argus start` in a child process (the default: its own event loop, as in
 * production) or in-process through `startArgus`, and its `/metrics` cursor gauge.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Abi, Address } from "viem";
import { createLogger } from "../../src/ops/index.js";
import { startArgus } from "../../src/runtime/index.js";

export const NETWORK_SLUG = "bench_hardhat";
export const BLOCK_TIME_MS = 500;
/**
 * The lowest valid value: OZ (and so Argus's config validation, compat spec §1 rule 5) rejects `confirmation_blocks:
 * 0`. With 1, block N is processed once block N + 1 appears; the benchmark measures from that moment.
 */
export const CONFIRMATION_BLOCKS = 1;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface BenchConfig {
  rpcUrl: string;
  /** Also list the node's `ws://` URL (type_ `ws_rpc`), so Argus follows `newHeads` instead of polling. */
  wsUrl?: string;
  token: Address;
  abi: Abi;
  webhookUrl: string;
  maxPastBlocks?: number | "unlimited";
}

/** Writes (or rewrites) the config directory. The webhook body is the matching transaction's hash. */
export async function writeConfigDir(dir: string, config: BenchConfig): Promise<void> {
  for (const folder of ["networks", "monitors", "triggers"]) await mkdir(path.join(dir, folder), { recursive: true });
  const rpcUrls: unknown[] = [{ type_: "rpc", url: { type: "Plain", value: config.rpcUrl }, weight: 100 }];
  if (config.wsUrl) rpcUrls.push({ type_: "ws_rpc", url: { type: "Plain", value: config.wsUrl }, weight: 100 });
  await writeFile(
    path.join(dir, "networks", `${NETWORK_SLUG}.json`),
    `${JSON.stringify(
      {
        network_type: "EVM",
        slug: NETWORK_SLUG,
        name: "Benchmark hardhat",
        rpc_urls: rpcUrls,
        chain_id: 31337,
        block_time_ms: BLOCK_TIME_MS,
        confirmation_blocks: CONFIRMATION_BLOCKS,
        cron_schedule: "0 * * * * *",
        ...(config.maxPastBlocks === undefined ? {} : { max_past_blocks: config.maxPastBlocks }),
        store_blocks: false,
      },
      null,
      2,
    )}\n`,
  );
  await writeFile(
    path.join(dir, "triggers", "webhook.json"),
    `${JSON.stringify(
      {
        bench_webhook: {
          name: "Benchmark webhook",
          trigger_type: "webhook",
          config: {
            url: { type: "Plain", value: config.webhookUrl },
            method: "POST",
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an OZ notification template
            message: { title: "Transfer", body: "${transaction.hash}" },
          },
        },
      },
      null,
      2,
    )}\n`,
  );
  await writeFile(
    path.join(dir, "monitors", "transfers.json"),
    `${JSON.stringify(
      {
        name: "Benchmark transfers",
        networks: [NETWORK_SLUG],
        paused: false,
        addresses: [{ address: config.token, contract_spec: config.abi }],
        match_conditions: {
          functions: [],
          // The deploy's mint (10^30) is left out: only the benchmark's transfers notify.
          events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 0 AND value < 1000000000" }],
          transactions: [],
        },
        trigger_conditions: [],
        triggers: ["bench_webhook"],
      },
      null,
      2,
    )}\n`,
  );
}

export type ArgusMode = "child-process" | "in-process";

export interface BenchArgus {
  mode: ArgusMode;
  /** Health and metrics base URL. */
  url: string;
  /** Graceful stop (SIGTERM for the child); resolves when it has exited. */
  stop(): Promise<void>;
  /** CPU time (user + system) the Argus process used so far, in seconds; null where /proc is unavailable. */
  cpuSeconds(): Promise<number | null>;
}

export interface StartBenchArgusOptions {
  mode: ArgusMode;
  configDir: string;
  dataDir: string;
  log: (message: string) => void;
  timeoutMs?: number;
  /** Child process only: write a V8 CPU profile of Argus into this directory when it exits (`--cpu-prof`). */
  cpuProfileDir?: string;
}

export async function startBenchArgus(options: StartBenchArgusOptions): Promise<BenchArgus> {
  return options.mode === "in-process" ? startInProcess(options) : startChild(options);
}

async function startInProcess(options: StartBenchArgusOptions): Promise<BenchArgus> {
  const argus = await startArgus({
    configDir: options.configDir,
    dataDir: options.dataDir,
    port: 0,
    env: process.env,
    logger: createLogger({ level: "warn" }),
    allowPrivateNetworks: true,
  });
  return {
    mode: "in-process",
    url: argus.url,
    stop: () => argus.stop(),
    cpuSeconds: async () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1e6;
    },
  };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function startChild(options: StartBenchArgusOptions): Promise<BenchArgus> {
  const args = [
    "start",
    "--config-dir",
    options.configDir,
    "--data-dir",
    options.dataDir,
    "--port",
    "0",
    "--allow-private-networks",
  ];
  const bin = path.join(repoRoot, "bin/argus");
  // `--cpu-prof` is refused in NODE_OPTIONS: a profiled run starts node on bin/argus explicitly.
  const [command, argv] = options.cpuProfileDir
    ? [process.execPath, ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`, bin, ...args]]
    : [bin, args];
  const child = spawn(command, argv, {
    env: { ...process.env, ARGUS_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim() !== "") options.log(`argus: ${line}`);
  };
  child.stderr?.on("data", forward);
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`argus did not start within ${timeoutMs} ms`)), timeoutMs);
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /Health and metrics: (http:\/\/\S+)\/readyz/.exec(stdout);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`argus exited with ${code} before it was ready`));
      });
    });
    return {
      mode: "child-process",
      url,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited(child);
        clearTimeout(timer);
      },
      cpuSeconds: () => (child.pid === undefined ? Promise.resolve(null) : processCpuSeconds(child.pid)),
    };
  } catch (error) {
    child.kill("SIGKILL");
    await exited(child);
    throw error;
  }
}

/** User + system CPU seconds of a Linux process (`/proc/<pid>/stat`, fields 14 and 15, at 100 ticks per second). */
async function processCpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces; fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / 100 : null;
  } catch {
    return null;
  }
}

/** The `argus_ingest_cursor_block` gauge of the benchmark network, or null before the first block. */
export async function readCursorGauge(url: string): Promise<bigint | null> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = new RegExp(`^argus_ingest_cursor_block\\{network="${NETWORK_SLUG}"\\} (\\d+)`, "m").exec(text);
  return line?.[1] === undefined ? null : BigInt(line[1]);
}

/** Resolves once `/readyz` answers 200 (every network running). */
export async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/readyz`)
      .then((response) => response.status)
      .catch(() => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`argus at ${url} not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
