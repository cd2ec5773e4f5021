import { describe, expect, it } from "vitest";
import {
  ConfigError,
  type ConfigProblem,
  formatProblem,
  hasErrors,
  resolveSecret,
  SecretValueSchema,
} from "../../../src/config/index.js";

describe("SecretValueSchema", () => {
  it.each([
    ["plain", "Plain"],
    ["PLAIN", "Plain"],
    ["environment", "Environment"],
    ["HashiCorpCloudVault", "HashicorpCloudVault"],
  ])("matches type %s case-insensitively as %s", (type, normalised) => {
    expect(SecretValueSchema.parse({ type, value: "v", note: "ignored" })).toEqual({ type: normalised, value: "v" });
  });

  it("requires both type and value", () => {
    expect(SecretValueSchema.safeParse({ type: "Plain" }).success).toBe(false);
    expect(SecretValueSchema.safeParse({ value: "x" }).success).toBe(false);
  });
});

describe("resolveSecret()", () => {
  it("returns Plain values as they are", () => {
    expect(resolveSecret({ type: "Plain", value: "abc" })).toBe("abc");
  });

  it("reads Environment secrets from the given env (an empty value counts as set)", () => {
    expect(resolveSecret({ type: "Environment", value: "TOKEN" }, { env: { TOKEN: "t0k" } })).toBe("t0k");
    expect(resolveSecret({ type: "Environment", value: "EMPTY" }, { env: { EMPTY: "" } })).toBe("");
  });

  it("defaults to process.env", () => {
    process.env.ARGUS_CONFIG_TEST_SECRET = "from-process";
    try {
      expect(resolveSecret({ type: "Environment", value: "ARGUS_CONFIG_TEST_SECRET" })).toBe("from-process");
    } finally {
      delete process.env.ARGUS_CONFIG_TEST_SECRET;
    }
  });

  it("throws CONFIG_SECRET_ENV_MISSING naming the variable and the field", () => {
    const call = () => resolveSecret({ type: "Environment", value: "NOPE" }, { env: {}, field: "config.token" });
    expect(call).toThrow(ConfigError);
    expect(call).toThrow('environment variable "NOPE" is not set (referenced by config.token)');
    try {
      call();
    } catch (error) {
      expect((error as ConfigError).code).toBe("CONFIG_SECRET_ENV_MISSING");
    }
  });

  it("throws CONFIG_SECRET_UNSUPPORTED for HashicorpCloudVault", () => {
    try {
      resolveSecret({ type: "HashicorpCloudVault", value: "rpc" });
      expect.fail("expected a throw");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe("CONFIG_SECRET_UNSUPPORTED");
      expect((error as ConfigError).message).toBe(
        "HashicorpCloudVault secrets are not supported yet; use Environment or Plain",
      );
    }
  });
});

describe("problems", () => {
  const error: ConfigProblem = {
    file: "monitors/usdc.json",
    path: ["match_conditions", "events", 0, "expression"],
    message: "bad",
    code: "CONFIG_INVALID_EXPRESSION",
    severity: "error",
  };
  const warning: ConfigProblem = { ...error, severity: "warning", code: "CONFIG_EXPRESSION_IGNORED" };

  it("formats as <file>: <json path>: <message>", () => {
    expect(formatProblem(error)).toBe("monitors/usdc.json: $.match_conditions.events[0].expression: bad");
    expect(formatProblem({ ...error, file: "", path: ["my-key", "name"] })).toBe('$["my-key"].name: bad');
  });

  it("hasErrors() ignores warnings", () => {
    expect(hasErrors([warning])).toBe(false);
    expect(hasErrors([warning, error])).toBe(true);
  });

  it("ConfigError.fromProblems() lists every error", () => {
    const summary = ConfigError.fromProblems([warning, error, { ...error, message: "worse" }]);
    expect(summary.code).toBe("CONFIG_INVALID_EXPRESSION");
    expect(summary.path).toEqual(["monitors/usdc.json", "match_conditions", "events", 0, "expression"]);
    expect(summary.problems).toHaveLength(3);
    expect(summary.message).toBe(
      "Invalid configuration (2 errors):\n  monitors/usdc.json: $.match_conditions.events[0].expression: bad\n  monitors/usdc.json: $.match_conditions.events[0].expression: worse",
    );
  });
});
