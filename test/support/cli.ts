import { type ChildProcess, execFile, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const sharedFixtures = path.resolve(repoRoot, "../shared/fixtures/oz");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `./bin/argus` as a real child process, exactly as a user (or an acceptance check) would. */
export function runArgus(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      path.join(repoRoot, "bin/argus"),
      args,
      { cwd: options.cwd ?? repoRoot, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs the CLI in-process (fast; for servers living in the test process) and captures its output. */
export async function runArgusInProcess(
  args: string[],
  env: NodeJS.ProcessEnv = { ...process.env, ARGUS_LOG_LEVEL: "silent" },
): Promise<CliRun> {
  const { runCli } = await import("../../src/cli/index.js");
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    cwd: repoRoot,
  });
  return { code, stdout, stderr };
}

/** A long-running `./bin/argus` child process (`argus start …`), with its output kept for failure messages. */
export interface ArgusChild {
  name: string;
  child: ChildProcess;
  /** The health/metrics base URL (`http://127.0.0.1:<port>`), once printed; rejects if the process exits first. */
  url: Promise<string>;
  output(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Sends `signal` unless the process has exited; resolves with its exit code (a clean stop is 0). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Resolves with the exit code once `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Spawns `./bin/argus <args>` with `env` over the test's environment; `name` labels its failures. */
export function spawnArgus(name: string, args: string[], env: NodeJS.ProcessEnv = {}): ArgusChild {
  const child = spawn(path.join(repoRoot, "bin/argus"), args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    // The tail is what explains a failure; a long run must not grow without bound.
    output = (output + chunk.toString()).slice(-200_000);
  };
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      keep(chunk);
      const found = /Health and metrics: (http:\/\/\S+)\/readyz/.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    child.stderr?.on("data", keep);
    child.once("exit", (code, signal) => reject(new Error(`${name} exited (${code ?? signal}):\n${output}`)));
  });
  url.catch(() => {});
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    url,
    output: () => output,
    alive,
    kill(signal = "SIGKILL") {
      if (alive()) child.kill(signal);
      return exited(child);
    },
  };
}
