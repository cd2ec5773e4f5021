/** Trigger files (`triggers/<file>.json`, a map `{ "<trigger key>": Trigger, … }`), OZ §1.5. */
import { z } from "zod";
import { emailAddressProblem } from "./email-address.js";
import { ConfigCode, type ConfigProblem, ProblemSink } from "./errors.js";
import { describeValue, issuesToProblems, PARSE_PARAMS, quoteList } from "./issues.js";
import { byteLength, describeUrl, option, stringArray, uint, withDefault } from "./primitives.js";
import { jsonInput, type ParseOptions, type ParseResult } from "./result.js";
import { checkScript, ScriptLanguageSchema } from "./scripts.js";
import { resolveInto, type SecretEnv, type SecretValue, SecretValueSchema } from "./secret.js";

export const NotificationMessageSchema = z.strictObject({ title: z.string(), body: z.string() });
export type NotificationMessage = z.output<typeof NotificationMessageSchema>;

/** Rust `Duration` in serde form. */
export const DurationSchema = z.strictObject({ secs: uint(64), nanos: uint(32) });
export type Duration = z.output<typeof DurationSchema>;

export const JitterSchema = z.enum(["none", "full"]);
export type Jitter = z.output<typeof JitterSchema>;

/** Retry policy of HTTP/SMTP channels. Each field defaults independently; unknown keys are tolerated. */
export const RetryPolicySchema = z.object({
  max_retries: withDefault(uint(32), () => 3),
  base_for_backoff: withDefault(uint(32), () => 2),
  initial_backoff: withDefault(DurationSchema, () => ({ secs: 0, nanos: 250_000_000 })),
  max_backoff: withDefault(DurationSchema, () => ({ secs: 10, nanos: 0 })),
  jitter: withDefault(JitterSchema, () => "full" as const),
});
export type RetryPolicy = z.output<typeof RetryPolicySchema>;

export function defaultRetryPolicy(): RetryPolicy {
  return {
    max_retries: 3,
    base_for_backoff: 2,
    initial_backoff: { secs: 0, nanos: 250_000_000 },
    max_backoff: { secs: 10, nanos: 0 },
    jitter: "full",
  };
}

const retryPolicy = () => withDefault(RetryPolicySchema, defaultRetryPolicy);

export const SlackConfigSchema = z.strictObject({
  slack_url: SecretValueSchema,
  message: NotificationMessageSchema,
  retry_policy: retryPolicy(),
});
export type SlackConfig = z.output<typeof SlackConfigSchema>;

export const DiscordConfigSchema = z.strictObject({
  discord_url: SecretValueSchema,
  message: NotificationMessageSchema,
  retry_policy: retryPolicy(),
});
export type DiscordConfig = z.output<typeof DiscordConfigSchema>;

export const TelegramConfigSchema = z.strictObject({
  token: SecretValueSchema,
  chat_id: z.string(),
  disable_web_preview: withDefault(z.boolean(), () => false),
  message: NotificationMessageSchema,
  retry_policy: retryPolicy(),
});
export type TelegramConfig = z.output<typeof TelegramConfigSchema>;

export const PayloadModeSchema = z.enum(["template", "raw"]);
export type PayloadMode = z.output<typeof PayloadModeSchema>;

export const WebhookConfigSchema = z.strictObject({
  url: SecretValueSchema,
  method: option(z.string()),
  secret: option(SecretValueSchema),
  headers: option(z.record(z.string(), z.string())),
  message: withDefault(NotificationMessageSchema, () => ({ title: "", body: "" })),
  payload_mode: withDefault(PayloadModeSchema, () => "template" as const),
  retry_policy: retryPolicy(),
});
export type WebhookConfig = z.output<typeof WebhookConfigSchema>;

/** An RFC 5322 address, checked while parsing (as OZ does). */
export const EmailAddressSchema = z.string().superRefine((text, ctx) => {
  const problem = emailAddressProblem(text);
  if (problem !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: `invalid email address ${JSON.stringify(text)}: ${problem}`,
      params: { code: ConfigCode.InvalidEmail },
    });
  }
});

export const EmailConfigSchema = z.strictObject({
  host: z.string(),
  port: withDefault(uint(16), () => 465),
  username: SecretValueSchema,
  password: SecretValueSchema,
  message: NotificationMessageSchema,
  sender: EmailAddressSchema,
  recipients: z.array(EmailAddressSchema),
  retry_policy: retryPolicy(),
});
export type EmailConfig = z.output<typeof EmailConfigSchema>;

export const ScriptConfigSchema = z.strictObject({
  language: ScriptLanguageSchema,
  script_path: z.string(),
  arguments: option(stringArray()),
  timeout_ms: uint(32),
});
export type ScriptConfig = z.output<typeof ScriptConfigSchema>;

export const TRIGGER_TYPES = ["slack", "email", "webhook", "telegram", "discord", "script"] as const;
export const TriggerTypeSchema = z.enum(TRIGGER_TYPES);
export type TriggerType = z.output<typeof TriggerTypeSchema>;

const CONFIG_SCHEMAS = {
  slack: SlackConfigSchema,
  email: EmailConfigSchema,
  webhook: WebhookConfigSchema,
  telegram: TelegramConfigSchema,
  discord: DiscordConfigSchema,
  script: ScriptConfigSchema,
} as const;

/** A trigger; `config` is validated as the variant named by `trigger_type`. */
export const TriggerSchema = z.discriminatedUnion("trigger_type", [
  z.strictObject({ name: z.string(), trigger_type: z.literal("slack"), config: SlackConfigSchema }),
  z.strictObject({ name: z.string(), trigger_type: z.literal("email"), config: EmailConfigSchema }),
  z.strictObject({ name: z.string(), trigger_type: z.literal("webhook"), config: WebhookConfigSchema }),
  z.strictObject({ name: z.string(), trigger_type: z.literal("telegram"), config: TelegramConfigSchema }),
  z.strictObject({ name: z.string(), trigger_type: z.literal("discord"), config: DiscordConfigSchema }),
  z.strictObject({ name: z.string(), trigger_type: z.literal("script"), config: ScriptConfigSchema }),
]);
export type Trigger = z.output<typeof TriggerSchema>;
export type TriggerInput = z.input<typeof TriggerSchema>;

/** A trigger file: trigger key → trigger. */
export const TriggerFileSchema = z.record(z.string(), TriggerSchema);
export type TriggerFile = z.output<typeof TriggerFileSchema>;

/** Keys that identify each config variant (OZ matches `config` untagged, by shape). */
const SHAPE_KEYS: Readonly<Record<TriggerType, readonly string[]>> = {
  slack: ["slack_url"],
  discord: ["discord_url"],
  telegram: ["token", "chat_id"],
  email: ["host"],
  webhook: ["url"],
  script: ["language", "script_path", "timeout_ms"],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTriggerType(value: unknown): value is TriggerType {
  return typeof value === "string" && (TRIGGER_TYPES as readonly string[]).includes(value);
}

/** When `config` clearly belongs to another trigger type, one clear problem replaces the per-field noise. */
function shapeMismatch(raw: unknown, file: string, at: (string | number)[]): ConfigProblem | undefined {
  if (!isRecord(raw) || !isTriggerType(raw.trigger_type) || !isRecord(raw.config)) return undefined;
  const declared = raw.trigger_type;
  const config = raw.config;
  const shapes = TRIGGER_TYPES.filter((t) => SHAPE_KEYS[t].every((k) => k in config));
  if (shapes.length === 0 || shapes.includes(declared)) return undefined;
  const other = shapes[0] as TriggerType;
  const fields = Object.keys(CONFIG_SCHEMAS[declared].shape).join(", ");
  return {
    file,
    path: [...at, "config"],
    message: `config has the shape of a "${other}" trigger (it has ${quoteList(SHAPE_KEYS[other])}) but trigger_type is "${declared}"; a ${declared} config has the fields ${fields}`,
    code: ConfigCode.TriggerShapeMismatch,
    severity: "error",
  };
}

const TELEGRAM_TOKEN = /^[0-9]{8,10}:[a-zA-Z0-9_-]{35}$/;

/** Explains a token that fails the regex without echoing it (it is a secret). */
function describeToken(token: string): string {
  const colon = token.indexOf(":");
  if (colon < 0) return `got ${token.length} characters without ":"`;
  const id = token.slice(0, colon);
  const secret = token.slice(colon + 1);
  const idText = /^[0-9]+$/.test(id) ? `${id.length} digits` : `${JSON.stringify(id)} before ":"`;
  const bad = /[^a-zA-Z0-9_-]/.test(secret) ? " (including characters outside A-Z a-z 0-9 _ -)" : "";
  return `got ${idText} and ${secret.length} characters after ":"${bad}`;
}

// Rust `char::is_control` is Unicode category Cc: U+0000–U+001F and U+007F–U+009F.
function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

/** True when `text` has a control character not in `allowed`. */
function hasControl(text: string, allowed: string): boolean {
  for (const ch of text) {
    if (isControl(ch.codePointAt(0) as number) && !allowed.includes(ch)) return true;
  }
  return false;
}

/** Control characters that Rust's `char::is_whitespace` accepts. */
const WHITESPACE_CONTROLS = "\t\n\u000b\u000c\r\u0085";

function checkMessage(
  message: NotificationMessage,
  at: (string | number)[],
  sink: ProblemSink,
  maxBodyBytes?: number,
): void {
  if (message.title.trim() === "") sink.error([...at, "title"], ConfigCode.InvalidField, "title must not be empty");
  if (message.body.trim() === "") sink.error([...at, "body"], ConfigCode.InvalidField, "body must not be empty");
  if (maxBodyBytes !== undefined) {
    const bytes = byteLength(message.body);
    if (bytes > maxBodyBytes) {
      sink.error(
        [...at, "body"],
        ConfigCode.InvalidField,
        `body template is ${bytes} bytes; the limit is ${maxBodyBytes} bytes (UTF-8, measured before substitution)`,
      );
    }
  }
}

function checkUrlPrefix(
  url: string,
  prefixes: readonly string[],
  at: (string | number)[],
  sink: ProblemSink,
  what: string,
): boolean {
  if (prefixes.some((p) => url.startsWith(p))) return true;
  const expected = prefixes.length === 1 ? prefixes[0] : `${prefixes.slice(0, -1).join(", ")} or ${prefixes.at(-1)}`;
  sink.error(at, ConfigCode.InvalidUrl, `${what} must start with ${expected}, got ${describeUrl(url)}`);
  return false;
}

/** Replaces a secret field by its resolved form; returns whether it resolved. */
function resolveField<K extends string>(
  config: Record<K, SecretValue | null>,
  key: K,
  at: (string | number)[],
  env: SecretEnv,
  sink: ProblemSink,
): boolean {
  const secret = config[key];
  if (secret === null) return true;
  const resolved = resolveInto(secret, [...at, key], env, sink);
  if (resolved === undefined) return false;
  config[key] = resolved;
  return true;
}

/** Resolves the trigger's secrets, then runs the checks of its variant (§1.5). */
function validateTrigger(trigger: Trigger, at: (string | number)[], sink: ProblemSink, options: ParseOptions): void {
  const env = options.env ?? process.env;
  const c = [...at, "config"];
  if (trigger.name.trim() === "") sink.error([...at, "name"], ConfigCode.InvalidField, "name must not be empty");
  switch (trigger.trigger_type) {
    case "slack": {
      const config = trigger.config;
      if (resolveField(config, "slack_url", c, env, sink)) {
        checkUrlPrefix(
          config.slack_url.value,
          ["https://hooks.slack.com/"],
          [...c, "slack_url"],
          sink,
          "Slack webhook URL",
        );
      }
      checkMessage(config.message, [...c, "message"], sink);
      return;
    }
    case "discord": {
      const config = trigger.config;
      if (resolveField(config, "discord_url", c, env, sink)) {
        checkUrlPrefix(
          config.discord_url.value,
          ["https://discord.com/api/webhooks/"],
          [...c, "discord_url"],
          sink,
          "Discord webhook URL",
        );
      }
      checkMessage(config.message, [...c, "message"], sink, 2000);
      return;
    }
    case "telegram": {
      const config = trigger.config;
      if (resolveField(config, "token", c, env, sink)) {
        const token = config.token.value;
        if (token.trim() === "")
          sink.error([...c, "token"], ConfigCode.InvalidField, "Telegram bot token must not be empty");
        else if (!TELEGRAM_TOKEN.test(token)) {
          sink.error(
            [...c, "token"],
            ConfigCode.InvalidField,
            `invalid Telegram bot token: expected <bot id>:<secret> with 8-10 digits, ":" and 35 characters from A-Z a-z 0-9 _ - (pattern ^[0-9]{8,10}:[a-zA-Z0-9_-]{35}$); ${describeToken(token)}`,
          );
        }
      }
      if (config.chat_id.trim() === "")
        sink.error([...c, "chat_id"], ConfigCode.InvalidField, "chat_id must not be empty");
      checkMessage(config.message, [...c, "message"], sink, 4096);
      return;
    }
    case "webhook": {
      const config = trigger.config;
      if (resolveField(config, "url", c, env, sink)) {
        const url = config.url.value;
        if (
          checkUrlPrefix(url, ["http://", "https://"], [...c, "url"], sink, "webhook URL") &&
          !url.startsWith("https://")
        ) {
          sink.warn(
            [...c, "url"],
            ConfigCode.InsecureUrl,
            `webhook URL ${describeUrl(url)} is not https; payloads and signatures travel unencrypted`,
          );
        }
      }
      resolveField(config, "secret", c, env, sink);
      if (config.method !== null && !["GET", "POST", "PUT", "DELETE"].includes(config.method.toUpperCase())) {
        sink.error(
          [...c, "method"],
          ConfigCode.InvalidField,
          `expected one of "GET", "POST", "PUT", "DELETE", got ${JSON.stringify(config.method)}`,
        );
      }
      if (config.payload_mode === "template") checkMessage(config.message, [...c, "message"], sink);
      const headers = Object.keys(config.headers ?? {}).map((h) => h.toLowerCase());
      if (!headers.includes("authorization") && !headers.includes("x-api-key")) {
        sink.warn(
          [...c, "headers"],
          ConfigCode.WebhookNoAuth,
          "no Authorization or X-API-Key header: the receiver cannot authenticate these requests (unless it checks the secret's signature)",
        );
      }
      return;
    }
    case "email": {
      const config = trigger.config;
      const host = config.host;
      if (host.trim() === "") sink.error([...c, "host"], ConfigCode.InvalidField, "host must not be empty");
      else if (!host.includes(".") || !/^[A-Za-z0-9.-]+$/.test(host)) {
        sink.error(
          [...c, "host"],
          ConfigCode.InvalidField,
          `invalid SMTP host ${JSON.stringify(host)}: expected a domain name or IPv4 address (letters, digits, "." and "-", with at least one ".")`,
        );
      }
      if (resolveField(config, "username", c, env, sink)) {
        const username = config.username.value;
        if (username === "") sink.error([...c, "username"], ConfigCode.InvalidField, "username must not be empty");
        else if (hasControl(username, "")) {
          sink.error([...c, "username"], ConfigCode.InvalidField, "username must not contain control characters");
        }
      }
      if (resolveField(config, "password", c, env, sink) && config.password.value.trim() === "") {
        sink.error([...c, "password"], ConfigCode.InvalidField, "password must not be empty");
      }
      const { title, body } = config.message;
      const m = [...c, "message"];
      if (title.trim() === "")
        sink.error([...m, "title"], ConfigCode.InvalidField, "subject (title) must not be empty");
      else {
        const bytes = byteLength(title);
        if (bytes > 998) {
          sink.error(
            [...m, "title"],
            ConfigCode.InvalidField,
            `subject (title) is ${bytes} bytes; the limit is 998 bytes`,
          );
        }
        if (hasControl(title, WHITESPACE_CONTROLS)) {
          sink.error([...m, "title"], ConfigCode.InvalidField, "subject (title) must not contain control characters");
        }
      }
      if (body.trim() === "") sink.error([...m, "body"], ConfigCode.InvalidField, "body must not be empty");
      else if (hasControl(body, "\t\n\r")) {
        sink.error(
          [...m, "body"],
          ConfigCode.InvalidField,
          "body must not contain control characters other than tab, line feed and carriage return",
        );
      }
      if (config.recipients.length === 0) {
        sink.error([...c, "recipients"], ConfigCode.InvalidField, "recipients must list at least one address");
      }
      if (![465, 587, 993].includes(config.port)) {
        sink.warn([...c, "port"], ConfigCode.EmailPort, `unusual SMTP port ${config.port} (expected 465, 587 or 993)`);
      }
      return;
    }
    case "script": {
      checkScript(trigger.config, c, sink, {
        cwd: options.cwd,
        configDir: options.configDir,
        checkFiles: options.checkScripts,
      });
      return;
    }
  }
}

/** Parses + validates one trigger at `at` (its key in a file), collecting problems in `sink`. */
function parseTriggerAt(
  raw: unknown,
  at: (string | number)[],
  sink: ProblemSink,
  options: ParseOptions,
): Trigger | undefined {
  const parsed = TriggerSchema.safeParse(raw, PARSE_PARAMS);
  if (!parsed.success) {
    let problems = issuesToProblems(parsed.error.issues, sink.file, at);
    const mismatch = shapeMismatch(raw, sink.file, at);
    if (mismatch !== undefined) {
      problems = problems.filter((p) => p.path[at.length] !== "config");
      problems.push(mismatch);
    }
    sink.push(...problems);
    return undefined;
  }
  const before = sink.problems.length;
  validateTrigger(parsed.data, at, sink, options);
  const failed = sink.problems.slice(before).some((p) => p.severity === "error");
  return failed ? undefined : parsed.data;
}

/** Parses and validates a single trigger object (no key). */
export function parseTrigger(json: unknown, options: ParseOptions = {}): ParseResult<Trigger> {
  const sink = new ProblemSink(options.file ?? "");
  const input = jsonInput(json, sink);
  if (!input.ok) return { ok: false, problems: sink.problems };
  const trigger = parseTriggerAt(input.value, [], sink, options);
  return trigger === undefined || sink.hasErrors
    ? { ok: false, problems: sink.problems }
    : { ok: true, value: trigger, problems: sink.problems };
}

/** Every key of a trigger file with the triggers that are valid; used by the directory loader. */
export interface TriggerFileEntries {
  /** All keys the file declares, valid or not. */
  keys: string[];
  /** The valid triggers by key, in file order. */
  triggers: Map<string, Trigger>;
  problems: ConfigProblem[];
}

export function parseTriggerEntries(json: unknown, options: ParseOptions = {}): TriggerFileEntries {
  const sink = new ProblemSink(options.file ?? "");
  const triggers = new Map<string, Trigger>();
  const input = jsonInput(json, sink);
  if (!input.ok) return { keys: [], triggers, problems: sink.problems };
  const value = input.value;
  if (!isRecord(value)) {
    sink.error(
      [],
      ConfigCode.InvalidType,
      `expected an object mapping trigger keys to triggers ({"my_trigger": {"name": …, "trigger_type": …, "config": …}}), got ${describeValue(value)}`,
    );
    return { keys: [], triggers, problems: sink.problems };
  }
  for (const [key, raw] of Object.entries(value)) {
    const trigger = parseTriggerAt(raw, [key], sink, options);
    if (trigger !== undefined) triggers.set(key, trigger);
  }
  return { keys: Object.keys(value), triggers, problems: sink.problems };
}

/**
 * Parses and validates one trigger file's JSON value (or JSON text): a map of trigger key → trigger.
 * `value` keeps the file's key order.
 */
export function parseTriggerFile(json: unknown, options: ParseOptions = {}): ParseResult<Map<string, Trigger>> {
  const { triggers, problems } = parseTriggerEntries(json, options);
  return problems.some((p) => p.severity === "error")
    ? { ok: false, problems }
    : { ok: true, value: triggers, problems };
}
