import { accessSync, constants, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ResolvedScriptSettings, ScriptSettings } from "./types.js";

const FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin";

/** The defaults of `ScriptSettings` (single-tenant mode: every language enabled). */
export function defaultScriptSettings(): ResolvedScriptSettings {
  return {
    allowPython: true,
    allowBash: true,
    allowJavaScript: true,
    maxOutputBytes: 1024 * 1024,
    memoryLimitMb: 64,
    youngGenerationMb: 16,
    stackSizeMb: 4,
    path: process.env.PATH ?? FALLBACK_PATH,
    workDir: tmpdir(),
  };
}

/** Fills the defaults in; later calls with the same object are cheap enough to repeat per run. */
export function resolveScriptSettings(settings: ScriptSettings = {}): ResolvedScriptSettings {
  const defaults = defaultScriptSettings();
  const pick = <K extends keyof ScriptSettings>(key: K): ResolvedScriptSettings[K] =>
    (settings[key] ?? defaults[key]) as ResolvedScriptSettings[K];
  return {
    allowPython: pick("allowPython"),
    allowBash: pick("allowBash"),
    allowJavaScript: pick("allowJavaScript"),
    maxOutputBytes: pick("maxOutputBytes"),
    memoryLimitMb: pick("memoryLimitMb"),
    youngGenerationMb: pick("youngGenerationMb"),
    stackSizeMb: pick("stackSizeMb"),
    path: pick("path"),
    workDir: pick("workDir"),
  };
}

const executables = new Map<string, string | null>();

/** The absolute path of `name` on `searchPath` (first executable regular file), cached; undefined if none. */
export function findExecutable(name: string, searchPath: string): string | undefined {
  const key = `${name}\u0000${searchPath}`;
  const cached = executables.get(key);
  if (cached !== undefined) return cached ?? undefined;
  let found: string | null = null;
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === "" || !path.isAbsolute(dir)) continue; // relative PATH entries would depend on the working directory
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) {
        found = candidate;
        break;
      }
    } catch {
      // not here
    }
  }
  executables.set(key, found);
  return found ?? undefined;
}
