/**
 * Leases on PostgreSQL session-level advisory locks, held on one dedicated connection per manager (never a pooled one:
 * a session lock belongs to the connection, and a transaction-mode pooler such as PgBouncer would hand it to
 * strangers). The lock lives exactly as long as the session, so a holder that dies, is SIGKILLed or is terminated with
 * `pg_terminate_backend` frees its leases as soon as the server notices the socket closed.
 *
 * Losing the connection is losing every lease on it: the connection's `error`/`end` events end them at once, and a
 * health check every `checkIntervalMs` (which also confirms each lock in `pg_locks`) catches silent failures such as a
 * network partition within `checkIntervalMs + checkTimeoutMs`. Contenders poll with `pg_try_advisory_lock`, so a
 * free lease is taken within about `retryMs`.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { LeaseCode, LeaseError } from "./errors.js";
import { abortedError, checkLeaseName, jittered, LeaseHandle, sleep } from "./handle.js";
import { leaseKey, leaseKeyParts } from "./key.js";
import type { AcquireOptions, Lease, LeaseManager } from "./types.js";

export interface PostgresLeaseOptions {
  /** A direct PostgreSQL URL (not through a transaction-mode pooler). */
  connectionString: string;
  /**
   * Hashed into every key, to keep unrelated deployments sharing a database apart.
   * @default "argus"
   */
  namespace?: string;
  /**
   * How often held leases are verified on the server.
   * @default 1000
   */
  checkIntervalMs?: number;
  /**
   * A check (or any lease query) not answered within this is a lost connection.
   * @default 3000
   */
  queryTimeoutMs?: number;
  /** @default 5000 */
  connectTimeoutMs?: number;
  /** Background problems while waiting in `acquire` (the server down, a refused connection), e.g. to log them. */
  onError?: (error: LeaseError) => void;
}

interface HeldLease {
  handle: LeaseHandle;
  key: bigint;
  client: pg.Client;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new LeaseError(LeaseCode.OptionsInvalid, `Invalid ${name}: ${value}. Expected a positive number of ms.`, {
      path: [name],
    });
  }
  return value;
}

export function createPostgresLeaseManager(options: PostgresLeaseOptions): LeaseManager {
  const namespace = options.namespace ?? "argus";
  const checkIntervalMs = positive("checkIntervalMs", options.checkIntervalMs ?? 1_000);
  const queryTimeoutMs = positive("queryTimeoutMs", options.queryTimeoutMs ?? 3_000);
  const connectTimeoutMs = positive("connectTimeoutMs", options.connectTimeoutMs ?? 5_000);
  const holderId = `postgres:${randomUUID()}`;
  const leases = new Map<string, HeldLease>();
  const pending = new Set<string>();
  const lifetime = new AbortController();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let checking = false;

  function unavailable(cause: unknown, name?: string): LeaseError {
    if (cause instanceof LeaseError) return cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new LeaseError(LeaseCode.BackendUnavailable, `PostgreSQL did not answer the lease query: ${detail}`, {
      ...(name === undefined ? {} : { lease: name }),
      cause,
      retryable: true,
      hint: "Check DATABASE_URL and that the server is reachable; leases need a direct (unpooled) connection.",
    });
  }

  function closedError(name: string): LeaseError {
    return new LeaseError(LeaseCode.Closed, `The lease manager is closed; cannot acquire '${name}'.`, { lease: name });
  }

  /** The connection is gone (or no longer trusted): every lease on it is lost, now. */
  function connectionLost(lost: pg.Client, cause: unknown): void {
    if (client === lost) client = undefined;
    lost.end().catch(() => {});
    for (const [name, held] of [...leases]) {
      if (held.client !== lost) continue;
      leases.delete(name);
      held.handle.end(
        new LeaseError(LeaseCode.Lost, `Lease '${name}' was lost: its PostgreSQL session ended.`, {
          lease: name,
          cause,
          retryable: true,
        }),
      );
    }
    if (leases.size === 0) stopChecks();
  }

  async function connect(): Promise<pg.Client> {
    if (client !== undefined) return client;
    connecting ??= (async () => {
      const fresh = new pg.Client({
        connectionString: options.connectionString,
        connectionTimeoutMillis: connectTimeoutMs,
        query_timeout: queryTimeoutMs,
        keepAlive: true,
        application_name: "argus-lease",
      });
      fresh.on("error", (error) => connectionLost(fresh, error));
      fresh.on("end", () => connectionLost(fresh, new Error("connection ended")));
      try {
        await fresh.connect();
      } catch (error) {
        fresh.end().catch(() => {});
        throw error;
      }
      if (lifetime.signal.aborted) {
        await fresh.end().catch(() => {});
        throw closedError("*");
      }
      client = fresh;
      return fresh;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  function startChecks(): void {
    timer ??= setInterval(() => void check(), checkIntervalMs);
    timer.unref();
  }

  function stopChecks(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  /** Verifies every held lock on the session; a failing or missing answer ends the leases concerned. */
  async function check(): Promise<void> {
    const current = client;
    if (checking || current === undefined || leases.size === 0) return;
    checking = true;
    try {
      const found = await lockedKeys(current);
      for (const [name, held] of [...leases]) {
        const parts = leaseKeyParts(held.key);
        if (held.client === current && !found.has(`${parts.classid}:${parts.objid}`)) {
          leases.delete(name);
          held.handle.end(
            new LeaseError(LeaseCode.Lost, `Lease '${name}' was lost: its advisory lock is no longer held.`, {
              lease: name,
              retryable: true,
            }),
          );
        }
      }
    } catch (error) {
      connectionLost(current, error);
    } finally {
      checking = false;
    }
  }

  async function lockedKeys(on: pg.Client): Promise<Set<string>> {
    const result = await on.query<{ classid: string; objid: string }>(
      `select classid::text as classid, objid::text as objid from pg_locks
        where locktype = 'advisory' and pid = pg_backend_pid() and objsubid = 1 and granted`,
    );
    return new Set(result.rows.map((row) => `${row.classid}:${row.objid}`));
  }

  async function tryAcquire(name: string): Promise<Lease | undefined> {
    checkLeaseName(name);
    if (lifetime.signal.aborted) throw closedError(name);
    // Session locks are re-entrant in PostgreSQL; a lease is not, so a second request from this manager is refused here.
    if (leases.has(name) || pending.has(name)) return undefined;
    pending.add(name);
    const key = leaseKey(name, namespace);
    try {
      const on = await connect();
      const result = await on.query<{ ok: boolean }>("select pg_try_advisory_lock($1::bigint) as ok", [key.toString()]);
      if (result.rows[0]?.ok !== true) return undefined;
      if (client !== on) throw unavailable(new Error("connection lost while acquiring"), name);
      if (lifetime.signal.aborted) {
        await on.query("select pg_advisory_unlock($1::bigint)", [key.toString()]).catch(() => {});
        throw closedError(name);
      }
      const handle: LeaseHandle = new LeaseHandle(name, holderId, {
        confirm: async () => {
          if (client !== on || leases.get(name)?.handle !== handle) return false;
          const parts = leaseKeyParts(key);
          return (await lockedKeys(on)).has(`${parts.classid}:${parts.objid}`);
        },
        release: async () => {
          if (leases.get(name)?.handle === handle) leases.delete(name);
          if (leases.size === 0) stopChecks();
          if (client === on) await on.query("select pg_advisory_unlock($1::bigint)", [key.toString()]);
        },
      });
      leases.set(name, { handle, key, client: on });
      startChecks();
      return handle;
    } catch (error) {
      throw unavailable(error, name);
    } finally {
      pending.delete(name);
    }
  }

  return {
    holderId,
    tryAcquire,
    async acquire(name, acquireOptions: AcquireOptions = {}) {
      checkLeaseName(name);
      const retryMs = positive("retryMs", acquireOptions.retryMs ?? 500);
      const signal = acquireOptions.signal;
      const wake = signal === undefined ? lifetime.signal : AbortSignal.any([signal, lifetime.signal]);
      for (;;) {
        if (lifetime.signal.aborted) throw closedError(name);
        if (signal?.aborted) throw abortedError(name, signal);
        try {
          const lease = await tryAcquire(name);
          if (lease !== undefined) return lease;
        } catch (error) {
          const leaseError = unavailable(error, name);
          if (leaseError.code !== LeaseCode.BackendUnavailable) throw leaseError;
          options.onError?.(leaseError);
        }
        await sleep(jittered(retryMs), wake);
      }
    },
    held: () => [...leases.keys()],
    async close() {
      if (lifetime.signal.aborted) return;
      lifetime.abort();
      stopChecks();
      for (const [name, held] of [...leases]) {
        leases.delete(name);
        held.handle.end(
          new LeaseError(LeaseCode.Closed, `Lease '${name}' ended: its manager closed.`, { lease: name }),
        );
      }
      await connecting?.catch(() => {});
      const current = client;
      client = undefined;
      // Ending the session frees every advisory lock it holds.
      await current?.end().catch(() => {});
    },
  };
}
