import { describe, expect, it } from "vitest";
import * as engine from "../../../src/engine/index.js";

describe("src/engine public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(engine).sort()).toEqual([
      "EngineError",
      "compileMonitors",
      "evaluateBlock",
      "matchId",
      "toMatchJson",
    ]);
  });
});
