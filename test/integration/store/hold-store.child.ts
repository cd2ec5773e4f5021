/**
 * A separate process that opens a PGlite store and holds it until killed: the lock-file tests' "other process".
 * Usage: node --import tsx hold-store.child.ts <dataDir>. Prints `ready <pid>` once the store is open.
 */
import { createStore } from "../../../src/store/index.js";

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error("usage: hold-store.child.ts <dataDir>");
const store = await createStore({ dataDir });
process.stdout.write(`ready ${process.pid}\n`);
process.on("SIGTERM", () => {
  void store.close().then(() => process.exit(0));
});
setInterval(() => undefined, 60_000);
