/**
 * Python and Bash scripts as subprocesses (OZ §8: `python3 -c <content>`, `bash -c <content>`; Argus §15 runs Bash
 * scripts under `bash` where present, else `sh`).
 *
 * What a subprocess gets:
 * - argv `[interpreter, "-c", source]`: no shell parses the source or any user data on the way (`spawn` without a
 *   shell); the file path and the configured `arguments` are not passed (as in OZ; arguments arrive on stdin).
 * - A minimal environment: `PATH`, `HOME` and `TMPDIR` (the work directory), `LANG=C.UTF-8`. Nothing else of the
 *   server's environment is inherited: that is where the server's secrets live (RPC keys, webhook secrets, database
 *   URLs).
 * - Its own process group (session), killed with SIGKILL at the time-out, on abort, when its output passes the
 *   limit, and once the script itself has exited (so background jobs it started do not outlive it).
 * - stdin: the input is written, then closed (EPIPE from a script that does not read is ignored).
 *
 * Not a sandbox: the script runs as the server's user, with its file system and network access. Operators of
 * multi-tenant deployments disable these languages (`allowPython` / `allowBash`). A process that moves itself to
 * a new session (`setsid`) escapes the group kill.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { ScriptError, ScriptErrorCode } from "./errors.js";
import type { ScriptOutcome } from "./types.js";

/** Longest timer Node supports; larger `timeout_ms` values (u32) would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** After the script exits, how long to wait for its output pipes to close (held by escaped descendants) before giving up. */
const PIPE_CLOSE_GRACE_MS = 200;

export interface SubprocessOptions {
  command: string;
  args: readonly string[];
  stdin: string;
  timeoutMs: number;
  signal?: AbortSignal;
  env: Readonly<Record<string, string>>;
  cwd: string;
  maxOutputBytes: number;
}

interface Capture {
  chunks: Buffer[];
  bytes: number;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone (ESRCH)
  }
}

export function runSubprocess(options: SubprocessOptions): Promise<ScriptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  return new Promise<ScriptOutcome>((resolve) => {
    const stdout: Capture = { chunks: [], bytes: 0 };
    const stderr: Capture = { chunks: [], bytes: 0 };
    const text = (capture: Capture) => Buffer.concat(capture.chunks).toString("utf8");

    let child: ChildProcess;
    let settled = false;
    let stopReason: "timeout" | "abort" | "overflow" | undefined;
    let spawnError: Error | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;

    const failure = (error: ScriptError, exitCode: number | null = null): ScriptOutcome => ({
      ok: false,
      error,
      exitCode,
      stdout: text(stdout),
      stderr: text(stderr),
      durationMs: elapsed(),
    });

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener("abort", onAbort);
      killGroup(child);
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      resolve(outcome());
    };

    const outcome = (): ScriptOutcome => {
      if (stopReason === "abort") {
        return failure(new ScriptError(ScriptErrorCode.Aborted, "Script execution was aborted"));
      }
      if (stopReason === "timeout") {
        return failure(
          new ScriptError(ScriptErrorCode.Timeout, `Script execution timed out after ${options.timeoutMs} ms`, {
            hint: "raise timeout_ms or make the script faster",
          }),
        );
      }
      if (stopReason === "overflow") {
        return failure(
          new ScriptError(
            ScriptErrorCode.OutputTooLarge,
            `Script output exceeded the limit of ${options.maxOutputBytes} bytes; the script was killed`,
          ),
        );
      }
      if (spawnError !== undefined) {
        const code = (spawnError as NodeJS.ErrnoException).code;
        return failure(
          new ScriptError(ScriptErrorCode.SpawnFailed, `Failed to start ${options.command}: ${spawnError.message}`, {
            cause: spawnError,
            hint:
              code === "E2BIG"
                ? "the script is too long to pass on the command line"
                : code === "ENOENT"
                  ? "is the interpreter installed, and does the work directory exist?"
                  : undefined,
          }),
        );
      }
      const exitCode = exit?.code ?? null;
      if (exitCode === 0) {
        return { ok: true, exitCode: 0, stdout: text(stdout), stderr: text(stderr), durationMs: elapsed() };
      }
      const err = text(stderr);
      const detail = exitCode === null ? ` (killed by ${exit?.signal ?? "a signal"})` : "";
      return failure(
        new ScriptError(ScriptErrorCode.ExitNonZero, `Script execution failed: ${err}${detail}`),
        exitCode,
      );
    };

    const stop = (reason: "timeout" | "abort" | "overflow") => {
      if (settled || stopReason !== undefined) return;
      stopReason = reason;
      finish();
    };
    const onAbort = () => stop("abort");

    if (options.signal?.aborted) {
      settled = true;
      stopReason = "abort";
      resolve(outcome());
      return;
    }
    const timer = setTimeout(() => stop("timeout"), Math.min(Math.max(1, options.timeoutMs), MAX_TIMER_MS));

    try {
      child = spawn(options.command, options.args as string[], {
        cwd: options.cwd,
        env: options.env,
        detached: true, // own session and process group, so the whole group can be killed
        stdio: ["pipe", "pipe", "pipe"],
        windowsHide: true,
      });
    } catch (error) {
      // Synchronous spawn errors: invalid arguments (e.g. a NUL byte in the source).
      clearTimeout(timer);
      settled = true;
      spawnError = error instanceof Error ? error : new Error(String(error));
      resolve(outcome());
      return;
    }

    options.signal?.addEventListener("abort", onAbort, { once: true });

    const collect = (capture: Capture) => (chunk: Buffer) => {
      if (settled) return;
      if (capture.bytes + chunk.length > options.maxOutputBytes) {
        const room = options.maxOutputBytes - capture.bytes;
        if (room > 0) capture.chunks.push(chunk.subarray(0, room));
        capture.bytes = options.maxOutputBytes;
        stop("overflow");
        return;
      }
      capture.chunks.push(chunk);
      capture.bytes += chunk.length;
    };
    child.stdout?.on("data", collect(stdout));
    child.stderr?.on("data", collect(stderr));

    child.on("error", (error) => {
      // ENOENT / EACCES when the interpreter cannot be started; the 'close' event may not follow.
      spawnError ??= error;
      finish();
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      // Kill what the script left running in its group; then give the pipes a moment to drain and close.
      killGroup(child);
      graceTimer = setTimeout(finish, PIPE_CLOSE_GRACE_MS);
    });
    child.on("close", () => finish());

    child.stdin?.on("error", () => {
      // EPIPE / ECONNRESET: the script exited without reading all of its input, which is its right.
    });
    child.stdin?.end(options.stdin);
  });
}
