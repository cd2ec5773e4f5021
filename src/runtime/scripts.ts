/**
 * Trigger-condition scripts as the runtime sees them: a tenant's stored script files by path relative to its config
 * directory (`filters/evm_filter.sh`), matched to the `script_path`s its monitors configure.
 */
import { storedScriptCandidates } from "../dispatch/index.js";

export interface ScriptFile {
  content: string;
}

/**
 * The stored file a configured `script_path` names. OZ resolves script paths against the directory that holds
 * `config/` (`./config/filters/x.sh`); files are stored relative to the config directory (`filters/x.sh`). So the
 * path is tried whole, then without its leading segments, one at a time: the longest stored suffix wins. `script`
 * triggers find theirs the same way (`dispatch` `storedScriptCandidates`).
 */
export function resolveStoredScript<T>(scriptPath: string, files: ReadonlyMap<string, T>): T | undefined {
  for (const candidate of storedScriptCandidates(scriptPath)) {
    const found = files.get(candidate);
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
