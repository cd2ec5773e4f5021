import path from "node:path";
import { formatProblem, hasErrors, loadConfigDir } from "../../config/index.js";
import { defineCommand, EXIT_FAILURE, EXIT_OK, requireOption } from "../command.js";

export const validateCommand = defineCommand({
  name: "validate",
  summary: "Validate an OpenZeppelin Monitor config directory (networks/, monitors/, triggers/, filters/).",
  usage: "argus validate --config-dir DIR",
  details: "  --config-dir DIR  The config directory to check (OZ layout)\n",
  options: { "config-dir": { type: "string" } },
  async run(values, io) {
    const dir = path.resolve(io.cwd, requireOption(values["config-dir"], "--config-dir"));
    const loaded = await loadConfigDir(dir, { env: io.env });
    // Errors are the command's result (stdout, one line each); warnings are advice (stderr).
    for (const problem of loaded.problems) {
      if (problem.severity === "warning") io.stderr(`warning: ${formatProblem(problem)}\n`);
    }
    if (hasErrors(loaded.problems)) {
      for (const problem of loaded.problems) {
        if (problem.severity === "error") io.stdout(`${formatProblem(problem)}\n`);
      }
      return EXIT_FAILURE;
    }
    io.stdout(
      `Configuration is valid: ${loaded.networks.size} network(s), ${loaded.monitors.size} monitor(s), ${loaded.triggers.size} trigger(s).\n`,
    );
    return EXIT_OK;
  },
});
