/** Conformance section D (config validation cases), shared/spec/conformance-public.md. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ConfigProblem,
  loadConfigDir,
  type ParseResult,
  parseMonitor,
  parseNetwork,
  parseTrigger,
} from "../../../src/config/index.js";
import {
  errors,
  expectOk,
  ozExampleLayout,
  tempDir,
  validEvmNetwork,
  validMidnightNetwork,
  validMonitor,
  validSlackTrigger,
  validTelegramToken,
  validTriggers,
  withValue,
  writeTree,
} from "./support.js";

const now = new Date("2025-01-01T00:00:30Z");
const network = (json: unknown, env: Record<string, string> = {}) => parseNetwork(json, { now, env });
const trigger = (json: unknown) => parseTrigger(json, { cwd: tempDir() });

/** Asserts the result failed and that some error sits at `at`. */
function expectErrorAt(result: ParseResult<unknown>, at: (string | number)[]): ConfigProblem {
  expect(result.ok).toBe(false);
  const found = errors(result.problems).find((p) => JSON.stringify(p.path) === JSON.stringify(at));
  expect(found, `error at ${at.join(".")} in ${JSON.stringify(result.problems)}`).toBeDefined();
  return found as ConfigProblem;
}

describe("conformance D (config validation)", () => {
  it("D02 confirmation_blocks: 0 → error", () => {
    expectErrorAt(network({ ...validEvmNetwork, confirmation_blocks: 0 }), ["confirmation_blocks"]);
  });

  it("D03 rpc url invalid-url → error", () => {
    expectErrorAt(network(withValue(validEvmNetwork, ["rpc_urls", 0, "url", "value"], "invalid-url")), [
      "rpc_urls",
      0,
      "url",
    ]);
  });

  it('D05 name "" → error (network, monitor, trigger)', () => {
    expectErrorAt(network({ ...validEvmNetwork, name: "" }), ["name"]);
    expectErrorAt(parseMonitor({ ...validMonitor, name: "" }), ["name"]);
    expectErrorAt(trigger({ ...validSlackTrigger, name: "" }), ["name"]);
  });

  it('D07 max_past_blocks: 0 → error; "unlimited" ok; "infinite", true, -5 → parse error', () => {
    expectErrorAt(network({ ...validEvmNetwork, max_past_blocks: 0 }), ["max_past_blocks"]);
    expectOk(network({ ...validEvmNetwork, max_past_blocks: "unlimited" }));
    for (const value of ["infinite", true, -5]) {
      const problem = expectErrorAt(network({ ...validEvmNetwork, max_past_blocks: value }), ["max_past_blocks"]);
      expect(problem.code).toBe("CONFIG_INVALID_TYPE");
    }
  });

  it('D08 EVM rpc type_ "ws_rpc" (http URL) → error; Midnight type_ "rpc" or https:// URL → error', () => {
    expectErrorAt(network(withValue(validEvmNetwork, ["rpc_urls", 0, "type_"], "ws_rpc")), ["rpc_urls", 0, "url"]);
    expectErrorAt(network(withValue(validMidnightNetwork, ["rpc_urls", 0, "type_"], "rpc")), ["rpc_urls", 0, "type_"]);
    expectErrorAt(
      network(withValue(validMidnightNetwork, ["rpc_urls", 0, "url", "value"], "https://rpc.midnight.example")),
      ["rpc_urls", 0, "url"],
    );
    // Argus decision (§15): ws_rpc with a ws(s):// URL is accepted for EVM live heads.
    const wsRpc = withValue(validEvmNetwork, ["rpc_urls", 0], {
      type_: "ws_rpc",
      url: { type: "plain", value: "wss://x.example" },
      weight: 1,
    });
    expectOk(network(wsRpc));
  });

  it("D09 rpc weight: 101 → error", () => {
    expectErrorAt(network(withValue(validEvmNetwork, ["rpc_urls", 0, "weight"], 101)), ["rpc_urls", 0, "weight"]);
  });

  it('D10 two network files named " Testnetwork" and "testnetwork" → duplicate error', async () => {
    const dir = writeTree({
      "networks/a.json": { ...validEvmNetwork, slug: "a", name: " Testnetwork" },
      "networks/b.json": { ...validEvmNetwork, slug: "b", name: "testnetwork" },
      "monitors/.keep": "",
      "triggers/.keep": "",
    });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems)).toEqual([
      expect.objectContaining({ file: "networks/b.json", path: ["name"], code: "CONFIG_DUPLICATE_NETWORK" }),
    ]);
    expect(errors(loaded.problems)[0]?.message).toContain("Duplicate network name");
  });

  it("D12 trigger condition: script missing / .js for Python / timeout_ms: 0 → error", () => {
    const cwd = writeTree({ "filters/check.py": "print(False)\n", "filters/check.js": "console.log(false)\n" });
    const withCondition = (script_path: string, timeout_ms = 1000) => ({
      ...validMonitor,
      trigger_conditions: [{ script_path, language: "Python", timeout_ms }],
    });
    expectOk(parseMonitor(withCondition("filters/check.py"), { cwd }));
    const at = ["trigger_conditions", 0];
    expect(expectErrorAt(parseMonitor(withCondition("filters/gone.py"), { cwd }), [...at, "script_path"]).code).toBe(
      "CONFIG_SCRIPT_NOT_FOUND",
    );
    expect(expectErrorAt(parseMonitor(withCondition("filters/check.js"), { cwd }), [...at, "script_path"]).code).toBe(
      "CONFIG_SCRIPT_EXTENSION",
    );
    expectErrorAt(parseMonitor(withCondition("filters/check.py", 0), { cwd }), [...at, "timeout_ms"]);
  });

  it("D15 slack: URL https://invalid-url.com; empty title; empty body → error", () => {
    expectErrorAt(trigger(withValue(validSlackTrigger, ["config", "slack_url", "value"], "https://invalid-url.com")), [
      "config",
      "slack_url",
    ]);
    expectErrorAt(trigger(withValue(validSlackTrigger, ["config", "message", "title"], "")), [
      "config",
      "message",
      "title",
    ]);
    expectErrorAt(trigger(withValue(validSlackTrigger, ["config", "message", "body"], "")), [
      "config",
      "message",
      "body",
    ]);
  });

  it('D16 telegram: token "invalid-token" / OZ example token; chat_id ""; body > 4096 → error; valid token ok', () => {
    const telegram = validTriggers.usdc_telegram;
    expectOk(trigger(withValue(telegram, ["config", "token", "value"], validTelegramToken)));
    for (const token of ["invalid-token", "1234567890:ABCDEFGHIJKLMNOPQRSTUVWXYZ"]) {
      expectErrorAt(trigger(withValue(telegram, ["config", "token", "value"], token)), ["config", "token"]);
    }
    expectErrorAt(trigger(withValue(telegram, ["config", "chat_id"], "")), ["config", "chat_id"]);
    expectErrorAt(trigger(withValue(telegram, ["config", "message", "body"], "x".repeat(4097))), [
      "config",
      "message",
      "body",
    ]);
  });

  it("D17 discord: URL not https://discord.com/api/webhooks/…; body > 2000 → error", () => {
    const discord = validTriggers.usdc_discord;
    expectErrorAt(
      trigger(withValue(discord, ["config", "discord_url", "value"], "https://example.com/api/webhooks/1")),
      ["config", "discord_url"],
    );
    expectErrorAt(trigger(withValue(discord, ["config", "message", "body"], "x".repeat(2001))), [
      "config",
      "message",
      "body",
    ]);
  });

  it('D19 email: host "not-a-host"; recipients []; whitespace subject → error', () => {
    const email = validTriggers.usdc_email;
    expectErrorAt(trigger(withValue(email, ["config", "host"], "not-a-host")), ["config", "host"]);
    expectErrorAt(trigger(withValue(email, ["config", "recipients"], [])), ["config", "recipients"]);
    expectErrorAt(trigger(withValue(email, ["config", "message", "title"], "   ")), ["config", "message", "title"]);
  });

  it('D20 secret {"type":"PLAIN"} ok (case-insensitive); {"type":"environment","value":"MISSING_VAR"} → load error', async () => {
    const plain = expectOk(
      network(withValue(validEvmNetwork, ["rpc_urls", 0, "url"], { type: "PLAIN", value: "https://x.example" })),
    );
    expect(plain.rpc_urls[0]?.url.type).toBe("Plain");
    const dir = writeTree({
      "networks/ethereum_mainnet.json": withValue(validEvmNetwork, ["rpc_urls", 0, "url"], {
        type: "environment",
        value: "MISSING_VAR",
      }),
      "monitors/.keep": "",
      "triggers/.keep": "",
    });
    const loaded = await loadConfigDir(dir, { env: {}, now });
    expect(errors(loaded.problems)).toEqual([
      expect.objectContaining({ path: ["rpc_urls", 0, "url"], code: "CONFIG_SECRET_ENV_MISSING" }),
    ]);
    expect(errors(loaded.problems)[0]?.message).toContain('"MISSING_VAR"');
  });

  it('D21 unknown key in a monitor ("description") → parse error', () => {
    const problem = expectErrorAt(parseMonitor({ ...validMonitor, description: "Large transfers" }), ["description"]);
    expect(problem.code).toBe("CONFIG_UNKNOWN_FIELD");
  });

  it("D22 examples/config/triggers/telegram_notifications.json → load error (token regex)", async () => {
    const root = ozExampleLayout();
    const loaded = await loadConfigDir(path.join(root, "config"), { env: { MIDNIGHT_VIEWING_KEY: "k" }, now });
    const problems = errors(loaded.problems);
    expect(problems.length).toBe(3);
    for (const p of problems) {
      expect(p.file).toBe("triggers/telegram_notifications.json");
      expect(p.path.slice(1)).toEqual(["config", "token"]);
      expect(p.message).toContain("^[0-9]{8,10}:[a-zA-Z0-9_-]{35}$");
    }
  });
});
