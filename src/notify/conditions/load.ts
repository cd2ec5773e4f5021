import { readFile, stat } from "node:fs/promises";
import { ScriptError, ScriptErrorCode } from "./errors.js";

export interface LoadScriptSourcesOptions {
  /** Larger files are refused. @default 1 MiB (Python/Bash sources also hit the ~128 KiB command-line limit) */
  maxBytes?: number;
}

export interface LoadedScriptSources {
  /** Key → script text. */
  sources: Map<string, string>;
  /** Files that could not be read; conditions using them keep their matches ("script content not found"). */
  problems: ScriptError[];
}

/**
 * Reads trigger-condition and notification scripts once, at startup (as OZ does).
 *
 * Keyed by `script_path` as configured when given a map `script_path → absolute file` (the config loader's
 * `LoadedConfig.scripts`), else by the path itself. OZ keys contents by `lowercase(trim(monitor.name)) + "|" +
 * script_path`; since the same path has the same content for every monitor, Argus keys by path and reads each file
 * once.
 *
 * @example
 * const { sources, problems } = await loadScriptSources(loaded.scripts);
 * const conditions = prepareTriggerConditions(monitor.trigger_conditions, sources);
 */
export async function loadScriptSources(
  files: ReadonlyMap<string, string> | Iterable<string>,
  options: LoadScriptSourcesOptions = {},
): Promise<LoadedScriptSources> {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const entries: Array<[string, string]> =
    files instanceof Map
      ? [...(files as ReadonlyMap<string, string>)]
      : [...(files as Iterable<string>)].map((f) => [f, f]);
  const sources = new Map<string, string>();
  const problems: ScriptError[] = [];
  await Promise.all(
    entries.map(async ([key, file]) => {
      try {
        const info = await stat(file);
        if (!info.isFile()) throw new Error("not a regular file");
        if (info.size > maxBytes) {
          problems.push(
            new ScriptError(
              ScriptErrorCode.LoadFailed,
              `Script ${JSON.stringify(key)} is ${info.size} bytes; the limit is ${maxBytes}`,
              { path: [key] },
            ),
          );
          return;
        }
        sources.set(key, await readFile(file, "utf8"));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        problems.push(
          new ScriptError(ScriptErrorCode.LoadFailed, `Cannot read script ${JSON.stringify(key)}: ${reason}`, {
            path: [key],
            cause: error,
          }),
        );
      }
    }),
  );
  return { sources, problems };
}
