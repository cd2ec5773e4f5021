import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { type Bus, createJetStreamBus, createMemoryBus } from "../bus/index.js";
import { type BlockCache, createMemoryBlockCache, createRedisBlockCache } from "../cache/index.js";
import { createDispatcher, createStoreScriptReader, type Dispatcher } from "../dispatch/index.js";
import { createMemoryLeaseManager, createPostgresLeaseManager, type LeaseManager } from "../lease/index.js";
import type { ScriptSettings } from "../notify/conditions/index.js";
import { channelEndpointsFromEnv } from "../notify/index.js";
import { createMetrics, createShutdown, type Logger, type Metrics, startOpsServer } from "../ops/index.js";
import { createLiveTriggerRegistry, importConfigDir, loadValidConfig, mountApi } from "../runtime/index.js";
import { loadMasterKeys } from "../secrets/index.js";
import type { Settings } from "../settings/index.js";
import { createMemoryMembership, createRedisMembership, type Membership } from "../shard/index.js";
import { createStore, type Store } from "../store/index.js";
import { shardOptionsOf } from "./cli.js";
import { type DispatchRole, startDispatchRole } from "./dispatch.js";
import { RoleCode, RoleError } from "./errors.js";
import { type DesiredStateFeed, watchDesiredState } from "./feed.js";
import { type IngestRole, startIngestRole } from "./ingest.js";
import { createMemoryShardPlanStore, createRedisShardPlanStore, type ShardPlanStore } from "./plan.js";
import { startWorkerRole, type WorkerRole } from "./worker.js";

export interface StartRolesOptions {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  scriptSettings?: ScriptSettings;
  /** Overrides `settings.membership.ttlMs` (a dead worker's shards move after it), mostly for tests. */
  membershipTtlMs?: number;
  /** Overrides `settings.worker.ackWaitMs` (a block in flight on a dead worker is redelivered after it). */
  blockAckWaitMs?: number;
  /** Full reload of the desired state this often. @default 30_000 */
  reconcileIntervalMs?: number;
}

export interface RunningRoles {
  url: string;
  roles: Settings["roles"];
  store: Store;
  bus: Bus | undefined;
  metrics: Metrics;
  /** What each role does now (networks led, shards owned, matches recorded), as `/readyz` shows it. */
  status(): Record<string, unknown>;
  /** Reloads the desired state now (changes also arrive by notification). */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

const needsBus = (roles: Settings["roles"]) => roles.some((role) => role !== "api");

/**
 * Runs the roles named in `settings.roles` in this process over the block log and match log: NATS JetStream when
 * `nats.url` is set (any split of roles across processes), otherwise the in-process logs (then ingest, worker and
 * dispatch must all run here, since nothing else can reach the logs).
 */
export async function startRoles(options: StartRolesOptions): Promise<RunningRoles> {
  const { settings, logger } = options;
  const roles = settings.roles;
  const has = (role: Settings["roles"][number]) => roles.includes(role);
  if (needsBus(roles) && settings.nats.url === undefined && !(has("ingest") && has("worker") && has("dispatch"))) {
    throw new RoleError(
      RoleCode.SettingsInvalid,
      `The roles ${roles.join(",")} need a shared block and match log: set NATS_URL (or --nats-url).`,
      { path: ["nats", "url"], hint: "Without NATS, run ingest, worker and dispatch together (--role all)." },
    );
  }
  if (settings.nats.url !== undefined && settings.database.url === undefined && roles.some((role) => role !== "api")) {
    throw new RoleError(
      RoleCode.SettingsInvalid,
      "Role processes that share a log share one store: set DATABASE_URL (PostgreSQL); the embedded database is one process's.",
      { path: ["database", "url"] },
    );
  }
  const membershipTtlMs = options.membershipTtlMs ?? settings.membership.ttlMs;
  const heartbeatMs = settings.membership.heartbeatMs;
  if (heartbeatMs !== undefined && heartbeatMs >= membershipTtlMs) {
    throw new RoleError(
      RoleCode.SettingsInvalid,
      `The membership heartbeat (${heartbeatMs} ms) must be shorter than its TTL (${membershipTtlMs} ms), or live workers expire between beats.`,
      {
        path: ["membership", "heartbeatMs"],
        hint: "Leave ARGUS_MEMBERSHIP_HEARTBEAT_MS unset for a third of the TTL.",
      },
    );
  }
  const shutdown = createShutdown();
  const metrics = createMetrics();
  try {
    const store = await createStore(
      settings.database.url ? { databaseUrl: settings.database.url } : { dataDir: settings.dataDir },
    );
    shutdown.add(() => store.close());
    // Secrets at rest: the same keyring `argus start`, the API and `argus import` encrypt with.
    const { keyring } = await loadMasterKeys({ env: options.env, dataDir: settings.dataDir });
    // As the one-process runtime does: the OZ directory becomes the built-in tenant's configuration.
    if (settings.configDir !== undefined) {
      await importConfigDir(store, await loadValidConfig(settings.configDir, options), { ...options, keyring });
    }

    const bus = needsBus(roles) ? await openBus(settings) : undefined;
    if (bus !== undefined) shutdown.add(() => bus.close());
    // Ingest writes blocks to it; the API's test-a-monitor reads them.
    const blockCache = has("ingest") || has("api") ? openBlockCache(settings) : undefined;
    if (blockCache !== undefined) shutdown.add(() => blockCache.close());

    const registry = createLiveTriggerRegistry(store, { env: options.env, keyring });
    const { triggers } = registry;

    let feed: DesiredStateFeed | undefined;
    if (bus !== undefined) {
      feed = await watchDesiredState(store, {
        env: options.env,
        keyring,
        ...(settings.redis.url === undefined
          ? {}
          : { redis: { url: settings.redis.url, prefix: settings.redis.keyPrefix } }),
        logger,
        ...(options.reconcileIntervalMs === undefined ? {} : { intervalMs: options.reconcileIntervalMs }),
        onChange: (change) => {
          if (change === "reconnected" || change.kind === "trigger") registry.reset();
        },
      });
      const opened = feed;
      shutdown.add(() => opened.close());
    }

    let dispatcher: Dispatcher | undefined;
    let dispatchRole: DispatchRole | undefined;
    if (has("dispatch") && bus !== undefined && feed !== undefined) {
      const started = createDispatcher({
        store,
        triggers,
        logger,
        allowPrivateNetworks: settings.security.allowPrivateNetworks,
        deliverOptions: channelEndpointsFromEnv(options.env),
        // `script` triggers run the tenant's stored scripts, never a file of the server's disk.
        scripts: createStoreScriptReader(store),
        ...(options.scriptSettings ? { scriptSettings: options.scriptSettings } : {}),
        metrics,
      });
      dispatcher = started;
      started.start();
      shutdown.add(() => started.drain());
      const role = startDispatchRole({
        store,
        matches: bus.matches,
        feed,
        triggers,
        dispatcher: started,
        ...(options.scriptSettings ? { scriptSettings: options.scriptSettings } : {}),
        logger: logger.child({ role: "dispatch" }),
        metrics,
      });
      dispatchRole = role;
      shutdown.add(() => role.stop());
    }

    let workerRole: WorkerRole | undefined;
    if (has("worker") && bus !== undefined && feed !== undefined) {
      const membership = openMembership(settings, options, membershipTtlMs);
      shutdown.add(() => membership.close());
      const plans = openShardPlans(settings);
      shutdown.add(() => plans.close());
      const workerId = settings.worker.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
      const role = await startWorkerRole({
        blocks: bus.blocks,
        matches: bus.matches,
        membership,
        workerId,
        shards: shardOptionsOf(settings),
        plans,
        feed,
        logger: logger.child({ role: "worker", worker: workerId }),
        metrics,
        ackWaitMs: options.blockAckWaitMs ?? settings.worker.ackWaitMs,
        pullMs: settings.worker.pullMs,
      });
      workerRole = role;
      shutdown.add(() => role.stop());
    }

    let ingestRole: IngestRole | undefined;
    if (has("ingest") && bus !== undefined && feed !== undefined) {
      const leases: LeaseManager = settings.database.url
        ? createPostgresLeaseManager({
            connectionString: settings.database.url,
            namespace: settings.nats.subjectPrefix,
          })
        : createMemoryLeaseManager();
      shutdown.add(() => leases.close());
      const role = startIngestRole({
        store,
        blocks: bus.blocks,
        leases,
        feed,
        logger: logger.child({ role: "ingest" }),
        metrics,
        ...(blockCache === undefined ? {} : { cache: blockCache }),
      });
      ingestRole = role;
      // Before the lease manager closes (cleanups run in reverse): the watchers stop first.
      shutdown.add(() => role.stop());
    }

    const reload = async () => {
      registry.reset();
      await feed?.refresh();
    };
    const status = (): Record<string, unknown> => ({
      roles,
      ...(ingestRole ? { ingest: ingestRole.states(), blockCache: ingestRole.cacheStats() } : {}),
      ...(workerRole
        ? {
            worker: {
              id: workerRole.workerId,
              shards: workerRole.owned(),
              evaluated: workerRole.evaluated(),
              decoding: workerRole.decoding(),
              plan: workerRole.plan(),
            },
          }
        : {}),
      ...(dispatchRole
        ? {
            dispatch: {
              recorded: dispatchRole.recorded(),
              orphaned: dispatchRole.orphaned(),
              inFlight: dispatcher?.inFlight ?? 0,
            },
          }
        : {}),
    });

    const api = has("api")
      ? await mountApi({
          store,
          logger,
          keyring,
          env: options.env,
          dataDir: settings.dataDir,
          allowPrivateNetworks: settings.security.allowPrivateNetworks,
          ...(dispatcher === undefined ? {} : { onReplay: () => dispatcher?.wake() }),
          ...(blockCache === undefined ? {} : { blockCache }),
        })
      : undefined;
    if (api !== undefined) shutdown.add(() => api.close());
    const ops = await startOpsServer({
      port: settings.http.port,
      host: settings.http.host,
      registry: metrics.registry,
      ready: () => ({ ready: !shutdown.killed, detail: status() }),
      ...(api === undefined ? {} : { handler: (request, response) => api.handle(request, response) }),
    });
    shutdown.add(() => ops.close());
    logger.info({ url: ops.url, roles, bus: bus?.kind ?? "none" }, "Argus roles started");
    return { url: ops.url, roles, store, bus, metrics, status, reload, stop: () => shutdown.kill() };
  } catch (error) {
    await shutdown.kill();
    throw error;
  }
}

async function openBus(settings: Settings): Promise<Bus> {
  if (settings.nats.url === undefined) return createMemoryBus();
  return createJetStreamBus({
    servers: settings.nats.url,
    subjectPrefix: settings.nats.subjectPrefix,
    name: `argus-${settings.roles.join("-")}`,
  });
}

function openMembership(settings: Settings, options: StartRolesOptions, ttlMs: number): Membership {
  const onError = (error: Error) => options.logger.warn({ error: error.message }, "Worker membership problem");
  const timing = {
    ttlMs,
    ...(settings.membership.heartbeatMs === undefined ? {} : { heartbeatMs: settings.membership.heartbeatMs }),
  };
  if (settings.redis.url === undefined)
    return createMemoryMembership({ prefix: settings.redis.keyPrefix, ...timing, onError });
  return createRedisMembership({ url: settings.redis.url, prefix: settings.redis.keyPrefix, ...timing, onError });
}

/** The shard plan in force, where every worker of the cluster reads it: next to the membership. */
function openShardPlans(settings: Settings): ShardPlanStore {
  if (settings.redis.url === undefined) return createMemoryShardPlanStore();
  return createRedisShardPlanStore({ url: settings.redis.url, prefix: settings.redis.keyPrefix });
}

/** Keyed by network id under the Redis key prefix, where `argus status` reads the heads. */
function openBlockCache(settings: Settings): BlockCache {
  const keyPrefix = settings.redis.keyPrefix;
  if (settings.redis.url === undefined) return createMemoryBlockCache({ keyPrefix, maxBytes: 64 * 1024 * 1024 });
  return createRedisBlockCache({ url: settings.redis.url, keyPrefix });
}
