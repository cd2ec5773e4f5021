import { execFile } from "node:child_process";
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
