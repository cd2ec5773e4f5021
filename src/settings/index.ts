/**
 * @module settings
 *
 * Operator settings for every role, from one table (`./spec.ts`): precedence is command-line flag > environment
 * variable > settings file (JSON, `--settings FILE` or `ARGUS_SETTINGS_FILE`) > default. Production mode
 * (`ARGUS_MODE=production`, or `NODE_ENV=production`) refuses to start without the secrets that must never have a
 * default (JWT secret, master keys) and turns Python/Bash scripts off unless enabled explicitly.
 *
 * Pure apart from `loadSettings` reading the file.
 *
 * @example
 * const settings = await loadSettings({ flags: values, env: process.env, cwd: process.cwd(), filePath: values.settings });
 * settings.roles;         // ["ingest", "worker", "dispatch", "api"] unless --role narrows it
 * settings.sources["http.port"]; // "flag --port" | "env ARGUS_PORT" | "file argus.json" | "default"
 */
export { SettingsCode, SettingsError, type SettingsProblem } from "./errors.js";
export { describeSettings, loadSettings, resolveSettings, type Settings, type SettingsInput } from "./resolve.js";
export {
  LOG_LEVELS,
  MODES,
  type Mode,
  ROLES,
  type Role,
  SETTINGS,
  type SettingSpec,
  SHARD_STRATEGIES,
  type ShardStrategy,
} from "./spec.js";
