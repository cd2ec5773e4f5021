/**
 * Where `script` triggers find their scripts: the tenant's stored files (`trigger_scripts`), named by the trigger's
 * `script_path` the way trigger conditions name theirs. A tenant's script never comes from the server's disk (a
 * `script_path` of `/etc/…` would otherwise run a server file); only the built-in tenant may fall back to the files
 * its operator's config directory referenced, read once at start as OZ does.
 */
import { type Store, StoreError, triggerScripts } from "../store/index.js";
import { DispatchCode, DispatchError } from "./errors.js";

/** Reads the script a tenant's trigger names; throws when there is none (a `DispatchError`, retryable when the store failed). */
export type ScriptReader = (tenantId: string, scriptPath: string) => Promise<string>;

/**
 * The stored paths a configured `script_path` may name, in the order they are tried. OZ resolves script paths
 * against the directory holding `config/` (`./config/filters/x.sh`) while files are stored relative to the config
 * directory (`filters/x.sh`): the whole path first, then without its leading segments one at a time (the longest
 * stored suffix wins). `.` segments are dropped.
 */
export function storedScriptCandidates(scriptPath: string): string[] {
  const parts = scriptPath.split(/[\\/]+/).filter((part) => part !== "" && part !== ".");
  return parts.map((_, start) => parts.slice(start).join("/"));
}

export interface StoreScriptReaderOptions {
  /**
   * Content for a script no stored file matches, e.g. the built-in tenant's scripts outside its config directory,
   * read from disk at start. Consulted only after the store; never give a tenant's lookup access to the disk.
   */
  fallback?: (tenantId: string, scriptPath: string) => string | undefined;
}

/**
 * A `ScriptReader` over `trigger_scripts`. No cache: a script trigger spawns a process, one indexed lookup per
 * attempt is noise beside it, and a changed script is used from the next attempt on.
 *
 * @example
 * const dispatcher = createDispatcher({ store, triggers, scripts: createStoreScriptReader(store) });
 */
export function createStoreScriptReader(store: Store, options: StoreScriptReaderOptions = {}): ScriptReader {
  return async (tenantId, scriptPath) => {
    try {
      for (const candidate of storedScriptCandidates(scriptPath)) {
        // Stored paths are normalised (no `.`/`..`, no leading `/`): a `..` candidate can never match.
        const row = await triggerScripts.getByPath(store, tenantId, candidate);
        if (row !== null) return row.content;
      }
    } catch (error) {
      throw new DispatchError(
        DispatchCode.ScriptLookupFailed,
        `Reading script ${JSON.stringify(scriptPath)} from the store failed: ${(error as Error).message}`,
        { cause: error, retryable: !(error instanceof StoreError) || error.retryable, context: { tenantId } },
      );
    }
    const fallback = options.fallback?.(tenantId, scriptPath);
    if (fallback !== undefined) return fallback;
    throw new DispatchError(
      DispatchCode.ScriptUnknown,
      `The tenant has no stored script at ${JSON.stringify(scriptPath)} (tried ${storedScriptCandidates(scriptPath)
        .map((path) => JSON.stringify(path))
        .join(", ")}).`,
      { context: { tenantId }, hint: "Upload the script (API or `argus import`), then replay the delivery." },
    );
  };
}
