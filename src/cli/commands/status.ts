import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Bus, createJetStreamBus } from "../../bus/index.js";
import { createRedisBlockCache } from "../../cache/index.js";
import { shardOptionsOf } from "../../roles/index.js";
import { createKeyring, type Keyring, parseMasterKeys } from "../../secrets/index.js";
import { loadSettings, type Settings } from "../../settings/index.js";
import { createRedisMembership, type Membership } from "../../shard/index.js";
import { type CollectStatusOptions, collectStatus, formatStatus, type StatusBus } from "../../status/index.js";
import { createStore, type Store } from "../../store/index.js";
import { defineCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";

/**
 * The keyring that opens sealed network secrets, read-only: `ARGUS_MASTER_KEYS`, else the development key file in
 * the data directory when one exists. Never creates a key (`argus start` does): without one, sealed RPC URLs are
 * reported as unusable and the head comes from the cache only.
 */
function readKeyring(env: NodeJS.ProcessEnv, dataDir: string): Keyring | undefined {
  const configured = env.ARGUS_MASTER_KEYS;
  if (configured !== undefined && configured.trim() !== "") return createKeyring({ keys: parseMasterKeys(configured) });
  const file = path.join(dataDir, "master.key");
  if (!existsSync(file)) return undefined;
  return createKeyring({ keys: parseMasterKeys(readFileSync(file, "utf8"), file) });
}

function timeoutOption(value: string | undefined): number {
  if (value === undefined) return 2_000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1 || ms > 60_000) {
    throw new UsageError(`--rpc-timeout must be an integer number of ms in [1, 60000], got '${value}'`);
  }
  return ms;
}

export const statusCommand = defineCommand({
  name: "status",
  summary:
    "Show the platform's state: networks (head, cursor, lag), ingest leaders, workers, consumer lag, deliveries.",
  usage:
    "argus status [--json] [--settings FILE] [--database-url URL | --data-dir DIR] [--redis-url URL] [--nats-url URL]",
  details: [
    "  --json              Print the report as JSON (the same document as GET /api/v1/platform/status)",
    "  --settings FILE     Settings file (JSON); flags > environment > file > defaults, as for `argus start`",
    "  --database-url URL  PostgreSQL (default: DATABASE_URL); also where ingest leases are read (pg_locks)",
    "  --data-dir DIR      Embedded database when no database URL is set; not while `argus start` uses it",
    "  --redis-url URL     Worker membership and cached heads (default: REDIS_URL); unset = workers not shown",
    "  --nats-url URL      JetStream block and match logs (default: NATS_URL); unset = consumer lag not shown",
    "  --rpc-timeout MS    Time-out of each network's head request (default 2000)",
    "  --no-rpc            Do not ask the chains for their heads",
    "Exit codes: 0 every configured source answered, 1 a source was unavailable (the report is still printed).",
    "",
  ].join("\n"),
  options: {
    json: { type: "boolean" },
    settings: { type: "string" },
    "database-url": { type: "string" },
    "data-dir": { type: "string" },
    "redis-url": { type: "string" },
    "nats-url": { type: "string" },
    "rpc-timeout": { type: "string" },
    "no-rpc": { type: "boolean" },
  },
  async run(values, io) {
    const timeoutMs = timeoutOption(values["rpc-timeout"]);
    const settings: Settings = await loadSettings({
      flags: {
        "database-url": values["database-url"],
        "data-dir": values["data-dir"],
        "redis-url": values["redis-url"],
        "nats-url": values["nats-url"],
      },
      env: io.env,
      cwd: io.cwd,
      ...(values.settings === undefined ? {} : { filePath: values.settings }),
    });
    const closers: Array<() => Promise<unknown>> = [];
    try {
      const databaseUrl = settings.database.url;
      const store: Store = await createStore(databaseUrl ? { databaseUrl } : { dataDir: settings.dataDir });
      closers.push(() => store.close());
      const options: CollectStatusOptions = {
        store,
        now: new Date(),
        shards: shardOptionsOf(settings),
        rpc: values["no-rpc"]
          ? false
          : { env: io.env, timeoutMs, ...optionalKeyring(readKeyring(io.env, settings.dataDir)) },
      };
      // Leases are in process when embedded: only PostgreSQL's are visible from another process.
      // The roles name their lease space after the NATS subject prefix (one deployment per prefix on a shared database).
      if (databaseUrl) options.leaseBackend = { kind: "postgres", namespace: settings.nats.subjectPrefix };
      if (settings.redis.url) {
        const membership: Membership = createRedisMembership({
          url: settings.redis.url,
          prefix: settings.redis.keyPrefix,
          autoHeartbeat: false,
        });
        closers.push(() => membership.close({ leave: false }));
        options.membership = membership;
        // Heads the ingest leaders cached: no RPC call needed for those networks.
        const cache = createRedisBlockCache({ url: settings.redis.url, keyPrefix: settings.redis.keyPrefix });
        closers.push(() => cache.close());
        options.cache = cache;
      }
      if (settings.nats.url) {
        try {
          const bus: Bus = await createJetStreamBus({
            servers: settings.nats.url,
            subjectPrefix: settings.nats.subjectPrefix,
            name: "argus-status",
          });
          closers.push(() => bus.close());
          options.bus = bus;
        } catch (error) {
          options.bus = unreachableBus(error);
        }
      }
      const report = await collectStatus(options);
      io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      const parts = [report.networks, report.ingestLeaders, report.workers, report.streams, report.deliveries];
      return parts.some((part) => part.state === "unavailable") ? EXIT_FAILURE : EXIT_OK;
    } finally {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    }
  },
});

/** A bus that could not be opened: the report marks consumer lag unavailable with the connection error. */
function unreachableBus(error: unknown): StatusBus {
  const log = { lags: () => Promise.reject(error), stats: () => Promise.reject(error) };
  return { kind: "jetstream", blocks: log, matches: log };
}

function optionalKeyring(keyring: Keyring | undefined): { keyring?: Keyring } {
  return keyring === undefined ? {} : { keyring };
}
