import pino from "pino";

export type Logger = pino.Logger;
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface LoggerOptions {
  /** @default `env.ARGUS_LOG_LEVEL`, else "info" */
  level?: LogLevel;
  env?: NodeJS.ProcessEnv;
}

/**
 * JSON logs on stderr, so that commands like `argus test-monitor` keep stdout for their result. Messages are fixed
 * sentences; variable values go in snake_case fields (`network`, `monitor`, `block`).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const fromEnv = env.ARGUS_LOG_LEVEL;
  // An unknown level in the environment falls back to info rather than crashing the command.
  const level = options.level ?? (isLogLevel(fromEnv) ? fromEnv : "info");
  return pino({ level, base: { service: "argus" } }, pino.destination({ fd: 2, sync: true }));
}

const LEVELS: ReadonlySet<string> = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

function isLogLevel(value: string | undefined): value is LogLevel {
  return value !== undefined && LEVELS.has(value);
}
