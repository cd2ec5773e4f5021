/**
 * The `argus` command line: `validate`, `test-monitor` (and, as the platform grows, `start`, `import`, `export`).
 * `runCli(argv, io)` is the whole CLI as a function, so tests can run it in-process; `main.ts` binds it to the process.
 */
export type { CliIo } from "./command.js";
export { runCli } from "./run.js";
