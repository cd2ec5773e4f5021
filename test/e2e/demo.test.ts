import { describe, expect, it } from "vitest";
import { runArgus } from "../support/cli.js";

describe("npm start (argus demo)", () => {
  it("runs the platform on a local chain and shows both demo monitors' webhooks arriving", async () => {
    const run = await runArgus(["demo", "--deliveries", "3"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Argus is watching the demo chain");
    expect(run.stdout).toMatch(/REST API docs: http:\/\/\S+\/api\/docs/);
    const titles = [...run.stdout.matchAll(/^webhook #\d+: (.+)$/gm)].map((m) => m[1]);
    expect(titles).toHaveLength(3);
    expect(titles).toContain("Demo: large token transfers");
    expect(titles).toContain("Demo: failed token calls");
    expect(run.stdout).toMatch(/Transaction 0x[0-9a-f]{64} from 0x[0-9a-f]{40}/);
    expect(run.stderr).not.toContain("MaxListenersExceededWarning");
  }, 180_000);
});
