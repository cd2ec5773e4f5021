/**
 * The script channel (spec §9.3 "script"): run the trigger's script as trigger conditions run theirs (§8, the
 * shared runner of `notify/conditions`), with `{"monitor_match": <match JSON>, "args": <arguments or null>}` on
 * stdin; success iff it exits 0 (stdout ignored).
 */
import { readFile } from "node:fs/promises";
import { resolveScriptPath, type ScriptConfig } from "../../config/index.js";
import { ArgusError } from "../../errors/index.js";
import {
  matchJsonText,
  runScript,
  type ScriptErrorCode,
  type ScriptSettings,
  scriptInput,
} from "../conditions/index.js";
import { NotifyError, type NotifyErrorCode } from "../errors.js";

export interface ScriptRunOptions {
  /** Where relative `script_path`s are looked up (see `config.resolveScriptPath`). @default process.cwd() */
  cwd?: string | undefined;
  configDir?: string | undefined;
  /** Reads the script's content (default: the resolved file). OZ reads scripts once at startup; callers may cache. */
  readScript?: ((scriptPath: string) => Promise<string>) | undefined;
  /** Operator settings of the script runner (languages allowed, output limits, PATH…). */
  settings?: ScriptSettings | undefined;
  signal?: AbortSignal | undefined;
}

export type ScriptRunResult = { ok: true; exitCode: 0 } | { ok: false; error: NotifyError; exitCode?: number };

/** The stdin document of a script notification (§8): `{"monitor_match":{…},"args":[…]|null}`. */
export function scriptNotificationInput(matchJson: object, args: readonly string[] | null | undefined): string {
  return scriptInput(matchJsonText(matchJson as Parameters<typeof matchJsonText>[0]), args);
}

async function loadScript(config: ScriptConfig, options: ScriptRunOptions): Promise<string | NotifyError> {
  const notFound = (detail: string, retryable = false) =>
    new NotifyError("NOTIFY_SCRIPT_NOT_FOUND", `Script ${JSON.stringify(config.script_path)} ${detail}.`, {
      retryable,
      path: ["config", "script_path"],
    });
  if (options.readScript !== undefined) {
    try {
      return await options.readScript(config.script_path);
    } catch (error) {
      // The reader's own message says where it looked (a tenant's stored scripts, for instance); a transient
      // failure of its store is retried, a missing script is not.
      if (error instanceof ArgusError) return notFound(`could not be read: ${error.message}`, error.retryable);
      return notFound("could not be read");
    }
  }
  const resolved = resolveScriptPath(config.script_path, { cwd: options.cwd, configDir: options.configDir });
  if (resolved === undefined) return notFound("was not found");
  try {
    return await readFile(resolved, "utf8");
  } catch {
    return notFound("could not be read");
  }
}

const CODES: Readonly<Record<ScriptErrorCode, NotifyErrorCode>> = {
  SCRIPT_TIMEOUT: "NOTIFY_SCRIPT_TIMEOUT",
  SCRIPT_EXIT_NONZERO: "NOTIFY_SCRIPT_FAILED",
  SCRIPT_OUTPUT_TOO_LARGE: "NOTIFY_SCRIPT_FAILED",
  SCRIPT_SANDBOX_VIOLATION: "NOTIFY_SCRIPT_FAILED",
  SCRIPT_OUTPUT_INVALID: "NOTIFY_SCRIPT_FAILED",
  SCRIPT_LANGUAGE_DISABLED: "NOTIFY_SCRIPT_REFUSED",
  SCRIPT_SPAWN_FAILED: "NOTIFY_SCRIPT_SPAWN",
  SCRIPT_ABORTED: "NOTIFY_ABORTED",
  SCRIPT_CONTENT_MISSING: "NOTIFY_SCRIPT_NOT_FOUND",
  SCRIPT_LOAD_FAILED: "NOTIFY_SCRIPT_NOT_FOUND",
};

/**
 * Runs a script trigger once. Failures are permanent (`retryable: false`) except an abort: OZ does not retry
 * scripts, and a script with side effects should not run twice because it was slow.
 */
export async function runScriptNotification(
  config: ScriptConfig,
  matchJson: object,
  options: ScriptRunOptions = {},
): Promise<ScriptRunResult> {
  const source = await loadScript(config, options);
  if (source instanceof NotifyError) return { ok: false, error: source };
  const outcome = await runScript({
    language: config.language,
    source,
    stdin: scriptNotificationInput(matchJson, config.arguments),
    timeoutMs: config.timeout_ms,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.settings !== undefined ? { settings: options.settings } : {}),
    filename: config.script_path,
  });
  if (outcome.ok) return { ok: true, exitCode: 0 };
  const code = CODES[outcome.error.code] ?? "NOTIFY_SCRIPT_FAILED";
  const error = new NotifyError(code, outcome.error.message, {
    retryable: code === "NOTIFY_ABORTED",
    hint: outcome.error.hint,
    path: ["config", "script_path"],
    status: outcome.exitCode ?? undefined,
    causeCode: outcome.error.code,
  });
  return outcome.exitCode === null ? { ok: false, error } : { ok: false, error, exitCode: outcome.exitCode };
}
