import { chmodSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  formatProblem,
  type MonitorParseOptions,
  type NetworkType,
  parseMonitor,
  secretSource,
} from "../../../src/config/index.js";
import { DELETE, expectErrors, expectOk, tempDir, validMonitor, warnings, withValue, writeTree } from "./support.js";

const networks = new Map<string, { network_type: NetworkType }>([
  ["ethereum_mainnet", { network_type: "EVM" }],
  ["sepolia", { network_type: "EVM" }],
  ["stellar_testnet", { network_type: "Stellar" }],
  ["solana_devnet", { network_type: "Solana" }],
]);
const triggers = new Set(["usdc_slack", "usdc_email"]);

const parse = (json: unknown, options: MonitorParseOptions = {}) =>
  parseMonitor(json, { file: "monitors/usdc.json", networks, triggers, cwd: tempDir(), ...options });

describe("parseMonitor() schema", () => {
  it("parses a valid monitor with defaults (chain_configurations [], null options)", () => {
    const monitor = expectOk(parse(validMonitor));
    expect(monitor.chain_configurations).toEqual([]);
    expect(monitor.match_conditions.functions[0]?.expression).toBeNull();
    expect(monitor.addresses[0]?.contract_spec).toBeNull();
  });

  it("rejects an unknown key, listing the allowed ones", () => {
    const [problem] = expectErrors(parse({ ...validMonitor, description: "Large transfers" }));
    expect(formatProblem(problem!)).toBe(
      'monitors/usdc.json: $.description: unknown field "description" (allowed: name, networks, paused, addresses, match_conditions, trigger_conditions, triggers, chain_configurations)',
    );
  });

  it("rejects unknown keys in nested strict objects", () => {
    const problems = expectErrors(
      parse(
        withValue(
          withValue(validMonitor, ["addresses", 0, "abi"], []),
          ["match_conditions", "events", 0, "expresion"],
          "x",
        ),
      ),
    );
    expect(problems.map((p) => formatProblem(p))).toEqual([
      expect.stringContaining('$.addresses[0].abi: unknown field "abi" (allowed: address, contract_spec)'),
      expect.stringContaining(
        '$.match_conditions.events[0].expresion: unknown field "expresion" (allowed: signature, expression); did you mean "expression"?',
      ),
    ]);
  });

  it("tolerates unknown keys in chain_configurations entries", () => {
    const monitor = expectOk(parse({ ...validMonitor, chain_configurations: [{ evm: {}, future: { x: 1 } }] }));
    expect(monitor.chain_configurations).toHaveLength(1);
  });

  it("reports a wrong transaction status with the exact spellings", () => {
    const [problem] = expectErrors(
      parse(withValue(validMonitor, ["match_conditions", "transactions", 0, "status"], "success")),
    );
    expect(problem?.code).toBe("CONFIG_INVALID_ENUM");
    expect(formatProblem(problem!)).toContain(
      '$.match_conditions.transactions[0].status: expected one of "Any", "Success", "Failure", got "success"',
    );
  });

  it("reports missing fields, including required booleans and empty-able arrays", () => {
    const missing = withValue(withValue(validMonitor, ["paused"], DELETE), ["trigger_conditions"], DELETE);
    const problems = expectErrors(parse(missing));
    expect(problems.map((p) => formatProblem(p))).toEqual([
      "monitors/usdc.json: $.paused: required field is missing",
      "monitors/usdc.json: $.trigger_conditions: required field is missing",
    ]);
    const noEvents = withValue(validMonitor, ["match_conditions", "events"], DELETE);
    expect(expectErrors(parse(noEvents))[0]?.path).toEqual(["match_conditions", "events"]);
  });

  it("reports wrong types with their paths", () => {
    const problems = expectErrors(parse({ ...validMonitor, paused: "false", networks: "ethereum_mainnet" }));
    expect(problems.map((p) => formatProblem(p))).toEqual([
      expect.stringContaining('$.networks: expected an array, got the string "ethereum_mainnet"'),
      expect.stringContaining('$.paused: expected true or false, got the string "false"'),
    ]);
  });

  it('rejects the OZ docs example spelling (language "bash", arguments "--verbose") with helpful messages', () => {
    const dir = writeTree({ "filters/check.sh": "echo false\n" });
    const problems = expectErrors(
      parse(
        {
          ...validMonitor,
          trigger_conditions: [
            { script_path: "filters/check.sh", language: "bash", arguments: "--verbose", timeout_ms: 1000 },
          ],
        },
        { cwd: dir },
      ),
    );
    expect(problems.map((p) => formatProblem(p))).toEqual([
      'monitors/usdc.json: $.trigger_conditions[0].language: expected one of "JavaScript", "Python", "Bash", got "bash" (values are case-sensitive; did you mean "Bash"?)',
      'monitors/usdc.json: $.trigger_conditions[0].arguments: expected an array of strings, got the string "--verbose"; did you mean ["--verbose"]?',
    ]);
  });

  it("accepts contract specs of every chain shape and rejects other shapes", () => {
    expectOk(
      parse(
        withValue(validMonitor, ["addresses", 0, "contract_spec"], [{ type: "event", name: "Transfer", inputs: [] }]),
      ),
    );
    expectOk(parse(withValue(validMonitor, ["addresses", 0, "contract_spec"], [{ function_v0: { name: "swap" } }])));
    expectOk(parse(withValue(validMonitor, ["addresses", 0, "contract_spec"], { version: "0.1.0", instructions: [] })));
    expectOk(parse(withValue(validMonitor, ["addresses", 0, "contract_spec"], [])));
    const [problem] = expectErrors(parse(withValue(validMonitor, ["addresses", 0, "contract_spec"], "erc20")));
    expect(problem?.path).toEqual(["addresses", 0, "contract_spec"]);
    expect(problem?.message).toContain("expected a contract spec");
  });
});

describe("parseMonitor() validation (§1.4)", () => {
  it("requires a non-empty name and at least one network", () => {
    const problems = expectErrors(parse({ ...validMonitor, name: "", networks: [] }));
    expect(problems.map((p) => p.path.join("."))).toEqual(["name", "networks"]);
  });

  it("reports an unknown network with the known slugs and the closest one", () => {
    const [problem] = expectErrors(parse({ ...validMonitor, networks: ["ethereum_mainet"] }));
    expect(problem).toMatchObject({ path: ["networks", 0], code: "CONFIG_UNKNOWN_NETWORK" });
    expect(problem?.message).toBe(
      "Unknown network 'ethereum_mainet'. Expected one of ['ethereum_mainnet', 'sepolia', 'stellar_testnet', 'solana_devnet']; did you mean 'ethereum_mainnet'?",
    );
  });

  it("reports an unknown trigger key", () => {
    const [problem] = expectErrors(parse({ ...validMonitor, triggers: ["usdc_slak"] }));
    expect(problem).toMatchObject({ path: ["triggers", 0], code: "CONFIG_UNKNOWN_TRIGGER" });
    expect(problem?.message).toContain("did you mean 'usdc_slack'?");
  });

  it("skips reference checks when no networks/triggers are given", () => {
    expectOk(parseMonitor({ ...validMonitor, networks: ["anything"], triggers: ["whatever"] }));
  });

  it("checks signature syntax on EVM and Stellar networks", () => {
    const bad = withValue(
      withValue(validMonitor, ["match_conditions", "functions", 0, "signature"], "transfer"),
      ["match_conditions", "events", 0, "signature"],
      "Transfer)address(",
    );
    const problems = expectErrors(parse(bad));
    expect(problems.map((p) => [p.path.join("."), p.code])).toEqual([
      ["match_conditions.functions.0.signature", "CONFIG_INVALID_SIGNATURE"],
      ["match_conditions.events.0.signature", "CONFIG_INVALID_SIGNATURE"],
    ]);
    expect(problems[0]?.message).toContain('invalid signature "transfer"');
    expectOk(
      parse(
        withValue(validMonitor, ["match_conditions", "functions", 0, "signature"], "  transfer(address, uint256)  "),
      ),
    );
  });

  it("does not require parentheses on Solana", () => {
    const solana = {
      ...validMonitor,
      networks: ["solana_devnet"],
      match_conditions: { functions: [], events: [{ signature: "Transfer", expression: null }], transactions: [] },
    };
    expect(parse(solana).ok).toBe(true);
  });

  it("reports expressions that do not parse", () => {
    const [problem] = expectErrors(
      parse(withValue(validMonitor, ["match_conditions", "events", 0, "expression"], "value >")),
    );
    expect(problem).toMatchObject({
      path: ["match_conditions", "events", 0, "expression"],
      code: "CONFIG_INVALID_EXPRESSION",
    });
    expect(problem?.message).toContain('invalid expression "value >"');
  });

  it("accepts Argus's expression superset (TRUE in any case)", () => {
    expectOk(
      parse(withValue(validMonitor, ["match_conditions", "transactions", 0, "expression"], "is_success == TRUE")),
    );
  });

  it("warns instead of failing for empty expressions and for conditions Solana ignores", () => {
    const empty = parse(withValue(validMonitor, ["match_conditions", "events", 0, "expression"], "  "));
    expect(empty.ok).toBe(true);
    expect(warnings(empty.problems).map((p) => p.code)).toEqual(["CONFIG_EXPRESSION_IGNORED"]);
    const solana = parse({
      ...validMonitor,
      networks: ["solana_devnet"],
      match_conditions: {
        functions: [],
        events: [{ signature: "Transfer", expression: "amount >" }],
        transactions: [],
      },
    });
    expect(solana.ok).toBe(true);
    expect(warnings(solana.problems)[0]?.message).toContain("ignored on Solana");
  });

  describe("trigger conditions", () => {
    const condition = (script_path: string, language: string, timeout_ms = 1000) => ({
      ...validMonitor,
      trigger_conditions: [{ script_path, language, arguments: ["--verbose"], timeout_ms }],
    });

    it("accepts an existing script resolved against the CWD", () => {
      const cwd = writeTree({ "filters/check.py": "print(False)\n" });
      expectOk(parse(condition("filters/check.py", "Python"), { cwd }));
      expectOk(parse(condition(path.join(cwd, "filters/check.py"), "Python")));
    });

    it("falls back to the parent of the config dir (OZ layout ./config/filters/...)", () => {
      const root = writeTree({ "config/filters/check.js": "console.log(false)\n" });
      expectOk(parse(condition("./config/filters/check.js", "JavaScript"), { configDir: path.join(root, "config") }));
    });

    it("reports a missing script with the paths it looked at", () => {
      const cwd = tempDir();
      const [problem] = expectErrors(parse(condition("./config/filters/missing.py", "Python"), { cwd }));
      expect(problem).toMatchObject({
        path: ["trigger_conditions", 0, "script_path"],
        code: "CONFIG_SCRIPT_NOT_FOUND",
      });
      expect(problem?.message).toContain(path.join(cwd, "config/filters/missing.py"));
    });

    it("requires the extension to match the language", () => {
      const cwd = writeTree({ "filters/check.js": "console.log(false)\n" });
      const [problem] = expectErrors(parse(condition("filters/check.js", "Python"), { cwd }));
      expect(problem).toMatchObject({ code: "CONFIG_SCRIPT_EXTENSION" });
      expect(problem?.message).toBe('a Python script must have the extension ".py", got ".js"');
    });

    it("requires timeout_ms > 0", () => {
      const cwd = writeTree({ "filters/check.sh": "echo false\n" });
      const [problem] = expectErrors(parse(condition("filters/check.sh", "Bash", 0), { cwd }));
      expect(problem).toMatchObject({
        path: ["trigger_conditions", 0, "timeout_ms"],
        message: "timeout_ms must be greater than 0",
      });
    });

    it("warns when the script is group- or world-writable", () => {
      const cwd = writeTree({ "filters/check.sh": "echo false\n" });
      chmodSync(path.join(cwd, "filters/check.sh"), 0o777);
      const result = parse(condition("filters/check.sh", "Bash"), { cwd });
      expect(result.ok).toBe(true);
      expect(warnings(result.problems)).toEqual([
        expect.objectContaining({ code: "CONFIG_SCRIPT_PERMISSIONS", path: ["trigger_conditions", 0, "script_path"] }),
      ]);
    });

    it("can skip file checks (checkScripts: false)", () => {
      expectOk(parse(condition("nowhere/check.sh", "Bash"), { checkScripts: false }));
    });
  });

  it("resolves Midnight viewing keys from the environment", () => {
    const midnight = {
      ...validMonitor,
      chain_configurations: [{ midnight: { viewing_keys: [{ type: "environment", value: "VIEWING_KEY" }] } }],
    };
    const monitor = expectOk(parse(midnight, { env: { VIEWING_KEY: "vk-123" } }));
    const key = monitor.chain_configurations[0]?.midnight?.viewing_keys[0];
    expect(key).toEqual({ type: "Plain", value: "vk-123" });
    expect(secretSource(key!)).toEqual({ type: "Environment", value: "VIEWING_KEY" });
    const [problem] = expectErrors(parse(midnight, { env: {} }));
    expect(formatProblem(problem!)).toBe(
      'monitors/usdc.json: $.chain_configurations[0].midnight.viewing_keys[0]: environment variable "VIEWING_KEY" is not set (referenced by chain_configurations[0].midnight.viewing_keys[0])',
    );
  });
});
