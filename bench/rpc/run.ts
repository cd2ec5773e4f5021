/**
 * RPC cost benchmark: JSON-RPC calls per block when 1, 100 and 1,000 tenants (one ERC-20 transfer monitor each)
 * watch the same hardhat network through one Argus, counted by a proxy in front of the node (every method; a batch
 * counts each call in it). The baseline, measured in the same run, is one OZ-style instance per tenant: the calls
 * per block of Argus with one tenant, times N. Fetch once, fan out: Argus's figure should not move with N.
 *
 * One Argus (`startArgus`, the runtime built from the store) runs throughout; before each phase the benchmark adds
 * tenants and their monitors through the store repositories, reloads, mines an empty block and waits until the
 * cursor has caught up to the one before it, resets the counters, mines `blocks` blocks with one transfer each (sent to the node directly, not through the proxy) at
 * a steady pace, mines one more to confirm the last (`confirmation_blocks: 1`), and waits for the cursor again.
 * Blocks processed = the cursor's advance in the store. Head polling is wall-clock driven, so every phase has the
 * same pace and length.
 *
 * Usage: `npx tsx bench/rpc/run.ts [--quick] [--tenants 1,100,1000] [--blocks N] [--interval-ms MS]
 * [--database-url URL]`. Prints one JSON document to stdout; progress goes to stderr.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createLogger } from "../../src/ops/index.js";
import { type RunningArgus, startArgus } from "../../src/runtime/index.js";
import { cursors, monitors, networks, type Store, type StoredNetwork, tenants } from "../../src/store/index.js";
import { type BenchChain, startBenchChain } from "../latency/chain.js";
import { round } from "../stats.js";
import { type RpcCounts, startCountingProxy } from "./proxy.js";

export interface RpcBenchOptions {
  /** Tenant counts, ascending; the first is the baseline (normally 1). */
  tenants: number[];
  /** Blocks mined per phase, one transfer each. */
  blocks: number;
  /** Pause between transfers. */
  intervalMs: number;
  databaseUrl?: string;
}

export interface PhaseResult {
  tenants: number;
  /** Blocks the cursor advanced during the phase. */
  blocks: number;
  calls: number;
  httpRequests: number;
  callsPerBlock: number;
  /** Calls per block by method. */
  methodsPerBlock: Record<string, number>;
  /** One instance per tenant: the 1-tenant calls per block × N. */
  separateInstancesCallsPerBlock: number;
  /** Argus / separate instances: 1/N when Argus fetches once for everyone. */
  ratioVsSeparateInstances: number;
  /** Argus with N tenants / Argus with 1: stays ~1 when RPC cost is constant in tenants. */
  vsOneTenant: number;
}

export interface RpcBenchReport {
  benchmark: "rpc-calls-per-block";
  settings: RpcBenchOptions & { confirmationBlocks: number; blockTimeMs: number; store: "pglite" | "postgres" };
  machine: { cpus: number; loadavg: number[] };
  results: PhaseResult[];
  durationMs: number;
}

const NETWORK_SLUG = "hardhat_bench";
const BLOCK_TIME_MS = 1_000; // head polled every max(100 ms, block_time / 4) = 250 ms
const CONFIRMATIONS = 1;
const TRANSFER = "Transfer(address,address,uint256)";

/** A phase's figures against the 1-tenant baseline's calls per block (`baseline` = its own for the first phase). */
export function phaseResult(tenantCount: number, blocks: number, counts: RpcCounts, baseline?: number): PhaseResult {
  const perBlock = blocks > 0 ? counts.calls / blocks : Number.NaN;
  const base = baseline ?? perBlock;
  const separate = base * tenantCount;
  const methodsPerBlock = Object.fromEntries(
    Object.entries(counts.methods)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([method, n]) => [method, round(blocks > 0 ? n / blocks : Number.NaN, 3)]),
  );
  return {
    tenants: tenantCount,
    blocks,
    calls: counts.calls,
    httpRequests: counts.httpRequests,
    callsPerBlock: round(perBlock, 3),
    methodsPerBlock,
    separateInstancesCallsPerBlock: round(separate, 3),
    ratioVsSeparateInstances: round(perBlock / separate, 5),
    vsOneTenant: round(perBlock / base, 3),
  };
}

function networkJson(url: string) {
  return {
    network_type: "EVM",
    slug: NETWORK_SLUG,
    name: "Hardhat (bench)",
    rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: url }, weight: 100 }],
    chain_id: 31337,
    block_time_ms: BLOCK_TIME_MS,
    confirmation_blocks: CONFIRMATIONS,
    cron_schedule: "*/30 * * * * *",
    max_past_blocks: "unlimited",
    store_blocks: false,
  };
}

function monitorJson(name: string, chain: BenchChain) {
  return {
    name,
    networks: [NETWORK_SLUG],
    paused: false,
    addresses: [{ address: chain.token, contract_spec: chain.abi }],
    match_conditions: { functions: [], events: [{ signature: TRANSFER, expression: "value > 0" }], transactions: [] },
    trigger_conditions: [],
    triggers: [],
  };
}

/** Tenants `from`…`to - 1`, each with one ERC-20 transfer monitor, through the store's repositories. */
async function addTenants(store: Store, from: number, to: number, chain: BenchChain): Promise<void> {
  for (let i = from; i < to; i++) {
    const tenant = await tenants.create(store, { slug: `bench-${i}`, name: `Bench tenant ${i}` });
    await monitors.save(store, { tenantId: tenant.id, name: "transfers", config: monitorJson("transfers", chain) });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

async function cursorOf(store: Store, network: StoredNetwork): Promise<bigint> {
  return (await cursors.get(store, network.id))?.blockNumber ?? -1n;
}

/** Until every block the node has, but the unconfirmed tip, is processed. */
async function waitCaughtUp(argus: RunningArgus, network: StoredNetwork, chain: BenchChain): Promise<bigint> {
  const target = (await chain.blockNumber()) - BigInt(CONFIRMATIONS);
  await waitFor(async () => (await cursorOf(argus.store, network)) >= target, 120_000, `the cursor to reach ${target}`);
  return cursorOf(argus.store, network);
}

export async function runRpcBenchmark(
  options: RpcBenchOptions,
  log: (message: string) => void,
): Promise<RpcBenchReport> {
  const started = Date.now();
  const root = await mkdtemp(path.join(tmpdir(), "argus-bench-rpc-"));
  let chain: BenchChain | undefined;
  let proxy: Awaited<ReturnType<typeof startCountingProxy>> | undefined;
  let argus: RunningArgus | undefined;
  try {
    chain = await startBenchChain();
    proxy = await startCountingProxy(chain.node.url);
    argus = await startArgus({
      dataDir: path.join(root, "data"),
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      port: 0,
      env: {},
      logger: createLogger({ level: "silent" }),
      allowPrivateNetworks: true,
      reconcileIntervalMs: 600_000,
    });
    const store = argus.store;
    const network = await networks.save(store, {
      tenantId: null,
      slug: NETWORK_SLUG,
      networkType: "EVM",
      config: networkJson(proxy.url),
    });
    const results: PhaseResult[] = [];
    let created = 0;
    for (const count of options.tenants) {
      const seeding = Date.now();
      await addTenants(store, created, count, chain);
      created = count;
      await argus.reload();
      await waitFor(() => argus?.networks()[NETWORK_SLUG] === "running", 60_000, "the network watcher");
      log(`${count} tenant(s) seeded in ${Date.now() - seeding} ms; waiting for the cursor`);
      await waitCaughtUp(argus, network, chain);
      // Every phase then processes the same blocks: one empty block (the tip left unconfirmed), then the transfers.
      await chain.node.rpc("hardhat_mine", ["0x1"]);
      const from = await waitCaughtUp(argus, network, chain);
      proxy.reset();
      for (let i = 0; i < options.blocks; i++) {
        await chain.transfer(1n + BigInt(i));
        await sleep(options.intervalMs);
      }
      await chain.node.rpc("hardhat_mine", ["0x1"]); // confirms the last transfer's block
      const to = await waitCaughtUp(argus, network, chain);
      const counts = proxy.counts();
      const result = phaseResult(count, Number(to - from), counts, results[0]?.callsPerBlock);
      log(`${count} tenant(s): ${result.blocks} blocks, ${result.calls} calls, ${result.callsPerBlock} calls/block`);
      results.push(result);
    }
    return {
      benchmark: "rpc-calls-per-block",
      settings: {
        ...options,
        confirmationBlocks: CONFIRMATIONS,
        blockTimeMs: BLOCK_TIME_MS,
        store: options.databaseUrl ? "postgres" : "pglite",
      },
      machine: { cpus: cpus().length, loadavg: loadavg().map((v) => round(v, 2)) },
      results,
      durationMs: Date.now() - started,
    };
  } finally {
    await argus?.stop().catch(() => {});
    await proxy?.close().catch(() => {});
    await chain?.close().catch(() => {});
    await rm(root, { recursive: true, force: true });
  }
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): RpcBenchOptions {
  const options: RpcBenchOptions = { tenants: [1, 100, 1_000], blocks: 30, intervalMs: 400 };
  if (env.DATABASE_URL) options.databaseUrl = env.DATABASE_URL;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    const integer = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === "--quick") Object.assign(options, { tenants: [1, 10, 100], blocks: 10 });
    else if (arg === "--blocks") options.blocks = integer();
    else if (arg === "--interval-ms") options.intervalMs = integer();
    else if (arg === "--database-url") options.databaseUrl = value();
    else if (arg === "--tenants") {
      const list = value()
        .split(",")
        .map((part) => Number(part.trim()));
      if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
        throw new Error("--tenants needs a comma-separated list of positive integers");
      }
      options.tenants = [...new Set(list)].sort((a, b) => a - b);
    } else {
      throw new Error(
        `unknown argument ${arg} (expected --quick, --tenants 1,100,1000, --blocks N, --interval-ms MS, --database-url URL)`,
      );
    }
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (message: string) => process.stderr.write(`[bench:rpc] ${message}\n`);
  runRpcBenchmark(parseArgs(process.argv.slice(2), process.env), log)
    .then((report) => process.stdout.write(`${JSON.stringify(report, null, 2)}\n`))
    .catch((error: unknown) => {
      log(`failed: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    });
}
