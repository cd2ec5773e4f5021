import { readFile } from "node:fs/promises";
import path from "node:path";
import { SettingsCode, SettingsError, type SettingsProblem } from "./errors.js";
import {
  type LOG_LEVELS,
  type Mode,
  ROLES,
  type Role,
  SETTINGS,
  type SettingKind,
  type SettingSpec,
  type ShardStrategy,
} from "./spec.js";

/** Argus's operator settings, resolved with precedence flag > environment > settings file > default. */
export interface Settings {
  mode: Mode;
  roles: Role[];
  configDir: string | undefined;
  dataDir: string;
  database: { url: string | undefined };
  redis: { url: string | undefined; keyPrefix: string };
  nats: { url: string | undefined; subjectPrefix: string };
  http: { port: number; host: string };
  security: { allowPrivateNetworks: boolean; jwtSecret: string | undefined; masterKeys: string | undefined };
  scripts: { allowPython: boolean; allowBash: boolean };
  log: { level: (typeof LOG_LEVELS)[number] };
  shards: {
    count: number;
    strategy: ShardStrategy;
    maxTenantsPerWorker: number | undefined;
    rebalanceThreshold: number;
    minRebalanceIntervalMs: number;
  };
  membership: { ttlMs: number; heartbeatMs: number | undefined };
  worker: { id: string | undefined; ackWaitMs: number; pullMs: number };
  /** Where each setting's value came from (`flag --port`, `env ARGUS_PORT`, `file …`, `default`), by dotted key. */
  sources: Record<string, string>;
}

export interface SettingsInput {
  /** Parsed command-line flags by long name (`"data-dir"`), as `node:util` parseArgs returns them. */
  flags?: Readonly<Record<string, string | boolean | undefined>>;
  env: NodeJS.ProcessEnv;
  /** Relative paths from flags and the environment resolve against this. */
  cwd: string;
  /** A parsed settings file; its relative paths resolve against the file's directory. */
  file?: { path: string; content: unknown };
}

type Raw = { value: unknown; source: string; base: string };

/**
 * Resolves every setting from flags, environment, file and defaults, and checks production mode's rules. All
 * problems are collected and thrown together as one `SettingsError`, each naming the setting and its source.
 *
 * @example
 * const settings = resolveSettings({ flags: values, env: process.env, cwd: process.cwd() });
 * if (settings.roles.includes("api")) …
 */
export function resolveSettings(input: SettingsInput): Settings {
  const problems: SettingsProblem[] = [];
  const fileValues = input.file ? flattenFile(input.file, problems) : new Map<string, unknown>();
  const fileBase = input.file ? path.dirname(path.resolve(input.cwd, input.file.path)) : input.cwd;
  const pick = (spec: SettingSpec): Raw | undefined => {
    const flag = spec.flag === undefined ? undefined : input.flags?.[spec.flag];
    if (flag !== undefined) return { value: flag, source: `flag --${spec.flag}`, base: input.cwd };
    for (const name of spec.env) {
      const value = input.env[name];
      if (value !== undefined && value !== "") return { value, source: `env ${name}`, base: input.cwd };
    }
    const key = spec.path.join(".");
    if (fileValues.has(key)) return { value: fileValues.get(key), source: `file ${input.file?.path}`, base: fileBase };
    return undefined;
  };

  const out: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  // Mode first: other defaults depend on it. NODE_ENV=production implies production unless mode is set explicitly.
  const modeSpec = SETTINGS[0];
  const modeRaw =
    pick(modeSpec) ?? (input.env.NODE_ENV === "production" ? rawDefault("production", "env NODE_ENV") : undefined);
  const mode = (modeRaw ? convert(modeSpec, modeRaw, problems) : modeSpec.default) as Mode;

  for (const spec of SETTINGS as readonly SettingSpec[]) {
    const key = spec.path.join(".");
    const raw = spec === modeSpec ? modeRaw : pick(spec);
    let value: unknown;
    if (raw !== undefined) {
      value = spec === modeSpec ? mode : convert(spec, raw, problems);
      sources[key] = raw.source;
    } else {
      value = mode === "production" && "productionDefault" in spec ? spec.productionDefault : spec.default;
      if (value !== undefined) sources[key] = "default";
      if (spec.kind.type === "path" && typeof value === "string") value = path.resolve(input.cwd, value);
    }
    if (value === undefined && mode === "production" && spec.requiredInProduction) {
      problems.push({
        code: SettingsCode.MissingInProduction,
        path: spec.path,
        source: "default",
        message: `required in production mode (set ${spec.env[0]}${spec.flag ? ` or --${spec.flag}` : ""}); Argus has no default for it.`,
      });
    }
    setPath(out, spec.path, value);
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return { ...(out as Omit<Settings, "sources">), sources };
}

/** Reads the settings file named by `--settings` or `ARGUS_SETTINGS_FILE` (JSON), then resolves. */
export async function loadSettings(input: Omit<SettingsInput, "file"> & { filePath?: string }): Promise<Settings> {
  const filePath = input.filePath ?? input.env.ARGUS_SETTINGS_FILE;
  if (filePath === undefined || filePath === "") return resolveSettings(input);
  const resolved = path.resolve(input.cwd, filePath);
  let content: unknown;
  try {
    content = JSON.parse(await readFile(resolved, "utf8"));
  } catch (error) {
    throw new SettingsError([
      {
        code: SettingsCode.FileUnreadable,
        path: [],
        source: `file ${filePath}`,
        message: `cannot read the settings file as JSON: ${(error as Error).message}`,
      },
    ]);
  }
  return resolveSettings({ ...input, file: { path: filePath, content } });
}

function rawDefault(value: unknown, source: string): Raw {
  return { value, source, base: "" };
}

/** The file's leaves by dotted key; unknown keys and non-objects are problems (a typo must not pass silently). */
function flattenFile(file: { path: string; content: unknown }, problems: SettingsProblem[]): Map<string, unknown> {
  const known = new Set((SETTINGS as readonly SettingSpec[]).map((spec) => spec.path.join(".")));
  const prefixes = new Set(
    (SETTINGS as readonly SettingSpec[]).flatMap((spec) =>
      spec.path.slice(0, -1).map((_, i) => spec.path.slice(0, i + 1).join(".")),
    ),
  );
  const values = new Map<string, unknown>();
  const walk = (node: unknown, at: string[]) => {
    if (typeof node !== "object" || node === null || Array.isArray(node)) {
      problems.push({
        code: SettingsCode.Invalid,
        path: at,
        source: `file ${file.path}`,
        message: "must be a JSON object",
      });
      return;
    }
    for (const [name, value] of Object.entries(node)) {
      const key = [...at, name].join(".");
      if (known.has(key)) values.set(key, value);
      else if (prefixes.has(key)) walk(value, [...at, name]);
      else
        problems.push({
          code: SettingsCode.Invalid,
          path: [...at, name],
          source: `file ${file.path}`,
          message: `unknown setting; known ones: ${[...known].join(", ")}`,
        });
    }
  };
  walk(file.content, []);
  return values;
}

function convert(spec: SettingSpec, raw: Raw, problems: SettingsProblem[]): unknown {
  const result = convertKind(spec.kind, raw);
  if (typeof result === "object" && result !== null && "problem" in result) {
    problems.push({
      code: SettingsCode.Invalid,
      path: spec.path,
      source: raw.source,
      message: result.problem as string,
    });
    return undefined;
  }
  return result;
}

function convertKind(kind: SettingKind, raw: Raw): unknown {
  const { value } = raw;
  const shown = (kind.type === "string" || kind.type === "url") && kind.secret ? "<secret>" : JSON.stringify(value);
  const fail = (expected: string) => ({ problem: `must be ${expected}, got ${shown}` });
  switch (kind.type) {
    case "string":
      if (typeof value !== "string" || value === "") return fail("a non-empty string");
      if (kind.minLength !== undefined && value.length < kind.minLength)
        return { problem: `must be at least ${kind.minLength} characters long` };
      return value;
    case "path":
      return typeof value === "string" && value !== "" ? path.resolve(raw.base, value) : fail("a path");
    case "url": {
      if (typeof value !== "string") return fail("a URL");
      try {
        const url = new URL(value);
        if (!kind.protocols.includes(url.protocol))
          return fail(`a URL starting with ${kind.protocols.map((p) => `${p}//`).join(" or ")}`);
      } catch {
        return fail("a URL");
      }
      return value;
    }
    case "int": {
      const number = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof number !== "number" || !Number.isInteger(number) || number < kind.min || number > kind.max)
        return fail(`an integer in [${kind.min}, ${kind.max}]`);
      return number;
    }
    case "number": {
      const number = typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
      if (typeof number !== "number" || !Number.isFinite(number) || number < kind.min || number > kind.max)
        return fail(`a number in [${kind.min}, ${kind.max}]`);
      return number;
    }
    case "bool":
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "1") return true;
      if (value === "false" || value === "0") return false;
      return fail("true or false");
    case "enum":
      return typeof value === "string" && kind.values.includes(value)
        ? value
        : fail(`one of ${kind.values.join(", ")}`);
    case "roles":
      return parseRoles(value) ?? fail(`a list of ${ROLES.join(", ")} or all`);
  }
}

function parseRoles(value: unknown): Role[] | undefined {
  const items = typeof value === "string" ? value.split(",").map((s) => s.trim()) : value;
  if (!Array.isArray(items) || items.length === 0) return undefined;
  const roles = new Set<Role>();
  for (const item of items) {
    if (item === "all") for (const role of ROLES) roles.add(role);
    else if (typeof item === "string" && (ROLES as readonly string[]).includes(item)) roles.add(item as Role);
    else return undefined;
  }
  return ROLES.filter((role) => roles.has(role));
}

function setPath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

/** Renders the settings table for `--help` and the README. */
export function describeSettings(): string {
  return (SETTINGS as readonly SettingSpec[])
    .map((spec) => {
      const names = [spec.flag ? `--${spec.flag}` : undefined, ...spec.env].filter(Boolean).join(", ");
      const fallback = spec.default === undefined ? "" : ` (default ${JSON.stringify(spec.default)})`;
      return `  ${spec.path.join(".")}  [${names}]  ${spec.description}${fallback}`;
    })
    .join("\n");
}
