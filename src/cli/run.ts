import { ArgusError } from "../errors/index.js";
import {
  type CliIo,
  type Command,
  EXIT_FAILURE,
  EXIT_USAGE,
  formatHelp,
  parseCommandArgs,
  UsageError,
} from "./command.js";
import { demoCommand } from "./commands/demo.js";
import { exportCommand, importCommand } from "./commands/import-export.js";
import { startCommand } from "./commands/start.js";
import { statusCommand } from "./commands/status.js";
import { testMonitorCommand } from "./commands/test-monitor.js";
import { userCommand } from "./commands/user.js";
import { validateCommand } from "./commands/validate.js";

const commands: Command[] = [
  startCommand,
  validateCommand,
  testMonitorCommand,
  importCommand,
  exportCommand,
  statusCommand,
  userCommand,
  demoCommand,
] as Command[];

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n");
  return `Argus: multi-tenant blockchain monitoring, compatible with OpenZeppelin Monitor configs.\n\nUsage: argus <command> [options]\n\nCommands:\n${list}\n\nRun 'argus <command> --help' for a command's options.\n`;
}

/** Runs the CLI and returns the process exit code. Never throws: failures become messages on stderr. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainHelp());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`Unknown command '${name}'.\n\n${mainHelp()}`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(formatHelp(command));
    return 0;
  }
  try {
    return await command.run(parseCommandArgs(command, rest), io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`argus ${command.name}: ${error.message}\n\nUsage: ${command.usage}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof ArgusError) {
      io.stderr(`argus ${command.name}: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ""}\n`);
      return EXIT_FAILURE;
    }
    io.stderr(`argus ${command.name}: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}
