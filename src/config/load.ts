/** Loading an OZ config directory: `networks/`, `triggers/`, `monitors/` (+ `filters/`), with cross-file checks. */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigCode, type ConfigProblem, ProblemSink } from "./errors.js";
import { parseJsonText } from "./json.js";
import { type Monitor, type MonitorParseOptions, parseMonitor } from "./monitor.js";
import { NETWORK_TYPES, type Network, type NetworkType, parseNetwork } from "./network.js";
import type { ParseResult } from "./result.js";
import { resolveScriptPath } from "./scripts.js";
import type { SecretEnv } from "./secret.js";
import { parseTriggerEntries, type Trigger } from "./trigger.js";

export interface LoadOptions {
  /** Environment for `Environment` secrets. @default process.env */
  env?: SecretEnv;
  /** Working directory: relative `dir` and script paths resolve against it. @default process.cwd() */
  cwd?: string;
  /** Check that referenced scripts exist. @default true */
  checkScripts?: boolean;
  /** Clock for schedule-dependent warnings. @default new Date() */
  now?: Date;
  /**
   * A missing `monitors/` directory is not an error (e.g. `test-monitor`, which takes the monitor from a file).
   * @default false
   */
  monitorsOptional?: boolean;
}

export interface LoadedMonitor {
  /** File relative to the config dir (`"monitors/usdc.json"`). */
  file: string;
  monitor: Monitor;
}

export interface LoadedConfig {
  /** The config directory, absolute. */
  dir: string;
  /** Valid networks by slug. */
  networks: Map<string, Network>;
  /** Valid monitors (paused ones included) by name. */
  monitors: Map<string, LoadedMonitor>;
  /** Valid triggers by trigger key (the later file wins for a key defined twice). */
  triggers: Map<string, Trigger>;
  /** Every error and warning, in file order (networks, triggers, monitors). */
  problems: ConfigProblem[];
  /** `script_path` as configured → absolute path, for the scripts of valid monitors and script triggers. */
  scripts: Map<string, string>;
  /** Files in `filters/` (relative to the config dir), sorted; empty when the folder is absent. */
  filters: string[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** `*.json` files (extension case-insensitive) of `dir`, sorted by name. */
async function listJsonFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.name.toLowerCase().endsWith(".json")) continue;
    if (
      entry.isFile() ||
      (entry.isSymbolicLink() && (await stat(path.join(dir, entry.name)).catch(() => undefined))?.isFile())
    ) {
      names.push(entry.name);
    }
  }
  return names.sort(byName);
}

interface JsonFile {
  /** Relative to the config dir, with `/`. */
  file: string;
  stem: string;
  value: unknown;
}

/** Reads and JSON-parses the files of one sub-directory; unreadable/malformed files become problems. */
async function readJsonDir(
  root: string,
  sub: string,
  problems: ConfigProblem[],
  optional = false,
): Promise<JsonFile[]> {
  const dir = path.join(root, sub);
  if (!(await isDirectory(dir))) {
    if (optional) return [];
    problems.push({
      file: `${sub}/`,
      path: [],
      message: `${sub} directory not found: ${dir}`,
      code: ConfigCode.NotFound,
      severity: "error",
    });
    return [];
  }
  const files: JsonFile[] = [];
  for (const name of await listJsonFiles(dir)) {
    const file = `${sub}/${name}`;
    const value = await readJsonFile(path.join(dir, name), file, problems);
    if (value.ok) files.push({ file, stem: name.slice(0, -".json".length), value: value.value });
  }
  return files;
}

async function readJsonFile(
  absolute: string,
  file: string,
  problems: ConfigProblem[],
): Promise<{ ok: true; value: unknown } | { ok: false }> {
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    const notFound = (error as NodeJS.ErrnoException).code === "ENOENT";
    problems.push({
      file,
      path: [],
      message: notFound ? `file not found: ${absolute}` : `cannot read ${absolute}: ${(error as Error).message}`,
      code: notFound ? ConfigCode.NotFound : ConfigCode.ReadFailed,
      severity: "error",
    });
    return { ok: false };
  }
  const parsed = parseJsonText(text);
  if (parsed.ok) return parsed;
  problems.push({
    file,
    path: [],
    message: `invalid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.message}`,
    code: ConfigCode.JsonSyntax,
    severity: "error",
    line: parsed.line,
    column: parsed.column,
  });
  return { ok: false };
}

function norm(text: string): string {
  return text.trim().toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Loads and validates a whole config directory (OZ layout). Never throws for config problems: every error and
 * warning is returned in `problems` (check with `hasErrors`); the maps hold what is valid.
 *
 * @example
 * const loaded = await loadConfigDir("./config");
 * if (hasErrors(loaded.problems)) for (const p of loaded.problems) console.error(formatProblem(p));
 */
export async function loadConfigDir(dir: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const root = path.resolve(cwd, dir);
  const problems: ConfigProblem[] = [];
  const loaded: LoadedConfig = {
    dir: root,
    networks: new Map(),
    monitors: new Map(),
    triggers: new Map(),
    problems,
    scripts: new Map(),
    filters: [],
  };
  if (!(await isDirectory(root))) {
    problems.push({
      file: root,
      path: [],
      message: "config directory not found",
      code: ConfigCode.NotFound,
      severity: "error",
    });
    return loaded;
  }
  const common = { env, cwd, configDir: root, checkScripts: options.checkScripts, now: options.now };

  // Networks. `declared` also holds networks that failed validation, so that monitors referencing them are not
  // reported a second time as "unknown network".
  const declared = new Map<string, { network_type: NetworkType }>();
  const nameOwner = new Map<string, string>();
  const slugOwner = new Map<string, string>();
  for (const { file, stem, value } of await readJsonDir(root, "networks", problems)) {
    const result = parseNetwork(value, { ...common, file, stem });
    problems.push(...result.problems);
    if (
      isRecord(value) &&
      typeof value.slug === "string" &&
      (NETWORK_TYPES as readonly unknown[]).includes(value.network_type)
    ) {
      if (!declared.has(value.slug)) declared.set(value.slug, { network_type: value.network_type as NetworkType });
    }
    if (!result.ok) continue;
    const network = result.value;
    const sink = new ProblemSink(file);
    const nameTaken = nameOwner.get(norm(network.name));
    const slugTaken = slugOwner.get(norm(network.slug));
    if (nameTaken !== undefined) {
      sink.error(
        ["name"],
        ConfigCode.DuplicateNetwork,
        `Duplicate network name ${JSON.stringify(network.name)}: ${nameTaken} uses the same name (names are compared trimmed and lowercased)`,
      );
    }
    if (slugTaken !== undefined) {
      sink.error(
        ["slug"],
        ConfigCode.DuplicateNetwork,
        `Duplicate network slug ${JSON.stringify(network.slug)}: ${slugTaken} uses the same slug`,
      );
    }
    problems.push(...sink.problems);
    if (sink.hasErrors) continue;
    nameOwner.set(norm(network.name), file);
    slugOwner.set(norm(network.slug), file);
    loaded.networks.set(network.slug, network);
  }
  for (const [slug, network] of loaded.networks) declared.set(slug, network);

  // Triggers: keys merge across files in name order; a later file overrides an earlier key (with a warning).
  const keyFile = new Map<string, string>();
  const declaredKeys = new Set<string>();
  for (const { file, value } of await readJsonDir(root, "triggers", problems)) {
    const entries = parseTriggerEntries(value, { ...common, file });
    problems.push(...entries.problems);
    for (const key of entries.keys) {
      const earlier = keyFile.get(key);
      if (earlier !== undefined && earlier !== file) {
        problems.push({
          file,
          path: [key],
          message: `trigger key ${JSON.stringify(key)} is also defined in ${earlier}; this definition wins (files are read in name order)`,
          code: ConfigCode.DuplicateTriggerKey,
          severity: "warning",
        });
        loaded.triggers.delete(key);
      }
      keyFile.set(key, file);
      declaredKeys.add(key);
      const trigger = entries.triggers.get(key);
      if (trigger !== undefined) loaded.triggers.set(key, trigger);
    }
  }
  const triggerNames = new Map<string, string>();
  for (const [key, trigger] of loaded.triggers) {
    const name = norm(trigger.name);
    const owner = triggerNames.get(name);
    if (owner !== undefined) {
      problems.push({
        file: keyFile.get(key) ?? "",
        path: [key, "name"],
        message: `Duplicate trigger name ${JSON.stringify(trigger.name)}: trigger '${owner}' uses the same name (names are compared trimmed and lowercased)`,
        code: ConfigCode.DuplicateTrigger,
        severity: "error",
      });
    } else triggerNames.set(name, key);
  }

  // Monitors, checked against every declared network and trigger key.
  const monitorNames = new Map<string, string>();
  for (const { file, value } of await readJsonDir(root, "monitors", problems, options.monitorsOptional)) {
    const result = parseMonitor(value, { ...common, file, networks: declared, triggers: declaredKeys });
    problems.push(...result.problems);
    if (!result.ok) continue;
    const monitor = result.value;
    const owner = monitorNames.get(norm(monitor.name));
    if (owner !== undefined) {
      problems.push({
        file,
        path: ["name"],
        message: `Duplicate monitor name ${JSON.stringify(monitor.name)}: ${owner} uses the same name (names are compared trimmed and lowercased)`,
        code: ConfigCode.DuplicateMonitor,
        severity: "error",
      });
      continue;
    }
    monitorNames.set(norm(monitor.name), file);
    loaded.monitors.set(monitor.name, { file, monitor });
  }

  // Scripts referenced by valid monitors and script triggers, resolved once for the runtime.
  const location = { cwd, configDir: root };
  const scriptPaths = [
    ...[...loaded.monitors.values()].flatMap(({ monitor }) => monitor.trigger_conditions.map((c) => c.script_path)),
    ...[...loaded.triggers.values()].flatMap((t) => (t.trigger_type === "script" ? [t.config.script_path] : [])),
  ];
  for (const scriptPath of scriptPaths) {
    const resolved = resolveScriptPath(scriptPath, location);
    if (resolved !== undefined) loaded.scripts.set(scriptPath, resolved);
  }

  const filtersDir = path.join(root, "filters");
  if (await isDirectory(filtersDir)) {
    const entries = await readdir(filtersDir, { withFileTypes: true });
    loaded.filters = entries
      .filter((e) => e.isFile())
      .map((e) => `filters/${e.name}`)
      .sort(byName);
  }
  return loaded;
}

/**
 * Parses one monitor file and checks it against an already loaded config (for `test-monitor --monitor FILE`).
 * `file` in problems is `filePath` as given.
 */
export async function loadMonitorFile(
  filePath: string,
  loaded: Pick<LoadedConfig, "dir" | "networks" | "triggers">,
  options: LoadOptions & Pick<MonitorParseOptions, "references"> = {},
): Promise<ParseResult<Monitor>> {
  const cwd = options.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];
  const read = await readJsonFile(path.resolve(cwd, filePath), filePath, problems);
  if (!read.ok) return { ok: false, problems };
  return parseMonitor(read.value, {
    file: filePath,
    env: options.env,
    cwd,
    configDir: loaded.dir,
    checkScripts: options.checkScripts,
    now: options.now,
    networks: loaded.networks,
    triggers: loaded.triggers,
    references: options.references,
  });
}
