/**
 * Engine benchmark: how long `evaluateBlock` takes on mainnet-shaped blocks for 10 / 1,000 / 10,000 monitors, compared
 * with the floor (`JSON.parse` of the block's RPC payload) and with a naive per-monitor baseline.
 *
 * Usage: `npx tsx bench/engine/run.ts [--chain evm|stellar|all] [--blocks N] [--quick] [--seed N] [--monitors 10,1000,10000]`
 * (or `npm run bench`). Prints one JSON document to stdout; progress goes to stderr. The EVM report's keys are at the
 * top level; the Stellar benchmark (`bench/engine/stellar`, floor: decoding the ledger's XDR) is under `stellar`.
 * `--blocks` sets the number of measured Stellar ledgers too.
 */
import { pathToFileURL } from "node:url";
import { evmEvaluationCounters, evmIndexCounters, resetEvmEvaluationCounters } from "../../src/engine/evm/evaluate.js";
import type { EvmBlock } from "../../src/engine/evm-block.js";
import { compileMonitors, evaluateBlock } from "../../src/engine/index.js";
import { quantile, round, sample, timed } from "../stats.js";
import { generateBlock } from "./generate-block.js";
import { generateMonitors } from "./generate-monitors.js";
import { DEFAULT_POPULATION_SEED, population } from "./population.js";
import { evmBlockFromPayload } from "./rpc-block.js";
import { type RunStellarBenchmarkOptions, runStellarBenchmark, type StellarBenchReport } from "./stellar/run.js";

export interface BenchOptions {
  /** Measured blocks per monitor count. */
  blocks: number;
  /** Unmeasured blocks evaluated first for each monitor count. */
  warmupBlocks: number;
  monitorCounts: number[];
  tenants: number;
  /** Naive baseline: at most this many monitors are run one by one; above it, a seeded sample is extrapolated. */
  naiveFullMax: number;
  naiveSample: number;
  seed: number;
  transactionsPerBlock: number;
  network: string;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  blocks: 20,
  warmupBlocks: 3,
  monitorCounts: [10, 1_000, 10_000],
  tenants: 1_000,
  naiveFullMax: 1_000,
  naiveSample: 500,
  seed: 42,
  transactionsPerBlock: 250,
  network: "ethereum_mainnet",
};

export const QUICK_OPTIONS: Partial<BenchOptions> = { blocks: 3, warmupBlocks: 1, naiveFullMax: 10, naiveSample: 40 };

export const TARGET_RATIO_AT_10000 = 3;

export interface BenchResult {
  monitors: number;
  tenants: number;
  compileMs: number;
  compileDiagnostics: number;
  evalMsMedian: number;
  evalMsP90: number;
  parseMsMedian: number;
  parseMsP90: number;
  /** Median over blocks of (eval ms / parse ms) of the same block. */
  ratioMedian: number;
  ratioP90: number;
  naiveMsMedian: number;
  naiveMsP90: number;
  /** Monitors actually run by the naive baseline per block; when fewer than `monitors`, times are extrapolated. */
  naiveMonitorsRun: number;
  naiveExtrapolated: boolean;
  /** Median over blocks of (naive ms / eval ms). */
  speedupMedian: number;
  matchesMedian: number;
  matchesP90: number;
  evalDiagnosticsMedian: number;
  /** The naive baseline produced exactly the engine's match ids for the monitors it ran, on every block. */
  naiveAgrees: boolean;
  /** Work of the measured evaluation per block (medians over blocks), from the engine's internal counters. */
  work: {
    /** (transaction, monitor) pairs evaluated in full. */
    candidatePairs: number;
    expressionEvaluations: number;
    /** Full ABI decodes of calls and logs. */
    decodes: number;
    /** Predicate-index group probes. */
    groupProbes: number;
  };
}

export interface BenchReport {
  benchmark: "engine-evm";
  node: string;
  blocks: number;
  warmupBlocks: number;
  block: { transactionsMedian: number; logsMedian: number; payloadBytesMedian: number };
  results: BenchResult[];
  target: { ratioAt10000: number; met: boolean | null };
  notes: string[];
}

interface PreparedBlock {
  text: string;
  evm: EvmBlock;
  transactions: number;
  logs: number;
}

type Log = (message: string) => void;

function prepareBlocks(options: BenchOptions, log: Log): PreparedBlock[] {
  const pop = population(DEFAULT_POPULATION_SEED);
  const total = options.warmupBlocks + options.blocks;
  log(`generating ${total} blocks of ${options.transactionsPerBlock} transactions`);
  return Array.from({ length: total }, (_, i) => {
    const generated = generateBlock({
      seed: options.seed * 1000 + i,
      number: 21_000_000 + i,
      transactions: options.transactionsPerBlock,
      population: pop,
    });
    return {
      text: generated.rpcPayloadText,
      evm: evmBlockFromPayload(generated.rpcPayloadText),
      transactions: generated.block.transactions.length,
      logs: generated.receipts.reduce((sum, receipt) => sum + receipt.logs.length, 0),
    };
  });
}

function benchCount(count: number, blocks: PreparedBlock[], options: BenchOptions, log: Log): BenchResult {
  const definitions = generateMonitors({ seed: options.seed, count, tenants: options.tenants });
  const tenants = new Set(definitions.map((definition) => definition.tenantId)).size;
  const [{ compiled, diagnostics: compileDiagnostics }, compileMs] = timed(() => compileMonitors(definitions));
  log(`${count} monitors over ${tenants} tenants: compiled in ${round(compileMs, 1)} ms`);

  const warmup = blocks.slice(0, options.warmupBlocks);
  const measured = blocks.slice(options.warmupBlocks);
  for (const block of warmup) {
    JSON.parse(block.text);
    evaluateBlock(compiled, options.network, block.evm);
  }

  const naiveSet =
    count <= options.naiveFullMax ? definitions : sample(definitions, options.naiveSample, options.seed + count);
  const naiveIds = new Set(naiveSet.map((definition) => definition.id));
  const scale = count / naiveSet.length;

  const parseMs: number[] = [];
  const evalMs: number[] = [];
  const ratios: number[] = [];
  const naiveMs: number[] = [];
  const speedups: number[] = [];
  const matches: number[] = [];
  const evalDiagnostics: number[] = [];
  const work = {
    candidatePairs: [] as number[],
    expressionEvaluations: [] as number[],
    decodes: [] as number[],
    groupProbes: [] as number[],
  };
  let naiveAgrees = true;

  measured.forEach((block, index) => {
    const [, parse] = timed(() => JSON.parse(block.text) as unknown);
    resetEvmEvaluationCounters();
    const [result, evaluation] = timed(() => evaluateBlock(compiled, options.network, block.evm));
    work.candidatePairs.push(evmEvaluationCounters.candidatePairs);
    work.expressionEvaluations.push(evmEvaluationCounters.expressionEvaluations);
    work.decodes.push(evmEvaluationCounters.decodes);
    work.groupProbes.push(evmIndexCounters.groupProbes);

    const naiveMatchIds: string[] = [];
    const [, naive] = timed(() => {
      for (const definition of naiveSet) {
        const single = compileMonitors([definition]);
        for (const match of evaluateBlock(single.compiled, options.network, block.evm).matches) {
          naiveMatchIds.push(match.id);
        }
      }
    });
    const engineIds = result.matches.filter((match) => naiveIds.has(match.monitorId)).map((match) => match.id);
    if (engineIds.sort().join() !== naiveMatchIds.sort().join()) {
      naiveAgrees = false;
      log(`block ${index}: naive found ${naiveMatchIds.length} matches, engine ${engineIds.length} (same monitors)`);
    }

    parseMs.push(parse);
    evalMs.push(evaluation);
    ratios.push(evaluation / parse);
    naiveMs.push(naive * scale);
    speedups.push((naive * scale) / evaluation);
    matches.push(result.matches.length);
    evalDiagnostics.push(result.diagnostics.length);
  });

  const summary: BenchResult = {
    monitors: count,
    tenants,
    compileMs: round(compileMs),
    compileDiagnostics: compileDiagnostics.length,
    evalMsMedian: round(quantile(evalMs, 0.5)),
    evalMsP90: round(quantile(evalMs, 0.9)),
    parseMsMedian: round(quantile(parseMs, 0.5)),
    parseMsP90: round(quantile(parseMs, 0.9)),
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
      groupProbes: round(quantile(work.groupProbes, 0.5), 1),
    },
  };
  log(
    `${count} monitors: eval ${summary.evalMsMedian} ms (p90 ${summary.evalMsP90}), parse ${summary.parseMsMedian} ms, ` +
      `ratio ${summary.ratioMedian}, naive ${summary.naiveMsMedian} ms${summary.naiveExtrapolated ? ` (extrapolated from ${naiveSet.length})` : ""}, ` +
      `speed-up ${summary.speedupMedian}x, matches ${summary.matchesMedian}, candidates ${summary.work.candidatePairs}, ` +
      `expression evaluations ${summary.work.expressionEvaluations}, decodes ${summary.work.decodes}`,
  );
  return summary;
}

export type RunBenchmarkOptions = Partial<BenchOptions> & {
  /** Start from `QUICK_OPTIONS` (few blocks, small naive sample); explicit options still win. */
  quick?: boolean;
};

/** Runs the benchmark and returns the report (does not print it). */
export function runBenchmark(overrides: RunBenchmarkOptions = {}, log: Log = () => {}): BenchReport {
  const { quick, ...explicit } = overrides;
  const options: BenchOptions = { ...DEFAULT_OPTIONS, ...(quick ? QUICK_OPTIONS : {}), ...explicit };
  const blocks = prepareBlocks(options, log);

  // JIT warm-up of the compiler and evaluator on a separate monitor set, so the first count is not penalised.
  const warm = compileMonitors(generateMonitors({ seed: options.seed + 7919, count: 300, tenants: options.tenants }));
  for (const block of blocks.slice(0, Math.max(1, options.warmupBlocks))) {
    JSON.parse(block.text);
    evaluateBlock(warm.compiled, options.network, block.evm);
  }

  const results = options.monitorCounts.map((count) => benchCount(count, blocks, options, log));
  const measured = blocks.slice(options.warmupBlocks);
  const at10000 = results.find((result) => result.monitors === 10_000);
  return {
    benchmark: "engine-evm",
    node: process.version,
    blocks: measured.length,
    warmupBlocks: options.warmupBlocks,
    block: {
      transactionsMedian: quantile(
        measured.map((block) => block.transactions),
        0.5,
      ),
      logsMedian: quantile(
        measured.map((block) => block.logs),
        0.5,
      ),
      payloadBytesMedian: quantile(
        measured.map((block) => Buffer.byteLength(block.text)),
        0.5,
      ),
    },
    results,
    target: { ratioAt10000: TARGET_RATIO_AT_10000, met: at10000 ? at10000.ratioMedian <= TARGET_RATIO_AT_10000 : null },
    notes: [
      "Times are per block, in milliseconds: median and p90 over the measured blocks, after warm-up blocks.",
      "parse = JSON.parse of the block's eth_getBlockByNumber + eth_getBlockReceipts response text (the floor).",
      "eval = evaluateBlock(compiled, network, block) on an EvmBlock built from that payload; compile time is separate.",
      "ratio and speed-up are medians of per-block ratios.",
      `naive = for each monitor: compileMonitors([monitor]) then evaluateBlock; above ${options.naiveFullMax} monitors a seeded sample of ${options.naiveSample} is run and its time scaled linearly to the full count (naiveExtrapolated).`,
    ],
  };
}

export type BenchChain = "evm" | "stellar";

/** What `main` prints: the EVM report (empty when `--chain stellar`), the chains that ran, and the Stellar report. */
export type EngineBenchReport = BenchReport & { chains: BenchChain[]; stellar?: StellarBenchReport };

interface CliOptions extends RunBenchmarkOptions {
  chains: BenchChain[];
}

function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { chains: ["evm", "stellar"] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): number => {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`${arg} needs a non-negative integer`);
      return value;
    };
    if (arg === "--chain") {
      const chain = argv[++i];
      if (chain === "evm" || chain === "stellar") options.chains = [chain];
      else if (chain === "all") options.chains = ["evm", "stellar"];
      else throw new Error(`--chain needs evm, stellar or all (got ${JSON.stringify(chain)})`);
    } else if (arg === "--quick") options.quick = true;
    else if (arg === "--blocks") options.blocks = Math.max(1, next());
    else if (arg === "--seed") options.seed = next();
    else if (arg === "--monitors") {
      options.monitorCounts = String(argv[++i] ?? "")
        .split(",")
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0);
    } else {
      throw new Error(
        `unknown argument ${arg} (expected --chain evm|stellar|all, --blocks N, --quick, --seed N, --monitors a,b,c)`,
      );
    }
  }
  return options;
}

export interface MainIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: MainIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** The EVM part of the report when the EVM benchmark did not run (`--chain stellar`): same keys, no results. */
function skippedEvmReport(): BenchReport {
  return {
    benchmark: "engine-evm",
    node: process.version,
    blocks: 0,
    warmupBlocks: 0,
    block: { transactionsMedian: 0, logsMedian: 0, payloadBytesMedian: 0 },
    results: [],
    target: { ratioAt10000: TARGET_RATIO_AT_10000, met: null },
    notes: ["EVM benchmark not run (--chain stellar)."],
  };
}

/** CLI entry: parses flags, runs, writes the JSON report to stdout and progress to stderr. */
export function main(argv: readonly string[] = process.argv.slice(2), io: MainIo = processIo): EngineBenchReport {
  const { chains, ...options } = parseArgs(argv);
  const log = (message: string) => io.stderr(`[bench] ${message}\n`);
  const evm = chains.includes("evm") ? runBenchmark(options, log) : skippedEvmReport();
  const report: EngineBenchReport = { ...evm, chains };
  if (chains.includes("stellar")) {
    const { blocks, quick, seed, monitorCounts } = options;
    const stellarOptions: RunStellarBenchmarkOptions = {
      ...(quick === undefined ? {} : { quick }),
      ...(blocks === undefined ? {} : { ledgers: blocks }),
      ...(seed === undefined ? {} : { seed }),
      ...(monitorCounts === undefined ? {} : { monitorCounts }),
    };
    report.stellar = runStellarBenchmark(stellarOptions, log);
  }
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
