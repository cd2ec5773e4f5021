/**
 * `argus start --role …` (or with `NATS_URL` set) runs roles as separate processes over the block and match logs;
 * with every role and no NATS, Argus stays the one-process runtime.
 */
import { ROLES, type Settings } from "../settings/index.js";

/** Whether `argus start` should run the roles over the logs instead of the one-process runtime. */
export function wantsRoles(settings: Pick<Settings, "roles" | "nats">): boolean {
  return settings.nats.url !== undefined || ROLES.some((role) => !settings.roles.includes(role));
}
