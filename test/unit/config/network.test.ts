import { describe, expect, it } from "vitest";
import { formatProblem, parseNetwork, secretSource } from "../../../src/config/index.js";
import {
  DELETE,
  errors,
  expectErrors,
  expectOk,
  validEvmNetwork,
  validMidnightNetwork,
  warnings,
  withValue,
} from "./support.js";

const now = new Date("2025-01-01T00:00:30Z");
const parse = (json: unknown, env: Record<string, string> = {}) =>
  parseNetwork(json, { file: "networks/ethereum_mainnet.json", env, now, stem: "ethereum_mainnet" });

describe("parseNetwork() schema", () => {
  it("parses a valid network, normalising the secret type and filling defaults", () => {
    const network = expectOk(parse(withValue(validEvmNetwork, ["store_blocks"], DELETE)));
    expect(network.rpc_urls[0]?.url).toEqual({ type: "Plain", value: "https://eth.example.org" });
    expect(network.store_blocks).toBe(false);
    expect(network.network_passphrase).toBeNull();
    expect(network.recovery_config).toBeNull();
  });

  it("reports an unknown key with its JSONPath and the allowed keys", () => {
    const [problem] = expectErrors(parse({ ...validEvmNetwork, description: "x" }));
    expect(problem?.code).toBe("CONFIG_UNKNOWN_FIELD");
    expect(formatProblem(problem!)).toBe(
      'networks/ethereum_mainnet.json: $.description: unknown field "description" (allowed: network_type, slug, name, rpc_urls, chain_id, network_passphrase, block_time_ms, confirmation_blocks, cron_schedule, max_past_blocks, store_blocks, recovery_config)',
    );
  });

  it("rejects unknown keys in rpc urls and recovery_config, suggesting a close key", () => {
    const problems = expectErrors(
      parse(
        withValue(withValue(validEvmNetwork, ["rpc_urls", 0, "wieght"], 1), ["recovery_config"], {
          enabled: true,
          cron_schedule: "0 */5 * * * *",
          max_blocks_per_run: 1,
          max_block_age: 1,
          max_retries: 1,
          retry_delay_ms: 1,
          extra: 1,
        }),
      ),
    );
    expect(problems.map((p) => formatProblem(p))).toEqual([
      expect.stringContaining(
        '$.rpc_urls[0].wieght: unknown field "wieght" (allowed: type_, url, weight); did you mean "weight"?',
      ),
      expect.stringContaining('$.recovery_config.extra: unknown field "extra"'),
    ]);
  });

  it("ignores extra keys inside a secret object", () => {
    expectOk(parse(withValue(validEvmNetwork, ["rpc_urls", 0, "url", "comment"], "ignored")));
  });

  it("reports a wrong enum with the case-sensitive spellings", () => {
    const [problem] = expectErrors(parse({ ...validEvmNetwork, network_type: "evm" }));
    expect(problem?.code).toBe("CONFIG_INVALID_ENUM");
    expect(formatProblem(problem!)).toContain(
      '$.network_type: expected one of "EVM", "Stellar", "Midnight", "Solana", got "evm" (values are case-sensitive; did you mean "EVM"?)',
    );
  });

  it("reports a missing required field", () => {
    const [problem] = expectErrors(parse(withValue(validEvmNetwork, ["cron_schedule"], DELETE)));
    expect(problem).toMatchObject({
      path: ["cron_schedule"],
      code: "CONFIG_MISSING_FIELD",
      message: "required field is missing",
    });
  });

  it("reports wrong types: strings for numbers, floats and negatives for unsigned integers", () => {
    const problems = expectErrors(
      parse({ ...validEvmNetwork, block_time_ms: "12000", confirmation_blocks: 1.5, chain_id: -1 }),
    );
    expect(problems.map((p) => [formatProblem(p), p.code])).toEqual([
      [
        expect.stringContaining("$.chain_id: expected an unsigned 64-bit integer, got the number -1"),
        "CONFIG_INVALID_TYPE",
      ],
      [
        expect.stringContaining('$.block_time_ms: expected an unsigned 64-bit integer, got the string "12000"'),
        "CONFIG_INVALID_TYPE",
      ],
      [
        expect.stringContaining("$.confirmation_blocks: expected an unsigned 64-bit integer, got the number 1.5"),
        "CONFIG_INVALID_TYPE",
      ],
    ]);
  });

  it("checks u32 ranges (weight)", () => {
    const [problem] = expectErrors(parse(withValue(validEvmNetwork, ["rpc_urls", 0, "weight"], 2 ** 32)));
    expect(problem?.path).toEqual(["rpc_urls", 0, "weight"]);
    expect(problem?.message).toContain("unsigned 32-bit integer");
  });

  it("reports every issue of the file, not only the first", () => {
    const problems = expectErrors(parse({ network_type: "Bitcoin", slug: 1 }));
    expect(problems.map((p) => p.path[0])).toEqual([
      "network_type",
      "slug",
      "name",
      "rpc_urls",
      "block_time_ms",
      "confirmation_blocks",
      "cron_schedule",
    ]);
  });

  it("accepts JSON text and reports syntax errors with line and column", () => {
    expectOk(parse(JSON.stringify(validEvmNetwork)));
    const [problem] = expectErrors(parse('{\n  "name": "x",\n}'));
    expect(problem).toMatchObject({ code: "CONFIG_JSON_SYNTAX", line: 3, column: 1 });
    expect(problem?.message).toContain("line 3, column 1");
  });

  it("accepts null for optional fields", () => {
    expectOk(parse({ ...validEvmNetwork, chain_id: null, max_past_blocks: null, recovery_config: null }));
  });

  it("accepts the `type_` key only (not `type`) in rpc urls", () => {
    const renamed = withValue(
      withValue(validEvmNetwork, ["rpc_urls", 0, "type"], "rpc"),
      ["rpc_urls", 0, "type_"],
      DELETE,
    );
    const problems = expectErrors(parse(renamed));
    expect(problems.map((p) => formatProblem(p))).toEqual([
      expect.stringContaining("$.rpc_urls[0].type_: required field is missing"),
      expect.stringContaining('$.rpc_urls[0].type: unknown field "type"'),
    ]);
  });
});

describe("parseNetwork() validation (§1.3)", () => {
  it("requires a non-empty name and a slug of [a-z0-9_]", () => {
    const problems = expectErrors(parse({ ...validEvmNetwork, name: "", slug: "Ethereum-Mainnet" }));
    expect(problems.map((p) => p.path[0])).toEqual(["name", "slug"]);
    expect(problems[1]?.message).toContain('may contain only lowercase letters a-z, digits and "_"');
  });

  it("accepts http(s) and ws(s) URLs for EVM, Stellar and Solana and rejects other schemes", () => {
    for (const url of ["https://a.example", "http://a.example", "wss://a.example", "ws://a.example"]) {
      expectOk(parse(withValue(validEvmNetwork, ["rpc_urls", 0, "url", "value"], url)));
    }
    const [problem] = expectErrors(parse(withValue(validEvmNetwork, ["rpc_urls", 0, "url", "value"], "invalid-url")));
    expect(problem).toMatchObject({ path: ["rpc_urls", 0, "url"], code: "CONFIG_INVALID_URL" });
  });

  it("does not echo URL paths (API keys) in messages", () => {
    const [problem] = expectErrors(
      parse(withValue(validEvmNetwork, ["rpc_urls", 0, "url", "value"], "ftp://node.example/v3/SECRETKEY")),
    );
    expect(problem?.message).toContain('"ftp://node.example/…"');
    expect(problem?.message).not.toContain("SECRETKEY");
  });

  it("accepts type_ ws_rpc for EVM only with a ws(s):// URL (Argus live heads, §15)", () => {
    const ws = withValue(validEvmNetwork, ["rpc_urls", 0], {
      type_: "ws_rpc",
      url: { type: "Plain", value: "wss://eth.example/ws" },
      weight: 50,
    });
    expectOk(parse(ws));
    const problems = expectErrors(parse(withValue(ws, ["rpc_urls", 0, "url", "value"], "https://eth.example")));
    expect(problems[0]?.message).toContain('type_ "ws_rpc" needs a wss:// or ws:// URL');
  });

  it("rejects other rpc types, and ws_rpc for Stellar", () => {
    const [problem] = expectErrors(parse(withValue(validEvmNetwork, ["rpc_urls", 0, "type_"], "grpc")));
    expect(problem?.path).toEqual(["rpc_urls", 0, "type_"]);
    const stellar = {
      ...validEvmNetwork,
      network_type: "Stellar",
      rpc_urls: [{ type_: "ws_rpc", url: { type: "plain", value: "wss://x.example" }, weight: 1 }],
    };
    expect(expectErrors(parse(stellar))[0]?.message).toContain('Stellar RPC type_ must be "rpc"');
  });

  it("requires ws_rpc and a ws(s):// URL for Midnight", () => {
    expectOk(parseNetwork(validMidnightNetwork, { now }));
    const rpcType = expectErrors(
      parseNetwork(withValue(validMidnightNetwork, ["rpc_urls", 0, "type_"], "rpc"), { now }),
    );
    expect(rpcType[0]?.message).toContain('Midnight RPC type_ must be "ws_rpc"');
    const https = expectErrors(
      parseNetwork(withValue(validMidnightNetwork, ["rpc_urls", 0, "url", "value"], "https://rpc.midnight.example"), {
        now,
      }),
    );
    expect(https[0]?.message).toContain("Midnight RPC URL must start with wss:// or ws://");
  });

  it("limits weight to 100", () => {
    expectOk(parse(withValue(validEvmNetwork, ["rpc_urls", 0, "weight"], 0)));
    const [problem] = expectErrors(parse(withValue(validEvmNetwork, ["rpc_urls", 0, "weight"], 101)));
    expect(problem?.message).toBe("weight must be between 0 and 100, got 101");
  });

  it("requires block_time_ms >= 100 and confirmation_blocks > 0", () => {
    expectOk(parse({ ...validEvmNetwork, block_time_ms: 100, max_past_blocks: null }));
    const problems = expectErrors(parse({ ...validEvmNetwork, block_time_ms: 99, confirmation_blocks: 0 }));
    expect(problems.map((p) => p.path[0])).toEqual(["block_time_ms", "confirmation_blocks"]);
  });

  it("requires a valid seconds-first cron_schedule", () => {
    const [fiveField] = expectErrors(parse({ ...validEvmNetwork, cron_schedule: "0 */1 * * *" }));
    expect(fiveField).toMatchObject({ path: ["cron_schedule"], code: "CONFIG_INVALID_CRON" });
    const [empty] = expectErrors(parse({ ...validEvmNetwork, cron_schedule: " " }));
    expect(empty?.message).toBe("cron_schedule must not be empty");
  });

  it('accepts max_past_blocks > 0 or exactly "unlimited"', () => {
    expectOk(parse({ ...validEvmNetwork, max_past_blocks: "unlimited" }));
    expect(expectErrors(parse({ ...validEvmNetwork, max_past_blocks: 0 }))[0]?.message).toContain(
      "max_past_blocks must be greater than 0",
    );
    for (const bad of ["infinite", "Unlimited", true, -5, 1.5]) {
      const [problem] = expectErrors(parse({ ...validEvmNetwork, max_past_blocks: bad }));
      expect(problem?.path).toEqual(["max_past_blocks"]);
      expect(problem?.message).toContain('expected a positive integer or "unlimited"');
    }
  });

  it("warns (only) when max_past_blocks is below the recommended value", () => {
    const result = parse({ ...validEvmNetwork, max_past_blocks: 17 });
    expect(result.ok).toBe(true);
    expect(warnings(result.problems)).toEqual([
      expect.objectContaining({
        code: "CONFIG_MAX_PAST_BLOCKS",
        message: expect.stringContaining("below the recommended 18"),
      }),
    ]);
    expect(warnings(parse(validEvmNetwork).problems)).toEqual([]);
  });

  it("warns (only) for unlimited with store_blocks", () => {
    const result = parse({ ...validEvmNetwork, max_past_blocks: "unlimited", store_blocks: true });
    expect(result.ok).toBe(true);
    expect(warnings(result.problems).map((p) => p.code)).toEqual(["CONFIG_MAX_PAST_BLOCKS"]);
  });

  it("warns (only) for http:// and ws:// URLs", () => {
    const result = parse({
      ...validEvmNetwork,
      rpc_urls: [
        { type_: "rpc", url: { type: "plain", value: "http://127.0.0.1:8545" }, weight: 100 },
        { type_: "rpc", url: { type: "plain", value: "ws://127.0.0.1:8546" }, weight: 50 },
      ],
    });
    expect(result.ok).toBe(true);
    expect(warnings(result.problems).map((p) => [p.code, p.path])).toEqual([
      ["CONFIG_INSECURE_URL", ["rpc_urls", 0, "url"]],
      ["CONFIG_INSECURE_URL", ["rpc_urls", 1, "url"]],
    ]);
  });

  it("warns (only) when the file stem differs from the slug (§15 row 19)", () => {
    const result = parseNetwork(validEvmNetwork, { file: "networks/eth.json", stem: "eth", now });
    expect(result.ok).toBe(true);
    expect(warnings(result.problems)).toEqual([
      expect.objectContaining({ code: "CONFIG_STEM_MISMATCH", path: ["slug"] }),
    ]);
  });

  it("checks recovery_config's cron when recovery is enabled", () => {
    const recovery = {
      enabled: true,
      cron_schedule: "0 */5 * * *",
      max_blocks_per_run: 10,
      max_block_age: 100,
      max_retries: 3,
      retry_delay_ms: 1000,
    };
    const [problem] = expectErrors(parse({ ...validEvmNetwork, recovery_config: recovery }));
    expect(problem?.path).toEqual(["recovery_config", "cron_schedule"]);
    const disabled = parse({ ...validEvmNetwork, recovery_config: { ...recovery, enabled: false } });
    expect(disabled.ok).toBe(true);
    const missing = expectErrors(parse({ ...validEvmNetwork, recovery_config: { enabled: false } }));
    expect(missing.map((p) => p.path.join("."))).toEqual([
      "recovery_config.cron_schedule",
      "recovery_config.max_blocks_per_run",
      "recovery_config.max_block_age",
      "recovery_config.max_retries",
      "recovery_config.retry_delay_ms",
    ]);
  });
});

describe("parseNetwork() secrets", () => {
  const envNetwork = withValue(validEvmNetwork, ["rpc_urls", 0, "url"], { type: "Environment", value: "ETH_RPC_URL" });

  it("resolves Environment secrets before validating, keeping the reference available", () => {
    const network = expectOk(parse(envNetwork, { ETH_RPC_URL: "https://secret.example/key" }));
    const url = network.rpc_urls[0]!.url;
    expect(url).toEqual({ type: "Plain", value: "https://secret.example/key" });
    expect(secretSource(url)).toEqual({ type: "Environment", value: "ETH_RPC_URL" });
    expect(JSON.stringify(url)).toBe('{"type":"Plain","value":"https://secret.example/key"}');
  });

  it("validates the resolved value (URL prefix)", () => {
    const [problem] = expectErrors(parse(envNetwork, { ETH_RPC_URL: "localhost:8545" }));
    expect(problem?.code).toBe("CONFIG_INVALID_URL");
  });

  it("reports a missing variable naming the variable and the field, and still validates the rest", () => {
    const problems = errors(parse({ ...envNetwork, confirmation_blocks: 0 }).problems);
    expect(problems.map((p) => formatProblem(p))).toEqual([
      'networks/ethereum_mainnet.json: $.rpc_urls[0].url: environment variable "ETH_RPC_URL" is not set (referenced by rpc_urls[0].url)',
      "networks/ethereum_mainnet.json: $.confirmation_blocks: confirmation_blocks must be greater than 0",
    ]);
    expect(problems[0]?.code).toBe("CONFIG_SECRET_ENV_MISSING");
  });

  it("reports HashicorpCloudVault as unsupported", () => {
    const vault = withValue(validEvmNetwork, ["rpc_urls", 0, "url"], { type: "hashicorpcloudvault", value: "rpc" });
    const [problem] = expectErrors(parse(vault));
    expect(problem).toMatchObject({
      code: "CONFIG_SECRET_UNSUPPORTED",
      message: "HashicorpCloudVault secrets are not supported yet; use Environment or Plain",
    });
  });

  it("rejects unknown secret types and non-string values", () => {
    const problems = expectErrors(
      parse(withValue(validEvmNetwork, ["rpc_urls", 0, "url"], { type: "Vault", value: 1 })),
    );
    expect(problems.map((p) => formatProblem(p))).toEqual([
      expect.stringContaining(
        '$.rpc_urls[0].url.type: expected one of "Plain", "Environment", "HashicorpCloudVault" (any case), got "Vault"',
      ),
      expect.stringContaining("$.rpc_urls[0].url.value: expected a string, got the number 1"),
    ]);
  });
});
