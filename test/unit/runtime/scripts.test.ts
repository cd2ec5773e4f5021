import { describe, expect, it } from "vitest";
import { resolveStoredScript, scriptSourcesFor } from "../../../src/runtime/scripts.js";

describe("stored trigger-condition scripts", () => {
  const files = new Map([
    ["filters/evm_filter.sh", { content: "echo evm" }],
    ["x.py", { content: "print(1)" }],
  ]);

  it("finds OZ's `./config/filters/…` paths in files stored relative to the config directory", () => {
    expect(resolveStoredScript("./config/filters/evm_filter.sh", files)?.content).toBe("echo evm");
    expect(resolveStoredScript("filters/evm_filter.sh", files)?.content).toBe("echo evm");
    expect(resolveStoredScript("/abs/x.py", files)?.content).toBe("print(1)");
    expect(resolveStoredScript("./config/filters/other.sh", files)).toBeUndefined();
  });

  it("maps each configured script_path to its content, leaving unknown ones out", () => {
    const sources = scriptSourcesFor(["./config/filters/evm_filter.sh", "missing.sh"], files);
    expect([...sources]).toEqual([["./config/filters/evm_filter.sh", "echo evm"]]);
  });
});
