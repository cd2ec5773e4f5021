import { describe, expect, it } from "vitest";
import * as conditions from "../../../../src/notify/conditions/index.js";

describe("src/notify/conditions public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(conditions).sort()).toEqual([
      "ScriptError",
      "ScriptErrorCode",
      "defaultScriptSettings",
      "evaluateTriggerConditions",
      "loadScriptSources",
      "matchJsonText",
      "parseConditionOutput",
      "prepareTriggerConditions",
      "resolveScriptSettings",
      "runScript",
      "scriptInput",
    ]);
  });

  it("has stable error codes", () => {
    expect(Object.values(conditions.ScriptErrorCode).sort()).toEqual([
      "SCRIPT_ABORTED",
      "SCRIPT_CONTENT_MISSING",
      "SCRIPT_EXIT_NONZERO",
      "SCRIPT_LANGUAGE_DISABLED",
      "SCRIPT_LOAD_FAILED",
      "SCRIPT_OUTPUT_INVALID",
      "SCRIPT_OUTPUT_TOO_LARGE",
      "SCRIPT_SANDBOX_VIOLATION",
      "SCRIPT_SPAWN_FAILED",
      "SCRIPT_TIMEOUT",
    ]);
    const error = new conditions.ScriptError("SCRIPT_TIMEOUT", "Script execution timed out after 5 ms");
    expect(error).toMatchObject({ name: "ScriptError", code: "SCRIPT_TIMEOUT", retryable: false });
  });
});

describe("script settings", () => {
  it("enable every language by default (single-tenant mode) with 1 MiB output and a 64 MiB heap", () => {
    const defaults = conditions.defaultScriptSettings();
    expect(defaults).toMatchObject({
      allowPython: true,
      allowBash: true,
      allowJavaScript: true,
      maxOutputBytes: 1024 * 1024,
      memoryLimitMb: 64,
      youngGenerationMb: 16,
      stackSizeMb: 4,
    });
    expect(defaults.path).toBe(process.env.PATH);
  });

  it("keep what the operator set and fill the rest", () => {
    const resolved = conditions.resolveScriptSettings({ allowPython: false, allowBash: false, maxOutputBytes: 10 });
    expect(resolved).toMatchObject({ allowPython: false, allowBash: false, allowJavaScript: true, maxOutputBytes: 10 });
  });
});

describe("runScript() with JavaScript disabled", () => {
  it("refuses without starting the sandbox", async () => {
    const outcome = await conditions.runScript({
      language: "JavaScript",
      source: "console.log(true)",
      stdin: "",
      timeoutMs: 1000,
      settings: { allowJavaScript: false },
    });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe("SCRIPT_LANGUAGE_DISABLED");
      expect(outcome.error.message).toBe("JavaScript scripts are disabled on this server (setting allowJavaScript)");
    }
  });
});
