import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, runArgus, runArgusInProcess, sharedFixtures } from "../../support/cli.js";
import { readFixtureJson, type TempConfigDir, tempConfigDir } from "../../support/config-dir.js";

const examples = path.join(sharedFixtures, "examples/config");
const LINE = /^(\S+): (\$\S*): (.+)$/;

const dirs: TempConfigDir[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.close();
});

/** OZ's examples in OZ's repository layout: `<root>/config/…` plus the filter scripts the monitors reference. */
function exampleLayout(): { root: string; config: string } {
  const root = tempConfigDir();
  dirs.push(root);
  const config = path.join(root.dir, "config");
  cpSync(examples, config, { recursive: true });
  cpSync(path.join(repoRoot, "test/fixtures/config/oz-layout"), config, { recursive: true });
  return { root: root.dir, config };
}

describe("argus validate", () => {
  it("accepts OZ's example config directory except the Telegram example, whose token it names precisely", async () => {
    const { root, config } = exampleLayout();
    // The Midnight example reads its viewing key from the environment, as OZ's example intends.
    const env = { MIDNIGHT_VIEWING_KEY: "0".repeat(64) };
    const run = await runArgus(["validate", "--config-dir", "config"], { cwd: root, env });
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const [, file, jsonPath, message] = LINE.exec(line) ?? [];
      expect(file, line).toBe("triggers/telegram_notifications.json");
      expect(jsonPath, line).toMatch(/^\$\.\w+\.config\.token$/);
      expect(message, line).toContain("invalid Telegram bot token");
      expect(message, line).toContain("^[0-9]{8,10}:[a-zA-Z0-9_-]{35}$");
    }
    // Without that file, the directory is valid.
    rmSync(path.join(config, "triggers/telegram_notifications.json"));
    const ok = await runArgus(["validate", "--config-dir", "config"], { cwd: root, env });
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^Configuration is valid: 35 network\(s\), 6 monitor\(s\), \d+ trigger\(s\)\.$/m);
  });

  it("prints one `<file>: <json path>: <message>` line for every problem of every file, and exits 1", async () => {
    const config = tempConfigDir();
    dirs.push(config);
    const network = readFixtureJson("evm/networks/network.json");
    config.write("networks/ethereum_mainnet.json", {
      ...network,
      confirmation_blocks: 0,
      cron_schedule: "0 */1 * * *",
    });
    const monitor = readFixtureJson("examples/config/monitors/evm_transfer_usdc.json");
    config.write("monitors/usdc.json", {
      ...monitor,
      description: "not an OZ field",
      networks: ["ethereum_mainet"],
      triggers: ["missing_trigger"],
      trigger_conditions: [],
      match_conditions: {
        functions: [{ signature: "transfer(address,uint256", expression: null }],
        events: [{ signature: "Transfer(address,address,uint256)", expression: "value >" }],
        transactions: [{ status: "success", expression: null }],
      },
    });
    config.write("triggers/slack.json", {
      slack_ops: {
        name: "Ops",
        trigger_type: "slack",
        config: { slack_url: { type: "Plain", value: "https://example.com/x" }, message: { title: "t", body: " " } },
      },
    });
    const run = await runArgusInProcess(["validate", "--config-dir", config.dir]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split("\n");
    for (const line of lines) expect(line).toMatch(LINE);
    const where = lines.map((line) => {
      const [, file, jsonPath] = LINE.exec(line) ?? [];
      return `${file} ${jsonPath}`;
    });
    expect(where).toEqual(
      expect.arrayContaining([
        "networks/ethereum_mainnet.json $.confirmation_blocks",
        "networks/ethereum_mainnet.json $.cron_schedule",
        "monitors/usdc.json $.description",
        "monitors/usdc.json $.match_conditions.transactions[0].status",
        "triggers/slack.json $.slack_ops.config.slack_url",
        "triggers/slack.json $.slack_ops.config.message.body",
      ]),
    );
    expect(run.stdout).toContain('unknown field "description"');
  });

  it("reports cross-file problems: unknown network (with a suggestion), unknown trigger, bad signature and expression", async () => {
    const config = tempConfigDir();
    dirs.push(config);
    config.write("networks/ethereum_mainnet.json", readFixtureJson("evm/networks/network.json"));
    mkdirSync(path.join(config.dir, "triggers"));
    const monitor = readFixtureJson("examples/config/monitors/evm_transfer_usdc.json");
    config.write("monitors/usdc.json", {
      ...monitor,
      networks: ["ethereum_mainet"],
      triggers: ["missing_trigger"],
      trigger_conditions: [],
      match_conditions: {
        functions: [{ signature: "transfer(address,uint256", expression: null }],
        events: [{ signature: "Transfer(address,address,uint256)", expression: "value >" }],
        transactions: [],
      },
    });
    const run = await runArgusInProcess(["validate", "--config-dir", config.dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "monitors/usdc.json: $.networks[0]: Unknown network 'ethereum_mainet'. Expected one of ['ethereum_mainnet']; did you mean 'ethereum_mainnet'?",
    );
    expect(run.stdout).toContain("monitors/usdc.json: $.triggers[0]: Unknown trigger 'missing_trigger'");
    expect(run.stdout).toContain("monitors/usdc.json: $.match_conditions.events[0].expression:");
  });

  it("says that HashicorpCloudVault secrets are not supported yet", async () => {
    const config = tempConfigDir();
    dirs.push(config);
    const network = readFixtureJson("evm/networks/network.json");
    config.write("networks/ethereum_mainnet.json", {
      ...network,
      rpc_urls: [{ type_: "rpc", url: { type: "HashicorpCloudVault", value: "rpc-url" }, weight: 100 }],
    });
    mkdirSync(path.join(config.dir, "triggers"));
    mkdirSync(path.join(config.dir, "monitors"));
    const run = await runArgusInProcess(["validate", "--config-dir", config.dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^networks\/ethereum_mainnet\.json: \$\.rpc_urls\[0\]\.url: .*HashicorpCloudVault.*not supported yet/m,
    );
  });

  it("fails clearly when the directory does not exist", async () => {
    const run = await runArgusInProcess(["validate", "--config-dir", "/nonexistent/argus-config"]);
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe("/nonexistent/argus-config: $: config directory not found");
  });
});

describe("argus --help", () => {
  it("lists the commands and exits 0; each command has its own --help", async () => {
    const main = await runArgus(["--help"]);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain("validate");
    expect(main.stdout).toContain("test-monitor");
    for (const command of ["validate", "test-monitor", "demo"]) {
      const help = await runArgusInProcess([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: argus ${command}`);
    }
  });

  it("exits 2 on an unknown command or option", async () => {
    expect((await runArgusInProcess(["frobnicate"])).code).toBe(2);
    const run = await runArgusInProcess(["validate", "--config", "x"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--config");
  });
});
