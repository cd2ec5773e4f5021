import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

export const SettingsCode = {
  /** A setting has a value of the wrong shape; the message names where it came from (flag, env, file). */
  Invalid: "SETTINGS_INVALID",
  /** The settings file could not be read or is not a JSON object. */
  FileUnreadable: "SETTINGS_FILE_UNREADABLE",
  /** Production mode without a setting that must never have a default (a secret). */
  MissingInProduction: "SETTINGS_MISSING_IN_PRODUCTION",
} as const;
export type SettingsCode = (typeof SettingsCode)[keyof typeof SettingsCode];

/** One problem with one setting, with the source the offending value came from. */
export interface SettingsProblem {
  code: SettingsCode;
  /** The setting's key in the settings file, e.g. `["redis", "url"]`. */
  path: readonly string[];
  /** `flag --port`, `env ARGUS_PORT`, `file /etc/argus.json` or `default`. */
  source: string;
  message: string;
}

export class SettingsError extends ArgusError {
  override name = "SettingsError";
  readonly problems: readonly SettingsProblem[];

  constructor(problems: readonly SettingsProblem[], options: ArgusErrorOptions = {}) {
    const first = problems[0];
    const lines = problems.map((p) => `${p.source}: ${p.path.join(".")}: ${p.message}`);
    super(first?.code ?? SettingsCode.Invalid, `Invalid settings:\n  ${lines.join("\n  ")}`, {
      ...options,
      path: first?.path ?? [],
    });
    this.problems = problems;
  }
}
