import { type ParseArgsConfig, parseArgs } from "node:util";

/** Where a command writes: stdout for results, stderr for problems and logs. Injected so tests can capture both. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type CliOptions = NonNullable<ParseArgsConfig["options"]>;

export interface Command<O extends CliOptions = CliOptions> {
  name: string;
  summary: string;
  usage: string;
  /** Lines describing each option, shown by `--help`. */
  details: string;
  options: O;
  /** Sub-commands (`argus user add`): exactly one of these must come first; none when omitted. */
  actions?: readonly string[];
  run(values: ParsedValues<O>, io: CliIo): Promise<number>;
}

export type ParsedValues<O extends CliOptions> = {
  [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : string;
};

/** Exit codes: 0 success, 1 the work failed (invalid config, RPC failure), 2 the command line itself is wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override name = "UsageError";
}

export function defineCommand<O extends CliOptions>(command: Command<O>): Command<O> {
  return command;
}

export function parseCommandArgs<O extends CliOptions>(command: Command<O>, argv: string[]): ParsedValues<O> {
  try {
    const actions = command.actions ?? [];
    const { values, positionals } = parseArgs({
      args: argv,
      options: command.options,
      strict: true,
      allowPositionals: actions.length > 0,
    });
    if (actions.length > 0 && (positionals.length !== 1 || !actions.includes(positionals[0]!))) {
      throw new UsageError(`expected one of: ${actions.map((a) => `${command.name} ${a}`).join(", ")}`);
    }
    return values as ParsedValues<O>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

export function requireOption(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`missing required option ${flag}`);
  return value;
}

export function formatHelp(command: Command): string {
  return `${command.summary}\n\nUsage: ${command.usage}\n\nOptions:\n${command.details}\n  -h, --help  Show this help\n`;
}
