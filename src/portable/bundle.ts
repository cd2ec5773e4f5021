/**
 * A config bundle: an OZ config directory in memory, file by file, in OZ's layout. Plain JSON-serialisable data, so
 * the API can send and receive it as is.
 */

export interface ConfigBundle {
  /** `networks/<file>.json` → the network JSON, keyed by file name (`"ethereum_mainnet.json"`). */
  networks: Record<string, unknown>;
  /** `monitors/<file>.json` → the monitor JSON. */
  monitors: Record<string, unknown>;
  /** `triggers/<file>.json` → the trigger map (trigger key → trigger JSON) of that file. */
  triggers: Record<string, Record<string, unknown>>;
  /**
   * Script files (trigger conditions and script triggers) by path relative to the config directory:
   * `"filters/evm_filter_block_number.sh"`, `"triggers/scripts/custom_notification.sh"`.
   */
  scripts: Record<string, string>;
}

/** File extensions of the script languages OZ runs, and their language. */
export const SCRIPT_LANGUAGE_BY_EXTENSION: Readonly<Record<string, "Python" | "JavaScript" | "Bash">> = {
  py: "Python",
  js: "JavaScript",
  sh: "Bash",
};

export function emptyBundle(): ConfigBundle {
  return { networks: {}, monitors: {}, triggers: {}, scripts: {} };
}

/** The script language of a path by its extension, or `undefined` when it is not a script OZ runs. */
export function scriptLanguageOf(file: string): "Python" | "JavaScript" | "Bash" | undefined {
  const dot = file.lastIndexOf(".");
  return dot < 0 ? undefined : SCRIPT_LANGUAGE_BY_EXTENSION[file.slice(dot + 1).toLowerCase()];
}

/**
 * A bundle-relative path with `/` separators and no `.`/`..`/empty segments, or `undefined` when the path would
 * leave the directory (absolute, `..`).
 */
export function normalizeBundlePath(file: string): string | undefined {
  if (file.startsWith("/") || /^[A-Za-z]:/.test(file)) return undefined;
  const parts = file.split(/[\\/]+/).filter((part) => part !== "" && part !== ".");
  if (parts.length === 0 || parts.some((part) => part === "..")) return undefined;
  return parts.join("/");
}

/** A file-name stem for a name with no recorded file (`"Large USDC transfers"` → `"large_usdc_transfers"`). */
export function fileStem(name: string): string {
  const stem = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return stem === "" ? "unnamed" : stem.slice(0, 100);
}
