import { describe, expect, it } from "vitest";
import { runArgus } from "../support/cli.js";

describe("npm start (argus demo)", () => {
  it("starts a local chain, sends token traffic and reports both demo monitors' matches", async () => {
    const run = await runArgus(["demo", "--blocks", "8"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Watching Demo Local Chain");
    expect(run.stdout).toMatch(
      /match 'Demo: large token transfers' tx 0x[0-9a-f]{64} Success .*Transfer\(address,address,uint256\)/,
    );
    expect(run.stdout).toMatch(
      /match 'Demo: failed token calls' tx 0x[0-9a-f]{64} Failure transfer\(address,uint256\)/,
    );
    expect(run.stdout.match(/^block \d+: /gm)).toHaveLength(8);
    expect(run.stderr).not.toContain("MaxListenersExceededWarning");
  }, 120_000);
});
