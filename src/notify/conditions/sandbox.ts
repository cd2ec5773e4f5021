/**
 * JavaScript scripts in a sandbox (instead of OZ's `node -e <content>`, which gives a tenant script the whole
 * machine).
 *
 * Each run gets a fresh `worker_threads` Worker (`sandbox-worker.cjs`), a separate V8 isolate with its own heap
 * limits, an empty `process.env` and no inherited `execArgv`. Inside it the script runs in a new `node:vm` context
 * without code generation from strings or WebAssembly, and sees only objects created in its own realm: a `process`
 * with `stdin` (the input, then 'end'), `stdout`/`stderr`, `exit`, `exitCode`, `argv` (empty) and `env` (empty),
 * `console`, timers, `queueMicrotask`, `performance.now()`, and `require("fs").readFileSync(0)` emulated for reading
 * stdin. Other modules, `import()`, `eval`/`Function`, binary buffers (`Buffer` does not exist), `Intl` and
 * WebAssembly are refused with a message (a `SCRIPT_SANDBOX_VIOLATION` outcome).
 *
 * Limits: CPU — every evaluation inside the worker runs with the vm `timeout` set to the time left (promise jobs
 * included), and the main thread terminates the Worker shortly after the deadline whatever it is doing (async
 * loops, blocking calls). Memory — `resourceLimits` on the Worker; running out ends the Worker, never the server.
 * Output — `maxOutputBytes` per stream.
 *
 * Guarantees and their limits: no host object is handed to the script, the host only exchanges primitives with it,
 * and the tests probe the known escape routes (constructor chains, `import()`, stack-trace call sites, prototype
 * pollution). But `node:vm` is not a security boundary by design, and the Worker shares the server's process: a
 * V8 or Node bug that lets a script reach the Worker's own realm would give it the server's user, file system and
 * memory. For hostile tenants, run the script workers in a separate, unprivileged process or container.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { ScriptError, ScriptErrorCode } from "./errors.js";
import { MAX_TIMER_MS } from "./subprocess.js";
import type { ResolvedScriptSettings, ScriptOutcome } from "./types.js";

const WORKER_URL = new URL("./sandbox-worker.cjs", import.meta.url);

/**
 * How long after the deadline the main thread terminates a Worker that did not report. The Worker normally reports
 * the time-out itself at the deadline (keeping the output gathered so far); this is the backstop.
 */
const TERMINATE_GRACE_MS = 100;

/** Worker `execArgv`: lets the vm `importModuleDynamically` callback run (without it, `import()` would reject with a host-realm error). */
const WORKER_EXEC_ARGV = ["--experimental-vm-modules", "--no-warnings"];

export interface SandboxOptions {
  source: string;
  stdin: string;
  timeoutMs: number;
  signal?: AbortSignal;
  filename: string;
  settings: ResolvedScriptSettings;
}

/** What the worker posts back (all primitives). */
type WorkerReport =
  | {
      kind: "exited" | "timeout";
      exitCode: number;
      stdout: string;
      stderr: string;
      overflow: boolean;
      violation: string;
      internalError?: string;
    }
  | { kind: "crashed"; message: string };

function isWorkerReport(value: unknown): value is WorkerReport {
  return typeof value === "object" && value !== null && "kind" in value;
}

export function runSandboxed(options: SandboxOptions): Promise<ScriptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = Math.min(Math.max(1, options.timeoutMs), MAX_TIMER_MS - TERMINATE_GRACE_MS);
  const { settings } = options;

  const failure = (
    error: ScriptError,
    output: { stdout?: string; stderr?: string; exitCode?: number | null } = {},
  ): ScriptOutcome => ({
    ok: false,
    error,
    exitCode: output.exitCode ?? null,
    stdout: output.stdout ?? "",
    stderr: output.stderr ?? "",
    durationMs: elapsed(),
  });

  const timedOut = (output: { stdout?: string; stderr?: string } = {}) =>
    failure(
      new ScriptError(ScriptErrorCode.Timeout, `Script execution timed out after ${options.timeoutMs} ms`, {
        hint: "raise timeout_ms or make the script faster",
      }),
      output,
    );

  const fromReport = (report: WorkerReport): ScriptOutcome => {
    if (report.kind === "crashed") {
      return failure(new ScriptError(ScriptErrorCode.SpawnFailed, `The script sandbox failed: ${report.message}`));
    }
    const output = { stdout: report.stdout, stderr: report.stderr };
    if (report.overflow) {
      return failure(
        new ScriptError(
          ScriptErrorCode.OutputTooLarge,
          `Script output exceeded the limit of ${settings.maxOutputBytes} bytes; the script was stopped`,
        ),
        output,
      );
    }
    if (report.violation !== "") {
      return failure(
        new ScriptError(ScriptErrorCode.SandboxViolation, `Script sandbox violation: ${report.violation}`),
        report.kind === "exited" ? { ...output, exitCode: report.exitCode } : output,
      );
    }
    if (report.kind === "timeout") return timedOut(output);
    if (report.internalError !== undefined) {
      return failure(
        new ScriptError(ScriptErrorCode.SpawnFailed, `The script sandbox failed: ${report.internalError}`),
      );
    }
    if (report.exitCode !== 0) {
      return failure(new ScriptError(ScriptErrorCode.ExitNonZero, `Script execution failed: ${report.stderr}`), {
        ...output,
        exitCode: report.exitCode,
      });
    }
    return { ok: true, exitCode: 0, stdout: report.stdout, stderr: report.stderr, durationMs: elapsed() };
  };

  return new Promise<ScriptOutcome>((resolve) => {
    if (options.signal?.aborted) {
      resolve(failure(new ScriptError(ScriptErrorCode.Aborted, "Script execution was aborted")));
      return;
    }
    let worker: Worker;
    try {
      worker = new Worker(WORKER_URL, {
        workerData: {
          source: options.source,
          stdin: options.stdin,
          filename: options.filename,
          deadline: Date.now() + timeoutMs,
          maxOutputBytes: settings.maxOutputBytes,
        },
        env: {},
        argv: [],
        execArgv: WORKER_EXEC_ARGV,
        stdin: false,
        stdout: true,
        stderr: true,
        trackUnmanagedFds: true,
        name: "argus-script-sandbox",
        resourceLimits: {
          maxOldGenerationSizeMb: settings.memoryLimitMb,
          maxYoungGenerationSizeMb: settings.youngGenerationMb,
          stackSizeMb: settings.stackSizeMb,
        },
      });
    } catch (error) {
      resolve(
        failure(
          new ScriptError(ScriptErrorCode.SpawnFailed, `Failed to start the script sandbox: ${String(error)}`, {
            cause: error,
          }),
        ),
      );
      return;
    }
    // The Worker's own stdout/stderr (Node warnings) are not the script's output: discard them.
    worker.stdout.resume();
    worker.stderr.resume();

    let settled = false;
    const settle = (outcome: ScriptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(backstop);
      options.signal?.removeEventListener("abort", onAbort);
      worker.removeAllListeners("message");
      worker.on("error", () => undefined); // terminating may still report errors; nobody listens any more
      void worker.terminate();
      resolve(outcome);
    };
    const onAbort = () => settle(failure(new ScriptError(ScriptErrorCode.Aborted, "Script execution was aborted")));
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const backstop = setTimeout(() => settle(timedOut()), timeoutMs + TERMINATE_GRACE_MS);

    worker.on("message", (message: unknown) => {
      if (isWorkerReport(message)) settle(fromReport(message));
    });
    worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
        settle(
          failure(
            new ScriptError(
              ScriptErrorCode.SandboxViolation,
              `Script sandbox violation: the script ran out of memory (limit ${settings.memoryLimitMb} MiB heap)`,
            ),
          ),
        );
        return;
      }
      settle(failure(new ScriptError(ScriptErrorCode.SpawnFailed, `The script sandbox failed: ${error.message}`)));
    });
    worker.on("exit", (code) => {
      settle(
        failure(new ScriptError(ScriptErrorCode.SpawnFailed, `The script sandbox stopped unexpectedly (code ${code})`)),
      );
    });
  });
}
