import { ArgusError, type ArgusErrorOptions, formatJsonPath } from "../errors/index.js";

/**
 * Stable problem codes of the config module. Branch on these, never on message text.
 * Codes marked "warning" are only ever reported with `severity: "warning"`.
 */
export const ConfigCode = {
  /** A directory (`networks/`, `monitors/`, `triggers/`) or a file is missing. */
  NotFound: "CONFIG_NOT_FOUND",
  /** A file could not be read. */
  ReadFailed: "CONFIG_READ_FAILED",
  /** A file is not valid JSON (the message carries line and column). */
  JsonSyntax: "CONFIG_JSON_SYNTAX",
  /** A required field is absent. */
  MissingField: "CONFIG_MISSING_FIELD",
  /** A field is not part of the (strict) object. */
  UnknownField: "CONFIG_UNKNOWN_FIELD",
  /** A value has the wrong JSON type (string for number, float for integer, …). */
  InvalidType: "CONFIG_INVALID_TYPE",
  /** A value is not one of an enum's (case-sensitive) spellings. */
  InvalidEnum: "CONFIG_INVALID_ENUM",
  /** A field has the right type but an unacceptable value (generic). */
  InvalidField: "CONFIG_INVALID_FIELD",
  /** A URL has the wrong scheme or prefix for its use. */
  InvalidUrl: "CONFIG_INVALID_URL",
  /** `cron_schedule` is not a valid seconds-first cron expression. */
  InvalidCron: "CONFIG_INVALID_CRON",
  /** An email address (sender / recipient) is not a valid RFC 5322 address. */
  InvalidEmail: "CONFIG_INVALID_EMAIL",
  /** A monitor function/event signature is not `name(types…)`. */
  InvalidSignature: "CONFIG_INVALID_SIGNATURE",
  /** A filter expression does not parse. */
  InvalidExpression: "CONFIG_INVALID_EXPRESSION",
  /** A trigger `config` has the shape of a different `trigger_type`. */
  TriggerShapeMismatch: "CONFIG_TRIGGER_SHAPE_MISMATCH",
  /** An `Environment` secret names a variable that is not set. */
  SecretEnvMissing: "CONFIG_SECRET_ENV_MISSING",
  /** A secret type Argus recognises but cannot resolve (HashicorpCloudVault). */
  SecretUnsupported: "CONFIG_SECRET_UNSUPPORTED",
  /** A script (trigger condition or script trigger) does not exist. */
  ScriptNotFound: "CONFIG_SCRIPT_NOT_FOUND",
  /** A script's extension does not match its language. */
  ScriptExtension: "CONFIG_SCRIPT_EXTENSION",
  /** warning: a script is group- or world-writable. */
  ScriptPermissions: "CONFIG_SCRIPT_PERMISSIONS",
  /** A monitor references a network that no network file defines. */
  UnknownNetwork: "CONFIG_UNKNOWN_NETWORK",
  /** A monitor references a trigger key that no trigger file defines. */
  UnknownTrigger: "CONFIG_UNKNOWN_TRIGGER",
  /** Two networks share a name or slug (trim + lowercase). */
  DuplicateNetwork: "CONFIG_DUPLICATE_NETWORK",
  /** Two monitors share a name (trim + lowercase). */
  DuplicateMonitor: "CONFIG_DUPLICATE_MONITOR",
  /** Two triggers share a name (trim + lowercase). */
  DuplicateTrigger: "CONFIG_DUPLICATE_TRIGGER",
  /** warning: a trigger key is defined in several files; the later file (sorted order) wins. */
  DuplicateTriggerKey: "CONFIG_DUPLICATE_TRIGGER_KEY",
  /** warning: an `http://` or `ws://` URL (unencrypted). */
  InsecureUrl: "CONFIG_INSECURE_URL",
  /** warning: `max_past_blocks` below the recommended value, or `"unlimited"` with `store_blocks`. */
  PastBlocks: "CONFIG_MAX_PAST_BLOCKS",
  /** warning: a webhook without an `Authorization` / `X-API-Key` header. */
  WebhookNoAuth: "CONFIG_WEBHOOK_NO_AUTH",
  /** warning: an unusual SMTP port. */
  EmailPort: "CONFIG_EMAIL_PORT",
  /** warning: a network file's name differs from its slug (OZ requires equality, Argus keys by slug). */
  StemMismatch: "CONFIG_STEM_MISMATCH",
  /** warning: an expression that is never evaluated or always errors (empty, or ignored by the chain). */
  ExpressionIgnored: "CONFIG_EXPRESSION_IGNORED",
} as const;

export type ConfigCode = (typeof ConfigCode)[keyof typeof ConfigCode];

export type ConfigSeverity = "error" | "warning";

/**
 * One problem found while loading configuration. Problems are values: loading collects all of them (errors and
 * warnings) instead of stopping at the first.
 */
export interface ConfigProblem {
  /** The file, as given relative to the config dir (`"monitors/usdc.json"`); `""` for inline input. */
  file: string;
  /** JSON path inside the file (`["match_conditions", "events", 0, "expression"]`). */
  path: (string | number)[];
  message: string;
  code: string;
  severity: ConfigSeverity;
  /** 1-based position, set for JSON syntax errors. */
  line?: number;
  column?: number;
}

/** `<file>: <json path>: <message>` on one line (the format `argus validate` prints). */
export function formatProblem(problem: ConfigProblem): string {
  const where = formatJsonPath(problem.path);
  return problem.file === "" ? `${where}: ${problem.message}` : `${problem.file}: ${where}: ${problem.message}`;
}

/** True when at least one problem is an error (warnings alone do not block loading). */
export function hasErrors(problems: readonly ConfigProblem[]): boolean {
  return problems.some((p) => p.severity === "error");
}

/** The config module's error. `problems` holds every problem when it summarises a failed load. */
export class ConfigError extends ArgusError {
  override name = "ConfigError";
  readonly problems: readonly ConfigProblem[];

  constructor(
    code: string,
    message: string,
    options: ArgusErrorOptions & { problems?: readonly ConfigProblem[] } = {},
  ) {
    super(code, message, options);
    this.problems = options.problems ?? [];
  }

  /** Summarises a failed load: the message lists every error, one `formatProblem` line each. */
  static fromProblems(problems: readonly ConfigProblem[]): ConfigError {
    const errors = problems.filter((p) => p.severity === "error");
    const first = errors[0];
    const lines = errors.map((p) => `  ${formatProblem(p)}`).join("\n");
    const noun = errors.length === 1 ? "error" : "errors";
    return new ConfigError(
      first?.code ?? "CONFIG_INVALID",
      `Invalid configuration (${errors.length} ${noun}):\n${lines}`,
      {
        path: first ? [first.file, ...first.path] : [],
        problems,
      },
    );
  }
}

/** Collects problems for one file; `at(path)` prefixes paths of nested validators. */
export class ProblemSink {
  readonly problems: ConfigProblem[] = [];
  constructor(readonly file: string) {}

  error(path: (string | number)[], code: string, message: string): void {
    this.problems.push({ file: this.file, path, message, code, severity: "error" });
  }

  warn(path: (string | number)[], code: string, message: string): void {
    this.problems.push({ file: this.file, path, message, code, severity: "warning" });
  }

  push(...problems: ConfigProblem[]): void {
    this.problems.push(...problems);
  }

  get hasErrors(): boolean {
    return hasErrors(this.problems);
  }
}
