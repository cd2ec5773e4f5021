/**
 * Trigger-condition scripts as the runtime sees them: a tenant's stored script files by path relative to its config
 * directory (`filters/evm_filter.sh`), matched to the `script_path`s its monitors configure.
 */

export interface ScriptFile {
  content: string;
}

/**
 * The path segments of a configured `script_path`, without `.` segments (`./config/filters/x.sh` →
 * `["config", "filters", "x.sh"]`).
 */
function segments(scriptPath: string): string[] {
  return scriptPath.split(/[\\/]+/).filter((part) => part !== "" && part !== ".");
}

/**
 * The stored file a configured `script_path` names. OZ resolves script paths against the directory that holds
 * `config/` (`./config/filters/x.sh`); files are stored relative to the config directory (`filters/x.sh`). So the
 * path is tried whole, then without its leading segments, one at a time: the longest stored suffix wins.
 */
export function resolveStoredScript<T>(scriptPath: string, files: ReadonlyMap<string, T>): T | undefined {
  const parts = segments(scriptPath);
  for (let start = 0; start < parts.length; start++) {
    const found = files.get(parts.slice(start).join("/"));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `script_path` → content for the given configured paths (those without a stored file are left out). */
export function scriptSourcesFor(
  scriptPaths: Iterable<string>,
  files: ReadonlyMap<string, ScriptFile>,
): Map<string, string> {
  const sources = new Map<string, string>();
  for (const scriptPath of scriptPaths) {
    const file = resolveStoredScript(scriptPath, files);
    if (file !== undefined) sources.set(scriptPath, file.content);
  }
  return sources;
}
