/**
 * `collectStatus`: reads every source of the operator view once and assembles the report. Each part is read
 * independently; a source that fails (NATS down, Redis unreachable, an RPC that does not answer) marks its own part
 * `unavailable` with the error and leaves the rest intact, because an operator reaches for the status page exactly
 * when something is broken.
 */
import type { ConsumerLag, Log } from "../bus/index.js";
import { openNetworkClient } from "../chains/index.js";
import { type Network, parseNetwork, type SecretEnv } from "../config/index.js";
import { leaseKey, type MemoryLeaseSpace } from "../lease/index.js";
import { unseal } from "../portable/index.js";
import type { Keyring } from "../secrets/index.js";
import { assignShards, type Membership, type ShardOptions, shardOf, shardsOwnedBy } from "../shard/index.js";
import { DEFAULT_TENANT_ID, type NetworkCursorRow, type Store, stats } from "../store/index.js";
import { StatusCode, StatusError, sectionError } from "./errors.js";
import type { IngestLeader, NetworkStatus, SectionError, StatusReport, StreamStatus, WorkerStatus } from "./report.js";
import { readWorkerMeta } from "./worker-meta.js";

/** Where ingest leases live: PostgreSQL advisory locks (read from `pg_locks` through the store) or a process's space. */
export type LeaseBackendView =
  | {
      kind: "postgres";
      /** The lease manager's namespace. @default "argus" */
      namespace?: string;
    }
  | { kind: "memory"; space: MemoryLeaseSpace };

/** What the report reads of a bus: each log's consumer lags and size. */
export interface StatusBus {
  kind: string;
  blocks: Pick<Log<unknown>, "lags" | "stats">;
  matches: Pick<Log<unknown>, "lags" | "stats">;
}

/** The part of the block cache the report reads: the ingester's latest head per network. */
export interface HeadCache {
  getHead(network: string): Promise<{ number: bigint } | null>;
}

/** A network's head from its RPC (the default opens the stored network's endpoints); injectable for tests/tools. */
export type HeadReader = (network: Network, signal: AbortSignal) => Promise<bigint>;

export interface CollectStatusOptions {
  store: Store;
  bus?: StatusBus;
  membership?: Pick<Membership, "members">;
  leaseBackend?: LeaseBackendView;
  cache?: HeadCache;
  /** The report's clock. */
  now: Date;
  /**
   * The cluster's shard options (the workers' own). With them, workers that do not announce their shards are shown
   * with the shards the assignment gives them — the workers compute the same pure plan from the same inputs — and
   * shards no live worker owns are counted.
   */
  shards?: ShardOptions;
  /**
   * Reading heads from the chains when the cache has none. `false` skips it (heads come only from the cache).
   * `env`: the operator's environment for platform networks' `Environment` secrets; `keyring` opens sealed secrets.
   */
  rpc?:
    | false
    | {
        env?: SecretEnv;
        keyring?: Keyring;
        /** @default 2_000 */
        timeoutMs?: number;
        read?: HeadReader;
      };
}

const defaultHeadReader: HeadReader = async (network, signal) => {
  const client = openNetworkClient(network);
  try {
    return await client.latestBlockNumber({ signal });
  } finally {
    client.close();
  }
};

/**
 * The operator view of a deployment now: networks (head, cursor, lag), ingest leaders, workers with their shards,
 * consumer lag per stream and delivery counts. Never throws for a failing source (the part says so instead); only
 * a closed store or invalid options fail the whole call.
 *
 * @example
 * const report = await collectStatus({ store, bus, membership, leaseBackend: { kind: "postgres" }, cache, now: new Date() });
 * report.networks.items[0]?.lag; // blocks behind the chain's head
 */
export async function collectStatus(options: CollectStatusOptions): Promise<StatusReport> {
  const { store, now } = options;
  const networkRows = await stats.networkCursors(store).then(
    (rows) => ({ rows, error: undefined }),
    (error: unknown) => ({ rows: [] as NetworkCursorRow[], error: sectionError(error) }),
  );
  const [networks, ingestLeaders, workers, streams, deliveries] = await Promise.all([
    collectNetworks(networkRows.rows, options),
    collectLeaders(networkRows.rows, options),
    collectWorkers(options),
    collectStreams(options),
    stats.deliveryCounts(store, now).then(
      (counts) => ({
        state: "ok" as const,
        counts: {
          byStatus: counts.byStatus,
          total: counts.total,
          deadLetters: counts.byStatus.dead,
          retrying: counts.retrying,
          oldestDueAt: counts.oldestDueAt?.toISOString() ?? null,
        },
      }),
      (error: unknown) => ({ state: "unavailable" as const, counts: null, error: sectionError(error) }),
    ),
  ]);
  return {
    generatedAt: now.toISOString(),
    store: { driver: store.driver, location: store.location },
    networks:
      networkRows.error === undefined
        ? { state: "ok", source: store.driver, items: networks }
        : { state: "unavailable", source: store.driver, items: [], error: networkRows.error },
    ingestLeaders,
    workers,
    streams,
    deliveries,
  };
}

async function collectNetworks(rows: NetworkCursorRow[], options: CollectStatusOptions): Promise<NetworkStatus[]> {
  return Promise.all(
    rows.map(async (row) => {
      const head = await readHead(row, options);
      const cursor = row.cursor?.blockNumber ?? null;
      const updatedAt = row.cursor?.updatedAt ?? null;
      const status: NetworkStatus = {
        id: row.id,
        slug: row.slug,
        tenantId: row.tenantId,
        type: row.networkType,
        head: head.number === null ? null : head.number.toString(),
        headSource: head.source,
        cursor: cursor === null ? null : cursor.toString(),
        lag: head.number === null || cursor === null ? null : Number(head.number - cursor),
        cursorUpdatedAt: updatedAt?.toISOString() ?? null,
        cursorAgeSeconds:
          updatedAt === null ? null : Math.max(0, Math.round((options.now.getTime() - updatedAt.getTime()) / 100) / 10),
      };
      if (head.error !== undefined) status.headError = head.error;
      return status;
    }),
  );
}

interface HeadResult {
  number: bigint | null;
  source: "cache" | "rpc" | null;
  error?: SectionError;
}

/**
 * The cache first (the leader sets it on every head it sees: free and fresh), then one `latestBlockNumber` call with a
 * short time-out. The cache is keyed like the block log (network id); a platform network's slug is tried too.
 */
async function readHead(row: NetworkCursorRow, options: CollectStatusOptions): Promise<HeadResult> {
  let cacheError: SectionError | undefined;
  if (options.cache !== undefined) {
    try {
      const keys = row.tenantId === null ? [row.id, row.slug] : [row.id];
      for (const key of keys) {
        const cached = await options.cache.getHead(key);
        if (cached !== null) return { number: cached.number, source: "cache" };
      }
    } catch (error) {
      cacheError = sectionError(error);
    }
  }
  const rpc = options.rpc;
  if (rpc === false) return { number: null, source: null, ...(cacheError ? { error: cacheError } : {}) };
  const timeoutMs = rpc?.timeoutMs ?? 2_000;
  let network: Network;
  try {
    network = parseStoredNetwork(row, rpc?.env ?? {}, rpc?.keyring);
  } catch (error) {
    return { number: null, source: null, error: sectionError(error) };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const number = await (rpc?.read ?? defaultHeadReader)(network, signal);
    return { number, source: "rpc" };
  } catch (error) {
    if (signal.aborted) {
      const timeout = new StatusError(
        StatusCode.HeadTimeout,
        `The RPC of network '${row.slug}' did not answer the head request within ${timeoutMs} ms.`,
        { path: ["networks", row.slug], retryable: true },
      );
      return { number: null, source: null, error: sectionError(timeout) };
    }
    return { number: null, source: null, error: sectionError(error) };
  }
}

/** The stored network as the runtime would open it: secrets unsealed, `Environment` secrets only for the platform's. */
function parseStoredNetwork(row: NetworkCursorRow, env: SecretEnv, keyring: Keyring | undefined): Network {
  const config = unseal(keyring, row.tenantId, row.config);
  const trusted = row.tenantId === null || row.tenantId === DEFAULT_TENANT_ID;
  const parsed = parseNetwork(config, { env: trusted ? env : {}, checkScripts: false, file: `networks/${row.slug}` });
  if (!parsed.ok) {
    const first = parsed.problems.find((problem) => problem.severity === "error");
    throw new StatusError(
      StatusCode.NetworkUnusable,
      `Network '${row.slug}' cannot be opened to read its head: ${first?.message ?? "invalid config"}.`,
      { path: ["networks", row.slug] },
    );
  }
  return parsed.value;
}

async function collectLeaders(
  rows: NetworkCursorRow[],
  options: CollectStatusOptions,
): Promise<StatusReport["ingestLeaders"]> {
  const backend = options.leaseBackend;
  if (backend === undefined) return { state: "not_configured", source: null, items: [] };
  const leases = rows.map((row) => ({ row, lease: `ingest:${row.id}` }));
  if (backend.kind === "memory") {
    const items: IngestLeader[] = leases.map(({ row, lease }) => {
      const holderId = backend.space.holderOf(lease);
      return {
        networkId: row.id,
        slug: row.slug,
        lease,
        holder: holderId === undefined ? null : { id: holderId },
      };
    });
    return { state: "ok", source: "memory", items };
  }
  try {
    const keyed = leases.map((entry) => ({ ...entry, key: leaseKey(entry.lease, backend.namespace ?? "argus") }));
    const holders = await stats.advisoryLockHolders(
      options.store,
      keyed.map((entry) => entry.key),
    );
    const items: IngestLeader[] = keyed.map(({ row, lease, key }) => {
      const holder = holders.find((h) => h.key === key);
      return {
        networkId: row.id,
        slug: row.slug,
        lease,
        holder:
          holder === undefined
            ? null
            : {
                id: `pg:${holder.pid}`,
                pid: holder.pid,
                application: holder.applicationName,
                client: holder.clientAddr === null ? null : `${holder.clientAddr}:${holder.clientPort ?? ""}`,
                since: holder.backendStart?.toISOString() ?? null,
              },
      };
    });
    return { state: "ok", source: "postgres", items };
  } catch (error) {
    return { state: "unavailable", source: "postgres", items: [], error: sectionError(error) };
  }
}

async function collectWorkers(options: CollectStatusOptions): Promise<StatusReport["workers"]> {
  const shardCount = options.shards?.shardCount ?? null;
  if (options.membership === undefined) {
    return { state: "not_configured", source: null, items: [], shardCount, unownedShards: null };
  }
  try {
    const members = await options.membership.members();
    const items: WorkerStatus[] = members.map((member) => {
      const announced = readWorkerMeta(member.meta);
      return {
        id: member.id,
        joinedAt: new Date(member.joinedAt).toISOString(),
        expiresAt: new Date(member.expiresAt).toISOString(),
        host: announced.host,
        pid: announced.pid,
        shards: announced.shards,
        shardsSource: announced.shards === null ? null : "announced",
        tenants: announced.tenants,
        monitors: announced.monitors,
        meta: { ...member.meta },
      };
    });
    if (options.shards !== undefined && items.some((item) => item.shards === null)) {
      await fillComputedShards(items, options.shards, options.store);
    }
    let unownedShards: number | null = null;
    if (shardCount !== null && items.every((item) => item.shards !== null)) {
      const owned = new Set(items.flatMap((item) => item.shards ?? []).filter((shard) => shard < shardCount));
      unownedShards = shardCount - owned.size;
    }
    return { state: "ok", source: "membership", items, shardCount, unownedShards };
  } catch (error) {
    return {
      state: "unavailable",
      source: "membership",
      items: [],
      shardCount,
      unownedShards: null,
      error: sectionError(error),
    };
  }
}

/**
 * The worker role's own plan (`src/roles/worker.ts`): `assignShards` over the live members with, per shard, the
 * monitor definitions and tenants of the active tenants hashed into it, from scratch (no previous assignment).
 */
async function fillComputedShards(items: WorkerStatus[], shards: ShardOptions, store: Store): Promise<void> {
  const count = shards.shardCount;
  const monitors = Array.from({ length: count }, () => 0);
  const tenants = Array.from({ length: count }, () => 0);
  for (const load of await stats.monitorLoad(store)) {
    const shard = shardOf(load.tenantId, count);
    monitors[shard] = (monitors[shard] ?? 0) + load.definitions;
    tenants[shard] = (tenants[shard] ?? 0) + 1;
  }
  const plan = assignShards({ options: shards, workers: items.map((item) => item.id), load: { monitors, tenants } });
  const sum = (values: number[], owned: number[]) => owned.reduce((total, shard) => total + (values[shard] ?? 0), 0);
  for (const item of items) {
    if (item.shards !== null) continue;
    const owned = shardsOwnedBy(plan.assignment, item.id);
    item.shards = owned;
    item.shardsSource = "computed";
    item.tenants = sum(tenants, owned);
    item.monitors = sum(monitors, owned);
  }
}

async function collectStreams(options: CollectStatusOptions): Promise<StatusReport["streams"]> {
  const bus = options.bus;
  if (bus === undefined) return { state: "not_configured", source: null, items: [] };
  const read = async (log: StatusBus["blocks"], name: "blocks" | "matches"): Promise<StreamStatus> => {
    try {
      const [lags, logStats] = await Promise.all([log.lags(), log.stats()]);
      return {
        log: name,
        messages: logStats.messages,
        lastSequence: logStats.lastSequence,
        consumers: lags.map((lag: ConsumerLag) => ({ ...lag })).sort((a, b) => (a.name < b.name ? -1 : 1)),
      };
    } catch (error) {
      return { log: name, messages: null, lastSequence: null, consumers: [], error: sectionError(error) };
    }
  };
  const items = await Promise.all([read(bus.blocks, "blocks"), read(bus.matches, "matches")]);
  const failed = items.find((item) => item.error !== undefined);
  return {
    state: failed === undefined ? "ok" : "unavailable",
    source: bus.kind,
    items,
    ...(failed?.error === undefined ? {} : { error: failed.error }),
  };
}
