/** Script checks shared by monitor trigger conditions and `script` triggers (OZ §1.4, §1.5). */
import { statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigCode, type ProblemSink } from "./errors.js";

export const SCRIPT_LANGUAGES = ["JavaScript", "Python", "Bash"] as const;
export const ScriptLanguageSchema = z.enum(SCRIPT_LANGUAGES);
export type ScriptLanguage = z.output<typeof ScriptLanguageSchema>;

export const SCRIPT_EXTENSIONS: Readonly<Record<ScriptLanguage, string>> = {
  JavaScript: "js",
  Python: "py",
  Bash: "sh",
};

export interface ScriptLocation {
  /** Process working directory. @default process.cwd() */
  cwd?: string;
  /** The config directory (the one holding `networks/`, `monitors/`, …), if known. */
  configDir?: string;
}

/**
 * Candidate absolute paths for a configured `script_path`, in lookup order.
 *
 * OZ resolves script paths against the process working directory (its examples say
 * `./config/filters/x.sh`, run from the directory that holds `config/`). Argus tries the CWD first, then the parent
 * of the config directory, so `argus validate some/where/config` also works from elsewhere for OZ's layout.
 */
export function scriptCandidates(scriptPath: string, location: ScriptLocation): string[] {
  if (path.isAbsolute(scriptPath)) return [scriptPath];
  const cwd = location.cwd ?? process.cwd();
  const roots = [cwd];
  if (location.configDir !== undefined) roots.push(path.dirname(path.resolve(cwd, location.configDir)));
  return [...new Set(roots.map((root) => path.resolve(root, scriptPath)))];
}

/** The first existing regular file among the candidates, or undefined. */
export function resolveScriptPath(scriptPath: string, location: ScriptLocation): string | undefined {
  for (const candidate of scriptCandidates(scriptPath, location)) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there: try the next root
    }
  }
  return undefined;
}

export interface ScriptSpec {
  script_path: string;
  language: ScriptLanguage;
  timeout_ms: number;
}

/**
 * Checks a script reference: timeout > 0, extension matches the language, the file exists (warning when it is
 * group- or world-writable). Returns the resolved absolute path when the file exists.
 */
export function checkScript(
  spec: ScriptSpec,
  at: (string | number)[],
  sink: ProblemSink,
  location: ScriptLocation & { checkFiles?: boolean },
): string | undefined {
  if (spec.timeout_ms <= 0) {
    sink.error([...at, "timeout_ms"], ConfigCode.InvalidField, "timeout_ms must be greater than 0");
  }
  const expected = SCRIPT_EXTENSIONS[spec.language];
  if (!spec.script_path.endsWith(`.${expected}`)) {
    const ext = path.extname(spec.script_path);
    sink.error(
      [...at, "script_path"],
      ConfigCode.ScriptExtension,
      `a ${spec.language} script must have the extension ".${expected}", got ${ext === "" ? "no extension" : JSON.stringify(ext)}`,
    );
  }
  if (location.checkFiles === false) return undefined;
  const resolved = resolveScriptPath(spec.script_path, location);
  if (resolved === undefined) {
    const looked = scriptCandidates(spec.script_path, location).join(", ");
    sink.error(
      [...at, "script_path"],
      ConfigCode.ScriptNotFound,
      `script file not found: ${JSON.stringify(spec.script_path)} (looked for ${looked})`,
    );
    return undefined;
  }
  try {
    const mode = statSync(resolved).mode;
    if ((mode & 0o022) !== 0) {
      sink.warn(
        [...at, "script_path"],
        ConfigCode.ScriptPermissions,
        `script ${JSON.stringify(spec.script_path)} is group- or world-writable (mode ${(mode & 0o777).toString(8)}); run chmod go-w on it`,
      );
    }
  } catch {
    // vanished between the two stats: the existence check above already passed, nothing more to say
  }
  return resolved;
}
