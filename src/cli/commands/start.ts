import path from "node:path";
import { createLogger } from "../../ops/index.js";
import { rolesSettings, runRoles } from "../../roles/index.js";
import { startArgus } from "../../runtime/index.js";
import { defineCommand, EXIT_OK, UsageError } from "../command.js";

export const startCommand = defineCommand({
  name: "start",
  summary: "Run Argus: watch every network with active monitors, evaluate each block once, deliver notifications.",
  usage: "argus start [--config-dir DIR] [--data-dir DIR] [--port N]",
  details: [
    "  --config-dir DIR   OZ config directory (networks/, monitors/, triggers/, filters/), imported for the built-in",
    "                     tenant at start (single-tenant mode); optional once the store holds configuration",
    "  --data-dir DIR     Embedded database directory (default ./.argus/data; DATABASE_URL selects PostgreSQL)",
    "  --port N           Health and metrics port: /healthz, /readyz, /metrics (default 8081; 0 = any free port)",
    "  --host HOST        Address to listen on (default 127.0.0.1)",
    "  --allow-private-networks  Let notification URLs reach loopback/private addresses (self-hosted, tests)",
    "  --role ROLES       ingest, worker, dispatch, api or all (comma-separated; default all). Separate role processes",
    "                     share PostgreSQL (DATABASE_URL) and NATS JetStream (NATS_URL); Redis (REDIS_URL) for membership",
    "",
  ].join("\n"),
  options: {
    "config-dir": { type: "string" },
    "data-dir": { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "allow-private-networks": { type: "boolean" },
    role: { type: "string" },
  },
  async run(values, io) {
    // Roles over the block and match logs when --role narrows them or NATS_URL is set; else the one-process runtime.
    const roles = await rolesSettings(values, io);
    if (roles !== null) {
      await runRoles(roles, io);
      return EXIT_OK;
    }
    const configDir = values["config-dir"] === undefined ? undefined : path.resolve(io.cwd, values["config-dir"]);
    const dataDir = path.resolve(io.cwd, values["data-dir"] ?? io.env.ARGUS_DATA_DIR ?? ".argus/data");
    const port = Number(values.port ?? io.env.ARGUS_PORT ?? 8081);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be 0-65535, got '${values.port}'`);
    const logger = createLogger({ env: io.env });
    const argus = await startArgus({
      ...(configDir === undefined ? {} : { configDir }),
      dataDir,
      ...(io.env.DATABASE_URL ? { databaseUrl: io.env.DATABASE_URL } : {}),
      port,
      ...(values.host ? { host: values.host } : {}),
      env: io.env,
      logger,
      allowPrivateNetworks: values["allow-private-networks"] === true || io.env.ARGUS_ALLOW_PRIVATE_NETWORKS === "true",
    });
    io.stdout(`Argus is running. Health and metrics: ${argus.url}/readyz, ${argus.url}/metrics\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        logger.info("Stopping: finishing in-flight work");
        resolve();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await argus.stop();
    return EXIT_OK;
  },
});
