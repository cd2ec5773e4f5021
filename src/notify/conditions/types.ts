import type { ScriptLanguage } from "../../config/index.js";
import type { ScriptError } from "./errors.js";

export type { ScriptLanguage };

/**
 * Operator settings for running tenant scripts. Every field is optional; `resolveScriptSettings` fills defaults.
 *
 * The defaults suit the single-tenant CLI / embedded mode, where the scripts are the operator's own (as in OZ):
 * every language is enabled. A multi-tenant deployment sets `allowPython: false, allowBash: false`: those run as
 * ordinary subprocesses of the server's user, which is no sandbox at all.
 */
export interface ScriptSettings {
  /** Run `Python` scripts (`python3 -c <source>`). @default true */
  allowPython?: boolean;
  /** Run `Bash` scripts (`bash -c <source>`, `sh -c` where bash is missing). @default true */
  allowBash?: boolean;
  /** Run `JavaScript` scripts (in the sandbox). @default true */
  allowJavaScript?: boolean;
  /** Limit for each of stdout and stderr, in bytes; beyond it the script is killed. @default 1 MiB */
  maxOutputBytes?: number;
  /** JavaScript sandbox: V8 old-generation heap limit, MiB. @default 64 */
  memoryLimitMb?: number;
  /** JavaScript sandbox: V8 young-generation heap limit, MiB. @default 16 */
  youngGenerationMb?: number;
  /** JavaScript sandbox: stack size, MiB. @default 4 */
  stackSizeMb?: number;
  /** `PATH` given to Python/Bash subprocesses (also used to find `python3`/`bash`). @default the server's PATH */
  path?: string;
  /** Working directory, `HOME` and `TMPDIR` of Python/Bash subprocesses. @default os.tmpdir() */
  workDir?: string;
}

export type ResolvedScriptSettings = Required<ScriptSettings>;

export interface RunScriptOptions {
  language: ScriptLanguage;
  /** The script's text (OZ reads the file once at startup and runs its content). */
  source: string;
  /** Written to the script's stdin, which is then closed. */
  stdin: string;
  /** Wall-clock limit in ms, counted from the call (interpreter start-up included, as in OZ). */
  timeoutMs: number;
  /** Aborting kills the script; the outcome is `SCRIPT_ABORTED`. */
  signal?: AbortSignal;
  /** Operator settings; see `ScriptSettings`. */
  settings?: ScriptSettings;
  /** Name shown in JavaScript stack traces. @default "script.js" */
  filename?: string;
}

/** How a script run ended. `ok` means exit code 0 within the limits; the output is not interpreted here. */
export type ScriptOutcome =
  | { ok: true; exitCode: 0; stdout: string; stderr: string; durationMs: number }
  | {
      ok: false;
      error: ScriptError;
      /** The exit code when the script exited by itself; `null` when it was killed, refused or never started. */
      exitCode: number | null;
      stdout: string;
      stderr: string;
      durationMs: number;
    };
