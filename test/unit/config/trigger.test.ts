import { describe, expect, it } from "vitest";
import {
  defaultRetryPolicy,
  formatProblem,
  type ParseOptions,
  parseTrigger,
  parseTriggerFile,
  secretSource,
  type Trigger,
} from "../../../src/config/index.js";
import {
  DELETE,
  errors,
  expectErrors,
  expectOk,
  tempDir,
  validSlackTrigger,
  validTelegramToken,
  validTriggers,
  warnings,
  withValue,
  writeTree,
} from "./support.js";

const file = "triggers/usdc.json";
const parseFile = (json: unknown, options: ParseOptions = {}) =>
  parseTriggerFile(json, { file, cwd: tempDir(), ...options });
/** Parses `{key: trigger}` and returns the problems of that one trigger. */
const one = (trigger: unknown, options: ParseOptions = {}) => parseFile({ t: trigger }, options);
const triggerOf = (key: string) => validTriggers[key] as Record<string, unknown>;

describe("parseTriggerFile() schema", () => {
  it("parses every trigger type, keeping file order, with defaults", () => {
    const triggers = expectOk(parseFile(validTriggers));
    expect([...triggers.keys()]).toEqual(["usdc_slack", "usdc_discord", "usdc_telegram", "usdc_webhook", "usdc_email"]);
    const slack = triggers.get("usdc_slack") as Extract<Trigger, { trigger_type: "slack" }>;
    expect(slack.config.retry_policy).toEqual(defaultRetryPolicy());
    expect(slack.config.slack_url).toEqual({ type: "Plain", value: "https://hooks.slack.com/services/A/B/C" });
    const telegram = triggers.get("usdc_telegram") as Extract<Trigger, { trigger_type: "telegram" }>;
    expect(telegram.config.disable_web_preview).toBe(false);
    const email = triggers.get("usdc_email") as Extract<Trigger, { trigger_type: "email" }>;
    expect(email.config.port).toBe(465);
  });

  it("fills webhook defaults: message {title:'',body:''} and payload_mode template", () => {
    const raw = withValue(
      withValue(triggerOf("usdc_webhook"), ["config", "message"], DELETE),
      ["config", "payload_mode"],
      "raw",
    );
    const webhook = expectOk(parseTrigger(raw)) as Extract<Trigger, { trigger_type: "webhook" }>;
    expect(webhook.config.message).toEqual({ title: "", body: "" });
    const template = expectOk(parseTrigger(triggerOf("usdc_webhook"))) as Extract<Trigger, { trigger_type: "webhook" }>;
    expect(template.config.payload_mode).toBe("template");
    expect(template.config.secret).toBeNull();
  });

  it("fills each retry_policy field independently and tolerates unknown keys in it", () => {
    const raw = withValue(validSlackTrigger, ["config", "retry_policy"], {
      max_retries: 5,
      jitter: "none",
      comment: "x",
    });
    const slack = expectOk(parseTrigger(raw)) as Extract<Trigger, { trigger_type: "slack" }>;
    expect(slack.config.retry_policy).toEqual({ ...defaultRetryPolicy(), max_retries: 5, jitter: "none" });
  });

  it("requires both duration keys and rejects unknown ones", () => {
    const problems = expectErrors(
      one(withValue(validSlackTrigger, ["config", "retry_policy"], { initial_backoff: { secs: 1, millis: 5 } })),
    );
    expect(problems.map((p) => formatProblem(p))).toEqual([
      "triggers/usdc.json: $.t.config.retry_policy.initial_backoff.nanos: required field is missing",
      'triggers/usdc.json: $.t.config.retry_policy.initial_backoff.millis: unknown field "millis" (allowed: secs, nanos)',
    ]);
    const [jitter] = expectErrors(one(withValue(validSlackTrigger, ["config", "retry_policy"], { jitter: "Full" })));
    expect(jitter?.message).toContain('expected one of "none", "full", got "Full"');
  });

  it("rejects unknown keys at trigger, config and message level", () => {
    const raw = withValue(
      withValue(withValue(validSlackTrigger, ["enabled"], true), ["config", "channel"], "#alerts"),
      ["config", "message", "footer"],
      "x",
    );
    const problems = expectErrors(one(raw));
    expect(problems.map((p) => formatProblem(p))).toEqual([
      'triggers/usdc.json: $.t.config.message.footer: unknown field "footer" (allowed: title, body)',
      'triggers/usdc.json: $.t.config.channel: unknown field "channel" (allowed: slack_url, message, retry_policy)',
      'triggers/usdc.json: $.t.enabled: unknown field "enabled" (allowed: name, trigger_type, config)',
    ]);
  });

  it("reports a wrong or missing trigger_type (lowercase, case-sensitive)", () => {
    const [wrong] = expectErrors(one({ ...validSlackTrigger, trigger_type: "Slack" }));
    expect(formatProblem(wrong!)).toBe(
      'triggers/usdc.json: $.t.trigger_type: expected one of "slack", "email", "webhook", "telegram", "discord", "script", got "Slack" (values are case-sensitive; did you mean "slack"?)',
    );
    const [missing] = expectErrors(one(withValue(validSlackTrigger, ["trigger_type"], DELETE)));
    expect(missing).toMatchObject({ path: ["t", "trigger_type"], code: "CONFIG_MISSING_FIELD" });
  });

  it("explains a config shaped for another trigger type", () => {
    const [problem, ...rest] = expectErrors(one({ ...triggerOf("usdc_webhook"), trigger_type: "slack" }));
    expect(rest).toEqual([]);
    expect(problem?.code).toBe("CONFIG_TRIGGER_SHAPE_MISMATCH");
    expect(formatProblem(problem!)).toBe(
      'triggers/usdc.json: $.t.config: config has the shape of a "webhook" trigger (it has "url") but trigger_type is "slack"; a slack config has the fields slack_url, message, retry_policy',
    );
  });

  it("reports missing fields and wrong types inside a config", () => {
    const problems = expectErrors(
      one(
        withValue(
          withValue(validSlackTrigger, ["config", "message", "body"], DELETE),
          ["config", "message", "title"],
          42,
        ),
      ),
    );
    expect(problems.map((p) => formatProblem(p))).toEqual([
      "triggers/usdc.json: $.t.config.message.title: expected a string, got the number 42",
      "triggers/usdc.json: $.t.config.message.body: required field is missing",
    ]);
  });

  it("rejects a file that is not an object of triggers", () => {
    const [problem] = expectErrors(parseFile([validSlackTrigger]));
    expect(problem?.message).toContain("expected an object mapping trigger keys to triggers");
  });

  it("reports problems of every trigger in the file", () => {
    const problems = expectErrors(
      parseFile({ a: { ...validSlackTrigger, name: 1 }, b: validSlackTrigger, c: { ...validSlackTrigger, config: 1 } }),
    );
    expect(problems.map((p) => p.path.join("."))).toEqual(["a.name", "c.config"]);
  });
});

describe("trigger validation (§1.5)", () => {
  it("slack: URL prefix, non-blank title and body", () => {
    const problems = expectErrors(
      one(
        withValue(
          withValue(validSlackTrigger, ["config", "slack_url", "value"], "https://invalid-url.com"),
          ["config", "message"],
          { title: "", body: "  " },
        ),
      ),
    );
    expect(problems.map((p) => formatProblem(p))).toEqual([
      'triggers/usdc.json: $.t.config.slack_url: Slack webhook URL must start with https://hooks.slack.com/, got "https://invalid-url.com"',
      "triggers/usdc.json: $.t.config.message.title: title must not be empty",
      "triggers/usdc.json: $.t.config.message.body: body must not be empty",
    ]);
  });

  it("discord: URL prefix and 2000-byte body template", () => {
    const discord = triggerOf("usdc_discord");
    const [url] = expectErrors(
      one(withValue(discord, ["config", "discord_url", "value"], "https://discordapp.com/api/webhooks/1")),
    );
    expect(url?.message).toContain("must start with https://discord.com/api/webhooks/");
    expectOk(one(withValue(discord, ["config", "message", "body"], "x".repeat(2000))));
    const [body] = expectErrors(one(withValue(discord, ["config", "message", "body"], "é".repeat(1001))));
    expect(body?.message).toBe(
      "body template is 2002 bytes; the limit is 2000 bytes (UTF-8, measured before substitution)",
    );
  });

  it("telegram: token format, chat_id, 4096-byte body", () => {
    const telegram = triggerOf("usdc_telegram");
    expectOk(one(withValue(telegram, ["config", "token", "value"], validTelegramToken)));
    const [token] = expectErrors(one(withValue(telegram, ["config", "token", "value"], "invalid-token")));
    expect(token).toMatchObject({ path: ["t", "config", "token"], code: "CONFIG_INVALID_FIELD" });
    expect(token?.message).toContain("pattern ^[0-9]{8,10}:[a-zA-Z0-9_-]{35}$");
    expect(token?.message).not.toContain("invalid-token");
    const [chat] = expectErrors(one(withValue(telegram, ["config", "chat_id"], "")));
    expect(chat?.path).toEqual(["t", "config", "chat_id"]);
    expectOk(one(withValue(telegram, ["config", "message", "body"], "x".repeat(4096))));
    const [body] = expectErrors(one(withValue(telegram, ["config", "message", "body"], "x".repeat(4097))));
    expect(body?.path).toEqual(["t", "config", "message", "body"]);
  });

  it("webhook: URL scheme, method, template/raw message rules, warnings", () => {
    const webhook = triggerOf("usdc_webhook");
    const [url] = expectErrors(one(withValue(webhook, ["config", "url", "value"], "ftp://x.example")));
    expect(url?.code).toBe("CONFIG_INVALID_URL");
    expectOk(one(withValue(webhook, ["config", "method"], "put")));
    const [method] = expectErrors(one(withValue(webhook, ["config", "method"], "PATCH")));
    expect(method?.message).toBe('expected one of "GET", "POST", "PUT", "DELETE", got "PATCH"');
    const [title] = expectErrors(one(withValue(webhook, ["config", "message", "title"], " ")));
    expect(title?.path).toEqual(["t", "config", "message", "title"]);
    expectOk(one(withValue(withValue(webhook, ["config", "message"], DELETE), ["config", "payload_mode"], "raw")));

    const insecure = one(
      withValue(withValue(webhook, ["config", "url", "value"], "http://x.example"), ["config", "headers"], DELETE),
    );
    expect(insecure.ok).toBe(true);
    expect(warnings(insecure.problems).map((p) => p.code)).toEqual(["CONFIG_INSECURE_URL", "CONFIG_WEBHOOK_NO_AUTH"]);
    expect(warnings(one(withValue(webhook, ["config", "headers"], { "x-api-key": "k" })).problems)).toEqual([]);
  });

  it("email: host rules", () => {
    const email = triggerOf("usdc_email");
    expectOk(one(withValue(email, ["config", "host"], "192.168.1.10")));
    for (const host of ["not-a-host", "localhost", "smtp_example.com", " "]) {
      const [problem] = expectErrors(one(withValue(email, ["config", "host"], host)));
      expect(problem?.path).toEqual(["t", "config", "host"]);
    }
  });

  it("email: sender and recipients are RFC 5322 addresses checked at parse time", () => {
    const email = triggerOf("usdc_email");
    expectOk(one(withValue(email, ["config", "sender"], "Argus Alerts <alerts@example.com>")));
    expectOk(
      one(withValue(email, ["config", "recipients"], ["a.b+tag@sub.example.co.uk", '"quoted local"@example.com'])),
    );
    const problems = expectErrors(
      one(
        withValue(
          withValue(email, ["config", "sender"], "alerts"),
          ["config", "recipients"],
          ["ok@example.com", "a..b@example.com"],
        ),
      ),
    );
    expect(problems.map((p) => [p.path.join("."), p.code])).toEqual([
      ["t.config.sender", "CONFIG_INVALID_EMAIL"],
      ["t.config.recipients.1", "CONFIG_INVALID_EMAIL"],
    ]);
    expect(problems[0]?.message).toBe("invalid email address \"alerts\": it has no '@'");
  });

  it("email: recipients non-empty, subject and body rules, credentials", () => {
    const email = triggerOf("usdc_email");
    const [recipients] = expectErrors(one(withValue(email, ["config", "recipients"], [])));
    expect(recipients?.path).toEqual(["t", "config", "recipients"]);
    const [subject] = expectErrors(one(withValue(email, ["config", "message", "title"], " \t ")));
    expect(subject?.path).toEqual(["t", "config", "message", "title"]);
    const [longSubject] = expectErrors(one(withValue(email, ["config", "message", "title"], "x".repeat(999))));
    expect(longSubject?.message).toContain("999 bytes; the limit is 998");
    const [controlSubject] = expectErrors(one(withValue(email, ["config", "message", "title"], "bell\u0007")));
    expect(controlSubject?.message).toContain("control characters");
    expectOk(one(withValue(email, ["config", "message", "title"], "tab\there")));
    expectOk(one(withValue(email, ["config", "message", "body"], "line 1\r\nline 2\tend")));
    const [controlBody] = expectErrors(one(withValue(email, ["config", "message", "body"], "form\ffeed")));
    expect(controlBody?.path).toEqual(["t", "config", "message", "body"]);
    const problems = expectErrors(
      one(withValue(withValue(email, ["config", "username", "value"], ""), ["config", "password", "value"], "  ")),
    );
    expect(problems.map((p) => p.path.at(-1))).toEqual(["username", "password"]);
  });

  it("email: port is a u16 and unusual ports only warn", () => {
    const email = triggerOf("usdc_email");
    const unusual = one(withValue(email, ["config", "port"], 25));
    expect(unusual.ok).toBe(true);
    expect(warnings(unusual.problems).map((p) => p.code)).toEqual(["CONFIG_EMAIL_PORT"]);
    expect(warnings(one(withValue(email, ["config", "port"], 587)).problems)).toEqual([]);
    const [problem] = expectErrors(one(withValue(email, ["config", "port"], 70000)));
    expect(problem?.message).toContain("unsigned 16-bit integer");
  });

  it("script: the file must exist with the language's extension and a positive timeout", () => {
    const cwd = writeTree({ "scripts/notify.py": "print('ok')\n" });
    const script = (script_path: string, timeout_ms = 1000) => ({
      name: "Notify",
      trigger_type: "script",
      config: { language: "Python", script_path, arguments: null, timeout_ms },
    });
    expectOk(one(script("scripts/notify.py"), { cwd }));
    expect(expectErrors(one(script("scripts/missing.py"), { cwd }))[0]?.code).toBe("CONFIG_SCRIPT_NOT_FOUND");
    expect(expectErrors(one(script("scripts/notify.py", 0), { cwd }))[0]?.path).toEqual(["t", "config", "timeout_ms"]);
    const [language] = expectErrors(
      one(withValue(script("scripts/notify.py"), ["config", "language"], "python"), { cwd }),
    );
    expect(language?.message).toContain('did you mean "Python"?');
  });

  it("requires a non-blank trigger name", () => {
    const [problem] = expectErrors(one({ ...validSlackTrigger, name: " " }));
    expect(problem?.path).toEqual(["t", "name"]);
  });

  it("resolves secrets before validating and keeps their source", () => {
    const raw = withValue(validSlackTrigger, ["config", "slack_url"], { type: "ENVIRONMENT", value: "SLACK_URL" });
    const slack = expectOk(parseTrigger(raw, { env: { SLACK_URL: "https://hooks.slack.com/services/X" } })) as Extract<
      Trigger,
      { trigger_type: "slack" }
    >;
    expect(slack.config.slack_url).toEqual({ type: "Plain", value: "https://hooks.slack.com/services/X" });
    expect(secretSource(slack.config.slack_url)).toEqual({ type: "Environment", value: "SLACK_URL" });
    const [wrong] = expectErrors(parseTrigger(raw, { env: { SLACK_URL: "https://example.com" } }));
    expect(wrong?.code).toBe("CONFIG_INVALID_URL");
    const [missing] = expectErrors(parseTrigger(raw, { env: {} }));
    expect(missing).toMatchObject({ code: "CONFIG_SECRET_ENV_MISSING", path: ["config", "slack_url"] });
    expect(missing?.message).toContain('"SLACK_URL"');
  });

  it("resolves the webhook secret, username and password secrets", () => {
    const webhook = withValue(triggerOf("usdc_webhook"), ["config", "secret"], { type: "Environment", value: "HMAC" });
    expect(errors(one(webhook, { env: {} }).problems)).toEqual([
      expect.objectContaining({ path: ["t", "config", "secret"], code: "CONFIG_SECRET_ENV_MISSING" }),
    ]);
    const email = withValue(triggerOf("usdc_email"), ["config", "password"], {
      type: "HashiCorpCloudVault",
      value: "smtp",
    });
    expect(errors(one(email).problems)).toEqual([
      expect.objectContaining({ path: ["t", "config", "password"], code: "CONFIG_SECRET_UNSUPPORTED" }),
    ]);
  });
});
