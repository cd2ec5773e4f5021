import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as expr from "../../../src/expr/index.js";

const SRC = join(import.meta.dirname, "../../../src/expr");

describe("src/expr module surface", () => {
  it("exports exactly its public API", () => {
    expect(Object.keys(expr).sort()).toEqual([
      "EVM_SIGNED_KINDS",
      "EVM_UNSIGNED_KINDS",
      "ExpressionError",
      "MAX_EXPRESSION_LENGTH",
      "MAX_NESTING_DEPTH",
      "evaluateExpression",
      "evaluateExpressionText",
      "evmDialect",
      "parseExpression",
      "referencedVariables",
      "stellarDialect",
    ]);
  });

  it("ExpressionError is an ArgusError with a kind, a code and a position", async () => {
    const { ArgusError } = await import("../../../src/errors/index.js");
    const result = expr.parseExpression("a ==");
    if (result.ok) throw new Error("expected an error");
    expect(result.error).toBeInstanceOf(ArgusError);
    expect(result.error.name).toBe("ExpressionError");
    expect(result.error).toMatchObject({ kind: "ParseError", code: "EXPR_PARSE", position: 4, retryable: false });
  });

  it("imports no I/O: only relative modules and the errors module", () => {
    const files = readdirSync(SRC).filter((file) => file.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const forbidden = /\b(node:|fs|net|http|https|child_process|worker_threads|pino|undici)\b/;
    for (const file of files) {
      const source = readFileSync(join(SRC, file), "utf8");
      const specifiers = [
        ...source.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g),
      ].map((m) => m[1] ?? m[2] ?? "");
      for (const specifier of specifiers) {
        expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\.?\//);
        expect(specifier, `${file} imports ${specifier}`).not.toMatch(forbidden);
        if (specifier.startsWith("../")) expect(specifier, file).toBe("../errors/index.js");
      }
      expect(source, `${file} uses require()`).not.toMatch(/\brequire\s*\(/);
      expect(source, `${file} reads the environment`).not.toMatch(/process\.env|\bfetch\s*\(/);
    }
  });
});
