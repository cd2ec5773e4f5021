/**
 * One contender process for the multi-process lease test.
 * Usage: node --import tsx contender.child.ts <databaseUrl> <leaseName>. Prints one JSON line per event on stdout:
 * `{"event":"waiting"}`, `{"event":"acquired","pid":N}`, `{"event":"lost","code":...}` (then exits 3). SIGTERM
 * releases and exits 0.
 */
import { createPostgresLeaseManager } from "../../../src/lease/index.js";

const [databaseUrl, name] = process.argv.slice(2);
if (databaseUrl === undefined || name === undefined) throw new Error("usage: contender.child.ts <databaseUrl> <name>");

const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...event, pid: process.pid })}\n`);
};

const manager = createPostgresLeaseManager({ connectionString: databaseUrl, checkIntervalMs: 500 });
process.on("SIGTERM", () => {
  void manager.close().then(() => process.exit(0));
});
say({ event: "waiting" });
const lease = await manager.acquire(name, { retryMs: 100 });
lease.onLost((error) => {
  say({ event: "lost", code: error.code });
  process.exit(3);
});
say({ event: "acquired" });
// Hold until killed: the open connection keeps the process (and the lease) alive.
