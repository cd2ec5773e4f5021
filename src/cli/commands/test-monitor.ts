import path from "node:path";
import { openNetworkClient } from "../../chains/index.js";
import { formatProblem, loadConfigDir, loadMonitorFile, type Monitor, type Network } from "../../config/index.js";
import { evaluateBlock, toMatchJson } from "../../engine/index.js";
import { createLogger } from "../../ops/index.js";
import { defineCommand, EXIT_FAILURE, EXIT_OK, requireOption, UsageError } from "../command.js";

export const testMonitorCommand = defineCommand({
  name: "test-monitor",
  summary:
    "Run one monitor against one block and print its matches as OZ MonitorMatch JSON (trigger conditions are not applied, as in OZ).",
  usage: "argus test-monitor --config-dir DIR --monitor FILE --network SLUG --block N",
  details: [
    "  --config-dir DIR  Config directory: networks/ (their rpc_urls are used) and triggers/",
    "  --monitor FILE    The monitor JSON file to run (runs even if paused)",
    "  --network SLUG    The network to fetch the block from",
    "  --block N         Block number, or ledger sequence on Stellar (decimal or 0x-hex)",
    "",
  ].join("\n"),
  options: {
    "config-dir": { type: "string" },
    monitor: { type: "string" },
    network: { type: "string" },
    block: { type: "string" },
  },
  async run(values, io) {
    const dir = path.resolve(io.cwd, requireOption(values["config-dir"], "--config-dir"));
    const monitorFile = path.resolve(io.cwd, requireOption(values.monitor, "--monitor"));
    const slug = requireOption(values.network, "--network");
    const blockNumber = parseBlockNumber(requireOption(values.block, "--block"));
    const logger = createLogger({ env: io.env });

    const loaded = await loadConfigDir(dir, { env: io.env, monitorsOptional: true });
    const network = loaded.networks.get(slug);
    if (!network) {
      // The network may be missing because its file is invalid: show why, then what exists.
      for (const problem of loaded.problems) {
        if (problem.severity === "error" && problem.file.startsWith("networks"))
          io.stderr(`${formatProblem(problem)}\n`);
      }
      const known = [...loaded.networks.keys()].map((s) => `'${s}'`).join(", ");
      throw new UsageError(`Unknown network '${slug}'. Expected one of [${known}] from ${path.join(dir, "networks")}.`);
    }
    // Only the monitor file and the network it runs on must be valid: test-monitor sends no notification, so a broken
    // trigger or another network's file is reported but does not stop the run.
    for (const problem of loaded.problems) {
      logger.warn(
        { problem: formatProblem(problem) },
        problem.severity === "error" ? "Configuration error ignored by test-monitor" : "Configuration warning",
      );
    }
    const monitorResult = await loadMonitorFile(monitorFile, loaded, { env: io.env, references: "warning" });
    for (const problem of monitorResult.problems) {
      if (problem.severity === "warning") logger.warn({ problem: formatProblem(problem) }, "Configuration warning");
    }
    if (!monitorResult.ok) {
      for (const problem of monitorResult.problems) {
        if (problem.severity === "error") io.stderr(`${formatProblem(problem)}\n`);
      }
      return EXIT_FAILURE;
    }
    const monitor = monitorResult.value;
    if (!monitor.networks.includes(slug)) {
      logger.warn({ monitor: monitor.name, network: slug }, "Monitor does not list this network; running it anyway");
    }

    const matches = await runMonitorOnBlock(network, { ...monitor, paused: false }, blockNumber, logger);
    io.stdout(`${JSON.stringify(matches, null, 2)}\n`);
    return EXIT_OK;
  },
});

function parseBlockNumber(text: string): bigint {
  const ok = /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(text.trim());
  if (!ok) throw new UsageError(`--block must be a non-negative integer (decimal or 0x-hex), got '${text}'`);
  return BigInt(text.trim());
}

async function runMonitorOnBlock(
  network: Network,
  monitor: Monitor,
  blockNumber: bigint,
  logger: ReturnType<typeof createLogger>,
): Promise<unknown[]> {
  const client = openNetworkClient(network);
  try {
    const block = await client.fetchBlock(blockNumber, {
      tolerateUnnumberedTransactions: true,
      onWarning: (message) => logger.warn({ network: network.slug }, message),
    });
    const compiledResult = await client.compile([{ id: monitor.name, tenantId: "local", version: 1, monitor }]);
    for (const problem of compiledResult.specProblems) {
      logger.warn({ code: problem.code, error: problem.message }, "Contract spec unavailable");
    }
    const result = evaluateBlock(compiledResult.compiled, network.slug, block);
    for (const diagnostic of [...compiledResult.diagnostics, ...result.diagnostics]) {
      logger.warn({ diagnostic }, "Monitor diagnostic");
    }
    logger.info(
      { network: network.slug, block: blockNumber.toString(), matches: result.matches.length },
      "Block evaluated",
    );
    return result.matches.map(toMatchJson);
  } finally {
    client.close();
  }
}
