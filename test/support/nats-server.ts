/**
 * A private NATS server with JetStream for tests that stop and restart it: `nats-server -js` on a free loopback port
 * with its own store directory, never the shared server. `stop(signal)` ends the process (SIGTERM: a clean shutdown;
 * SIGKILL: a crash); `start()` runs it again on the same port and store, as an operator's restart does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../src/devchain/index.js";

export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

export interface PrivateNatsServer {
  /** `nats://127.0.0.1:<port>` */
  url: string;
  port: number;
  storeDir: string;
  running(): boolean;
  /** Starts the server (again) on the same port and store; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Signals the server and resolves when it exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** The server's log, every run of it. */
  output(): string;
  /** Stops it and deletes its store. */
  close(): Promise<void>;
}

export async function startPrivateNatsServer(): Promise<PrivateNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(path.join(tmpdir(), "argus-nats-"));
  let child: ChildProcess | undefined;
  let output = "";

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async () => {
    if (running()) return;
    const spawned = spawn(NATS_SERVER_BIN, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = spawned;
    const from = output.length;
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
    };
    spawned.stdout?.on("data", keep);
    spawned.stderr?.on("data", keep);
    const deadline = Date.now() + 20_000;
    // The server logs "Server is ready" after JetStream recovered its streams; accepting TCP comes with it.
    while (!/Server is ready/.test(output.slice(from))) {
      if (!running()) throw new Error(`nats-server exited (${spawned.exitCode ?? spawned.signalCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not become ready on port ${port}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await accepts(port);
  };

  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    const current = child;
    if (current === undefined || !running()) return;
    const exited = new Promise((resolve) => current.once("exit", resolve));
    current.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    running,
    start,
    stop,
    output: () => output,
    async close() {
      await stop("SIGKILL");
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("error", reject);
  });
}
