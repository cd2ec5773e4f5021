/** Monitor files (`monitors/<file>.json`, one monitor per file), OZ §1.4. */
import { z } from "zod";
import { parseExpression } from "../expr/index.js";
import { ConfigCode, ProblemSink } from "./errors.js";
import { closest, issuesToProblems, PARSE_PARAMS } from "./issues.js";
import type { NetworkType } from "./network.js";
import { option, stringArray, uint, withDefault } from "./primitives.js";
import { jsonInput, type ParseOptions, type ParseResult } from "./result.js";
import { checkScript, ScriptLanguageSchema } from "./scripts.js";
import { resolveInto, SecretValueSchema } from "./secret.js";

/**
 * A contract spec, untagged like OZ's: an EVM JSON ABI array, a Stellar SEP-48 spec array
 * (`[{"function_v0": …}, …]`) or a Solana IDL object. `[]` is accepted.
 */
export const ContractSpecSchema = z.union(
  [z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())],
  {
    error: () => "expected a contract spec: an EVM ABI array, a Stellar spec array or a Solana IDL object",
  },
);
export type ContractSpec = z.output<typeof ContractSpecSchema>;

export const AddressWithSpecSchema = z.strictObject({
  address: z.string(),
  contract_spec: option(ContractSpecSchema),
});
export type AddressWithSpec = z.output<typeof AddressWithSpecSchema>;

export const FunctionConditionSchema = z.strictObject({
  signature: z.string(),
  expression: option(z.string()),
});
export type FunctionCondition = z.output<typeof FunctionConditionSchema>;

export const EventConditionSchema = z.strictObject({
  signature: z.string(),
  expression: option(z.string()),
});
export type EventCondition = z.output<typeof EventConditionSchema>;

export const TRANSACTION_STATUSES = ["Any", "Success", "Failure"] as const;
export const TransactionStatusSchema = z.enum(TRANSACTION_STATUSES);
export type TransactionStatus = z.output<typeof TransactionStatusSchema>;

export const TransactionConditionSchema = z.strictObject({
  status: TransactionStatusSchema,
  expression: option(z.string()),
});
export type TransactionCondition = z.output<typeof TransactionConditionSchema>;

/** All three lists are required (they may be empty). */
export const MatchConditionsSchema = z.strictObject({
  functions: z.array(FunctionConditionSchema),
  events: z.array(EventConditionSchema),
  transactions: z.array(TransactionConditionSchema),
});
export type MatchConditions = z.output<typeof MatchConditionsSchema>;

/** A filter script run on every match before notifying (§8). */
export const TriggerConditionSchema = z.strictObject({
  script_path: z.string(),
  language: ScriptLanguageSchema,
  arguments: option(stringArray()),
  timeout_ms: uint(32),
});
export type TriggerCondition = z.output<typeof TriggerConditionSchema>;

/** Per-chain monitor settings. Unknown keys are tolerated (dropped), as OZ does. */
export const ChainConfigurationSchema = z.object({
  midnight: option(z.object({ viewing_keys: withDefault(z.array(SecretValueSchema), () => []) })),
  evm: option(z.object({})),
  stellar: option(z.object({})),
  solana: option(z.object({})),
});
export type ChainConfiguration = z.output<typeof ChainConfigurationSchema>;

export const MonitorSchema = z.strictObject({
  name: z.string(),
  networks: z.array(z.string()),
  paused: z.boolean(),
  addresses: z.array(AddressWithSpecSchema),
  match_conditions: MatchConditionsSchema,
  trigger_conditions: z.array(TriggerConditionSchema),
  triggers: z.array(z.string()),
  chain_configurations: withDefault(z.array(ChainConfigurationSchema), () => []),
});
export type Monitor = z.output<typeof MonitorSchema>;
export type MonitorInput = z.input<typeof MonitorSchema>;

/** Something that knows trigger keys (a `Set` or a `Map` of triggers). */
export interface TriggerKeys {
  has(key: string): boolean;
  keys(): Iterable<string>;
}

export interface MonitorParseOptions extends ParseOptions {
  /**
   * Known networks by slug. When given, `networks[]` entries are checked against it and signatures are checked for
   * the referenced chains; expressions are skipped where the chain ignores them (Solana events and functions).
   */
  networks?: ReadonlyMap<string, { network_type: NetworkType }>;
  /** Known trigger keys. When given, `triggers[]` entries are checked against it. */
  triggers?: TriggerKeys;
  /**
   * How unknown `networks[]` / `triggers[]` references are reported. `argus test-monitor` runs one monitor on a
   * network named on the command line and sends nothing, so there they are only warnings.
   * @default "error"
   */
  references?: "error" | "warning";
}

/** `name(types…)` after trimming: contains `(`, ends with `)`, and the first `(` precedes the last `)`. */
export function isValidSignature(signature: string): boolean {
  const s = signature.trim();
  const open = s.indexOf("(");
  return open >= 0 && s.endsWith(")") && open < s.lastIndexOf(")");
}

const SIGNATURE_CHAINS: ReadonlySet<NetworkType> = new Set(["EVM", "Stellar", "Midnight"]);

function listOf(values: Iterable<string>): string {
  return `[${[...values].map((v) => `'${v}'`).join(", ")}]`;
}

/** Semantic and cross-reference checks of a schema-valid monitor (§1.4). */
export function validateMonitor(monitor: Monitor, sink: ProblemSink, options: MonitorParseOptions = {}): void {
  if (monitor.name.trim() === "") sink.error(["name"], ConfigCode.InvalidField, "name must not be empty");
  if (monitor.networks.length === 0) {
    sink.error(["networks"], ConfigCode.InvalidField, "networks must list at least one network slug");
  }

  for (const [i, condition] of monitor.trigger_conditions.entries()) {
    checkScript(condition, ["trigger_conditions", i], sink, {
      cwd: options.cwd,
      configDir: options.configDir,
      checkFiles: options.checkScripts,
    });
  }

  const report = options.references === "warning" ? sink.warn.bind(sink) : sink.error.bind(sink);
  const types = new Set<NetworkType>();
  const known = options.networks;
  for (const [i, slug] of monitor.networks.entries()) {
    if (known === undefined) continue;
    const network = known.get(slug);
    if (network !== undefined) {
      types.add(network.network_type);
      continue;
    }
    const slugs = [...known.keys()];
    const suggestion = closest(slug, slugs);
    const hint = suggestion === undefined ? "" : `; did you mean '${suggestion}'?`;
    report(
      ["networks", i],
      ConfigCode.UnknownNetwork,
      `Unknown network '${slug}'. Expected one of ${listOf(slugs)}${hint}`,
    );
  }

  if (options.triggers !== undefined) {
    const keys = [...options.triggers.keys()];
    for (const [i, key] of monitor.triggers.entries()) {
      if (options.triggers.has(key)) continue;
      const suggestion = closest(key, keys);
      const hint = suggestion === undefined ? "" : `; did you mean '${suggestion}'?`;
      report(
        ["triggers", i],
        ConfigCode.UnknownTrigger,
        `Unknown trigger '${key}'. Expected one of ${listOf(keys)}${hint}`,
      );
    }
  }

  const signatureChains = [...types].filter((t) => SIGNATURE_CHAINS.has(t));
  if (signatureChains.length > 0) {
    for (const kind of ["functions", "events"] as const) {
      for (const [i, condition] of monitor.match_conditions[kind].entries()) {
        if (isValidSignature(condition.signature)) continue;
        sink.error(
          ["match_conditions", kind, i, "signature"],
          ConfigCode.InvalidSignature,
          `invalid signature ${JSON.stringify(condition.signature)}: expected "name(type1,type2,...)" on ${signatureChains.join("/")} networks`,
        );
      }
    }
  }

  // Solana ignores function conditions and event expressions (§5); only flag them, never fail on them.
  const onlySolana = types.size > 0 && [...types].every((t) => t === "Solana");
  if (onlySolana && monitor.match_conditions.functions.length > 0) {
    sink.warn(
      ["match_conditions", "functions"],
      ConfigCode.ExpressionIgnored,
      "function conditions are ignored on Solana networks (instruction decoding is not supported)",
    );
  }
  for (const kind of ["functions", "events", "transactions"] as const) {
    for (const [i, condition] of monitor.match_conditions[kind].entries()) {
      const expression = condition.expression;
      if (expression === null) continue;
      const at = ["match_conditions", kind, i, "expression"];
      if (onlySolana && kind !== "transactions") {
        if (kind === "events") {
          sink.warn(at, ConfigCode.ExpressionIgnored, "event expressions are ignored on Solana networks");
        }
        continue;
      }
      if (expression.trim() === "") {
        sink.warn(
          at,
          ConfigCode.ExpressionIgnored,
          "an empty expression fails at evaluation, so this condition never matches; use null to match without a filter",
        );
        continue;
      }
      const parsed = parseExpression(expression);
      if (!parsed.ok) {
        sink.error(
          at,
          ConfigCode.InvalidExpression,
          `invalid expression ${JSON.stringify(expression)}: ${parsed.error.message}`,
        );
      }
    }
  }
}

function resolveMonitorSecrets(monitor: Monitor, env: NonNullable<ParseOptions["env"]>, sink: ProblemSink): void {
  for (const [i, chain] of monitor.chain_configurations.entries()) {
    const midnight = chain.midnight;
    if (midnight === null) continue;
    midnight.viewing_keys = midnight.viewing_keys.map(
      (key, j) => resolveInto(key, ["chain_configurations", i, "midnight", "viewing_keys", j], env, sink) ?? key,
    );
  }
}

/**
 * Parses and validates one monitor file's JSON value (or JSON text). With `networks` / `triggers` in the options it
 * also checks the references (§1.4 cross-file validation).
 */
export function parseMonitor(json: unknown, options: MonitorParseOptions = {}): ParseResult<Monitor> {
  const sink = new ProblemSink(options.file ?? "");
  const input = jsonInput(json, sink);
  if (!input.ok) return { ok: false, problems: sink.problems };
  const parsed = MonitorSchema.safeParse(input.value, PARSE_PARAMS);
  if (!parsed.success) {
    sink.push(...issuesToProblems(parsed.error.issues, sink.file));
    return { ok: false, problems: sink.problems };
  }
  const monitor = parsed.data;
  resolveMonitorSecrets(monitor, options.env ?? process.env, sink);
  validateMonitor(monitor, sink, options);
  return sink.hasErrors
    ? { ok: false, problems: sink.problems }
    : { ok: true, value: monitor, problems: sink.problems };
}
