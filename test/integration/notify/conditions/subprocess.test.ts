/**
 * `runScript()` for Python and Bash: real subprocesses, killed as a process group at the time-out, with a minimal
 * environment, capped output, and operator switches.
 */
import { symlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScriptLanguage } from "../../../../src/config/index.js";
import { runScript, type ScriptOutcome } from "../../../../src/notify/conditions/index.js";
import { appearsWithin, fixtureScript, tempDir } from "./support.js";

const SUBPROCESS_LANGUAGES: readonly ScriptLanguage[] = ["Python", "Bash"];

function failed(outcome: ScriptOutcome) {
  if (outcome.ok) throw new Error(`expected a failure, got success with stdout ${JSON.stringify(outcome.stdout)}`);
  return outcome;
}

describe("runScript() kills Python and Bash scripts at the time-out", () => {
  const dir = tempDir();
  afterAll(() => dir.close());

  it.each(SUBPROCESS_LANGUAGES)("stops a sleeping %s script before it writes its marker file", async (language) => {
    const marker = dir.file(`marker-${language}`);
    const started = performance.now();
    const outcome = failed(
      await runScript({
        language,
        source: fixtureScript("sleep_then_mark", language),
        stdin: JSON.stringify({ monitor_match: {}, args: [marker] }),
        timeoutMs: 250,
      }),
    );
    expect(outcome.error.code).toBe("SCRIPT_TIMEOUT");
    expect(outcome.exitCode).toBeNull();
    expect(outcome.durationMs).toBeGreaterThanOrEqual(245);
    expect(outcome.durationMs).toBeLessThan(250 + 300);
    // The script would write the marker 1 s after starting; watch until well after that.
    expect(await appearsWithin(marker, started, 1600)).toBe(false);
  });

  it("kills the whole process group, not just the interpreter (a background subshell dies too)", async () => {
    const marker = dir.file("marker-subshell");
    const started = performance.now();
    const outcome = failed(
      await runScript({
        language: "Bash",
        source: `( sleep 0.6; echo alive > '${marker}' ) &\nwait\n`,
        stdin: "{}",
        timeoutMs: 200,
      }),
    );
    expect(outcome.error.code).toBe("SCRIPT_TIMEOUT");
    expect(await appearsWithin(marker, started, 1200)).toBe(false);
  });

  it("kills background jobs a script leaves behind when it exits, and does not wait for them", async () => {
    const marker = dir.file("marker-background");
    const started = performance.now();
    const outcome = await runScript({
      language: "Bash",
      source: `( sleep 0.6; echo alive > '${marker}' ) &\necho false\n`,
      stdin: "{}",
      timeoutMs: 5000,
    });
    expect(outcome).toMatchObject({ ok: true, stdout: "false\n" });
    expect(outcome.durationMs).toBeLessThan(500);
    expect(await appearsWithin(marker, started, 1200)).toBe(false);
  });

  it("handles a timeout_ms beyond Node's timer range (u32 values) without firing at once", async () => {
    const outcome = await runScript({ language: "Bash", source: "echo true", stdin: "", timeoutMs: 4_294_967_295 });
    expect(outcome).toMatchObject({ ok: true, stdout: "true\n" });
  });
});

describe("runScript() gives Python and Bash a minimal environment", () => {
  const SECRET = "argus-test-secret-7f3a9c";
  let previous: string | undefined;
  beforeAll(() => {
    previous = process.env.ARGUS_TEST_SECRET;
    process.env.ARGUS_TEST_SECRET = SECRET;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.ARGUS_TEST_SECRET;
    else process.env.ARGUS_TEST_SECRET = previous;
  });

  it.each(SUBPROCESS_LANGUAGES)("does not pass the server's environment to %s scripts", async (language) => {
    const outcome = await runScript({
      language,
      source: fixtureScript("print_environment", language),
      stdin: "",
      timeoutMs: 5000,
      settings: { workDir: "/tmp" },
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.stdout).not.toContain(SECRET);
    expect(outcome.stdout).not.toContain("ARGUS_TEST_SECRET");
    const names =
      language === "Python"
        ? Object.keys(JSON.parse(outcome.stdout) as object)
        : outcome.stdout
            .trim()
            .split("\n")
            .map((line) => line.split("=")[0]);
    // Shells add PWD/SHLVL/_; a pyenv shim in front of python3 adds its PYENV_* variables.
    const extra = names.filter(
      (name) => !["PATH", "HOME", "TMPDIR", "LANG", "PWD", "OLDPWD", "SHLVL", "_"].includes(name ?? ""),
    );
    expect(extra.filter((name) => !name?.startsWith("PYENV") && !name?.startsWith("_PYENV"))).toEqual([]);
    expect(outcome.stdout).toContain(language === "Python" ? '"HOME": "/tmp"' : "HOME=/tmp");
  });

  it("runs scripts in the work directory, with HOME and TMPDIR pointing there", async () => {
    const dir = tempDir();
    try {
      const outcome = await runScript({
        language: "Bash",
        source: 'pwd; echo "$HOME"; echo "$TMPDIR"',
        stdin: "",
        timeoutMs: 5000,
        settings: { workDir: dir.dir },
      });
      expect(outcome.stdout).toBe(`${dir.dir}\n${dir.dir}\n${dir.dir}\n`);
    } finally {
      dir.close();
    }
  });

  it("passes the source as one argv entry: no shell interpolation of the script or its input", async () => {
    const dir = tempDir();
    try {
      const marker = dir.file("injected");
      const source = `print("$(touch ${marker})" + ' \`touch ${marker}\`')`;
      const outcome = await runScript({ language: "Python", source, stdin: `$(touch ${marker})`, timeoutMs: 5000 });
      expect(outcome.stdout).toBe(`$(touch ${marker}) \`touch ${marker}\`\n`);
      expect(await appearsWithin(marker, performance.now(), 0)).toBe(false);
    } finally {
      dir.close();
    }
  });
});

describe("runScript() output and input handling for subprocesses", () => {
  it.each(SUBPROCESS_LANGUAGES)("kills a %s script whose output passes the limit", async (language) => {
    const source =
      language === "Python"
        ? "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n"
        : "while true; do printf '%065536d' 0; done";
    const outcome = failed(
      await runScript({ language, source, stdin: "", timeoutMs: 10_000, settings: { maxOutputBytes: 200_000 } }),
    );
    expect(outcome.error.code).toBe("SCRIPT_OUTPUT_TOO_LARGE");
    expect(outcome.error.message).toBe("Script output exceeded the limit of 200000 bytes; the script was killed");
    expect(Buffer.byteLength(outcome.stdout)).toBe(200_000);
    expect(outcome.durationMs).toBeLessThan(5000);
  });

  it("caps stderr as well", async () => {
    const outcome = failed(
      await runScript({
        language: "Bash",
        source: "while true; do printf '%04096d' 0 >&2; done",
        stdin: "",
        timeoutMs: 10_000,
        settings: { maxOutputBytes: 50_000 },
      }),
    );
    expect(outcome.error.code).toBe("SCRIPT_OUTPUT_TOO_LARGE");
  });

  it("tolerates a script that exits without reading a large stdin", async () => {
    const outcome = await runScript({
      language: "Bash",
      source: "echo false",
      stdin: `{"monitor_match":"${"x".repeat(8 * 1024 * 1024)}","args":null}`,
      timeoutMs: 5000,
    });
    expect(outcome).toMatchObject({ ok: true, stdout: "false\n" });
  });

  it("hands a multi-megabyte stdin to a script that reads it", async () => {
    const payload = "y".repeat(4 * 1024 * 1024);
    const outcome = await runScript({
      language: "Python",
      source: "import sys\nprint(len(sys.stdin.read()))",
      stdin: payload,
      timeoutMs: 10_000,
    });
    expect(outcome).toMatchObject({ ok: true, stdout: `${payload.length}\n` });
  });

  it("reports a script killed by a signal as a failed execution", async () => {
    const outcome = failed(await runScript({ language: "Bash", source: "kill -TERM $$", stdin: "", timeoutMs: 5000 }));
    expect(outcome.error.code).toBe("SCRIPT_EXIT_NONZERO");
    expect(outcome.error.message).toBe("Script execution failed:  (killed by SIGTERM)");
  });
});

describe("runScript() interpreters", () => {
  it("runs Bash scripts under bash where it is installed (§15)", async () => {
    const outcome = await runScript({
      language: "Bash",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
      source: 'n=$((16#ff)); a=(x y); echo "$n ${a[1]} ${BASH_VERSION:+bash}"',
      stdin: "",
      timeoutMs: 5000,
    });
    expect(outcome).toMatchObject({ ok: true, stdout: "255 y bash\n" });
  });

  it("falls back to sh when bash is not on the PATH", async () => {
    const dir = tempDir();
    try {
      symlinkSync("/bin/sh", dir.file("sh"));
      const outcome = await runScript({
        language: "Bash",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
        source: 'echo "shell:${BASH_VERSION:-posix}"',
        stdin: "",
        timeoutMs: 5000,
        settings: { path: dir.dir },
      });
      expect(outcome).toMatchObject({ ok: true, stdout: "shell:posix\n" });
    } finally {
      dir.close();
    }
  });

  it("reports a missing interpreter as SCRIPT_SPAWN_FAILED", async () => {
    const dir = tempDir();
    try {
      const outcome = failed(
        await runScript({
          language: "Python",
          source: "print(1)",
          stdin: "",
          timeoutMs: 5000,
          settings: { path: dir.dir },
        }),
      );
      expect(outcome.error.code).toBe("SCRIPT_SPAWN_FAILED");
      expect(outcome.error.message).toBe("Cannot run Python scripts: python3 not found on PATH");
    } finally {
      dir.close();
    }
  });

  it("reports a missing work directory as SCRIPT_SPAWN_FAILED", async () => {
    const outcome = failed(
      await runScript({
        language: "Bash",
        source: "echo true",
        stdin: "",
        timeoutMs: 5000,
        settings: { workDir: "/nonexistent/argus-work-dir" },
      }),
    );
    expect(outcome.error.code).toBe("SCRIPT_SPAWN_FAILED");
  });

  it("reports a source that cannot be passed as an argument (NUL byte) as SCRIPT_SPAWN_FAILED", async () => {
    const outcome = failed(await runScript({ language: "Bash", source: "echo a\u0000b", stdin: "", timeoutMs: 5000 }));
    expect(outcome.error.code).toBe("SCRIPT_SPAWN_FAILED");
  });

  it.each(SUBPROCESS_LANGUAGES)(
    "refuses %s when the operator disabled it, without starting anything",
    async (language) => {
      const outcome = failed(
        await runScript({
          language,
          source: language === "Python" ? "print(True)" : "echo true",
          stdin: "",
          timeoutMs: 5000,
          settings: { allowPython: false, allowBash: false },
        }),
      );
      expect(outcome.error.code).toBe("SCRIPT_LANGUAGE_DISABLED");
      expect(outcome).toMatchObject({ exitCode: null, stdout: "", stderr: "" });
    },
  );
});

describe("runScript() cancellation", () => {
  it("kills the script when the signal aborts", async () => {
    const dir = tempDir();
    try {
      const marker = dir.file("aborted");
      const controller = new AbortController();
      const started = performance.now();
      const running = runScript({
        language: "Bash",
        source: `sleep 0.6; echo alive > '${marker}'`,
        stdin: "",
        timeoutMs: 10_000,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 50);
      const outcome = failed(await running);
      expect(outcome.error.code).toBe("SCRIPT_ABORTED");
      expect(outcome.durationMs).toBeLessThan(500);
      expect(await appearsWithin(marker, started, 1200)).toBe(false);
    } finally {
      dir.close();
    }
  });

  it("does not start a script whose signal is already aborted", async () => {
    const outcome = failed(
      await runScript({
        language: "Bash",
        source: "echo true",
        stdin: "",
        timeoutMs: 1000,
        signal: AbortSignal.abort(),
      }),
    );
    expect(outcome.error.code).toBe("SCRIPT_ABORTED");
    expect(outcome.stdout).toBe("");
  });
});
