import { performance } from "node:perf_hooks";
import { ScriptError, ScriptErrorCode } from "./errors.js";
import { runSandboxed } from "./sandbox.js";
import { findExecutable, resolveScriptSettings } from "./settings.js";
import { runSubprocess } from "./subprocess.js";
import type { ResolvedScriptSettings, RunScriptOptions, ScriptLanguage, ScriptOutcome } from "./types.js";

const SETTING_OF: Readonly<Record<ScriptLanguage, "allowPython" | "allowBash" | "allowJavaScript">> = {
  JavaScript: "allowJavaScript",
  Python: "allowPython",
  Bash: "allowBash",
};

/** The environment of Python/Bash subprocesses: nothing of the server's own environment but `PATH`. */
export function subprocessEnvironment(settings: ResolvedScriptSettings): Record<string, string> {
  return { PATH: settings.path, HOME: settings.workDir, TMPDIR: settings.workDir, LANG: "C.UTF-8" };
}

/**
 * Runs a trigger-condition or notification script and reports how it ended, as a value (never throws).
 *
 * - `JavaScript`: in the sandbox (see `sandbox.ts`).
 * - `Python`: `python3 -c <source>`; `Bash`: `bash -c <source>`, or `sh -c` where bash is not installed. No file path
 *   and no command-line arguments are passed (as in OZ); arguments travel in the stdin JSON.
 *
 * Outcome codes: `SCRIPT_TIMEOUT`, `SCRIPT_EXIT_NONZERO` (message `Script execution failed: <stderr>`),
 * `SCRIPT_OUTPUT_TOO_LARGE`, `SCRIPT_LANGUAGE_DISABLED`, `SCRIPT_SANDBOX_VIOLATION`, `SCRIPT_SPAWN_FAILED`,
 * `SCRIPT_ABORTED`.
 *
 * @example
 * const outcome = await runScript({ language: "Python", source: "print(True)", stdin: "{}", timeoutMs: 1000 });
 * if (outcome.ok) console.log(outcome.stdout); // "True\n"
 */
export async function runScript(options: RunScriptOptions): Promise<ScriptOutcome> {
  const settings = resolveScriptSettings(options.settings);
  const started = performance.now();
  const refused = (error: ScriptError): ScriptOutcome => ({
    ok: false,
    error,
    exitCode: null,
    stdout: "",
    stderr: "",
    durationMs: Math.round(performance.now() - started),
  });

  const setting = SETTING_OF[options.language];
  if (setting === undefined) {
    return refused(
      new ScriptError(ScriptErrorCode.SpawnFailed, `Unknown script language ${JSON.stringify(options.language)}`, {
        hint: "expected JavaScript, Python or Bash",
      }),
    );
  }
  if (!settings[setting]) {
    return refused(
      new ScriptError(
        ScriptErrorCode.LanguageDisabled,
        `${options.language} scripts are disabled on this server (setting ${setting})`,
        { hint: "use a JavaScript script, which runs in a sandbox, or ask the operator to enable the language" },
      ),
    );
  }

  if (options.language === "JavaScript") {
    return runSandboxed({
      source: options.source,
      stdin: options.stdin,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      filename: options.filename ?? "script.js",
      settings,
    });
  }

  const command =
    options.language === "Python"
      ? findExecutable("python3", settings.path)
      : (findExecutable("bash", settings.path) ?? findExecutable("sh", settings.path));
  if (command === undefined) {
    const name = options.language === "Python" ? "python3" : "bash or sh";
    return refused(
      new ScriptError(
        ScriptErrorCode.SpawnFailed,
        `Cannot run ${options.language} scripts: ${name} not found on PATH`,
        {
          hint: `install ${name}, or set the script PATH setting`,
        },
      ),
    );
  }
  return runSubprocess({
    command,
    args: ["-c", options.source],
    stdin: options.stdin,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    env: subprocessEnvironment(settings),
    cwd: settings.workDir,
    maxOutputBytes: settings.maxOutputBytes,
  });
}
