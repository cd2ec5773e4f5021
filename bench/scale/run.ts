/**
 * Scale-out benchmark on the real servers (PostgreSQL, Redis, NATS JetStream) with Argus roles as separate OS
 * processes (`./bin/argus start --role …`):
 *
 * 1. **Evaluation throughput** with 1 and 2 worker processes: an ingest process fills the block log with `blocks`
 *    hardhat blocks (one ERC-20 transfer each); then the workers are started on the filled log and the time from the
 *    first shard consumer appearing to every shard consumer having acknowledged every block is measured. Throughput is
 *    reported as blocks/s and block×monitor evaluations/s (`tenants × monitorsPerTenant` monitors; each block matches
 *    one tenant's monitors, so matches are published too). Between the runs the shard consumers are deleted, so the
 *    second run evaluates the same blocks from the start.
 * 2. **Shard move after SIGKILL**: with 2 workers caught up and ingest running, one worker is SIGKILLed and a block
 *    is mined at once; reported is the time until every shard consumer has acknowledged that block (its shards must
 *    first move to the survivor: membership expiry after its TTL, replan, consumer resumed from its ack floor).
 *
 * Usage: `npx tsx bench/scale/run.ts [--quick] [--blocks N] [--tenants N] [--monitors-per-tenant N]`. Needs
 * PostgreSQL (DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, where it creates and drops a database), Redis
 * (REDIS_URL) and NATS (NATS_URL). Prints one JSON document; progress on stderr.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";
import { type Bus, createJetStreamBus } from "../../src/bus/index.js";
import { createStore, cursors, monitors, networks, type Store, tenants } from "../../src/store/index.js";
import { type BenchChain, startBenchChain } from "../latency/chain.js";
import { round } from "../stats.js";

export interface ScaleBenchOptions {
  blocks: number;
  tenants: number;
  monitorsPerTenant: number;
  shardCount: number;
}

export interface ThroughputResult {
  workers: number;
  blocks: number;
  monitors: number;
  /** First shard consumer created → every shard consumer acknowledged every block. */
  durationMs: number;
  blocksPerSecond: number;
  blockMonitorEvaluationsPerSecond: number;
}

export interface ScaleBenchReport {
  benchmark: "scale-out";
  settings: ScaleBenchOptions & { membershipTtlMs: number; ackWaitMs: number };
  machine: { cpus: number; loadavg: number[] };
  throughput: ThroughputResult[];
  /** 2 workers → 1 / 1 worker (ideal 2 on ≥ 2 free cores; this machine's 2 cores also run NATS, PostgreSQL, ingest). */
  speedup: number;
  shardMove: {
    /** Shards of the killed worker (those that acknowledged the block a second or more after the first shard). */
    movedShards: number;
    /** SIGKILL → the first shard (a survivor's) acknowledged the block. */
    survivorShardsMs: number;
    /** SIGKILL → every shard acknowledged it. */
    resumeMs: number;
    note: string;
  };
  durationMs: number;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NETWORK_SLUG = "hardhat_scale";
const TRANSFER = "Transfer(address,address,uint256)";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Throughput from a measured span: blocks/s and block×monitor evaluations/s. */
export function throughput(
  workers: number,
  blocks: number,
  monitorCount: number,
  durationMs: number,
): ThroughputResult {
  const seconds = durationMs / 1_000;
  return {
    workers,
    blocks,
    monitors: monitorCount,
    durationMs: Math.round(durationMs),
    blocksPerSecond: round(blocks / seconds, 1),
    blockMonitorEvaluationsPerSecond: Math.round((blocks * monitorCount) / seconds),
  };
}

interface RoleProcess {
  child: ChildProcess;
  output(): string;
  /** The role's `/readyz` body (its roles' states: a worker's shards, an ingester's networks). */
  readyz(): Promise<string>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function startRole(role: string, env: NodeJS.ProcessEnv): RoleProcess {
  const child = spawn(path.join(repoRoot, "bin/argus"), ["start", "--role", role, "--port", "0"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  return {
    child,
    output: () => output,
    async readyz() {
      const url = /Health and metrics: (http:\/\/\S+)\/readyz/.exec(output)?.[1];
      if (url === undefined) return "(not listening yet)";
      return (await fetch(`${url}/readyz`)).text();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited(child);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited(child);
    },
  };
}

function networkJson(url: string) {
  return {
    network_type: "EVM",
    slug: NETWORK_SLUG,
    name: "Hardhat (scale bench)",
    rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: url }, weight: 100 }],
    chain_id: 31337,
    block_time_ms: 400,
    confirmation_blocks: 1,
    cron_schedule: "*/30 * * * * *",
    max_past_blocks: "unlimited",
    store_blocks: false,
  };
}

/** Tenant i's monitors match transfers of value i + 1: each block (transfer value cycling) matches one tenant. */
async function seed(store: Store, options: ScaleBenchOptions, chain: BenchChain): Promise<string> {
  const network = await networks.save(store, {
    tenantId: null,
    slug: NETWORK_SLUG,
    networkType: "EVM",
    config: networkJson(chain.node.url),
  });
  for (let i = 0; i < options.tenants; i++) {
    const tenant = await tenants.create(store, { slug: `scale-${i}`, name: `Scale ${i}` });
    for (let m = 0; m < options.monitorsPerTenant; m++) {
      await monitors.save(store, {
        tenantId: tenant.id,
        name: `m${m}`,
        config: {
          name: `m${m}`,
          networks: [NETWORK_SLUG],
          paused: false,
          addresses: [{ address: chain.token, contract_spec: chain.abi }],
          match_conditions: {
            functions: [],
            events: [{ signature: TRANSFER, expression: `value == ${i + 1}` }],
            transactions: [],
          },
          trigger_conditions: [],
          triggers: [],
        },
      });
    }
  }
  return network.id;
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const shardConsumers = async (bus: Bus) => (await bus.blocks.lags()).filter((lag) => /^shard-\d+$/.test(lag.name));

/** Every shard consumer exists and has acknowledged everything up to `sequence`. */
async function drained(bus: Bus, shardCount: number, sequence: number): Promise<boolean> {
  const lags = await shardConsumers(bus);
  return lags.length === shardCount && lags.every((lag) => lag.ackFloor >= sequence && lag.ackPending === 0);
}

async function measureWorkers(
  count: number,
  bus: Bus,
  options: ScaleBenchOptions,
  env: NodeJS.ProcessEnv,
  lastSequence: number,
  log: (message: string) => void,
): Promise<{ result: ThroughputResult; workers: RoleProcess[] }> {
  for (const lag of await shardConsumers(bus)) await bus.blocks.deleteConsumer(lag.name);
  const workers = Array.from({ length: count }, (_, i) => startRole("worker", { ...env, ARGUS_WORKER_ID: `w${i}` }));
  const started = await waitFor(
    async () => ((await shardConsumers(bus)).length > 0 ? Date.now() : undefined),
    60_000,
    "the first shard consumer",
  ).catch(async (error: Error) => {
    const states = await Promise.all(workers.map((w) => w.readyz().catch((e: Error) => e.message)));
    throw new Error(`${error.message}\n${workers.map((w, i) => `${w.output()}\n${states[i]}`).join("\n---\n")}`);
  });
  await waitFor(() => drained(bus, options.shardCount, lastSequence), 300_000, "every shard consumer to drain");
  const result = throughput(count, lastSequence, options.tenants * options.monitorsPerTenant, Date.now() - started);
  log(`${count} worker(s): ${result.blocksPerSecond} blocks/s, ${result.blockMonitorEvaluationsPerSecond} evals/s`);
  return { result, workers };
}

export async function runScaleBenchmark(
  options: ScaleBenchOptions,
  log: (message: string) => void,
): Promise<ScaleBenchReport> {
  const begun = Date.now();
  const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const dbName = `argus_bench_${randomBytes(5).toString("hex")}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const prefix = `argusscale${randomBytes(4).toString("hex")}`;
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    NATS_URL: natsUrl,
    ARGUS_REDIS_PREFIX: `${prefix}:`,
    ARGUS_NATS_PREFIX: prefix,
    ARGUS_SHARD_COUNT: String(options.shardCount),
    ARGUS_LOG_LEVEL: "warn",
    ARGUS_ALLOW_PRIVATE_NETWORKS: "true",
  };
  const processes: RoleProcess[] = [];
  let chain: BenchChain | undefined;
  let store: Store | undefined;
  let bus: Bus | undefined;
  await adminQuery(adminUrl, `create database ${dbName}`);
  try {
    chain = await startBenchChain();
    store = await createStore({ databaseUrl });
    const seeding = Date.now();
    const networkId = await seed(store, options, chain);
    log(`seeded ${options.tenants} tenants × ${options.monitorsPerTenant} monitors in ${Date.now() - seeding} ms`);
    bus = await createJetStreamBus({ servers: natsUrl, subjectPrefix: prefix, name: "argus-bench-scale" });

    // Fill the block log: ingest alone, then `blocks` transfers (one block each), then one block to confirm them.
    const ingest = startRole("ingest", env);
    processes.push(ingest);
    const target = async () => (await chain!.blockNumber()) - 1n;
    const cursorAt = async (at: bigint) => ((await cursors.get(store!, networkId))?.blockNumber ?? -1n) >= at;
    const first = await target();
    await waitFor(() => cursorAt(first), 120_000, "the ingester's first cursor").catch((error: Error) => {
      throw new Error(`${error.message}\n${ingest.output()}`);
    });
    for (let i = 0; i < options.blocks; i++) await chain.transfer(BigInt((i % options.tenants) + 1));
    await chain.node.rpc("hardhat_mine", ["0x1"]);
    const filled = await target();
    await waitFor(() => cursorAt(filled), 300_000, "the ingester to publish every block");
    const lastSequence = (await bus.blocks.stats()).lastSequence;
    log(`block log filled: ${lastSequence} blocks`);

    const one = await measureWorkers(1, bus, options, env, lastSequence, log);
    processes.push(...one.workers);
    await Promise.all(one.workers.map((worker) => worker.stop()));
    const two = await measureWorkers(2, bus, options, env, lastSequence, log);
    processes.push(...two.workers);

    // SIGKILL one of the two caught-up workers; the next block must still be evaluated by every shard.
    const victim = two.workers[1] as RoleProcess;
    const before = (await bus.blocks.stats()).lastSequence;
    await victim.kill();
    const killedAt = Date.now();
    await chain.transfer(1n);
    await chain.node.rpc("hardhat_mine", ["0x1"]);
    const next = await waitFor(
      async () => {
        const last = (await bus!.blocks.stats()).lastSequence;
        return last > before ? last : undefined;
      },
      60_000,
      "the next block in the log",
    );
    // When each shard acknowledged the new block: the survivor's own at once, the victim's after they moved.
    const ackedAt = new Map<string, number>();
    await waitFor(
      async () => {
        for (const lag of await shardConsumers(bus!)) {
          if (lag.ackFloor >= next && !ackedAt.has(lag.name)) ackedAt.set(lag.name, Date.now() - killedAt);
        }
        return ackedAt.size === options.shardCount;
      },
      120_000,
      "every shard to evaluate the next block",
    );
    const times = [...ackedAt.values()].sort((a, b) => a - b);
    const resumeMs = times[times.length - 1] ?? 0;
    // Shards that waited more than a second beyond the fastest one were the victim's.
    const moved = times.filter((ms) => ms > (times[0] ?? 0) + 1_000).length;
    log(`shard move after SIGKILL: ${resumeMs} ms`);

    const [t1, t2] = [one.result, two.result];
    return {
      benchmark: "scale-out",
      settings: { ...options, membershipTtlMs: 10_000, ackWaitMs: 10_000 },
      machine: { cpus: cpus().length, loadavg: loadavg().map((v) => round(v, 2)) },
      throughput: [t1, t2],
      speedup: round(t2.blocksPerSecond / t1.blocksPerSecond, 2),
      shardMove: {
        movedShards: moved,
        survivorShardsMs: times[0] ?? 0,
        resumeMs,
        note: "from SIGKILL to every shard consumer having acknowledged the block mined right after; dominated by the membership TTL (a dead worker is noticed when its entry expires)",
      },
      durationMs: Date.now() - begun,
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop().catch(() => {})));
    if (bus !== undefined) {
      const names = [`${prefix.toUpperCase()}_BLOCKS`, `${prefix.toUpperCase()}_MATCHES`];
      const { jetstreamManager } = await import("@nats-io/jetstream");
      const { connect } = await import("@nats-io/transport-node");
      const nc = await connect({ servers: natsUrl });
      const jsm = await jetstreamManager(nc);
      for (const name of names) await jsm.streams.delete(name).catch(() => false);
      await nc.close();
      await bus.close().catch(() => {});
    }
    await store?.close().catch(() => {});
    await chain?.close().catch(() => {});
    await adminQuery(adminUrl, `drop database if exists ${dbName} with (force)`).catch(() => {});
  }
}

export function parseArgs(argv: readonly string[]): ScaleBenchOptions {
  const options: ScaleBenchOptions = { blocks: 300, tenants: 200, monitorsPerTenant: 5, shardCount: 16 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const integer = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === "--quick") Object.assign(options, { blocks: 60, tenants: 50 });
    else if (arg === "--blocks") options.blocks = integer();
    else if (arg === "--tenants") options.tenants = integer();
    else if (arg === "--monitors-per-tenant") options.monitorsPerTenant = integer();
    else if (arg === "--shards") options.shardCount = integer();
    else
      throw new Error(
        `unknown argument ${arg} (expected --quick, --blocks N, --tenants N, --monitors-per-tenant N, --shards N)`,
      );
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (message: string) => process.stderr.write(`[bench:scale] ${message}\n`);
  runScaleBenchmark(parseArgs(process.argv.slice(2)), log)
    .then((report) => process.stdout.write(`${JSON.stringify(report, null, 2)}\n`))
    .catch((error: unknown) => {
      log(`failed: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    });
}
