import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  formatProblem,
  hasErrors,
  loadConfigDir,
  loadMonitorFile,
  parseMonitor,
  parseNetwork,
  parseTriggerFile,
  TriggerFileSchema,
} from "../../../src/config/index.js";
import {
  errors,
  ozExampleLayout,
  ozExamples,
  ozFixtures,
  tempDir,
  validEvmNetwork,
  validMonitor,
  validSlackTrigger,
  validTriggers,
  warnings,
  writeTree,
} from "./support.js";

const env = { MIDNIGHT_VIEWING_KEY: "viewing-key" };
const now = new Date("2025-01-01T00:00:30Z");

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));

describe("OZ example configs (shared/fixtures/oz/examples/config)", () => {
  it("every network file validates on its own", () => {
    const files = jsonFiles(path.join(ozExamples, "networks"));
    expect(files.length).toBeGreaterThan(30);
    for (const name of files) {
      const result = parseNetwork(readJson(path.join(ozExamples, "networks", name)), { file: `networks/${name}`, now });
      expect(errors(result.problems), name).toEqual([]);
    }
  });

  it("every monitor file validates on its own (scripts resolved in OZ's layout)", () => {
    const root = ozExampleLayout();
    for (const name of jsonFiles(path.join(ozExamples, "monitors"))) {
      const result = parseMonitor(readJson(path.join(ozExamples, "monitors", name)), {
        file: `monitors/${name}`,
        env,
        cwd: root,
      });
      expect(errors(result.problems), name).toEqual([]);
    }
  });

  it("every trigger file validates except telegram_notifications.json", () => {
    const root = ozExampleLayout();
    for (const name of jsonFiles(path.join(ozExamples, "triggers"))) {
      const result = parseTriggerFile(readJson(path.join(ozExamples, "triggers", name)), {
        file: `triggers/${name}`,
        cwd: root,
      });
      if (name === "telegram_notifications.json") expect(result.ok).toBe(false);
      else expect(errors(result.problems), name).toEqual([]);
    }
  });

  it("the whole directory loads in OZ's layout (config/ + filters/ + trigger scripts) without errors", async () => {
    const root = ozExampleLayout(["triggers/telegram_notifications.json"]);
    const loaded = await loadConfigDir(path.join(root, "config"), { env, cwd: tempDir(), now });
    expect(errors(loaded.problems).map(formatProblem)).toEqual([]);
    expect(hasErrors(loaded.problems)).toBe(false);
    expect(loaded.networks.size).toBe(jsonFiles(path.join(ozExamples, "networks")).length);
    expect([...loaded.monitors.keys()].sort()).toEqual([
      "Bulletin post",
      "Large Swap By Dex",
      "Large Transfer of USDC Token",
      "Local ERC-20 Transfer (Anvil)",
      "Solana Kamino Deposit Monitor",
      "Solana Upgrade Monitor",
    ]);
    expect(loaded.monitors.get("Large Swap By Dex")?.file).toBe("monitors/stellar_swap_dex.json");
    expect(loaded.triggers.size).toBe(16);
    expect(loaded.networks.get("ethereum_mainnet")?.rpc_urls[0]?.url).toEqual({
      type: "Plain",
      value: "https://eth.drpc.org",
    });
    expect(loaded.scripts.get("./config/filters/evm_filter_block_number.sh")).toBe(
      path.join(root, "config/filters/evm_filter_block_number.sh"),
    );
    expect(loaded.scripts.get("./config/triggers/scripts/custom_notification.sh")).toBe(
      path.join(root, "config/triggers/scripts/custom_notification.sh"),
    );
    expect(loaded.filters).toEqual(["filters/evm_filter_block_number.sh", "filters/stellar_filter_block_number.sh"]);
    expect(warnings(loaded.problems).map((p) => `${p.file} ${p.code}`)).toEqual([
      "networks/anvil_local.json CONFIG_INSECURE_URL",
      "networks/anvil_local.json CONFIG_MAX_PAST_BLOCKS",
      ...Array(4).fill("triggers/webhook_notifications.json CONFIG_WEBHOOK_NO_AUTH"),
    ]);
  });

  it("telegram_notifications.json fails on the token, naming the field and the expected format (D22)", async () => {
    const root = ozExampleLayout();
    const loaded = await loadConfigDir(path.join(root, "config"), { env, cwd: root, now });
    const problems = errors(loaded.problems);
    expect(problems.map((p) => p.path.join("."))).toEqual([
      "evm_large_transfer_usdc_telegram.config.token",
      "evm_large_transfer_usdc_telegram_markdown.config.token",
      "stellar_large_swap_by_dex_telegram.config.token",
    ]);
    expect(formatProblem(problems[0]!)).toBe(
      'triggers/telegram_notifications.json: $.evm_large_transfer_usdc_telegram.config.token: invalid Telegram bot token: expected <bot id>:<secret> with 8-10 digits, ":" and 35 characters from A-Z a-z 0-9 _ - (pattern ^[0-9]{8,10}:[a-zA-Z0-9_-]{35}$); got 10 digits and 26 characters after ":"',
    );
    // Everything else is still loaded; only the invalid triggers are left out.
    expect(loaded.triggers.has("evm_large_transfer_usdc_telegram")).toBe(false);
    expect(loaded.triggers.has("evm_large_transfer_usdc_slack")).toBe(true);
  });

  it("reports a monitor's Environment secret that is not set", async () => {
    const root = ozExampleLayout(["triggers/telegram_notifications.json"]);
    const loaded = await loadConfigDir(path.join(root, "config"), { env: {}, now });
    expect(errors(loaded.problems).map(formatProblem)).toEqual([
      'monitors/midnight_testnet_bulletin_post.json: $.chain_configurations[0].midnight.viewing_keys[0]: environment variable "MIDNIGHT_VIEWING_KEY" is not set (referenced by chain_configurations[0].midnight.viewing_keys[0])',
    ]);
  });

  it("reports the example scripts as missing when the config dir is not in OZ's layout", async () => {
    const loaded = await loadConfigDir(ozExamples, { env, cwd: tempDir(), now });
    const missing = errors(loaded.problems).filter((p) => p.code === "CONFIG_SCRIPT_NOT_FOUND");
    expect(missing.map((p) => p.file)).toEqual([
      "triggers/script_notifications.json",
      "monitors/evm_transfer_usdc.json",
      "monitors/stellar_swap_dex.json",
    ]);
  });
});

describe("OZ test fixtures (evm/, stellar/)", () => {
  for (const chain of ["evm", "stellar"]) {
    it(`${chain}: network and monitor files parse`, () => {
      for (const name of jsonFiles(path.join(ozFixtures, chain, "networks"))) {
        const result = parseNetwork(readJson(path.join(ozFixtures, chain, "networks", name)), { now });
        expect(errors(result.problems), name).toEqual([]);
      }
      for (const name of jsonFiles(path.join(ozFixtures, chain, "monitors"))) {
        const result = parseMonitor(readJson(path.join(ozFixtures, chain, "monitors", name)));
        expect(errors(result.problems), name).toEqual([]);
      }
    });

    it(`${chain}: trigger files parse; only their placeholder Telegram token ("123") fails validation`, () => {
      for (const name of jsonFiles(path.join(ozFixtures, chain, "triggers"))) {
        const json = readJson(path.join(ozFixtures, chain, "triggers", name));
        expect(TriggerFileSchema.safeParse(json).success).toBe(true);
        const result = parseTriggerFile(json);
        expect(errors(result.problems).map((p) => p.path.join("."))).toEqual(["example_trigger_telegram.config.token"]);
      }
    });
  }

  it("stellar + evm fixtures load as one directory with cross-file checks", async () => {
    const tree: Record<string, unknown> = {};
    for (const chain of ["evm", "stellar"]) {
      tree[`networks/${chain}.json`] = readJson(path.join(ozFixtures, chain, "networks/network.json"));
      for (const name of jsonFiles(path.join(ozFixtures, chain, "monitors"))) {
        tree[`monitors/${chain}_${name}`] = readJson(path.join(ozFixtures, chain, "monitors", name));
      }
    }
    tree["triggers/slack.json"] = { example_trigger_slack: validSlackTrigger };
    const loaded = await loadConfigDir(writeTree(tree), { now });
    expect(errors(loaded.problems).map(formatProblem)).toEqual([]);
    expect([...loaded.networks.keys()]).toEqual(["ethereum_mainnet", "stellar_testnet"]);
    expect(loaded.monitors.size).toBe(3);
    expect(warnings(loaded.problems).map((p) => `${p.file} ${p.code}`)).toEqual([
      "networks/evm.json CONFIG_STEM_MISMATCH",
      "networks/stellar.json CONFIG_STEM_MISMATCH",
    ]);
  });
});

describe("loadConfigDir()", () => {
  const base = () => ({
    "networks/ethereum_mainnet.json": validEvmNetwork,
    "monitors/usdc.json": validMonitor,
    "triggers/all.json": validTriggers,
  });

  it("loads networks by slug, monitors by name, triggers by key", async () => {
    const dir = writeTree(base());
    const loaded = await loadConfigDir(dir, { now });
    expect(loaded.problems).toEqual([]);
    expect(loaded.dir).toBe(dir);
    expect([...loaded.networks.keys()]).toEqual(["ethereum_mainnet"]);
    expect(loaded.monitors.get(validMonitor.name)).toEqual({
      file: "monitors/usdc.json",
      monitor: expect.objectContaining({ paused: false }),
    });
    expect([...loaded.triggers.keys()]).toEqual(Object.keys(validTriggers));
  });

  it("reports missing directories (filters/ is optional, monitors/ on request) and a missing config dir", async () => {
    const dir = tempDir();
    const loaded = await loadConfigDir(dir);
    expect(loaded.problems.map(formatProblem)).toEqual([
      `networks/: $: networks directory not found: ${path.join(dir, "networks")}`,
      `triggers/: $: triggers directory not found: ${path.join(dir, "triggers")}`,
      `monitors/: $: monitors directory not found: ${path.join(dir, "monitors")}`,
    ]);
    expect(loaded.problems.every((p) => p.code === "CONFIG_NOT_FOUND")).toBe(true);
    const withoutMonitors = await loadConfigDir(dir, { monitorsOptional: true });
    expect(withoutMonitors.problems.map((p) => p.file)).toEqual(["networks/", "triggers/"]);
    const nowhere = await loadConfigDir(path.join(dir, "nope"));
    expect(nowhere.problems[0]?.message).toBe("config directory not found");
    expect(nowhere.problems[0]?.file).toBe(path.join(dir, "nope"));
  });

  it("reads only *.json files (extension case-insensitive), in file-name order", async () => {
    const dir = writeTree({
      ...base(),
      "networks/b.JSON": { ...validEvmNetwork, slug: "b", name: "B" },
      "networks/a.json": { ...validEvmNetwork, slug: "a", name: "A" },
      "networks/notes.txt": "not json",
      "networks/c.json.bak": "{",
    });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems)).toEqual([]);
    expect([...loaded.networks.keys()]).toEqual(["a", "b", "ethereum_mainnet"]);
  });

  it("reports malformed JSON with line and column and keeps loading the other files", async () => {
    const dir = writeTree({
      ...base(),
      "networks/broken.json": '{\n  "slug": "x",\n  "name": "y"\n  "rpc_urls": []\n}',
    });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems).map(formatProblem)).toEqual([
      "networks/broken.json: $: invalid JSON at line 4, column 3: unexpected '\"' (expected ',' or '}' after a property value)",
    ]);
    expect(loaded.networks.has("ethereum_mainnet")).toBe(true);
    expect(loaded.monitors.size).toBe(1);
  });

  it("collects problems from every file instead of stopping at the first", async () => {
    const dir = writeTree({
      ...base(),
      "networks/bad.json": { ...validEvmNetwork, slug: "bad", name: "Bad", confirmation_blocks: 0 },
      "monitors/bad.json": { ...validMonitor, name: "Bad", paused: "no" },
      "triggers/bad.json": { bad: { ...validSlackTrigger, name: "Bad", trigger_type: "sms" } },
    });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems).map((p) => `${p.file} ${p.path.join(".")}`)).toEqual([
      "networks/bad.json confirmation_blocks",
      "triggers/bad.json bad.trigger_type",
      "monitors/bad.json paused",
    ]);
  });

  it("rejects duplicate network names and slugs (trim + lowercase)", async () => {
    const dir = writeTree({
      ...base(),
      "networks/a.json": { ...validEvmNetwork, slug: "net_a", name: " Testnetwork" },
      "networks/b.json": { ...validEvmNetwork, slug: "net_b", name: "testnetwork" },
      "networks/c.json": { ...validEvmNetwork, slug: "net_a", name: "Other" },
    });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems).map(formatProblem)).toEqual([
      'networks/b.json: $.name: Duplicate network name "testnetwork": networks/a.json uses the same name (names are compared trimmed and lowercased)',
      'networks/c.json: $.slug: Duplicate network slug "net_a": networks/a.json uses the same slug',
    ]);
    expect(errors(loaded.problems).every((p) => p.code === "CONFIG_DUPLICATE_NETWORK")).toBe(true);
  });

  it("rejects duplicate monitor names and duplicate trigger names", async () => {
    const dir = writeTree({
      ...base(),
      "monitors/usdc_copy.json": { ...validMonitor, name: " LARGE USDC TRANSFERS " },
      "triggers/more.json": { other_slack: { ...validSlackTrigger, name: "usdc slack" } },
    });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems).map((p) => [p.file, p.path.join("."), p.code])).toEqual([
      ["triggers/more.json", "other_slack.name", "CONFIG_DUPLICATE_TRIGGER"],
      ["monitors/usdc_copy.json", "name", "CONFIG_DUPLICATE_MONITOR"],
    ]);
  });

  it("lets a later file override a duplicate trigger key, with a warning", async () => {
    const dir = writeTree({
      ...base(),
      "triggers/zz_override.json": { usdc_slack: { ...validSlackTrigger, name: "Override" } },
    });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems)).toEqual([]);
    expect(loaded.triggers.get("usdc_slack")?.name).toBe("Override");
    expect(warnings(loaded.problems)).toEqual([
      expect.objectContaining({
        file: "triggers/zz_override.json",
        path: ["usdc_slack"],
        code: "CONFIG_DUPLICATE_TRIGGER_KEY",
        message:
          'trigger key "usdc_slack" is also defined in triggers/all.json; this definition wins (files are read in name order)',
      }),
    ]);
  });

  it("checks monitor references against the loaded networks and triggers", async () => {
    const dir = writeTree({
      ...base(),
      "monitors/typo.json": { ...validMonitor, name: "Typo", networks: ["ethereum_mainet"], triggers: ["nope"] },
    });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems).map(formatProblem)).toEqual([
      "monitors/typo.json: $.networks[0]: Unknown network 'ethereum_mainet'. Expected one of ['ethereum_mainnet']; did you mean 'ethereum_mainnet'?",
      expect.stringContaining(
        "monitors/typo.json: $.triggers[0]: Unknown trigger 'nope'. Expected one of ['usdc_slack', ",
      ),
    ]);
    expect(loaded.monitors.has("Typo")).toBe(false);
  });

  it("does not report a reference to a network or trigger that exists but is invalid as unknown", async () => {
    const dir = writeTree({
      "networks/ethereum_mainnet.json": { ...validEvmNetwork, confirmation_blocks: 0 },
      "monitors/usdc.json": validMonitor,
      "triggers/all.json": {
        usdc_slack: {
          ...validSlackTrigger,
          config: { ...validSlackTrigger.config, slack_url: { type: "plain", value: "x" } },
        },
      },
    });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems).map((p) => p.file)).toEqual(["networks/ethereum_mainnet.json", "triggers/all.json"]);
  });

  it("keys networks by slug when the file stem differs (warning only)", async () => {
    const { "networks/ethereum_mainnet.json": _, ...rest } = base();
    const dir = writeTree({ ...rest, "networks/eth.json": validEvmNetwork });
    const loaded = await loadConfigDir(dir, { now });
    expect(errors(loaded.problems)).toEqual([]);
    expect(loaded.networks.has("ethereum_mainnet")).toBe(true);
    expect(warnings(loaded.problems).map((p) => p.code)).toEqual(["CONFIG_STEM_MISMATCH"]);
  });

  it("resolves script paths against the CWD before the config dir's parent", async () => {
    const cwd = writeTree({ "config/filters/check.py": "print(False)\n" });
    const monitor = {
      ...validMonitor,
      trigger_conditions: [{ script_path: "./config/filters/check.py", language: "Python", timeout_ms: 500 }],
    };
    const dir = writeTree({ ...base(), "monitors/usdc.json": monitor, "filters/check.py": "print(True)\n" });
    const loaded = await loadConfigDir(dir, { cwd, now });
    expect(errors(loaded.problems)).toEqual([]);
    expect(loaded.scripts.get("./config/filters/check.py")).toBe(path.join(cwd, "config/filters/check.py"));
    expect(loaded.filters).toEqual(["filters/check.py"]);
  });

  it("resolves a relative config dir against the cwd option", async () => {
    const root = writeTree({
      "cfg/networks/ethereum_mainnet.json": validEvmNetwork,
      "cfg/monitors/.keep": "",
      "cfg/triggers/.keep": "",
    });
    const loaded = await loadConfigDir("cfg", { cwd: root, now });
    expect(loaded.problems).toEqual([]);
    expect(loaded.dir).toBe(path.join(root, "cfg"));
  });
});

describe("loadMonitorFile()", () => {
  it("parses one monitor file and checks it against a loaded config", async () => {
    const dir = writeTree({
      "networks/ethereum_mainnet.json": validEvmNetwork,
      "monitors/.keep": "",
      "triggers/all.json": validTriggers,
    });
    const loaded = await loadConfigDir(dir, { now });
    const extra = writeTree({ "good.json": validMonitor, "bad.json": { ...validMonitor, networks: ["sepolia"] } });
    const good = await loadMonitorFile(path.join(extra, "good.json"), loaded);
    expect(good.ok).toBe(true);
    const bad = await loadMonitorFile("bad.json", loaded, { cwd: extra });
    expect(bad.ok).toBe(false);
    expect(errors(bad.problems).map(formatProblem)).toEqual([
      "bad.json: $.networks[0]: Unknown network 'sepolia'. Expected one of ['ethereum_mainnet']",
    ]);
    const missing = await loadMonitorFile("missing.json", loaded, { cwd: extra });
    expect(missing.problems[0]).toMatchObject({ file: "missing.json", code: "CONFIG_NOT_FOUND" });
  });
});
