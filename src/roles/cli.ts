/**
 * `argus start --role …` (or with `NATS_URL` set): the part of the start command that runs roles as separate
 * processes. Kept here so the start command only needs a flag and a branch.
 */
import { createLogger } from "../ops/index.js";
import { loadSettings, ROLES, type Settings } from "../settings/index.js";
import { startRoles } from "./start.js";

export interface RolesCliIo {
  stdout: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** Whether `argus start` should run the roles over the logs instead of the one-process runtime. */
export function wantsRoles(settings: Pick<Settings, "roles" | "nats">): boolean {
  return settings.nats.url !== undefined || ROLES.some((role) => !settings.roles.includes(role));
}

/** Loads the settings; `null` when the one-process runtime should run (every role, no NATS). */
export async function rolesSettings(flags: Flags, io: RolesCliIo): Promise<Settings | null> {
  // Only a role, NATS or a settings file can ask for roles: otherwise leave the one-process path exactly as it was.
  const env = io.env;
  const asked = [flags.role, env.ARGUS_ROLE, env.NATS_URL, env.ARGUS_NATS_URL, env.ARGUS_SETTINGS_FILE];
  if (asked.every((value) => value === undefined || value === "")) return null;
  const settings = await loadSettings({ flags, env: io.env, cwd: io.cwd });
  return wantsRoles(settings) ? settings : null;
}

/** Runs the roles until SIGINT/SIGTERM, then stops them in order. */
export async function runRoles(settings: Settings, io: RolesCliIo): Promise<void> {
  const logger = createLogger({ env: io.env });
  const running = await startRoles({ settings, env: io.env, logger });
  io.stdout(
    `Argus is running (roles: ${settings.roles.join(", ")}). Health and metrics: ${running.url}/readyz, ${running.url}/metrics\n`,
  );
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
  await running.stop();
}
