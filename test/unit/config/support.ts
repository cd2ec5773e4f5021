import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect } from "vitest";
import type { ConfigProblem, ParseResult } from "../../../src/config/index.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const ozFixtures = path.resolve(repoRoot, "../shared/fixtures/oz");
export const ozExamples = path.join(ozFixtures, "examples/config");
export const ozLayoutScripts = path.join(repoRoot, "test/fixtures/config/oz-layout");

/** A deep copy of `value` with `path` set to `replacement` (or deleted when `replacement` is `DELETE`). */
export const DELETE = Symbol("delete");
export function withValue<T>(value: T, at: (string | number)[], replacement: unknown): T {
  const copy = structuredClone(value) as unknown;
  let node = copy as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = at.at(-1) as string | number;
  if (replacement === DELETE) delete node[last];
  else node[last] = replacement;
  return copy as T;
}

/** Temporary directories removed after each test. */
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "argus-config-"));
  temps.push(dir);
  return dir;
}

/** Writes `files` (relative path → JSON value or text) under a new temp dir; returns the dir. */
export function writeTree(files: Record<string, unknown>, root = tempDir()): string {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
    if (rel.endsWith(".sh") || rel.endsWith(".py") || rel.endsWith(".js")) chmodSync(file, 0o755);
  }
  return root;
}

/**
 * OZ's repository layout: `<root>/config/{networks,monitors,triggers,filters}` with the examples and the scripts
 * they reference. Returns `<root>`; `exclude` drops example files (relative to `config/`).
 */
export function ozExampleLayout(exclude: string[] = []): string {
  const root = tempDir();
  const config = path.join(root, "config");
  cpSync(ozExamples, config, { recursive: true });
  cpSync(ozLayoutScripts, config, { recursive: true });
  for (const rel of exclude) rmSync(path.join(config, rel));
  chmodTree(config);
  return root;
}

/** Normalises modes (copies of read-only fixtures are read-only; scripts must not be group-writable). */
function chmodTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodTree(p);
    else chmodSync(p, entry.name.endsWith(".sh") ? 0o755 : 0o644);
  }
}

export function errors(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems.filter((p) => p.severity === "error");
}

export function warnings(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems.filter((p) => p.severity === "warning");
}

/** Asserts success and returns the value. */
export function expectOk<T>(result: ParseResult<T>): T {
  if (!result.ok)
    expect.fail(`expected success, got:\n${result.problems.map((p) => `${p.code} ${p.message}`).join("\n")}`);
  return result.value;
}

/** Asserts failure and returns the errors. */
export function expectErrors<T>(result: ParseResult<T>): ConfigProblem[] {
  expect(result.ok).toBe(false);
  return errors(result.problems);
}

// ---- valid bases ----------------------------------------------------------------------------------------------

export const validEvmNetwork = {
  network_type: "EVM",
  slug: "ethereum_mainnet",
  name: "Ethereum Mainnet",
  rpc_urls: [{ type_: "rpc", url: { type: "plain", value: "https://eth.example.org" }, weight: 100 }],
  chain_id: 1,
  block_time_ms: 12000,
  confirmation_blocks: 12,
  cron_schedule: "0 */1 * * * *",
  max_past_blocks: 18,
  store_blocks: false,
};

export const validMidnightNetwork = {
  network_type: "Midnight",
  slug: "midnight_testnet",
  name: "Midnight Testnet",
  rpc_urls: [{ type_: "ws_rpc", url: { type: "plain", value: "wss://rpc.midnight.example" }, weight: 100 }],
  block_time_ms: 6000,
  confirmation_blocks: 2,
  cron_schedule: "0 */1 * * * *",
};

export const validMonitor = {
  name: "Large USDC transfers",
  paused: false,
  networks: ["ethereum_mainnet"],
  addresses: [{ address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", contract_spec: null }],
  match_conditions: {
    functions: [{ signature: "transfer(address,uint256)", expression: null }],
    events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 10000000000" }],
    transactions: [{ status: "Success", expression: null }],
  },
  trigger_conditions: [],
  triggers: ["usdc_slack"],
};

/** OZ template placeholders (`${…}` in plain strings, not JS templates). */
const placeholder = (name: string): string => `\${${name}}`;

export const validSlackTrigger = {
  name: "USDC Slack",
  trigger_type: "slack",
  config: {
    slack_url: { type: "plain", value: "https://hooks.slack.com/services/A/B/C" },
    message: {
      title: `${placeholder("monitor.name")} triggered`,
      body: `Transfer of ${placeholder("events.0.args.value")}`,
    },
  },
};

export const validTelegramToken = "1234567890:ABCdefGHIjklMNOpqrSTUvwxYZ123456789";

export const validTriggers: Record<string, unknown> = {
  usdc_slack: validSlackTrigger,
  usdc_discord: {
    name: "USDC Discord",
    trigger_type: "discord",
    config: {
      discord_url: { type: "plain", value: "https://discord.com/api/webhooks/123/abc" },
      message: { title: "t", body: "b" },
    },
  },
  usdc_telegram: {
    name: "USDC Telegram",
    trigger_type: "telegram",
    config: {
      token: { type: "plain", value: validTelegramToken },
      chat_id: "9876543210",
      message: { title: "t", body: "b" },
    },
  },
  usdc_webhook: {
    name: "USDC Webhook",
    trigger_type: "webhook",
    config: {
      url: { type: "plain", value: "https://hooks.example.com/argus" },
      method: "POST",
      headers: { Authorization: "Bearer x" },
      message: { title: "t", body: "b" },
    },
  },
  usdc_email: {
    name: "USDC Email",
    trigger_type: "email",
    config: {
      host: "smtp.example.com",
      username: { type: "plain", value: "alerts@example.com" },
      password: { type: "plain", value: "hunter2" },
      message: { title: "Large transfer", body: `Transfer of ${placeholder("events.0.args.value")}` },
      sender: "alerts@example.com",
      recipients: ["oncall@example.com"],
    },
  },
};
