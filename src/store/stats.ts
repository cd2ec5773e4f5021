/**
 * Platform-wide aggregates for the operator view (`argus status`, `GET /api/v1/platform/status`): every network with
 * its cursor, delivery counts by status, and who holds an advisory lock. Read-only and tenant-blind (platform code:
 * the plain store, no role switch), each one query.
 */
import { asc, eq, isNull, sql } from "drizzle-orm";
import { rawRows, run, type Store } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { cursors as cursorsTable, DELIVERY_STATUSES, deliveries as deliveriesTable, networks } from "./schema.js";

/** A live network (platform or tenant-private) with its ingest cursor, when it has one. */
export interface NetworkCursorRow {
  id: string;
  slug: string;
  /** `null` = platform-wide. */
  tenantId: string | null;
  networkType: string;
  version: number;
  /** The stored OZ network JSON (secrets possibly sealed). */
  config: unknown;
  cursor: { blockNumber: bigint; blockHash: string; updatedAt: Date } | null;
}

export type DeliveryStatusName = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryCounts {
  /** Every status, zero included. */
  byStatus: Record<DeliveryStatusName, number>;
  total: number;
  /** Pending deliveries that already failed at least once in their current run (waiting for a retry). */
  retrying: number;
  /** `next_attempt_at` of the oldest pending delivery that is due at `now`; `null` when none is due. */
  oldestDueAt: Date | null;
}

/** A session holding a (session-level, one-argument) advisory lock, as `pg_locks` and `pg_stat_activity` show it. */
export interface AdvisoryLockHolder {
  key: bigint;
  pid: number;
  applicationName: string;
  /** The client's address (`null` over a Unix socket). */
  clientAddr: string | null;
  clientPort: number | null;
  backendStart: Date | null;
}

/** The evaluation load of one active tenant: its live, unpaused monitors counted once per network they list. */
export interface TenantMonitorLoad {
  tenantId: string;
  /** Σ over the tenant's live, unpaused monitors of the number of networks each lists (a worker's engine entries). */
  definitions: number;
}

/** Every live network of every tenant and the platform, by slug, with its cursor. */
async function networkCursors(store: Store): Promise<NetworkCursorRow[]> {
  return run(store, "stats.networkCursors", async (db) => {
    const rows = await db
      .select({
        id: networks.id,
        slug: networks.slug,
        tenantId: networks.tenantId,
        networkType: networks.networkType,
        version: networks.version,
        config: networks.config,
        blockNumber: cursorsTable.blockNumber,
        blockHash: cursorsTable.blockHash,
        updatedAt: cursorsTable.updatedAt,
      })
      .from(networks)
      .leftJoin(cursorsTable, eq(cursorsTable.networkId, networks.id))
      .where(isNull(networks.deletedAt))
      .orderBy(asc(networks.slug), asc(networks.tenantId));
    return rows.map((row) => ({
      id: row.id,
      slug: row.slug,
      tenantId: row.tenantId,
      networkType: row.networkType,
      version: row.version,
      config: row.config,
      cursor:
        row.blockNumber === null || row.blockHash === null || row.updatedAt === null
          ? null
          : { blockNumber: BigInt(row.blockNumber), blockHash: row.blockHash, updatedAt: row.updatedAt },
    }));
  });
}

/** Deliveries of every tenant counted by status (dead = dead letters), with the retry backlog. */
async function deliveryCounts(store: Store, now: Date = new Date()): Promise<DeliveryCounts> {
  return run(store, "stats.deliveryCounts", async (db) => {
    const [byStatusRows, [backlog]] = await Promise.all([
      db
        .select({ status: deliveriesTable.status, count: sql<string>`count(*)` })
        .from(deliveriesTable)
        .groupBy(deliveriesTable.status),
      db
        .select({
          retrying: sql<string>`count(*) filter (where ${deliveriesTable.attempts} > ${deliveriesTable.attemptBase})`,
          oldestDueAt: sql<
            string | Date | null
          >`min(${deliveriesTable.nextAttemptAt}) filter (where ${deliveriesTable.nextAttemptAt} <= ${now.toISOString()}::timestamptz)`,
        })
        .from(deliveriesTable)
        .where(eq(deliveriesTable.status, "pending")),
    ]);
    const byStatus = Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, 0])) as Record<
      DeliveryStatusName,
      number
    >;
    let total = 0;
    for (const row of byStatusRows) {
      const count = Number(row.count);
      byStatus[row.status] = count;
      total += count;
    }
    const oldest = backlog?.oldestDueAt ?? null;
    return {
      byStatus,
      total,
      retrying: Number(backlog?.retrying ?? 0),
      oldestDueAt: oldest === null ? null : new Date(oldest),
    };
  });
}

/**
 * The sessions holding each of `keys` as a granted session-level advisory lock (`pg_advisory_lock(bigint)`) in the
 * store's database. PostgreSQL only: PGlite is one process, so its leases are in-process and there is nothing to see.
 */
async function advisoryLockHolders(store: Store, keys: readonly bigint[]): Promise<AdvisoryLockHolder[]> {
  if (store.driver !== "postgres") {
    throw new StoreError(
      StoreCode.InvalidArgument,
      "stats.advisoryLockHolders: advisory locks are only visible on PostgreSQL; this store is PGlite.",
      { hint: "Embedded deployments hold their leases in process: read them from the lease space." },
    );
  }
  if (keys.length === 0) return [];
  // pg_locks shows a one-argument int8 lock as classid = high 32 bits, objid = low 32 bits, objsubid = 1.
  const wanted = keys.map((key) => {
    const unsigned = BigInt.asUintN(64, key);
    return { key, classid: (unsigned >> 32n).toString(), objid: (unsigned & 0xffffffffn).toString() };
  });
  const values = sql.join(
    wanted.map((w) => sql`(${w.classid}::oid, ${w.objid}::oid)`),
    sql`, `,
  );
  return run(store, "stats.advisoryLockHolders", async (db) => {
    const rows = await rawRows(
      db,
      sql`select l.classid::text as classid, l.objid::text as objid, l.pid, a.application_name,
                 host(a.client_addr) as client_addr, a.client_port, a.backend_start
          from pg_locks l
          join (values ${values}) as k(classid, objid) on l.classid = k.classid and l.objid = k.objid
          left join pg_stat_activity a on a.pid = l.pid
          where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
            and l.database = (select oid from pg_database where datname = current_database())`,
    );
    return rows.map((row) => {
      const match = wanted.find((w) => w.classid === String(row.classid) && w.objid === String(row.objid));
      const start = row.backend_start;
      return {
        key: match?.key ?? 0n,
        pid: Number(row.pid),
        applicationName: typeof row.application_name === "string" ? row.application_name : "",
        clientAddr: typeof row.client_addr === "string" ? row.client_addr : null,
        clientPort: row.client_port === null || row.client_port === undefined ? null : Number(row.client_port),
        backendStart: start === null || start === undefined ? null : new Date(start as string | Date),
      };
    });
  });
}

/**
 * Per active tenant, its monitor definitions (monitor × listed network), the load workers divide shards by. Counted
 * from the stored JSON, so a monitor listing a network that does not resolve still counts.
 */
async function monitorLoad(store: Store): Promise<TenantMonitorLoad[]> {
  return run(store, "stats.monitorLoad", async (db) => {
    const rows = await rawRows(
      db,
      sql`select m.tenant_id, sum(case when json_typeof(m.config -> 'networks') = 'array'
                                       then json_array_length(m.config -> 'networks') else 0 end)::text as definitions
          from monitors m join tenants t on t.id = m.tenant_id
          where m.deleted_at is null and not m.paused and t.deleted_at is null and t.status = 'active'
          group by m.tenant_id
          order by m.tenant_id`,
    );
    return rows
      .map((row) => ({ tenantId: String(row.tenant_id), definitions: Number(row.definitions) }))
      .filter((row) => row.definitions > 0);
  });
}

/** Operator-view aggregates over every tenant. */
export const stats = { networkCursors, deliveryCounts, advisoryLockHolders, monitorLoad };
