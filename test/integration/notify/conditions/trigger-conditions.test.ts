/**
 * Trigger conditions (spec §8, conformance section E: T03–T14) with real interpreters and the real sandbox, for every
 * script language, on a real match from OZ's fixtures.
 */
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { ScriptLanguage } from "../../../../src/config/index.js";
import { toMatchJson } from "../../../../src/engine/index.js";
import {
  evaluateTriggerConditions,
  loadScriptSources,
  prepareTriggerConditions,
  runScript,
  type TriggerConditionScript,
} from "../../../../src/notify/conditions/index.js";
import {
  EXTENSION,
  fixtureMatch,
  fixtureScript,
  fixtureScriptPath,
  LANGUAGES,
  matchInBlock,
  tempDir,
} from "./support.js";

const ODD_BLOCK = "0x1451acb"; // 21306059; the fixture match itself is in 0x1451aca = 21306058 (even)

function condition(
  name: string,
  language: ScriptLanguage,
  options: { arguments?: string[] | null; timeout_ms?: number; source?: string } = {},
): TriggerConditionScript {
  return {
    script_path: `./config/filters/${name}.${EXTENSION[language]}`,
    script: { language, source: options.source ?? fixtureScript(name, language) },
    arguments: options.arguments ?? null,
    timeout_ms: options.timeout_ms ?? 5000,
  };
}

describe.each(LANGUAGES)("evaluateTriggerConditions() with %s scripts", (language) => {
  const verdicts = (names: string[]) => names.map((name) => condition(name, language));

  it("drops the match when any condition prints true, stopping at the first true (T03)", async () => {
    const falseTrue = await evaluateTriggerConditions(fixtureMatch(), verdicts(["always_false", "always_true"]));
    expect(falseTrue.drop).toBe(true);
    expect(falseTrue.results.map((r) => r.value)).toEqual([false, true]);

    const trueFalse = await evaluateTriggerConditions(fixtureMatch(), verdicts(["always_true", "always_false"]));
    expect(trueFalse.drop).toBe(true);
    expect(trueFalse.results.map((r) => r.value)).toEqual([true]);

    const third = await evaluateTriggerConditions(
      fixtureMatch(),
      verdicts(["always_false", "always_false", "always_true"]),
    );
    expect(third.drop).toBe(true);
    expect(third.results.map((r) => [r.index, r.value])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
  });

  it("keeps the match when every condition prints false (T04)", async () => {
    for (const names of [
      ["always_false", "always_false"],
      ["always_false", "always_false", "always_false"],
    ]) {
      const { drop, results } = await evaluateTriggerConditions(fixtureMatch(), verdicts(names));
      expect(drop).toBe(false);
      expect(results.map((r) => r.value)).toEqual(names.map(() => false));
      expect(results.every((r) => r.error === null)).toBe(true);
    }
  });

  it("lets the last line decide after debugging output (T07)", async () => {
    const { drop, results } = await evaluateTriggerConditions(fixtureMatch(), [condition("debug_then_true", language)]);
    expect(drop).toBe(true);
    expect(results[0]?.stdout).toMatch(/^debugging\.\.\./);
    expect(results[0]?.value).toBe(true);
  });

  it("keeps the match when the last line is not a boolean (T08)", async () => {
    const { drop, results } = await evaluateTriggerConditions(fixtureMatch(), [condition("maybe", language)]);
    expect(drop).toBe(false);
    expect(results[0]?.value).toBeNull();
    expect(results[0]?.error?.code).toBe("SCRIPT_OUTPUT_INVALID");
    expect(results[0]?.error?.message).toBe("Last line of output is not a valid boolean: maybe");
  });

  it("keeps the match when the script prints nothing (T09)", async () => {
    const { drop, results } = await evaluateTriggerConditions(fixtureMatch(), [condition("no_output", language)]);
    expect(drop).toBe(false);
    expect(results[0]?.error?.code).toBe("SCRIPT_OUTPUT_INVALID");
    expect(results[0]?.error?.message).toBe("Script produced no output");
  });

  it("keeps the match when the script exits non-zero, and reports its stderr", async () => {
    const { drop, results } = await evaluateTriggerConditions(fixtureMatch(), [
      condition("fail_with_stderr", language),
      condition("always_false", language),
    ]);
    expect(drop).toBe(false);
    expect(results[0]?.error?.code).toBe("SCRIPT_EXIT_NONZERO");
    expect(results[0]?.error?.message).toContain("Script execution failed: Error: something went wrong");
    expect(results[1]?.value).toBe(false); // an error does not stop the evaluation
  });

  it("times out a script that answers too late, at about timeout_ms, and keeps the match (T11)", async () => {
    const late: Record<ScriptLanguage, string> = {
      Python: "import time\ntime.sleep(0.5)\nprint(True)\n",
      JavaScript: "setTimeout(() => console.log(true), 500);\n",
      Bash: "sleep 0.5\necho true\n",
    };
    const started = performance.now();
    const { drop, results } = await evaluateTriggerConditions(fixtureMatch(), [
      condition("late", language, { source: late[language], timeout_ms: 400 }),
    ]);
    const elapsed = performance.now() - started;
    expect(drop).toBe(false); // had the script not been stopped, it would have printed true
    expect(results[0]?.error?.code).toBe("SCRIPT_TIMEOUT");
    expect(results[0]?.error?.message).toBe("Script execution timed out after 400 ms");
    expect(results[0]?.durationMs).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(400 + 300);
  });

  it("passes {monitor_match, args} on stdin, args as configured or null (T14)", async () => {
    for (const args of [["--verbose", "two words"], null]) {
      const outcome = await runScript({
        language,
        source: fixtureScript("echo_stdin", language),
        stdin: `{"monitor_match":${JSON.stringify(toMatchJson(fixtureMatch()))},"args":${JSON.stringify(args)}}`,
        timeoutMs: 5000,
      });
      expect(outcome.ok).toBe(true);
      const { results } = await evaluateTriggerConditions(fixtureMatch(), [
        condition("echo_stdin", language, { arguments: args }),
      ]);
      // the document is not a boolean, so the condition fails; its stdout is the stdin it received
      const received = JSON.parse(results[0]?.stdout ?? "") as Record<string, unknown>;
      expect(Object.keys(received)).toEqual(["monitor_match", "args"]);
      expect(received.args).toEqual(args);
      expect(received.monitor_match).toEqual(JSON.parse(JSON.stringify(toMatchJson(fixtureMatch()))));
      expect(Object.keys(received.monitor_match as object)).toEqual(["EVM"]);
    }
  });

  it("filters by block number like OZ's evm_filter_block_number script: even drops, odd keeps", async () => {
    const even = await evaluateTriggerConditions(fixtureMatch(), [condition("evm_filter_block_number", language)]);
    expect(even.drop).toBe(true);
    expect(even.results[0]?.stdout).toContain("Block number 21306058 is even");

    const odd = await evaluateTriggerConditions(matchInBlock(ODD_BLOCK), [
      condition("evm_filter_block_number", language),
    ]);
    expect(odd.drop).toBe(false);
    expect(odd.results[0]?.value).toBe(false);
    expect(odd.results[0]?.stdout).toContain("Block number 21306059 is odd");
  });

  it("reads arguments from stdin: --verbose prints true", async () => {
    const verbose = await evaluateTriggerConditions(fixtureMatch(), [
      condition("evm_filter_by_arguments", language, { arguments: ["--verbose"] }),
    ]);
    expect(verbose.drop).toBe(true);
    const quiet = await evaluateTriggerConditions(fixtureMatch(), [
      condition("evm_filter_by_arguments", language, { arguments: null }),
    ]);
    expect(quiet.drop).toBe(false);
    expect(quiet.results[0]?.value).toBe(false);
    const other = await evaluateTriggerConditions(fixtureMatch(), [
      condition("evm_filter_by_arguments", language, { arguments: ["--quiet"] }),
    ]);
    expect(other.results[0]?.value).toBe(false);
  });
});

describe("evaluateTriggerConditions() without script content (T06)", () => {
  const missing: TriggerConditionScript = {
    script_path: "./config/filters/gone.py",
    script: undefined,
    arguments: null,
    timeout_ms: 1000,
  };

  it("keeps the match and reports the missing content", async () => {
    const { drop, results } = await evaluateTriggerConditions(fixtureMatch(), [missing]);
    expect(drop).toBe(false);
    expect(results).toHaveLength(1);
    expect(results[0]?.value).toBeNull();
    expect(results[0]?.error?.code).toBe("SCRIPT_CONTENT_MISSING");
    expect(results[0]?.error?.message).toBe('Script content not found for "./config/filters/gone.py"');
  });

  it("goes on with the next condition", async () => {
    const { drop, results } = await evaluateTriggerConditions(fixtureMatch(), [
      missing,
      condition("always_true", "Python"),
    ]);
    expect(drop).toBe(true);
    expect(results.map((r) => r.value)).toEqual([null, true]);
  });
});

describe("evaluateTriggerConditions() with no conditions", () => {
  it("keeps the match without running anything", async () => {
    expect(await evaluateTriggerConditions(fixtureMatch(), [])).toEqual({ drop: false, results: [] });
  });
});

describe("evaluateTriggerConditions() with languages disabled by the operator", () => {
  it("does not run Python or Bash, reports SCRIPT_LANGUAGE_DISABLED and keeps the match", async () => {
    const dir = tempDir();
    try {
      const marker = dir.file("ran");
      const { drop, results } = await evaluateTriggerConditions(
        fixtureMatch(),
        [
          condition("x", "Python", { source: `open(${JSON.stringify(marker)}, "w").write("ran")\nprint(True)\n` }),
          condition("x", "Bash", { source: `echo ran > '${marker}'\necho true\n` }),
          condition("always_false", "JavaScript"),
        ],
        { settings: { allowPython: false, allowBash: false } },
      );
      expect(drop).toBe(false);
      expect(results.map((r) => r.error?.code ?? r.value)).toEqual([
        "SCRIPT_LANGUAGE_DISABLED",
        "SCRIPT_LANGUAGE_DISABLED",
        false,
      ]);
      expect(results[0]?.error?.message).toBe("Python scripts are disabled on this server (setting allowPython)");
      expect(results[1]?.error?.message).toBe("Bash scripts are disabled on this server (setting allowBash)");
      const { existsSync } = await import("node:fs");
      expect(existsSync(marker)).toBe(false);
    } finally {
      dir.close();
    }
  });

  it("still runs JavaScript conditions, which are sandboxed", async () => {
    const { drop } = await evaluateTriggerConditions(fixtureMatch(), [condition("always_true", "JavaScript")], {
      settings: { allowPython: false, allowBash: false },
    });
    expect(drop).toBe(true);
  });
});

describe("evaluateTriggerConditions() cancelled through its signal", () => {
  it("kills the running script, stops and keeps the match", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const running = evaluateTriggerConditions(
      fixtureMatch(),
      [condition("slow", "Bash", { source: "sleep 5\necho true\n" }), condition("always_true", "Python")],
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 100);
    const { drop, results } = await running;
    expect(drop).toBe(false);
    expect(results).toHaveLength(1);
    expect(results[0]?.error?.code).toBe("SCRIPT_ABORTED");
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("script notifications through runScript() (trigger_type script)", () => {
  it.each(LANGUAGES)("succeeds for a %s script that reads stdin and prints nothing (T12)", async (language) => {
    const outcome = await runScript({
      language,
      source: fixtureScript("custom_notification", language),
      stdin: `{"monitor_match":${JSON.stringify(toMatchJson(fixtureMatch()))},"args":["--verbose"]}`,
      timeoutMs: 5000,
    });
    expect(outcome).toMatchObject({ ok: true, exitCode: 0, stdout: "" });
  });

  it.each(LANGUAGES)("fails with the script's stderr in the message for %s (T13)", async (language) => {
    const outcome = await runScript({
      language,
      source: fixtureScript("fail_with_stderr", language),
      stdin: "{}",
      timeoutMs: 5000,
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.exitCode).toBe(1);
    expect(outcome.error.code).toBe("SCRIPT_EXIT_NONZERO");
    expect(outcome.error.message).toContain("Script execution failed: Error: something went wrong");
  });
});

describe("loadScriptSources() and prepareTriggerConditions()", () => {
  const dir = tempDir();
  afterAll(() => dir.close());

  it("reads each script once, keyed by script_path as configured, and pairs conditions with their content", async () => {
    const configured = "./config/filters/evm_filter_block_number.py";
    const { sources, problems } = await loadScriptSources(
      new Map([
        [configured, fixtureScriptPath("evm_filter_block_number", "Python")],
        ["./config/filters/gone.sh", dir.file("gone.sh")],
      ]),
    );
    expect(sources.get(configured)).toBe(fixtureScript("evm_filter_block_number", "Python"));
    expect(problems.map((p) => [p.code, p.path])).toEqual([["SCRIPT_LOAD_FAILED", ["./config/filters/gone.sh"]]]);

    const conditions = prepareTriggerConditions(
      [
        { script_path: configured, language: "Python", arguments: ["--verbose"], timeout_ms: 2000 },
        { script_path: "./config/filters/gone.sh", language: "Bash", arguments: null, timeout_ms: 1000 },
      ],
      sources,
    );
    expect(conditions[0]).toEqual({
      script_path: configured,
      script: { language: "Python", source: fixtureScript("evm_filter_block_number", "Python") },
      arguments: ["--verbose"],
      timeout_ms: 2000,
    });
    expect(conditions[1]?.script).toBeUndefined();

    const { drop, results } = await evaluateTriggerConditions(fixtureMatch(), [...conditions].reverse());
    expect(results.map((r) => r.error?.code ?? r.value)).toEqual(["SCRIPT_CONTENT_MISSING", true]);
    expect(drop).toBe(true);
  });

  it("accepts plain paths and refuses files over the size limit", async () => {
    const big = dir.file("big.py");
    writeFileSync(big, `# ${"x".repeat(2048)}\n`);
    const small = fixtureScriptPath("always_true", "Python");
    const { sources, problems } = await loadScriptSources([small, big], { maxBytes: 1024 });
    expect([...sources.keys()]).toEqual([small]);
    expect(problems[0]?.message).toMatch(/big\.py" is 2051 bytes; the limit is 1024$/);
  });
});
