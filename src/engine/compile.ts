import { type ExpressionError, parseExpression } from "../expr/index.js";
import type {
  CompiledCondition,
  CompiledMonitor,
  CompiledMonitors,
  CompiledNetwork,
  CompiledSignatureCondition,
  CompiledTransactionCondition,
} from "./compiled.js";
import { type AbiInterner, createAbiInterner, signatureKey } from "./evm/abi.js";
import { compileEvmMonitor, createEvmNetworkIndex, type EvmMonitor } from "./evm/compile.js";
import { compileStellarMonitor, createStellarNetworkIndex, type StellarMonitor } from "./stellar/compile.js";
import { createStellarSpecInterner } from "./stellar/spec.js";
import type { CompileMonitorsOptions, EngineDiagnostic, MatchMonitor, Monitor, MonitorDefinition } from "./types.js";

export type CompileMonitorsResult = { compiled: CompiledMonitors; diagnostics: EngineDiagnostic[] };

/**
 * Compiles monitor definitions into per-network indexes for `evaluateBlock`.
 *
 * Paused monitors are left out. Expressions are parsed and ABIs compiled (selectors, topic-0 hashes) once, and
 * identical ABI items are shared across monitors so a block decodes each log or call once. Problems come back as
 * diagnostics, never thrown: a condition whose expression does not parse stays in place but can never match.
 *
 * @example
 * const { compiled, diagnostics } = compileMonitors([{ id: "m1", tenantId: "t1", version: 1, monitor }]);
 * const { matches } = evaluateBlock(compiled, "ethereum_mainnet", block);
 */
export function compileMonitors(
  definitions: readonly MonitorDefinition[],
  options: CompileMonitorsOptions = {},
): CompileMonitorsResult {
  const diagnostics: EngineDiagnostic[] = [];
  const expressions = new Map<string, ReturnType<typeof parseExpression>>();
  const interner = createAbiInterner();
  const seenIds = new Set<string>();
  const monitors: CompiledMonitor[] = [];
  const evmByNetwork = new Map<string, EvmMonitor[]>();
  const stellarByNetwork = new Map<string, StellarMonitor[]>();
  const stellarSpecs = createStellarSpecInterner();

  for (const definition of definitions) {
    if (definition.monitor.paused) continue;
    if (seenIds.has(definition.id)) {
      diagnostics.push({
        code: "ENGINE_MONITOR_DUPLICATE_ID",
        severity: "error",
        message: `Monitor id '${definition.id}' appears more than once; only the first definition is used.`,
        monitorId: definition.id,
        tenantId: definition.tenantId,
        path: [],
      });
      continue;
    }
    seenIds.add(definition.id);

    const monitor = compileMonitor(definition, monitors.length, expressions, interner, diagnostics);
    monitors.push(monitor);

    let evm: EvmMonitor | undefined;
    let stellar: StellarMonitor | undefined;
    for (const network of new Set(definition.monitor.networks)) {
      const chain = options.networkChains?.[network] ?? "EVM";
      if (chain === "Stellar") {
        stellar ??= compileStellarMonitor(monitor, stellarSpecs, diagnostics);
        const list = stellarByNetwork.get(network);
        if (list) list.push(stellar);
        else stellarByNetwork.set(network, [stellar]);
        continue;
      }
      if (chain !== "EVM") {
        diagnostics.push({
          code: "ENGINE_CHAIN_UNSUPPORTED",
          severity: "warning",
          message: `Network '${network}' is a ${chain} network; the engine has no ${chain} evaluator yet, so monitor '${definition.monitor.name}' is not evaluated there.`,
          monitorId: definition.id,
          tenantId: definition.tenantId,
          path: ["networks", definition.monitor.networks.indexOf(network)],
          networkSlug: network,
        });
        continue;
      }
      evm ??= compileEvmMonitor(monitor, interner, diagnostics);
      let list = evmByNetwork.get(network);
      if (!list) {
        list = [];
        evmByNetwork.set(network, list);
      }
      list.push(evm);
    }
  }

  const networks = new Map<string, CompiledNetwork>();
  for (const [slug, list] of evmByNetwork) networks.set(slug, createEvmNetworkIndex(slug, list));
  for (const [slug, list] of stellarByNetwork) {
    networks.set(slug, createStellarNetworkIndex(slug, list, options.stellarContractSpecs?.[slug], stellarSpecs));
  }
  const networkChains = Object.freeze({ ...options.networkChains });
  const missingStellarSpecs = (slug: string): readonly string[] => {
    const network = networks.get(slug);
    return network?.chain === "Stellar" ? network.missingSpecs : [];
  };
  return { compiled: { monitors, networks, networkChains, missingStellarSpecs }, diagnostics };
}

function compileMonitor(
  definition: MonitorDefinition,
  ordinal: number,
  expressions: Map<string, ReturnType<typeof parseExpression>>,
  interner: AbiInterner,
  diagnostics: EngineDiagnostic[],
): CompiledMonitor {
  const { monitor } = definition;
  const conditions = monitor.match_conditions;

  const parse = (text: string | null | undefined, path: (string | number)[]): Omit<CompiledCondition, "index"> => {
    const expressionPath = [...path, "expression"];
    if (text === null || text === undefined) {
      return { expressionPath, expressionText: null, expression: null, invalid: false };
    }
    let parsed = expressions.get(text);
    if (!parsed) {
      parsed = parseExpression(text);
      expressions.set(text, parsed);
    }
    if (parsed.ok) return { expressionPath, expressionText: text, expression: parsed.expression, invalid: false };
    diagnostics.push(expressionInvalid(definition, expressionPath, parsed.error));
    return { expressionPath, expressionText: text, expression: null, invalid: true };
  };

  const signatureConditions = (list: "functions" | "events"): CompiledSignatureCondition[] =>
    conditions[list].map((condition, index) =>
      Object.seal({
        index,
        signatureKey: signatureKey(condition.signature, interner),
        ...parse(condition.expression, ["match_conditions", list, index]),
        recorded: null,
      }),
    );

  const functions = signatureConditions("functions");
  const events = signatureConditions("events");
  const transactions: CompiledTransactionCondition[] = conditions.transactions.map((condition, index) => {
    const expression = condition.expression ?? null;
    const recorded = (status: "Success" | "Failure") => Object.freeze([Object.freeze({ status, expression })]);
    return Object.freeze({
      index,
      status: condition.status,
      ...parse(condition.expression, ["match_conditions", "transactions", index]),
      recorded: Object.freeze({ Success: recorded("Success"), Failure: recorded("Failure") }),
    });
  });

  return Object.freeze({
    ordinal,
    id: definition.id,
    tenantId: definition.tenantId,
    version: definition.version,
    definition,
    matchMonitor: toMatchMonitor(monitor),
    functions,
    events,
    transactions,
    includesReceipt: conditions.transactions.some(
      (condition) => condition.status !== "Any" || (condition.expression ?? "").includes("gas_used"),
    ),
  });
}

function expressionInvalid(
  definition: MonitorDefinition,
  path: (string | number)[],
  error: ExpressionError,
): EngineDiagnostic {
  return {
    code: "ENGINE_EXPRESSION_INVALID",
    severity: "error",
    message: `Expression of monitor '${definition.monitor.name}' does not parse, so its condition never matches: ${error.message}`,
    monitorId: definition.id,
    tenantId: definition.tenantId,
    path,
    cause: { code: error.code, kind: error.kind },
  };
}

/** The monitor as matches carry it: key order kept, `contract_spec: null` everywhere, deep-frozen and shared. */
function toMatchMonitor(monitor: Monitor): MatchMonitor {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(monitor)) {
    out[key] =
      key === "addresses"
        ? Object.freeze(
            monitor.addresses.map((entry) => {
              const address: Record<string, unknown> = {};
              for (const [field, fieldValue] of Object.entries(entry)) {
                address[field] = field === "contract_spec" ? null : frozenCopy(fieldValue);
              }
              address.contract_spec = null;
              return Object.freeze(address);
            }),
          )
        : frozenCopy(value);
  }
  return Object.freeze(out) as MatchMonitor;
}

/**
 * A deep-frozen copy of configuration data. Plain objects and arrays (all a parsed monitor holds) are copied
 * directly, much faster than `structuredClone`; anything else goes through `structuredClone`.
 */
function frozenCopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return deepFreeze(structuredClone(value));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = frozenCopy((value as Record<string, unknown>)[key]);
  return Object.freeze(out);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
