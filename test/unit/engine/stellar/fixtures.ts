/**
 * Test support: OZ's Stellar fixtures decoded through `chains/stellar`, per the conformance harness model (§0): the
 * ledger under test is `blocks.json[0]` (172627) with all 29 fixture transactions and both fixture events.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { xdr } from "@stellar/stellar-sdk";
import { assembleStellarLedger, decodeStellarEvent } from "../../../../src/chains/stellar/index.js";
import { parseMonitor } from "../../../../src/config/index.js";
import {
  type CompileMonitorsOptions,
  compileMonitors,
  type EngineDiagnostic,
  evaluateBlock,
  type MonitorDefinition,
  type StellarContractSpecEntry,
  type StellarEvent,
  type StellarLedger,
  type StellarMonitorMatch,
  type StellarRpcEvent,
} from "../../../../src/engine/index.js";
import { defaultStellarFixturesDir, loadStellarFixtures } from "../../../support/stellar-fixture-rpc.js";

export type Monitor = MonitorDefinition["monitor"];

export const NETWORK = "stellar_testnet";
export const NETWORK_CHAINS = { [NETWORK]: "Stellar" } as const;

const fixtures = loadStellarFixtures();

/** `contract_spec.json`: `transfer(Address,Address,I128)`, `upsert_data(Map<String,String>)`, `increment()`. */
export const SPEC = fixtures.specs.contract_spec as StellarContractSpecEntry[];
/** `contract_spec_with_events.json`: Protocol 23 events `UserAdded`, `MessageEvent`, `DataListEvent`. */
export const SPEC_WITH_EVENTS = fixtures.specs.contract_spec_with_events as StellarContractSpecEntry[];
/** The six addresses of `monitors/monitor.json`. */
export const MONITOR_ADDRESSES = fixtures.monitorAddresses;

export const USDC_SAC = "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA";
export const UPSERT_CONTRACT = "CBWRWC2IFNRXKAW2HG5473V5U25OMUKVIE3BFZBIWOOD3VLEIBUIOQG6";
export const COUNTER_CONTRACT = "CDMZ6LU66KEMLKI3EJBIGXTZ4KZ2CRTSHZETMY3QQZBWRKVKB5EIOHTX";
export const ORACLE_CONTRACT = "CAVLP5DH2GJPZMVO7IJY4CVOD5MWEFTJFVPD2YY2FQXOQHRGHK4D6HLP";
export const POOL_CONTRACT = "CAJJZSGMMM3PD7N33TAPHGBUGTB43OC73HVIK2L2G6BNGGGYOSSYBXBD";
export const CALLER_CONTRACT = "CC5WP4L2CXUBZXZY3ZHK2XURV4H7VS6GKYF7K7WIHQSMEUDJYQ2E5TLK";

export const TX_TRANSFER = "2c89fc3311bc275415ed6a764c77d7b0349cb9f4ce37fd2bbfc6604920811503";
export const TX_SPONSORSHIP = "2c89fc3311bc275415ed6a764c77d7b0349cb9f4ce37fd2bbfc6604920811501";
export const TX_UPSERT = "FAKE5a3a9153e19002517935a5df291b81a341b98ccd80f0919d78cea5ed29d8";
export const TX_INCREMENT = "80fec04b989895a4222d9985fbf153d253e3e2cbc1da45ef414db96a277b99be";
export const TX_SUBMIT_PREFIX = "e5472ed0";
export const TX_SET_PRICE_PREFIX = "77b923f3";
export const FROM_ACCOUNT = "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY";

/** Ledger 172627 with all fixture transactions and events (OZ's fake serves them for any ledger). */
export function fixtureLedger(events: readonly StellarRpcEvent[] = fixtures.events): StellarLedger {
  const [ledger] = fixtures.ledgers;
  if (!ledger) throw new Error("no fixture ledger");
  return assembleStellarLedger(ledger, fixtures.transactions, events, { strict: false });
}

export const LEDGER = fixtureLedger();

export function txHash(prefix: string): string {
  const tx = LEDGER.transactions.find((candidate) => candidate.hash.startsWith(prefix));
  if (!tx) throw new Error(`no fixture transaction ${prefix}`);
  return tx.hash;
}

/** `monitors/monitor.json` as the config module outputs it. */
export function loadStellarMonitor(): Monitor {
  const raw: unknown = JSON.parse(readFileSync(path.join(defaultStellarFixturesDir, "monitors/monitor.json"), "utf8"));
  const parsed = parseMonitor(raw, { file: "monitor.json", checkScripts: false, env: {} });
  if (!parsed.ok) throw new Error(`fixture monitor does not parse: ${JSON.stringify(parsed.problems)}`);
  return parsed.value;
}

type Conditions = Partial<Monitor["match_conditions"]>;
type AddressInput = string | { address: string; contract_spec?: unknown };

/** A Stellar monitor on `NETWORK` with the given addresses and conditions (lists default to empty). */
export function stellarMonitor(addresses: readonly AddressInput[], conditions: Conditions = {}, name = "m"): Monitor {
  const raw = {
    name,
    paused: false,
    networks: [NETWORK],
    addresses: addresses.map((entry) => (typeof entry === "string" ? { address: entry } : entry)),
    match_conditions: { functions: [], events: [], transactions: [], ...conditions },
    trigger_conditions: [],
    triggers: [],
  };
  const parsed = parseMonitor(raw, { file: `${name}.json`, checkScripts: false, env: {} });
  if (!parsed.ok) throw new Error(`monitor does not parse: ${JSON.stringify(parsed.problems)}`);
  return parsed.value;
}

let nextId = 0;
export function define(monitor: Monitor, id = `stellar-${++nextId}`): MonitorDefinition {
  return { id, tenantId: "tenant-1", version: 1, monitor };
}

/** `SPEC` for every given contract, as a caller would pass what `fetchContractSpec` returned. */
export function fetchedSpecs(
  contracts: readonly string[],
  spec: StellarContractSpecEntry[] = SPEC,
): NonNullable<CompileMonitorsOptions["stellarContractSpecs"]> {
  return { [NETWORK]: new Map(contracts.map((contract) => [contract, spec])) };
}

export interface RunResult {
  matches: StellarMonitorMatch[];
  diagnostics: EngineDiagnostic[];
  compileDiagnostics: EngineDiagnostic[];
}

export function run(
  monitors: readonly (Monitor | MonitorDefinition)[],
  options: { specs?: CompileMonitorsOptions["stellarContractSpecs"]; ledger?: StellarLedger } = {},
): RunResult {
  const definitions = monitors.map((m) => ("monitor" in m && "id" in m ? m : define(m as Monitor)));
  const { compiled, diagnostics: compileDiagnostics } = compileMonitors(definitions, {
    networkChains: NETWORK_CHAINS,
    stellarContractSpecs: options.specs,
  });
  const { matches, diagnostics } = evaluateBlock(compiled, NETWORK, options.ledger ?? LEDGER);
  return { matches, diagnostics, compileDiagnostics };
}

export function hashes(matches: readonly StellarMonitorMatch[]): string[] {
  return matches.map((match) => match.transactionHash);
}

// ---------------------------------------------------------------------------------------------------------------
// Synthetic contract events (Protocol 23 event specs have no recorded fixture event).

export function symbol(value: string): xdr.ScVal {
  return xdr.ScVal.scvSymbol(value);
}

export function string(value: string): xdr.ScVal {
  return xdr.ScVal.scvString(value);
}

export function u32(value: number): xdr.ScVal {
  return xdr.ScVal.scvU32(value);
}

export function vec(items: xdr.ScVal[]): xdr.ScVal {
  return xdr.ScVal.scvVec(items);
}

export function map(entries: Array<[string, xdr.ScVal]>): xdr.ScVal {
  return xdr.ScVal.scvMap(entries.map(([key, val]) => new xdr.ScMapEntry({ key: symbol(key), val })));
}

/** A `getEvents` entry of `contractId` in `txHash` with these topics and value. */
export function rpcEvent(
  contractId: string,
  txHashValue: string,
  topics: xdr.ScVal[],
  value: xdr.ScVal,
  index = 0,
): StellarRpcEvent {
  return {
    type: "contract",
    ledger: 172627,
    ledgerClosedAt: "2025-01-01T00:00:00Z",
    contractId,
    id: `0000741424189841408-${String(index).padStart(10, "0")}`,
    pagingToken: `0000741424189841408-${String(index).padStart(10, "0")}`,
    inSuccessfulContractCall: true,
    txHash: txHashValue,
    topic: topics.map((topic) => topic.toXDR("base64")),
    value: value.toXDR("base64"),
  };
}

export function decodedEvent(event: StellarRpcEvent): StellarEvent {
  return decodeStellarEvent(event);
}
