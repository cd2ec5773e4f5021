import type { ConfigProblem, ProblemSink } from "./errors.js";
import { ConfigCode } from "./errors.js";
import { parseJsonText } from "./json.js";
import type { SecretEnv } from "./secret.js";

/** Options shared by `parseNetwork`, `parseMonitor`, `parseTriggerFile`. */
export interface ParseOptions {
  /** File name used in problems, relative to the config dir (`"monitors/usdc.json"`). @default "" */
  file?: string;
  /** Environment for `Environment` secrets. @default process.env */
  env?: SecretEnv;
  /** Working directory script paths are resolved against first. @default process.cwd() */
  cwd?: string;
  /** The config directory; its parent is the second root for script paths. */
  configDir?: string;
  /** Check that referenced scripts exist on disk. @default true */
  checkScripts?: boolean;
  /** Clock for schedule-dependent checks (recommended `max_past_blocks`). @default new Date() */
  now?: Date;
}

/** `ok: false` when any problem is an error; `problems` always carries the warnings too. */
export type ParseResult<T> =
  | { ok: true; value: T; problems: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[] };

/** A JSON value, or JSON text (a string) to parse first. Syntax errors are recorded with line and column. */
export function jsonInput(json: unknown, sink: ProblemSink): { ok: true; value: unknown } | { ok: false } {
  if (typeof json !== "string") return { ok: true, value: json };
  const parsed = parseJsonText(json);
  if (parsed.ok) return parsed;
  sink.push({
    file: sink.file,
    path: [],
    message: `invalid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.message}`,
    code: ConfigCode.JsonSyntax,
    severity: "error",
    line: parsed.line,
    column: parsed.column,
  });
  return { ok: false };
}
