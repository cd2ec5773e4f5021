import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScriptConfig, Trigger } from "../../../src/config/index.js";
import { deliver, deliverWithRetry, scriptNotificationInput } from "../../../src/notify/index.js";
import { failed, usdcMatch } from "./support.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "argus-script-channel-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const match = usdcMatch();

async function scriptTrigger(file: string, content: string, overrides: Partial<ScriptConfig> = {}): Promise<Trigger> {
  await writeFile(path.join(dir, file), content);
  const language = file.endsWith(".py") ? "Python" : file.endsWith(".js") ? "JavaScript" : "Bash";
  return {
    name: "Script",
    trigger_type: "script",
    config: { language, script_path: file, arguments: null, timeout_ms: 5_000, ...overrides },
  };
}

describe("script notifications", () => {
  it("T12: a script that reads stdin and exits 0 without output succeeds", async () => {
    const trigger = await scriptTrigger("quiet.sh", "cat > /dev/null\nexit 0\n");
    const outcome = await deliver({ id: "s-1", trigger, match }, { scriptCwd: dir });
    expect(outcome).toMatchObject({ ok: true, channel: "script", status: 0 });
  });

  it("T13: a non-zero exit fails with the script's stderr", async () => {
    const trigger = await scriptTrigger("fail.sh", "echo 'Error: something went wrong' >&2\nexit 1\n");
    const outcome = failed(await deliver({ id: "s-2", trigger, match }, { scriptCwd: dir }));
    expect(outcome.error.code).toBe("NOTIFY_SCRIPT_FAILED");
    expect(outcome.error.message).toContain("Script execution failed: Error: something went wrong");
    expect(outcome).toMatchObject({ retryable: false, status: 1 });
  });

  it("T14: stdin is {monitor_match, args} with the match JSON and the configured arguments", async () => {
    const out = path.join(dir, "stdin-with-args.json");
    const trigger = await scriptTrigger(
      "capture.py",
      "import sys, json\ndata = sys.stdin.read()\nopen(json.loads(data)['args'][0], 'w').write(data)\n",
      { arguments: [out, "--verbose"] },
    );
    const outcome = await deliver({ id: "s-3", trigger, match }, { scriptCwd: dir });
    expect(outcome.ok).toBe(true);
    const text = await readFile(out, "utf8");
    expect(text).toBe(`{"monitor_match":${JSON.stringify(match)},"args":[${JSON.stringify(out)},"--verbose"]}`);
    expect(JSON.parse(text)).toEqual({ monitor_match: match, args: [out, "--verbose"] });
  });

  it("T14: args is null when the trigger has no arguments", () => {
    expect(JSON.parse(scriptNotificationInput(match, null))).toEqual({ monitor_match: match, args: null });
    expect(scriptNotificationInput({ EVM: { a: 1 } }, undefined)).toBe('{"monitor_match":{"EVM":{"a":1}},"args":null}');
  });

  it("kills a script that runs past timeout_ms; scripts are not retried", async () => {
    const trigger = await scriptTrigger("slow.sh", "sleep 5\n", { timeout_ms: 300 });
    const report = await deliverWithRetry({ id: "s-4", trigger, match }, { scriptCwd: dir });
    expect(report.attempts).toHaveLength(1);
    const outcome = failed(report.final);
    expect(outcome.error.code).toBe("NOTIFY_SCRIPT_TIMEOUT");
    expect(outcome.retryable).toBe(false);
    expect(outcome.latencyMs).toBeLessThan(3_000);
  });

  it("reports a missing script file", async () => {
    const trigger: Trigger = {
      name: "Script",
      trigger_type: "script",
      config: { language: "Bash", script_path: "missing.sh", arguments: null, timeout_ms: 1_000 },
    };
    const outcome = failed(await deliver({ id: "s-5", trigger, match }, { scriptCwd: dir }));
    expect(outcome.error.code).toBe("NOTIFY_SCRIPT_NOT_FOUND");
  });

  it("runs script content supplied by the caller (a startup cache, as OZ reads scripts once)", async () => {
    const trigger: Trigger = {
      name: "Script",
      trigger_type: "script",
      config: { language: "Bash", script_path: "cached.sh", arguments: null, timeout_ms: 2_000 },
    };
    const outcome = await deliver(
      { id: "s-6", trigger, match },
      { readScript: async (scriptPath) => (scriptPath === "cached.sh" ? "exit 0" : "exit 9") },
    );
    expect(outcome.ok).toBe(true);
  });
});
