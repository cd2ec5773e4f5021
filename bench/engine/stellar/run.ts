/**
 * Stellar engine benchmark: how long `evaluateBlock` takes on mainnet-shaped ledgers for 10 / 1,000 / 10,000
 * monitors, compared with the floor (decoding the ledger's XDR with `assembleStellarLedger`, as the ingest path does)
 * and with a naive per-monitor baseline. Run through `bench/engine/run.ts --chain stellar`.
 */
import {
  type CompileMonitorsOptions,
  compileMonitors,
  evaluateBlock,
  type StellarLedger,
} from "../../../src/engine/index.js";
import { resetStellarEvaluationCounters, stellarEvaluationCounters } from "../../../src/engine/stellar/evaluate.js";
import type { StellarContractSpecEntry } from "../../../src/engine/stellar-ledger.js";
import { quantile, round, sample, timed } from "../../stats.js";
import { generateStellarLedger } from "./generate-ledger.js";
import { generateStellarMonitors, stellarContractSpecsFor } from "./generate-monitors.js";
import { DEFAULT_STELLAR_POPULATION_SEED, type StellarPopulation, stellarPopulation } from "./population.js";
import { decodeStellarPayload, parseStellarPayload, stellarLedgerFromPayload } from "./rpc-ledger.js";

export interface StellarBenchOptions {
  /** Measured ledgers per monitor count. */
  ledgers: number;
  /** Unmeasured ledgers evaluated first for each monitor count. */
  warmupLedgers: number;
  monitorCounts: number[];
  tenants: number;
  /** Naive baseline: at most this many monitors are run one by one; above it, a seeded sample is extrapolated. */
  naiveFullMax: number;
  naiveSample: number;
  seed: number;
  transactionsPerLedger: number;
  network: string;
  /** First ledger sequence. */
  firstSequence: number;
}

export const DEFAULT_STELLAR_OPTIONS: StellarBenchOptions = {
  ledgers: 20,
  warmupLedgers: 3,
  monitorCounts: [10, 1_000, 10_000],
  tenants: 1_000,
  naiveFullMax: 1_000,
  naiveSample: 500,
  seed: 42,
  transactionsPerLedger: 300,
  network: "stellar_mainnet",
  firstSequence: 59_000_000,
};

export const QUICK_STELLAR_OPTIONS: Partial<StellarBenchOptions> = {
  ledgers: 3,
  warmupLedgers: 1,
  naiveFullMax: 10,
  naiveSample: 40,
};

/** The same target as EVM: evaluation at 10,000 monitors within 3× the floor. */
export const STELLAR_TARGET_RATIO_AT_10000 = 3;

export interface StellarBenchResult {
  monitors: number;
  tenants: number;
  compileMs: number;
  compileDiagnostics: number;
  evalMsMedian: number;
  evalMsP90: number;
  /** `JSON.parse` of the ledger's RPC payload (for reference; not the floor). */
  parseMsMedian: number;
  parseMsP90: number;
  /** The floor: `assembleStellarLedger` decoding every XDR field of the parsed payload. */
  decodeMsMedian: number;
  decodeMsP90: number;
  /** Median over ledgers of (eval ms / decode ms) of the same ledger. */
  ratioMedian: number;
  ratioP90: number;
  naiveMsMedian: number;
  naiveMsP90: number;
  /** Monitors actually run by the naive baseline per ledger; when fewer than `monitors`, times are extrapolated. */
  naiveMonitorsRun: number;
  naiveExtrapolated: boolean;
  /** Median over ledgers of (naive ms / eval ms). */
  speedupMedian: number;
  matchesMedian: number;
  matchesP90: number;
  evalDiagnosticsMedian: number;
  /** The naive baseline produced exactly the engine's match ids for the monitors it ran, on every ledger. */
  naiveAgrees: boolean;
  /** Work of the measured evaluation per ledger (medians over ledgers), from the engine's internal counters. */
  work: {
    /** (transaction, monitor) pairs with a function or event signature hit, evaluated in full. */
    candidatePairs: number;
    expressionEvaluations: number;
    /** Invocations resolved and events decoded against a spec. */
    decodes: number;
  };
}

export interface StellarBenchReport {
  benchmark: "engine-stellar";
  node: string;
  network: string;
  ledgers: number;
  warmupLedgers: number;
  ledger: {
    transactionsMedian: number;
    operationsMedian: number;
    invocationsMedian: number;
    eventsMedian: number;
    failedMedian: number;
    feeBumpsMedian: number;
    payloadBytesMedian: number;
  };
  results: StellarBenchResult[];
  target: { ratioAt10000: number; met: boolean | null };
  notes: string[];
}

interface PreparedLedger {
  text: string;
  ledger: StellarLedger;
  stats: {
    transactions: number;
    operations: number;
    invocations: number;
    events: number;
    failed: number;
    feeBumps: number;
  };
}

type Log = (message: string) => void;

function prepareLedgers(options: StellarBenchOptions, pop: StellarPopulation, log: Log): PreparedLedger[] {
  const total = options.warmupLedgers + options.ledgers;
  log(`generating ${total} Stellar ledgers of ${options.transactionsPerLedger} transactions`);
  return Array.from({ length: total }, (_, i) => {
    const generated = generateStellarLedger({
      seed: options.seed * 1000 + i,
      sequence: options.firstSequence + i,
      transactions: options.transactionsPerLedger,
      population: pop,
    });
    return {
      text: generated.rpcPayloadText,
      ledger: stellarLedgerFromPayload(generated.rpcPayloadText),
      stats: generated.stats,
    };
  });
}

function stellarCompileOptions(
  options: StellarBenchOptions,
  specs: ReadonlyMap<string, StellarContractSpecEntry[]>,
): CompileMonitorsOptions {
  return { networkChains: { [options.network]: "Stellar" }, stellarContractSpecs: { [options.network]: specs } };
}

function benchCount(
  count: number,
  ledgers: PreparedLedger[],
  options: StellarBenchOptions,
  pop: StellarPopulation,
  log: Log,
): StellarBenchResult {
  const definitions = generateStellarMonitors({ seed: options.seed, count, tenants: options.tenants, population: pop });
  const tenants = new Set(definitions.map((definition) => definition.tenantId)).size;
  // Specs are looked up once at startup (`fetchContractSpec`), before compiling: not part of the compile time.
  const compileOptions = stellarCompileOptions(options, stellarContractSpecsFor(definitions, pop));
  const [{ compiled, diagnostics: compileDiagnostics }, compileMs] = timed(() =>
    compileMonitors(definitions, compileOptions),
  );
  log(`${count} Stellar monitors over ${tenants} tenants: compiled in ${round(compileMs, 1)} ms`);

  const warmup = ledgers.slice(0, options.warmupLedgers);
  const measured = ledgers.slice(options.warmupLedgers);
  for (const prepared of warmup) {
    decodeStellarPayload(parseStellarPayload(prepared.text));
    evaluateBlock(compiled, options.network, prepared.ledger);
  }

  const naiveSet =
    count <= options.naiveFullMax ? definitions : sample(definitions, options.naiveSample, options.seed + count);
  // Each naive monitor gets the specs of its own addresses, looked up up front.
  const naiveRuns = naiveSet.map((definition) => ({
    definitions: [definition],
    compileOptions: stellarCompileOptions(options, stellarContractSpecsFor([definition], pop)),
  }));
  const naiveIds = new Set(naiveSet.map((definition) => definition.id));
  const scale = count / naiveSet.length;

  const parseMs: number[] = [];
  const decodeMs: number[] = [];
  const evalMs: number[] = [];
  const ratios: number[] = [];
  const naiveMs: number[] = [];
  const speedups: number[] = [];
  const matches: number[] = [];
  const evalDiagnostics: number[] = [];
  const work = { candidatePairs: [] as number[], expressionEvaluations: [] as number[], decodes: [] as number[] };
  let naiveAgrees = true;

  measured.forEach((prepared, index) => {
    const [payload, parse] = timed(() => parseStellarPayload(prepared.text));
    const [, decode] = timed(() => decodeStellarPayload(payload));
    resetStellarEvaluationCounters();
    const [result, evaluation] = timed(() => evaluateBlock(compiled, options.network, prepared.ledger));
    work.candidatePairs.push(stellarEvaluationCounters.candidatePairs);
    work.expressionEvaluations.push(stellarEvaluationCounters.expressionEvaluations);
    work.decodes.push(stellarEvaluationCounters.decodes);

    const naiveMatchIds: string[] = [];
    const [, naive] = timed(() => {
      for (const run of naiveRuns) {
        const single = compileMonitors(run.definitions, run.compileOptions);
        for (const match of evaluateBlock(single.compiled, options.network, prepared.ledger).matches) {
          naiveMatchIds.push(match.id);
        }
      }
    });
    const engineIds = result.matches.filter((match) => naiveIds.has(match.monitorId)).map((match) => match.id);
    if (engineIds.sort().join() !== naiveMatchIds.sort().join()) {
      naiveAgrees = false;
      log(`ledger ${index}: naive found ${naiveMatchIds.length} matches, engine ${engineIds.length} (same monitors)`);
    }

    parseMs.push(parse);
    decodeMs.push(decode);
    evalMs.push(evaluation);
    ratios.push(evaluation / decode);
    naiveMs.push(naive * scale);
    speedups.push((naive * scale) / evaluation);
    matches.push(result.matches.length);
    evalDiagnostics.push(result.diagnostics.length);
  });

  const summary: StellarBenchResult = {
    monitors: count,
    tenants,
    compileMs: round(compileMs),
    compileDiagnostics: compileDiagnostics.length,
    evalMsMedian: round(quantile(evalMs, 0.5)),
    evalMsP90: round(quantile(evalMs, 0.9)),
    parseMsMedian: round(quantile(parseMs, 0.5)),
    parseMsP90: round(quantile(parseMs, 0.9)),
    decodeMsMedian: round(quantile(decodeMs, 0.5)),
    decodeMsP90: round(quantile(decodeMs, 0.9)),
    ratioMedian: round(quantile(ratios, 0.5)),
    ratioP90: round(quantile(ratios, 0.9)),
    naiveMsMedian: round(quantile(naiveMs, 0.5)),
    naiveMsP90: round(quantile(naiveMs, 0.9)),
    naiveMonitorsRun: naiveSet.length,
    naiveExtrapolated: naiveSet.length < count,
    speedupMedian: round(quantile(speedups, 0.5), 1),
    matchesMedian: round(quantile(matches, 0.5), 1),
    matchesP90: round(quantile(matches, 0.9), 1),
    evalDiagnosticsMedian: round(quantile(evalDiagnostics, 0.5), 1),
    naiveAgrees,
    work: {
      candidatePairs: round(quantile(work.candidatePairs, 0.5), 1),
      expressionEvaluations: round(quantile(work.expressionEvaluations, 0.5), 1),
      decodes: round(quantile(work.decodes, 0.5), 1),
    },
  };
  log(
    `${count} Stellar monitors: eval ${summary.evalMsMedian} ms (p90 ${summary.evalMsP90}), decode ${summary.decodeMsMedian} ms, ` +
      `ratio ${summary.ratioMedian}, naive ${summary.naiveMsMedian} ms${summary.naiveExtrapolated ? ` (extrapolated from ${naiveSet.length})` : ""}, ` +
      `speed-up ${summary.speedupMedian}x, matches ${summary.matchesMedian}, candidates ${summary.work.candidatePairs}, ` +
      `expression evaluations ${summary.work.expressionEvaluations}, decodes ${summary.work.decodes}`,
  );
  return summary;
}

export type RunStellarBenchmarkOptions = Partial<StellarBenchOptions> & {
  /** Start from `QUICK_STELLAR_OPTIONS` (few ledgers, small naive sample); explicit options still win. */
  quick?: boolean;
};

/** Runs the Stellar benchmark and returns the report (does not print it). */
export function runStellarBenchmark(
  overrides: RunStellarBenchmarkOptions = {},
  log: Log = () => {},
): StellarBenchReport {
  const { quick, ...explicit } = overrides;
  const options: StellarBenchOptions = {
    ...DEFAULT_STELLAR_OPTIONS,
    ...(quick ? QUICK_STELLAR_OPTIONS : {}),
    ...explicit,
  };
  const pop = stellarPopulation(DEFAULT_STELLAR_POPULATION_SEED);
  const ledgers = prepareLedgers(options, pop, log);

  // JIT warm-up of the decoder, compiler and evaluator on a separate monitor set.
  const warmDefinitions = generateStellarMonitors({
    seed: options.seed + 7919,
    count: 300,
    tenants: options.tenants,
    population: pop,
  });
  const warm = compileMonitors(
    warmDefinitions,
    stellarCompileOptions(options, stellarContractSpecsFor(warmDefinitions, pop)),
  );
  for (const prepared of ledgers.slice(0, Math.max(1, options.warmupLedgers))) {
    decodeStellarPayload(parseStellarPayload(prepared.text));
    evaluateBlock(warm.compiled, options.network, prepared.ledger);
  }

  const results = options.monitorCounts.map((count) => benchCount(count, ledgers, options, pop, log));
  const measured = ledgers.slice(options.warmupLedgers);
  const median = (pick: (prepared: PreparedLedger) => number) => quantile(measured.map(pick), 0.5);
  const at10000 = results.find((result) => result.monitors === 10_000);
  return {
    benchmark: "engine-stellar",
    node: process.version,
    network: options.network,
    ledgers: measured.length,
    warmupLedgers: options.warmupLedgers,
    ledger: {
      transactionsMedian: median((p) => p.stats.transactions),
      operationsMedian: median((p) => p.stats.operations),
      invocationsMedian: median((p) => p.stats.invocations),
      eventsMedian: median((p) => p.stats.events),
      failedMedian: median((p) => p.stats.failed),
      feeBumpsMedian: median((p) => p.stats.feeBumps),
      payloadBytesMedian: median((p) => Buffer.byteLength(p.text)),
    },
    results,
    target: {
      ratioAt10000: STELLAR_TARGET_RATIO_AT_10000,
      met: at10000 ? at10000.ratioMedian <= STELLAR_TARGET_RATIO_AT_10000 : null,
    },
    notes: [
      "Times are per ledger, in milliseconds: median and p90 over the measured ledgers, after warm-up ledgers.",
      "Ledgers: Protocol-23-shaped mainnet ledgers with real XDR (see bench/engine/stellar/generate-ledger.ts); the payload is the getLedgers, getTransactions (pages of 200) and getEvents responses.",
      "decode = assembleStellarLedger on the parsed payload (strict): every envelope, result, meta, event topic and value decoded, as the ingest path does (the floor). parse = JSON.parse of the payload text, reported separately.",
      "eval = evaluateBlock(compiled, network, ledger) on the decoded ledger; compile time is separate. Monitors without an inline contract_spec get the chain's spec through stellarContractSpecs, as after fetchContractSpec.",
      "ratio (eval / decode) and speed-up are medians of per-ledger ratios.",
      `naive = for each monitor: compileMonitors([monitor]) then evaluateBlock; above ${options.naiveFullMax} monitors a seeded sample of ${options.naiveSample} is run and its time scaled linearly to the full count (naiveExtrapolated).`,
    ],
  };
}
