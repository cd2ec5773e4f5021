import { createLogger, type Logger } from "../../ops/index.js";
import { startRoles, wantsRoles } from "../../roles/index.js";
import { startArgus } from "../../runtime/index.js";
import { describeSettings, loadSettings, type Settings } from "../../settings/index.js";
import { defineCommand, EXIT_OK } from "../command.js";

export const startCommand = defineCommand({
  name: "start",
  summary: "Run Argus: watch every network with active monitors, evaluate each block once, deliver notifications.",
  usage:
    "argus start [--config-dir DIR] [--data-dir DIR] [--port N] [--role ROLES] [--settings FILE] [--database-url URL] [--redis-url URL] [--nats-url URL]",
  details: [
    "  --config-dir DIR   OZ config directory (networks/, monitors/, triggers/, filters/), imported for the built-in",
    "                     tenant at start (single-tenant mode); optional once the store holds configuration",
    "  --data-dir DIR     Embedded database directory (default ./.argus/data; --database-url/DATABASE_URL: PostgreSQL)",
    "  --port N           HTTP port: REST API (/api), /healthz, /readyz, /metrics (default 8081; 0 = any free port)",
    "  --host HOST        Address to listen on (default 127.0.0.1)",
    "  --allow-private-networks  Let notification URLs reach loopback/private addresses (self-hosted, tests)",
    "  --role ROLES       ingest, worker, dispatch, api or all (comma-separated; default all). Separate role processes",
    "                     share PostgreSQL (DATABASE_URL), NATS JetStream (NATS_URL) and Redis (REDIS_URL)",
    "  --mode MODE        development (default) or production (refuses to start without ARGUS_JWT_SECRET and",
    "                     ARGUS_MASTER_KEYS; Python/Bash scripts off unless enabled)",
    "  --settings FILE    JSON settings file (also ARGUS_SETTINGS_FILE); precedence: flag > environment > file > default",
    "",
    "Every setting (file key [flag, environment variables]):",
    describeSettings(),
    "",
  ].join("\n"),
  options: {
    "config-dir": { type: "string" },
    "data-dir": { type: "string" },
    "database-url": { type: "string" },
    "redis-url": { type: "string" },
    "nats-url": { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "allow-private-networks": { type: "boolean" },
    role: { type: "string" },
    mode: { type: "string" },
    settings: { type: "string" },
  },
  async run(values, io) {
    const { settings: filePath, ...flags } = values;
    const settings = await loadSettings({
      flags,
      env: io.env,
      cwd: io.cwd,
      ...(filePath === undefined ? {} : { filePath }),
    });
    const logger = createLogger({ env: { ...io.env, ARGUS_LOG_LEVEL: settings.log.level } });
    // Roles over the block and match logs when --role narrows them or NATS is configured; else one process.
    const running = wantsRoles(settings)
      ? await startRoles({ settings, env: io.env, logger })
      : await startArgus(oneProcessOptions(settings, io.env, logger));
    const roles = wantsRoles(settings) ? ` (roles: ${settings.roles.join(", ")})` : "";
    io.stdout(`Argus is running${roles}. Health and metrics: ${running.url}/readyz, ${running.url}/metrics\n`);
    await untilStopSignal(logger);
    await running.stop();
    return EXIT_OK;
  },
});

function oneProcessOptions(settings: Settings, env: NodeJS.ProcessEnv, logger: Logger) {
  return {
    ...(settings.configDir === undefined ? {} : { configDir: settings.configDir }),
    dataDir: settings.dataDir,
    ...(settings.database.url === undefined ? {} : { databaseUrl: settings.database.url }),
    ...(settings.redis.url === undefined ? {} : { redisUrl: settings.redis.url }),
    redisPrefix: settings.redis.keyPrefix,
    port: settings.http.port,
    host: settings.http.host,
    env,
    logger,
    allowPrivateNetworks: settings.security.allowPrivateNetworks,
    scriptSettings: { allowPython: settings.scripts.allowPython, allowBash: settings.scripts.allowBash },
  };
}

/** Resolves on the first SIGINT or SIGTERM: the caller then stops in order (in-flight work finishes). */
function untilStopSignal(logger: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      logger.info("Stopping: finishing in-flight work");
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
