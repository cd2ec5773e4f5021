/**
 * The Stellar case of the engine benchmark: a seeded generator of mainnet-shaped Protocol-23 ledgers with real XDR
 * (in Stellar-RPC's `getLedgers` / `getTransactions` / `getEvents` shapes), a generator of multi-tenant OZ Stellar
 * monitors over the same population of contracts and accounts, and the runner that compares `evaluateBlock` with the
 * XDR-decoding floor and a naive per-monitor loop. `bench/engine/run.ts --chain stellar` prints its report.
 *
 * @example
 * const { rpcPayloadText } = generateStellarLedger({ seed: 1, sequence: 59_000_000 });
 * const ledger = stellarLedgerFromPayload(rpcPayloadText); // assembleStellarLedger, strict
 * const definitions = generateStellarMonitors({ seed: 42, count: 1000 });
 * const specs = stellarContractSpecsFor(definitions); // what fetchContractSpec would return
 */
export {
  DEFAULT_TRANSACTIONS_PER_LEDGER,
  type GeneratedStellarLedger,
  type GenerateStellarLedgerOptions,
  generateStellarLedger,
  type StellarLedgerStats,
  TRANSACTIONS_PAGE_SIZE,
} from "./generate-ledger.js";
export {
  type GenerateStellarMonitorsOptions,
  generateStellarMonitors,
  type OzStellarMonitor,
  STELLAR_MONITOR_MIX,
  type StellarBenchMonitorDefinition,
  type StellarMonitorKind,
  stellarContractSpecsFor,
} from "./generate-monitors.js";
export {
  DEFAULT_STELLAR_POPULATION_SEED,
  type StellarContract,
  type StellarContractKind,
  type StellarPair,
  type StellarPopulation,
  type StellarToken,
  stellarPopulation,
} from "./population.js";
export {
  decodeStellarPayload,
  parseStellarPayload,
  type StellarRpcPayload,
  stellarLedgerFromPayload,
} from "./rpc-ledger.js";
export {
  DEFAULT_STELLAR_OPTIONS,
  QUICK_STELLAR_OPTIONS,
  type RunStellarBenchmarkOptions,
  runStellarBenchmark,
  STELLAR_TARGET_RATIO_AT_10000,
  type StellarBenchOptions,
  type StellarBenchReport,
  type StellarBenchResult,
} from "./run.js";
export { AGGREGATOR_SPEC, LENDING_SPEC, ORACLE_SPEC, PAIR_SPEC, ROUTER_SPEC, SIGNATURES, TOKEN_SPEC } from "./specs.js";
