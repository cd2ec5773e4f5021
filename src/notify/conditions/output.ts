import { ScriptError, ScriptErrorCode } from "./errors.js";

/** Unicode White_Space, the set Rust's `str::trim` removes (JavaScript's `trim` differs: it adds U+FEFF, lacks U+0085). */
const WS = "\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
const TRIM = new RegExp(`^[${WS}]+|[${WS}]+$`, "gu");

/** `str::trim` as OZ (Rust) does it. */
export function rustTrim(text: string): string {
  return text.replace(TRIM, "");
}

/** The last element of Rust's `str::lines()`: split on `\n`, no empty line after a final `\n`, one `\r` stripped. */
function lastLine(text: string): string {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const start = body.lastIndexOf("\n") + 1;
  const line = body.slice(start);
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

export type ConditionVerdict = { ok: true; value: boolean } | { ok: false; error: ScriptError };

/**
 * Reads a trigger condition's verdict from its stdout (OZ §8): the last line, trimmed and lowercased, must be
 * `true` or `false`. Output that is empty after trimming → "Script produced no output"; anything else →
 * "Last line of output is not a valid boolean: <line>".
 *
 * @example
 * parseConditionOutput("checking block 16\nTrue\n"); // { ok: true, value: true }
 */
export function parseConditionOutput(stdout: string): ConditionVerdict {
  if (rustTrim(stdout) === "") {
    return {
      ok: false,
      error: new ScriptError(ScriptErrorCode.OutputInvalid, "Script produced no output", {
        hint: "print true (drop the match) or false (keep it) as the last line",
      }),
    };
  }
  const line = rustTrim(lastLine(stdout));
  const lowered = line.toLowerCase();
  if (lowered === "true") return { ok: true, value: true };
  if (lowered === "false") return { ok: true, value: false };
  const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
  return {
    ok: false,
    error: new ScriptError(ScriptErrorCode.OutputInvalid, `Last line of output is not a valid boolean: ${shown}`, {
      hint: "print true (drop the match) or false (keep it) as the last line",
    }),
  };
}
