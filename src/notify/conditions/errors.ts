import { ArgusError, type ErrorPath } from "../../errors/index.js";

/**
 * Why a script run (trigger condition or script notification) did not succeed, or why a condition's output could
 * not be used. Stable codes; branch on them, not on messages.
 */
export const ScriptErrorCode = {
  /** The script ran past its `timeout_ms`; it was killed. */
  Timeout: "SCRIPT_TIMEOUT",
  /** The script exited with a non-zero code, was killed by a signal, or threw (JavaScript). */
  ExitNonZero: "SCRIPT_EXIT_NONZERO",
  /** stdout or stderr went past the output limit; the script was killed. */
  OutputTooLarge: "SCRIPT_OUTPUT_TOO_LARGE",
  /** The operator disabled this script language (`allowPython` / `allowBash` / `allowJavaScript`). */
  LanguageDisabled: "SCRIPT_LANGUAGE_DISABLED",
  /** The JavaScript sandbox refused something (code generation, `import()`, `require`, off-heap memory) or a limit was hit. */
  SandboxViolation: "SCRIPT_SANDBOX_VIOLATION",
  /** The interpreter could not be started (not installed, script too long for the command line, …). */
  SpawnFailed: "SCRIPT_SPAWN_FAILED",
  /** The run was cancelled through its `signal` (shutdown). */
  Aborted: "SCRIPT_ABORTED",
  /** A trigger condition exited 0 but its last output line is not `true`/`false` (or there is no output). */
  OutputInvalid: "SCRIPT_OUTPUT_INVALID",
  /** No script content was loaded for a trigger condition. */
  ContentMissing: "SCRIPT_CONTENT_MISSING",
  /** A script file could not be read. */
  LoadFailed: "SCRIPT_LOAD_FAILED",
} as const;
export type ScriptErrorCode = (typeof ScriptErrorCode)[keyof typeof ScriptErrorCode];

export class ScriptError extends ArgusError {
  override name = "ScriptError";
  override readonly code: ScriptErrorCode;

  constructor(
    code: ScriptErrorCode,
    message: string,
    options: { path?: ErrorPath; hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.code = code;
  }
}
