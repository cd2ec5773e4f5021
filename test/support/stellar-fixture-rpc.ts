import { createHash } from "node:crypto";
import path from "node:path";
import { StrKey, xdr } from "@stellar/stellar-sdk";
import {
  buildContractSpecWasm,
  contractCodeLedgerKey,
  contractInstanceLedgerKey,
  xdrFromJson,
} from "../../src/chains/stellar/index.js";
import type {
  StellarContractSpecEntry,
  StellarRpcEvent,
  StellarRpcLedger,
  StellarRpcTransaction,
} from "../../src/engine/stellar-ledger.js";
import {
  type FaultScope,
  type FixtureCall,
  type FixtureFault,
  type FixtureHttpRequest,
  type JsonRpcCall,
  JsonRpcErrorValue,
  type JsonRpcServer,
  ozFixturesDir,
  readFixtureJson,
  startJsonRpcServer,
} from "./jsonrpc-server.js";

/**
 * A real HTTP JSON-RPC server on 127.0.0.1 that speaks Stellar-RPC (stellar-rpc v22/v23 response shapes) and serves
 * OZ's recorded Stellar fixtures plus ledgers, transactions and events given in memory.
 *
 * Faithful mode (default) behaves like a Stellar-RPC node with a retention window:
 * - `getLedgers {startLedger | pagination.cursor, pagination.limit ≤ 200}`: ledgers by sequence; the cursor is the
 *   last sequence returned. Sequences in the window without recorded data get a synthetic ledger (valid header and
 *   close-meta XDR), as a real node has every ledger of its window.
 * - `getTransactions` (limit ≤ 200): transactions ordered by TOID (`ledger << 32 | applicationOrder << 12`); the
 *   cursor is the TOID of the last one returned, `"0"` when nothing was found (as stellar-rpc does).
 * - `getEvents` (limit ≤ 10,000, `filters` by type / contractIds): events by id; each page scans at most
 *   `eventScanWindow` ledgers, so a page can be empty and still end with an advanced cursor (OZ #265).
 * - `getLatestLedger`, `getNetwork`, `getLedgerEntries` (contract instance + code entries built from JSON specs: the
 *   spec is encoded to XDR and wrapped in a minimal WASM module with a `contractspecv0` section).
 * - A ledger outside `[oldestLedger, latestLedger]` gets JSON-RPC error -32600 with stellar-rpc's messages; a
 *   `startLedger` together with a cursor, or a limit over the cap, too.
 *
 * Conformance mode is OZ's fake of conformance-public.md §0: `getTransactions` returns all fixture transactions and
 * `getEvents` all fixture events, verbatim and regardless of their `ledger`, for any start ledger (cursors are list
 * indexes; a page after the last one is empty with the same cursor).
 *
 * Envelopes, batches, request logs and faults are jsonrpc-server.ts's.
 */

/** The faults of jsonrpc-server.ts but `reset`. */
export type StellarFixtureFault = Exclude<FixtureFault, { kind: "reset" }>;
export type StellarFaultScope = FaultScope;
export type StellarFixtureCall = FixtureCall;
export type StellarFixtureHttpRequest = FixtureHttpRequest<StellarFixtureFault>;

export interface StellarFixtureData {
  /** `getLedgers` entries, tagged (`{"Stellar": …}`, as in blocks.json) or not. */
  ledgers?: ReadonlyArray<StellarRpcLedger | { Stellar: StellarRpcLedger }>;
  transactions?: readonly StellarRpcTransaction[];
  events?: readonly StellarRpcEvent[];
  /** Specs served through `getLedgerEntries`, by contract id. */
  contractSpecs?: Readonly<Record<string, readonly StellarContractSpecEntry[]>>;
  /** Contracts served as Stellar Asset Contracts (instance without WASM). */
  stellarAssetContracts?: readonly string[];
}

export interface StellarFixtureRpcOptions extends StellarFixtureData {
  /** Directory with blocks.json, transactions.json, events.json, contract_specs/. @default <repo>/../shared/fixtures/oz/stellar */
  fixturesDir?: string;
  /**
   * Load the OZ fixtures, and serve `contract_specs/contract_spec.json` for the six addresses of
   * `monitors/monitor.json` (as OZ's EX-ST-01 mock does) unless `contractSpecs` is given. @default true
   */
  loadFixtures?: boolean;
  /** @default "faithful" */
  mode?: "faithful" | "conformance";
  /** Most items the server puts in one page, below the client's limit, to force cursor paging. */
  pageSize?: Partial<{ ledgers: number; transactions: number; events: number }>;
  /** Empty pages (with an advancing cursor) served at the start of each paged read (faithful mode). */
  emptyPages?: Partial<{ transactions: number; events: number }>;
  /** Ledgers one `getEvents` page scans. @default 10_000 */
  eventScanWindow?: number;
  /** The retention window; defaults to the lowest and highest sequence in the data. */
  retention?: { oldestLedger?: number; latestLedger?: number };
  /** @default "Test SDF Network ; September 2015" */
  passphrase?: string;
  /** @default 22 */
  protocolVersion?: number;
  /** @default "https://friendbot.stellar.org/" */
  friendbotUrl?: string | null;
}

export type StellarResultTransform = (method: string, result: unknown, params: unknown) => unknown;

export interface StellarFixtureRpc extends JsonRpcServer<StellarFixtureFault> {
  /** The current retention window. */
  readonly window: { oldestLedger: number; latestLedger: number };
  /** Serves more data from now on (the retention window grows to cover it unless set explicitly). */
  addData(data: StellarFixtureData): void;
  setRetention(window: { oldestLedger?: number; latestLedger?: number }): void;
  /** Rewrites successful results before they are sent (corrupt a field, drop a cursor…); `undefined` removes it. */
  setTransform(transform: StellarResultTransform | undefined): void;
  /** The requests of one method, with their params. */
  callsOf(method: string): unknown[];
}

export const defaultStellarFixturesDir = ozFixturesDir("stellar");

export interface StellarFixtures {
  ledgers: StellarRpcLedger[];
  transactions: StellarRpcTransaction[];
  events: StellarRpcEvent[];
  /** contract_specs/*.json by file stem (`contract_spec`, `contract_spec_with_events`). */
  specs: Record<string, StellarContractSpecEntry[]>;
  /** The addresses of monitors/monitor.json. */
  monitorAddresses: string[];
}

/** Loads OZ's Stellar fixtures (ledgers untagged, everything else verbatim). */
export function loadStellarFixtures(dir: string = defaultStellarFixturesDir): StellarFixtures {
  const tagged = readFixtureJson(path.join(dir, "blocks.json")) as Array<{ Stellar: StellarRpcLedger }>;
  const monitor = readFixtureJson(path.join(dir, "monitors/monitor.json")) as { addresses: Array<{ address: string }> };
  return {
    ledgers: tagged.map((entry) => entry.Stellar),
    transactions: readFixtureJson(path.join(dir, "transactions.json")) as StellarRpcTransaction[],
    events: readFixtureJson(path.join(dir, "events.json")) as StellarRpcEvent[],
    specs: {
      contract_spec: readFixtureJson(path.join(dir, "contract_specs/contract_spec.json")) as StellarContractSpecEntry[],
      contract_spec_with_events: readFixtureJson(
        path.join(dir, "contract_specs/contract_spec_with_events.json"),
      ) as StellarContractSpecEntry[],
    },
    monitorAddresses: monitor.addresses.map((a) => a.address),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// TOIDs and ids, as stellar-rpc forms them.

/** `ledger << 32 | tx << 12 | op`. */
export function toid(ledger: number, txOrder: number, opIndex = 0): bigint {
  return (BigInt(ledger) << 32n) | (BigInt(txOrder) << 12n) | BigInt(opIndex);
}

const EVENT_INDEX_SPACE = 10_000_000_000n;

/** Event id `<19-digit TOID>-<10-digit index>`. */
export function stellarEventId(eventToid: bigint, index: number): string {
  return `${eventToid.toString().padStart(19, "0")}-${String(index).padStart(10, "0")}`;
}

function eventKey(id: string): bigint | undefined {
  const match = /^(\d+)-(\d+)$/.exec(id);
  return match ? BigInt(match[1] as string) * EVENT_INDEX_SPACE + BigInt(match[2] as string) : undefined;
}

function eventIdOfKey(key: bigint): string {
  return stellarEventId(key / EVENT_INDEX_SPACE, Number(key % EVENT_INDEX_SPACE));
}

// ---------------------------------------------------------------------------------------------------------------
// Synthetic chain data with real XDR.

function sha256(seed: string): Buffer {
  return createHash("sha256").update(seed).digest();
}

/** A deterministic account id (`G…`) derived from `seed`. */
export function fakeAccount(seed: string): string {
  return StrKey.encodeEd25519PublicKey(sha256(`account:${seed}`));
}

/** A deterministic contract id (`C…`) derived from `seed`. */
export function fakeContract(seed: string): string {
  return StrKey.encodeContract(sha256(`contract:${seed}`));
}

function b64(type: unknown, json: unknown): string {
  return (xdrFromJson(type, json) as { toXDR(format: "base64"): string }).toXDR("base64");
}

function headerJson(sequence: number, closeTime: number, previousHash: string): Record<string, unknown> {
  const zero = "00".repeat(32);
  return {
    ledger_version: 22,
    previous_ledger_hash: previousHash,
    scp_value: { tx_set_hash: zero, close_time: String(closeTime), upgrades: [], ext: "basic" },
    tx_set_result_hash: zero,
    bucket_list_hash: zero,
    ledger_seq: sequence,
    total_coins: "1000000000000000000",
    fee_pool: "0",
    inflation_seq: 0,
    id_pool: "0",
    base_fee: 100,
    base_reserve: 5000000,
    max_tx_set_size: 1000,
    skip_list: [zero, zero, zero, zero],
    ext: "v0",
  };
}

/** A `getLedgers` entry with a valid `LedgerHeaderHistoryEntry` header and an empty `LedgerCloseMeta` v0. */
export function buildSyntheticLedgerEntry(
  sequence: number,
  closeTime = 1_700_000_000 + sequence * 5,
): StellarRpcLedger {
  const hash = sha256(`ledger:${sequence}`).toString("hex");
  const previousHash = sha256(`ledger:${sequence - 1}`).toString("hex");
  const header = { hash, header: headerJson(sequence, closeTime, previousHash), ext: "v0" };
  return {
    hash,
    sequence,
    ledgerCloseTime: String(closeTime),
    headerXdr: b64(xdr.LedgerHeaderHistoryEntry, header),
    metadataXdr: b64(xdr.LedgerCloseMeta, {
      v0: {
        ledger_header: header,
        tx_set: { previous_ledger_hash: previousHash, txes: [] },
        tx_processing: [],
        upgrades_processing: [],
        scp_info: [],
      },
    }),
  };
}

export interface SyntheticStellarLedgerOptions {
  sequence: number;
  txCount: number;
  /** Application orders (1-based) of failed transactions. */
  failed?: readonly number[];
  /** Contract invoked by odd transactions (SEP-41 `transfer`, with a `transfer` event). */
  contractId?: string;
  closeTime?: number;
}

/**
 * A consistent ledger with real XDR: even transactions are native payments, odd ones invoke
 * `transfer(Address, Address, I128)` on `contractId` and emit a SEP-41 `transfer` event (unless failed).
 */
export function buildSyntheticStellarLedger(options: SyntheticStellarLedgerOptions): {
  ledger: StellarRpcLedger;
  transactions: StellarRpcTransaction[];
  events: StellarRpcEvent[];
} {
  const { sequence, txCount } = options;
  const closeTime = options.closeTime ?? 1_700_000_000 + sequence * 5;
  const contractId = options.contractId ?? fakeContract("token");
  const ledger = buildSyntheticLedgerEntry(sequence, closeTime);
  const transactions: StellarRpcTransaction[] = [];
  const events: StellarRpcEvent[] = [];
  for (let i = 0; i < txCount; i++) {
    const applicationOrder = i + 1;
    const from = fakeAccount(`from:${sequence}:${i}`);
    const to = fakeAccount(`to:${i % 7}`);
    const amount = String(1000 + i);
    const failed = options.failed?.includes(applicationOrder) ?? false;
    const invoke = i % 2 === 1;
    const body = invoke
      ? {
          invoke_host_function: {
            host_function: {
              invoke_contract: {
                contract_address: contractId,
                function_name: "transfer",
                args: [{ address: from }, { address: to }, { i128: amount }],
              },
            },
            auth: [],
          },
        }
      : { payment: { destination: to, asset: "native", amount } };
    const envelopeXdr = b64(xdr.TransactionEnvelope, {
      tx: {
        tx: {
          source_account: from,
          fee: 100,
          seq_num: String(sequence * 1000 + i),
          cond: "none",
          memo: "none",
          operations: [{ source_account: null, body }],
          ext: "v0",
        },
        signatures: [],
      },
    });
    const opResult = invoke
      ? { inner: { invoke_host_function: failed ? "trapped" : { success: sha256(`rv:${i}`).toString("hex") } } }
      : { inner: { payment: failed ? "underfunded" : "success" } };
    const txHash = sha256(`tx:${sequence}:${i}`).toString("hex");
    transactions.push({
      status: failed ? "FAILED" : "SUCCESS",
      txHash,
      applicationOrder,
      feeBump: false,
      envelopeXdr,
      resultXdr: b64(xdr.TransactionResult, {
        fee_charged: "100",
        result: { [failed ? "failed" : "success"]: [opResult] },
        ext: "v0",
      }),
      resultMetaXdr: b64(xdr.TransactionMeta, {
        v3: { ext: "v0", tx_changes_before: [], operations: [], tx_changes_after: [], soroban_meta: null },
      }),
      ledger: sequence,
      createdAt: closeTime,
    });
    if (invoke && !failed) {
      const id = stellarEventId(toid(sequence, applicationOrder, 0), 1);
      events.push({
        type: "contract",
        ledger: sequence,
        ledgerClosedAt: new Date(closeTime * 1000).toISOString().replace(".000Z", "Z"),
        contractId,
        id,
        pagingToken: id,
        inSuccessfulContractCall: true,
        txHash,
        topic: [
          b64(xdr.ScVal, { symbol: "transfer" }),
          b64(xdr.ScVal, { address: from }),
          b64(xdr.ScVal, { address: to }),
          b64(xdr.ScVal, { string: `USDC:${fakeAccount("issuer")}` }),
        ],
        value: b64(xdr.ScVal, { i128: amount }),
      });
    }
  }
  return { ledger, transactions, events };
}

// ---------------------------------------------------------------------------------------------------------------

const LEDGERS_CAP = 200;
const TRANSACTIONS_CAP = 200;
const EVENTS_CAP = 10_000;

type Params = Record<string, unknown>;

function paginationOf(params: Params): { cursor: string | undefined; limit: number | undefined } {
  const pagination = params.pagination;
  if (pagination === undefined || pagination === null) return { cursor: undefined, limit: undefined };
  if (typeof pagination !== "object") throw new JsonRpcErrorValue(-32602, "invalid parameters: pagination");
  const { cursor, limit } = pagination as { cursor?: unknown; limit?: unknown };
  if (cursor !== undefined && cursor !== "" && typeof cursor !== "string") {
    throw new JsonRpcErrorValue(-32602, "invalid parameters: pagination.cursor");
  }
  if (limit !== undefined && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0)) {
    throw new JsonRpcErrorValue(-32602, "invalid parameters: pagination.limit");
  }
  return { cursor: cursor === "" ? undefined : (cursor as string | undefined), limit: limit as number | undefined };
}

export async function startStellarFixtureRpc(options: StellarFixtureRpcOptions = {}): Promise<StellarFixtureRpc> {
  const mode = options.mode ?? "faithful";
  const ledgersBySequence = new Map<number, StellarRpcLedger>();
  const transactions: StellarRpcTransaction[] = [];
  const events: StellarRpcEvent[] = [];
  const ledgerEntries = new Map<string, { xdr: string; lastModifiedLedgerSeq: number }>();
  let dataMin = Number.POSITIVE_INFINITY;
  let dataMax = 0;
  let retention: { oldestLedger?: number; latestLedger?: number } = { ...options.retention };
  let transform: StellarResultTransform | undefined;

  const cover = (sequence: number) => {
    dataMin = Math.min(dataMin, sequence);
    dataMax = Math.max(dataMax, sequence);
  };
  const oldest = () => retention.oldestLedger ?? (Number.isFinite(dataMin) ? dataMin : 1);
  const latest = () => retention.latestLedger ?? Math.max(dataMax, oldest());

  const addSpecEntries = (contractId: string, spec: readonly StellarContractSpecEntry[] | undefined) => {
    const contract = { address: contractId };
    const executable =
      spec === undefined
        ? "stellar_asset"
        : { wasm: createHash("sha256").update(buildContractSpecWasm(spec)).digest("hex") };
    ledgerEntries.set(contractInstanceLedgerKey(contractId), {
      xdr: b64(xdr.LedgerEntryData, {
        contract_data: {
          ext: "v0",
          contract: contract.address,
          key: "ledger_key_contract_instance",
          durability: "persistent",
          val: { contract_instance: { executable, storage: null } },
        },
      }),
      lastModifiedLedgerSeq: oldest(),
    });
    if (spec !== undefined) {
      const wasm = buildContractSpecWasm(spec);
      const hash = createHash("sha256").update(wasm).digest();
      ledgerEntries.set(contractCodeLedgerKey(hash), {
        xdr: b64(xdr.LedgerEntryData, {
          contract_code: { ext: "v0", hash: hash.toString("hex"), code: wasm.toString("hex") },
        }),
        lastModifiedLedgerSeq: oldest(),
      });
    }
  };

  const addData = (data: StellarFixtureData): void => {
    for (const entry of data.ledgers ?? []) {
      const ledger = (entry as { Stellar?: StellarRpcLedger }).Stellar ?? (entry as StellarRpcLedger);
      ledgersBySequence.set(ledger.sequence, ledger);
      cover(ledger.sequence);
    }
    for (const tx of data.transactions ?? []) {
      transactions.push(tx);
      cover(tx.ledger);
    }
    for (const event of data.events ?? []) {
      events.push(event);
      cover(event.ledger);
    }
    if (mode === "faithful") {
      transactions.sort((a, b) => Number(toid(a.ledger, a.applicationOrder) - toid(b.ledger, b.applicationOrder)));
      events.sort((a, b) => Number((eventKey(a.id) ?? 0n) - (eventKey(b.id) ?? 0n)));
    }
    for (const [contractId, spec] of Object.entries(data.contractSpecs ?? {})) addSpecEntries(contractId, spec);
    for (const contractId of data.stellarAssetContracts ?? []) addSpecEntries(contractId, undefined);
  };

  if (options.loadFixtures !== false) {
    const fixtures = loadStellarFixtures(options.fixturesDir ?? defaultStellarFixturesDir);
    addData({
      ledgers: fixtures.ledgers,
      transactions: fixtures.transactions,
      events: fixtures.events,
      contractSpecs:
        options.contractSpecs === undefined
          ? Object.fromEntries(fixtures.monitorAddresses.map((a) => [a, fixtures.specs.contract_spec ?? []]))
          : {},
    });
  }
  addData(options);

  const pageSize = options.pageSize ?? {};
  const emptyPages = options.emptyPages ?? {};
  const emptyLeft = { transactions: 0, events: 0 };
  const scanWindow = options.eventScanWindow ?? 10_000;
  const protocolVersion = options.protocolVersion ?? 22;

  const ledgerAt = (sequence: number): StellarRpcLedger =>
    ledgersBySequence.get(sequence) ?? buildSyntheticLedgerEntry(sequence);
  const closeTimeOf = (sequence: number): number => Number(ledgerAt(sequence).ledgerCloseTime);

  const checkLimit = (limit: number | undefined, cap: number) => {
    if (limit !== undefined && limit > cap) throw new JsonRpcErrorValue(-32600, `limit must not exceed ${cap}`);
  };
  /** Stellar-RPC's default page sizes when the request names none: 5 ledgers, 10 transactions, 100 events. */
  const take = (limit: number | undefined, fallback: number, serverCap: number | undefined) =>
    Math.min(limit === undefined || limit === 0 ? fallback : limit, serverCap ?? Number.POSITIVE_INFINITY);
  /** A cursor into a ledger the window no longer holds: the data it points at is gone. */
  const checkCursorLedger = (ledger: number, message: (o: number, l: number) => string) => {
    if (ledger < oldest()) throw new JsonRpcErrorValue(-32600, message(oldest(), latest()));
  };

  const getLedgers = (params: Params) => {
    const { cursor, limit } = paginationOf(params);
    checkLimit(limit, LEDGERS_CAP);
    const startLedger = params.startLedger;
    if (cursor !== undefined && startLedger !== undefined && startLedger !== 0) {
      throw new JsonRpcErrorValue(-32600, "startLedger and cursor cannot both be set");
    }
    let start: number;
    if (cursor !== undefined) {
      if (!/^\d+$/.test(cursor)) throw new JsonRpcErrorValue(-32600, `invalid cursor ${JSON.stringify(cursor)}`);
      start = Number(cursor) + 1;
    } else {
      start = typeof startLedger === "number" ? startLedger : 0;
      if (start < oldest() || start > latest()) {
        throw new JsonRpcErrorValue(
          -32600,
          `startLedger must be between the oldest ledger: ${oldest()} and the latest ledger: ${latest()} for this rpc instance.`,
        );
      }
    }
    if (cursor !== undefined) {
      checkCursorLedger(
        start,
        (o, l) =>
          `startLedger must be between the oldest ledger: ${o} and the latest ledger: ${l} for this rpc instance.`,
      );
    }
    const count = take(limit, 5, pageSize.ledgers);
    const ledgers: StellarRpcLedger[] = [];
    for (let sequence = Math.max(start, oldest()); sequence <= latest() && ledgers.length < count; sequence++) {
      ledgers.push(ledgerAt(sequence));
    }
    return {
      ledgers,
      latestLedger: latest(),
      latestLedgerCloseTime: closeTimeOf(latest()),
      oldestLedger: oldest(),
      oldestLedgerCloseTime: closeTimeOf(oldest()),
      cursor:
        ledgers.length > 0 ? String((ledgers.at(-1) as StellarRpcLedger).sequence) : (cursor ?? String(start - 1)),
    };
  };

  const checkStart = (params: Params, cursor: string | undefined, message: (o: number, l: number) => string) => {
    const startLedger = params.startLedger;
    if (cursor !== undefined) {
      if (startLedger !== undefined && startLedger !== 0) {
        throw new JsonRpcErrorValue(-32600, "startLedger and cursor cannot both be set");
      }
      return undefined;
    }
    const start = typeof startLedger === "number" ? startLedger : 0;
    if (start < oldest() || start > latest()) throw new JsonRpcErrorValue(-32600, message(oldest(), latest()));
    return start;
  };

  const getTransactions = (params: Params) => {
    const { cursor, limit } = paginationOf(params);
    checkLimit(limit, TRANSACTIONS_CAP);
    const start = checkStart(
      params,
      cursor,
      (o, l) =>
        `start ledger must be between the oldest ledger: ${o} and the latest ledger: ${l} for this rpc instance`,
    );
    const window = {
      latestLedger: latest(),
      latestLedgerCloseTimestamp: closeTimeOf(latest()),
      oldestLedger: oldest(),
      oldestLedgerCloseTimestamp: closeTimeOf(oldest()),
    };
    const count = take(limit, 10, pageSize.transactions);
    if (mode === "conformance") {
      const from = cursor === undefined ? 0 : Number(cursor);
      const page = transactions.slice(from, from + count);
      return { transactions: page, ...window, cursor: String(from + page.length) };
    }
    if (cursor !== undefined && !/^\d+$/.test(cursor)) throw new JsonRpcErrorValue(-32600, "invalid cursor");
    const after = start !== undefined ? toid(start, 0) : BigInt(cursor as string);
    if (start === undefined) {
      checkCursorLedger(
        Number(after >> 32n),
        (o, l) =>
          `start ledger must be between the oldest ledger: ${o} and the latest ledger: ${l} for this rpc instance`,
      );
    }
    if (start !== undefined) emptyLeft.transactions = emptyPages.transactions ?? 0;
    const rest = transactions.filter(
      (tx) => toid(tx.ledger, tx.applicationOrder) > after && tx.ledger >= oldest() && tx.ledger <= latest(),
    );
    const next = rest[0];
    if (emptyLeft.transactions > 0 && (next === undefined || toid(next.ledger, next.applicationOrder) > after + 1n)) {
      emptyLeft.transactions--;
      return { transactions: [], ...window, cursor: String(after + 1n) };
    }
    const page = rest.slice(0, count);
    const last = page.at(-1);
    return {
      transactions: page,
      ...window,
      cursor: last === undefined ? "0" : String(toid(last.ledger, last.applicationOrder)),
    };
  };

  const matchesFilters = (event: StellarRpcEvent, filters: unknown): boolean => {
    if (!Array.isArray(filters) || filters.length === 0) return true;
    return filters.some((filter) => {
      const f = filter as { type?: unknown; contractIds?: unknown };
      if (typeof f.type === "string" && f.type !== event.type) return false;
      if (Array.isArray(f.contractIds) && f.contractIds.length > 0 && !f.contractIds.includes(event.contractId)) {
        return false;
      }
      return true;
    });
  };

  const getEvents = (params: Params) => {
    const { cursor, limit } = paginationOf(params);
    checkLimit(limit, EVENTS_CAP);
    if (cursor !== undefined && params.endLedger !== undefined) {
      throw new JsonRpcErrorValue(-32600, "ledger ranges and cursor cannot both be set");
    }
    const start = checkStart(params, cursor, (o, l) => `startLedger must be within the ledger range: ${o} - ${l}`);
    const filters = params.filters;
    if (filters !== undefined && (!Array.isArray(filters) || filters.length > 5)) {
      throw new JsonRpcErrorValue(-32602, "filters must be an array of at most 5 filters");
    }
    const window = {
      latestLedger: latest(),
      oldestLedger: oldest(),
      latestLedgerCloseTime: String(closeTimeOf(latest())),
      oldestLedgerCloseTime: String(closeTimeOf(oldest())),
    };
    const count = take(limit, 100, pageSize.events);
    if (mode === "conformance") {
      const from = cursor === undefined ? 0 : Number(cursor);
      const page = events.slice(from, from + count);
      return { events: page, ...window, cursor: String(from + page.length) };
    }
    let after: bigint;
    if (start !== undefined) {
      after = toid(start, 0) * EVENT_INDEX_SPACE - 1n;
      emptyLeft.events = emptyPages.events ?? 0;
    } else {
      const key = eventKey(cursor as string);
      if (key === undefined) throw new JsonRpcErrorValue(-32600, "invalid cursor");
      after = key;
      checkCursorLedger(
        Number((key / EVENT_INDEX_SPACE) >> 32n),
        (o, l) => `startLedger must be within the ledger range: ${o} - ${l}`,
      );
    }
    const scanFrom = Number(((after + 1n) / EVENT_INDEX_SPACE) >> 32n);
    const endLedger = typeof params.endLedger === "number" ? params.endLedger : Number.POSITIVE_INFINITY;
    const scanEnd = Math.min(Math.max(scanFrom, oldest()) + scanWindow, latest() + 1, endLedger);
    const rest = events.filter((event) => {
      const key = eventKey(event.id);
      return key !== undefined && key > after && event.ledger < scanEnd && matchesFilters(event, filters);
    });
    const next = rest[0];
    if (emptyLeft.events > 0 && (next === undefined || (eventKey(next.id) as bigint) > after + 1n)) {
      emptyLeft.events--;
      return { events: [], ...window, cursor: eventIdOfKey(after + 1n) };
    }
    const page = rest.slice(0, count);
    const full = page.length === count && rest.length > count;
    const endCursor = stellarEventId(toid(Math.max(scanEnd, scanFrom), 0), 0);
    return { events: page, ...window, cursor: full ? (page.at(-1) as StellarRpcEvent).id : endCursor };
  };

  const getLedgerEntries = (params: Params) => {
    const keys = params.keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== "string")) {
      throw new JsonRpcErrorValue(-32602, "keys must be a non-empty array of base64 LedgerKey XDR");
    }
    if (keys.length > 200) throw new JsonRpcErrorValue(-32602, "key count (201) exceeds maximum supported (200)");
    const entries = [];
    for (const key of keys as string[]) {
      let canonical: string;
      try {
        canonical = xdr.LedgerKey.fromXDR(key, "base64").toXDR("base64");
      } catch {
        throw new JsonRpcErrorValue(-32602, `cannot unmarshal key value ${key}`);
      }
      const entry = ledgerEntries.get(canonical);
      if (entry) entries.push({ key, ...entry, liveUntilLedgerSeq: latest() + 100_000 });
    }
    return { entries, latestLedger: latest() };
  };

  const dispatch = (method: string, params: Params): unknown => {
    switch (method) {
      case "getNetwork":
        return {
          ...(options.friendbotUrl === null
            ? {}
            : { friendbotUrl: options.friendbotUrl ?? "https://friendbot.stellar.org/" }),
          passphrase: options.passphrase ?? "Test SDF Network ; September 2015",
          protocolVersion,
        };
      case "getLatestLedger":
        return { id: ledgerAt(latest()).hash, protocolVersion, sequence: latest() };
      case "getLedgers":
        return getLedgers(params);
      case "getTransactions":
        return getTransactions(params);
      case "getEvents":
        return getEvents(params);
      case "getLedgerEntries":
        return getLedgerEntries(params);
      default:
        throw new JsonRpcErrorValue(-32601, "method not found");
    }
  };

  const handle = ({ method, params }: JsonRpcCall): unknown => {
    const named = params === undefined || params === null ? {} : params;
    if (typeof named !== "object" || Array.isArray(named)) return new JsonRpcErrorValue(-32602, "invalid parameters");
    const result = dispatch(method, named as Params);
    return transform ? transform(method, result, named) : result;
  };

  const server = await startJsonRpcServer<StellarFixtureFault>({ handle });
  return {
    ...server,
    get window() {
      return { oldestLedger: oldest(), latestLedger: latest() };
    },
    addData,
    setRetention(window) {
      retention = { ...retention, ...window };
    },
    setTransform(next) {
      transform = next;
    },
    callsOf(method) {
      return server.requests.filter((call) => call.method === method).map((call) => call.params);
    },
  };
}
