import { describe, expect, it } from "vitest";
import { parseConditionOutput } from "../../../../src/notify/conditions/index.js";

const value = (stdout: string) => {
  const verdict = parseConditionOutput(stdout);
  return verdict.ok ? verdict.value : verdict.error.message;
};

describe("parseConditionOutput() reads a trigger condition's verdict like OZ", () => {
  it("takes the last line, trimmed and lowercased", () => {
    expect(value("true")).toBe(true);
    expect(value("false\n")).toBe(false);
    expect(value("True\n")).toBe(true);
    expect(value("FALSE")).toBe(false);
    expect(value("  tRuE  \r\n")).toBe(true);
    expect(value("debugging...\nTrue\n")).toBe(true);
    expect(value("true\nfalse")).toBe(false);
    expect(value("false\n\ttrue\t\n")).toBe(true);
  });

  it("reports empty or whitespace-only output as no output (T09)", () => {
    expect(value("")).toBe("Script produced no output");
    expect(value("\n \t\r\n")).toBe("Script produced no output");
    expect(parseConditionOutput("").ok).toBe(false);
  });

  it("rejects any other last line, naming it (T08)", () => {
    expect(value("maybe")).toBe("Last line of output is not a valid boolean: maybe");
    expect(value("true\nmaybe\n")).toBe("Last line of output is not a valid boolean: maybe");
    expect(value("1")).toBe("Last line of output is not a valid boolean: 1");
    expect(value("yes")).toBe("Last line of output is not a valid boolean: yes");
    expect(value('"true"')).toBe('Last line of output is not a valid boolean: "true"');
    expect(value("true.")).toBe("Last line of output is not a valid boolean: true.");
  });

  it("counts a blank line after the verdict as the last line (Rust's lines(): only one final newline is dropped)", () => {
    expect(value("true\n\n")).toBe("Last line of output is not a valid boolean: ");
    expect(value("true\n \n")).toBe("Last line of output is not a valid boolean: ");
  });

  it("trims Unicode whitespace as Rust does (NEL and NBSP are whitespace, a BOM is not)", () => {
    expect(value("\u00a0true\u0085")).toBe(true);
    expect(value("\ufefftrue")).toBe("Last line of output is not a valid boolean: \ufefftrue");
  });

  it("shortens a very long last line in the message", () => {
    const verdict = parseConditionOutput("x".repeat(1000));
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.error.code).toBe("SCRIPT_OUTPUT_INVALID");
      expect(verdict.error.message).toBe(`Last line of output is not a valid boolean: ${"x".repeat(200)}…`);
    }
  });
});
