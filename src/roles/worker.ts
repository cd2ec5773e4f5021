/**
 * The worker role: tenants hash into shards (`shardOf`), live workers divide the shards among themselves
 * (`assignShards` over the membership, recomputed on every membership or configuration change), and each owned
 * shard is consumed through its own durable consumer `shard-<n>` on the block log — strictly in order
 * (`maxAckPending: 1`), never dropping a block (`maxDeliver: -1`). The shard's acknowledged position therefore lives
 * in the log, not in a worker: a shard moving to another worker (a join, a leave, a crash) resumes exactly after the
 * last block acknowledged, and a block in flight on a dead worker is redelivered after the ack wait.
 *
 * A block is evaluated with an engine compiled from the desired state restricted to the shard's tenants; every
 * match is published to the match log (dedup id = match id) and only then is the block acknowledged. A crash in
 * between re-evaluates the block into the same match ids, which the log and the store deduplicate.
 *
 * The plan in force is shared (`ShardPlanStore`: a Redis key, or in-process): each worker computes the next plan
 * from it — departed workers' shards are placed at once, shards move between live workers only past the rebalance
 * threshold and at most once per `minRebalanceIntervalMs` — and stores a changed plan with a compare-and-set, so
 * racing workers settle on the winner's plan. Workers replan on membership and configuration changes and every
 * `replanIntervalMs` (which also carries out deferred rebalances and adopts plans other workers stored). While
 * workers disagree briefly, two of them may both consume a shard: they share its durable consumer, which hands each
 * block to one of them, one at a time — correctness never depends on the plan, only throughput does.
 *
 * Every shard consumer receives every block; a small cache of decoded entries keyed by stream sequence
 * (`createDecodedCache`) makes a worker decode each block once, however many shards it owns.
 */
import type { BlockLog, LogConsumer, LogMessage, MatchLog } from "../bus/index.js";
import { type NetworkClient, openNetworkClient } from "../chains/index.js";
import type { BlockLogEntry } from "../codec/index.js";
import { type CompiledMonitors, evaluateBlock } from "../engine/index.js";
import type { Logger, Metrics } from "../ops/index.js";
import {
  type ActivationIndex,
  type ActiveMonitorDefinition,
  activationIndex,
  blockTimestamp,
  type DesiredNetwork,
  type DesiredState,
  keepActiveMatches,
} from "../runtime/index.js";
import {
  type AssignShardsInput,
  assignShards,
  type Membership,
  type ShardAssignment,
  type ShardOptions,
  shardOf,
  shardsOwnedBy,
} from "../shard/index.js";
import { workerMeta } from "../status/index.js";
import { createDecodedCache } from "./decoded.js";
import type { DesiredStateFeed } from "./feed.js";
import type { ShardPlanStore } from "./plan.js";

export interface WorkerRoleOptions {
  blocks: BlockLog;
  matches: MatchLog;
  membership: Membership;
  workerId: string;
  shards: ShardOptions;
  feed: DesiredStateFeed;
  logger: Logger;
  metrics: Metrics;
  /**
   * A delivered block not acknowledged within this is redelivered (to whichever worker owns the shard then). The
   * worker signals progress while it works on a block, so this bounds only the takeover after a crash.
   * @default 10_000
   */
  ackWaitMs?: number;
  /**
   * How long an idle shard's pull waits for a block before it is renewed (a block arrives at once whatever this is;
   * a stop or a shard handed over interrupts it). @default 5_000
   */
  pullMs?: number;
  /**
   * The plan in force, shared by the cluster's workers. Without it each worker plans from scratch every time (the
   * same plan for the same members and load, but `minRebalanceIntervalMs` and the threshold cannot apply).
   */
  plans?: ShardPlanStore;
  /** Replan this often even without a change (deferred rebalances, plans stored by other workers). @default 5_000 */
  replanIntervalMs?: number;
  /** Wall clock for the plan's rebalance interval. @default Date.now */
  now?: () => number;
}

export interface WorkerRole {
  readonly workerId: string;
  /** The shards this worker consumes now, ascending. */
  owned(): number[];
  /** Blocks evaluated (acknowledged) by this worker since it started. */
  evaluated(): number;
  /** Block log entries decoded by this worker, and deliveries served by an earlier decoding (other shards). */
  decoding(): { decoded: number; reused: number };
  /** The plan this worker follows (its epoch, and whether it came from the shared store). */
  plan(): { epoch: number; shared: boolean } | null;
  stop(options?: { leave?: boolean }): Promise<void>;
}

interface Engine {
  key: string;
  compiled: CompiledMonitors;
  /** When each monitor became active: its matches of earlier blocks are dropped (as in one process). */
  activation: ActivationIndex;
}

/** A network's monitors split by shard, recomputed once per desired state. */
interface NetworkShards {
  desired: DesiredNetwork;
  byShard: Map<number, ActiveMonitorDefinition[]>;
}

interface ShardRunner {
  shard: number;
  controller: AbortController;
  done: Promise<void>;
}

export async function startWorkerRole(options: WorkerRoleOptions): Promise<WorkerRole> {
  const { logger, workerId, shards: shardOptions } = options;
  const count = shardOptions.shardCount;
  const ackWaitMs = options.ackWaitMs ?? 10_000;
  const pullMs = options.pullMs ?? 5_000;
  const now = options.now ?? Date.now;
  const decoded = createDecodedCache<BlockLogEntry>();
  const runners = new Map<number, ShardRunner>();
  const engines = new Map<string, Engine | Promise<Engine>>();
  const clients = new Map<string, { version: number; client: NetworkClient }>();
  let networks = new Map<string, NetworkShards>();
  let evaluated = 0;
  let stopped = false;

  const splitState = (state: DesiredState) => {
    const next = new Map<string, NetworkShards>();
    for (const [id, desired] of state.networks) {
      const byShard = new Map<number, ActiveMonitorDefinition[]>();
      for (const definition of desired.definitions) {
        const shard = shardOf(definition.tenantId, count);
        const list = byShard.get(shard) ?? [];
        list.push(definition);
        byShard.set(shard, list);
      }
      next.set(id, { desired, byShard });
    }
    for (const [id, entry] of clients) {
      const desired = state.networks.get(id);
      if (desired === undefined || desired.version !== entry.version) {
        entry.client.close();
        clients.delete(id);
      }
    }
    networks = next;
  };

  const clientFor = (desired: DesiredNetwork): NetworkClient => {
    const existing = clients.get(desired.id);
    if (existing !== undefined && existing.version === desired.version) return existing.client;
    existing?.client.close();
    const client = openNetworkClient(desired.network);
    clients.set(desired.id, { version: desired.version, client });
    return client;
  };

  /** The shard's engine for a network, compiled once per set of (monitor id, version). */
  const engineFor = async (network: NetworkShards, shard: number): Promise<Engine | null> => {
    const definitions = network.byShard.get(shard);
    if (definitions === undefined || definitions.length === 0) return null;
    // A tenant's reactivation changes `activeSince` without a new monitor version: it is part of the key.
    const key = definitions.map((d) => `${d.id}@${d.version}@${d.activeSince ?? ""}`).join(",");
    const cacheKey = `${network.desired.id}:${network.desired.version}:${shard}`;
    const cached = engines.get(cacheKey);
    if (cached !== undefined) {
      const engine = await cached;
      if (engine.key === key) return engine;
    }
    const compiling = clientFor(network.desired)
      .compile(definitions)
      .then(({ compiled, diagnostics, specProblems }) => {
        for (const diagnostic of diagnostics) logger.warn({ diagnostic }, "Monitor diagnostic");
        for (const problem of specProblems)
          logger.warn({ code: problem.code, error: problem.message }, "Contract spec unavailable");
        const engine = { key, compiled, activation: activationIndex(definitions) };
        engines.set(cacheKey, engine);
        return engine;
      });
    engines.set(cacheKey, compiling);
    compiling.catch(() => engines.delete(cacheKey));
    return compiling;
  };

  const processBlock = async (shard: number, message: LogMessage<BlockLogEntry>): Promise<void> => {
    const entry = message.payload;
    // Reorgs and skipped gaps changed the store when the ingester acknowledged them; a worker has nothing to do.
    if (entry.type !== "block") return;
    const network = networks.get(message.key);
    if (network === undefined) return;
    const engine = await engineFor(network, shard);
    if (engine === null) return;
    const started = performance.now();
    const result = evaluateBlock(engine.compiled, network.desired.slug, entry.block as never);
    for (const diagnostic of result.diagnostics) logger.debug({ diagnostic }, "Monitor diagnostic");
    const matches = keepActiveMatches(result.matches, blockTimestamp(entry.block as never), engine.activation);
    // Every match is in the log before the block is acknowledged; a replay publishes the same ids (deduplicated).
    await Promise.all(matches.map((match) => options.matches.publish(message.key, match, { dedupId: match.id })));
    const label = network.desired.label;
    options.metrics.matches.inc({ network: label }, matches.length);
    options.metrics.blockDuration.observe({ network: label }, (performance.now() - started) / 1000);
  };

  const runShard = async (shard: number, signal: AbortSignal): Promise<void> => {
    const shardLogger = logger.child({ shard });
    let failures = 0;
    let consumer: LogConsumer<BlockLogEntry> | undefined;
    while (!signal.aborted) {
      let message: LogMessage<BlockLogEntry> | null;
      try {
        consumer ??= await options.blocks.consumer(`shard-${shard}`, {
          maxAckPending: 1,
          maxDeliver: -1,
          ackWaitMs,
          deliverPolicy: "all",
        });
        message = await consumer.next({ expiresMs: pullMs, signal, decode: decoded.decode });
      } catch (error) {
        if (signal.aborted) return;
        // A new handle next time: the consumer may have been deleted or recreated (a NATS restart without storage).
        consumer = undefined;
        shardLogger.warn({ error: (error as Error).message }, "Pulling blocks failed; retrying");
        await sleep(Math.min(5_000, 250 * 2 ** Math.min(failures++, 5)));
        continue;
      }
      if (message === null) continue;
      // A block in hand is finished and acknowledged even when the shard is being given up: the next owner then
      // starts right after it instead of waiting for the ack wait.
      const keepAlive = setInterval(() => message.inProgress(), Math.max(250, Math.floor(ackWaitMs / 3)));
      try {
        await processBlock(shard, message);
        await message.ack();
        evaluated++;
        failures = 0;
      } catch (error) {
        const wait = Math.min(5_000, 250 * 2 ** Math.min(failures++, 5));
        shardLogger.warn(
          { error: (error as Error).message, sequence: message.sequence, retry_in_ms: wait },
          "Evaluating a block failed; it will be delivered again",
        );
        message.nak(wait);
      } finally {
        clearInterval(keepAlive);
      }
    }
  };

  const setOwned = (owned: readonly number[]) => {
    const wanted = new Set(owned);
    for (const [shard, runner] of runners) {
      if (!wanted.has(shard)) {
        runner.controller.abort();
        runners.delete(shard);
      }
    }
    for (const shard of wanted) {
      if (runners.has(shard)) continue;
      const controller = new AbortController();
      runners.set(shard, { shard, controller, done: runShard(shard, controller.signal) });
    }
  };

  let following: { epoch: number; shared: boolean } | null = null;
  const replan = async () => {
    if (stopped) return;
    const members = await options.membership.members();
    const monitors = Array.from({ length: count }, () => 0);
    const tenants = Array.from({ length: count }, () => new Set<string>());
    for (const network of networks.values()) {
      for (const [shard, definitions] of network.byShard) {
        monitors[shard] = (monitors[shard] ?? 0) + definitions.length;
        for (const d of definitions) tenants[shard]?.add(d.tenantId);
      }
    }
    const input: AssignShardsInput = {
      options: shardOptions,
      workers: members.map((member) => member.id),
      load: { monitors, tenants: tenants.map((set) => set.size) },
    };
    const settled = await settlePlan(input, options.plans, now, logger);
    if (stopped) return;
    following = { epoch: settled.assignment.epoch, shared: settled.shared };
    const owned = shardsOwnedBy(settled.assignment, workerId);
    const before = [...runners.keys()].sort((a, b) => a - b);
    setOwned(owned);
    if (before.join(",") !== owned.join(",")) {
      logger.info(
        { workers: members.length, shards: owned.length, epoch: settled.assignment.epoch, reason: settled.reason },
        "Shards assigned",
      );
      // Announce what this worker consumes, so the operator view shows the plan in force, not a recomputation.
      const announcement = {
        shards: owned,
        tenants: owned.reduce((sum, shard) => sum + (tenants[shard]?.size ?? 0), 0),
        monitors: owned.reduce((sum, shard) => sum + (monitors[shard] ?? 0), 0),
        pid: process.pid,
      };
      await options.membership
        .join({ id: workerId, meta: workerMeta(announcement) })
        .catch((error: unknown) => logger.warn({ error: (error as Error).message }, "Announcing shards failed"));
    }
  };
  let planning: Promise<void> = Promise.resolve();
  const schedulePlan = () => {
    planning = planning
      .then(replan)
      .catch((error: unknown) => logger.error({ error: (error as Error).message }, "Planning shards failed"));
    return planning;
  };

  splitState(options.feed.current());
  const unsubscribeState = options.feed.onState((state) => {
    splitState(state);
    return schedulePlan();
  });
  const unsubscribeMembers = options.membership.onChange(() => void schedulePlan());
  await options.membership.join({ id: workerId, meta: workerMeta({ shards: [], pid: process.pid }) });
  await schedulePlan();
  const replanTimer = setInterval(() => void schedulePlan(), options.replanIntervalMs ?? 5_000);
  replanTimer.unref();

  return {
    workerId,
    owned: () => [...runners.keys()].sort((a, b) => a - b),
    evaluated: () => evaluated,
    decoding: () => decoded.stats(),
    plan: () => following,
    async stop(stopOptions = {}) {
      stopped = true;
      clearInterval(replanTimer);
      unsubscribeState();
      unsubscribeMembers();
      const done = [...runners.values()].map((runner) => {
        runner.controller.abort();
        return runner.done;
      });
      runners.clear();
      await Promise.all(done);
      if (stopOptions.leave !== false) await options.membership.leave(workerId).catch(() => undefined);
      for (const entry of clients.values()) entry.client.close();
      clients.clear();
      decoded.clear();
    },
  };
}

export interface SettledPlan {
  assignment: ShardAssignment;
  reason: string;
  /** Whether the plan is the one in the shared store (false: computed alone, the store being unavailable). */
  shared: boolean;
}

/**
 * The next plan from the stored one, stored if it changed. A lost compare-and-set means another worker stored a plan
 * meanwhile: compute again from that one. Without a (reachable) store: the plan from scratch, as every worker
 * computes it for the same members and load.
 */
export async function settlePlan(
  input: AssignShardsInput,
  plans: ShardPlanStore | undefined,
  now: () => number,
  logger: Logger,
): Promise<SettledPlan> {
  const alone = (): SettledPlan => {
    const plan = assignShards(input);
    return { assignment: plan.assignment, reason: plan.reason, shared: false };
  };
  if (plans === undefined) return alone();
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await plans.read();
      const plan = assignShards({
        ...input,
        ...(stored.assignment ? { previous: stored.assignment } : {}),
        now: now(),
      });
      const same =
        stored.assignment !== null &&
        stored.assignment.shardCount === plan.assignment.shardCount &&
        stored.assignment.strategy === plan.assignment.strategy &&
        stored.assignment.rebalancedAt === plan.assignment.rebalancedAt &&
        stored.assignment.owners.every((owner, shard) => owner === plan.assignment.owners[shard]);
      if (same && stored.assignment !== null)
        return { assignment: stored.assignment, reason: plan.reason, shared: true };
      // Epochs only grow, even when the stored plan was unusable (another shard count or strategy).
      const next = { ...plan.assignment, epoch: (stored.epoch ?? 0) + 1 };
      if (await plans.write(next, stored.epoch)) return { assignment: next, reason: plan.reason, shared: true };
    }
    logger.warn("The shared shard plan kept changing under this worker; following its own plan until the next replan");
  } catch (error) {
    logger.warn({ error: (error as Error).message }, "The shared shard plan is unavailable; planning from scratch");
  }
  return alone();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
