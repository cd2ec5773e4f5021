import { describe, expect, it } from "vitest";
import * as dispatch from "../../../src/dispatch/index.js";

describe("src/dispatch public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(dispatch).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_MAX_RETRY_AFTER_MS",
        "DispatchCode",
        "DispatchError",
        "createDispatcher",
        "createStoreScriptReader",
        "createStoreTriggerRegistry",
        "maxAttemptsFor",
        "nextRetryDelayMs",
        "recordMatches",
        "replayDead",
        "replayDelivery",
        "reportFromOutcome",
        "retryPolicyOf",
        "storedScriptCandidates",
      ]
    `);
  });

  it("every error code is prefixed DISPATCH_ and unique", () => {
    const codes = Object.values(dispatch.DispatchCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^DISPATCH_[A-Z_]+$/);
  });
});
