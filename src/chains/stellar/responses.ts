import type { StellarRpcEvent, StellarRpcLedger, StellarRpcTransaction } from "../../engine/stellar-ledger.js";
import type { ErrorPath } from "../../errors/index.js";
import { StellarMalformedResponseError } from "./errors.js";

/**
 * Shape checks for Stellar-RPC results (stellar-rpc v22/v23 JSON). Fields the client reads are checked; everything
 * else is kept as received (entries are shallow copies of what arrived).
 */

export interface GetNetworkResult {
  passphrase: string;
  protocolVersion: number;
  friendbotUrl?: string;
}

export interface GetLatestLedgerResult {
  /** Hash of the latest ledger (hex). */
  id: string;
  protocolVersion: number;
  sequence: number;
}

export interface GetLedgersResult {
  ledgers: StellarRpcLedger[];
  latestLedger: number;
  latestLedgerCloseTime: number;
  oldestLedger: number;
  oldestLedgerCloseTime: number;
  /** Absent when the RPC sent none (or an empty string). */
  cursor: string | undefined;
}

export interface GetTransactionsResult {
  transactions: StellarRpcTransaction[];
  latestLedger: number;
  latestLedgerCloseTimestamp: number;
  oldestLedger: number;
  oldestLedgerCloseTimestamp: number;
  cursor: string | undefined;
}

export interface GetEventsResult {
  events: StellarRpcEvent[];
  latestLedger: number;
  /** Not sent by older RPC versions. */
  oldestLedger: number | undefined;
  cursor: string | undefined;
}

export interface StellarLedgerEntryResult {
  /** Base64 `LedgerKey` XDR. */
  key: string;
  /** Base64 `LedgerEntryData` XDR. */
  xdr: string;
  lastModifiedLedgerSeq: number;
  liveUntilLedgerSeq?: number;
  [field: string]: unknown;
}

export interface GetLedgerEntriesResult {
  entries: StellarLedgerEntryResult[];
  latestLedger: number;
}

type Json = Record<string, unknown>;

class Checker {
  constructor(readonly method: string) {}

  fail(detail: string, path: ErrorPath): never {
    throw new StellarMalformedResponseError(this.method, detail, path);
  }

  object(value: unknown, path: ErrorPath): Json {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(`expected an object, got ${describe(value)}`, path);
    }
    return value as Json;
  }

  string(object: Json, key: string, path: ErrorPath, nonEmpty = false): string {
    const value = object[key];
    if (typeof value !== "string" || (nonEmpty && value === "")) {
      this.fail(`expected ${nonEmpty ? "a non-empty" : "a"} string, got ${describe(value)}`, [...path, key]);
    }
    return value;
  }

  optionalString(object: Json, key: string, path: ErrorPath): string | undefined {
    const value = object[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") this.fail(`expected a string, got ${describe(value)}`, [...path, key]);
    return value;
  }

  integer(object: Json, key: string, path: ErrorPath, min = 0): number {
    const value = object[key];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      this.fail(`expected a whole number ≥ ${min}, got ${describe(value)}`, [...path, key]);
    }
    return value;
  }

  /** An int64 that Stellar-RPC sends as a number or, for some fields and versions, as a decimal string. */
  timestamp(object: Json, key: string, path: ErrorPath): number {
    const value = object[key];
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
    if (typeof value === "string" && /^\d{1,15}$/.test(value)) return Number(value);
    return this.fail(`expected a Unix time in seconds, got ${describe(value)}`, [...path, key]);
  }

  boolean(object: Json, key: string, path: ErrorPath): boolean {
    const value = object[key];
    if (typeof value !== "boolean") this.fail(`expected a boolean, got ${describe(value)}`, [...path, key]);
    return value;
  }

  /** An array member; `null` (Go's nil slice) reads as empty, an absent member is malformed. */
  list(object: Json, key: string, path: ErrorPath): unknown[] {
    const value = object[key];
    if (value === null) return [];
    if (!Array.isArray(value)) this.fail(`expected an array, got ${describe(value)}`, [...path, key]);
    return value;
  }

  cursor(object: Json, path: ErrorPath): string | undefined {
    const value = object.cursor;
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") this.fail(`expected a string cursor, got ${describe(value)}`, [...path, "cursor"]);
    return value;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return value.length > 40 ? `a string ("${value.slice(0, 40)}…")` : JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

const HASH = /^[0-9a-fA-F]{64}$/;

/** @internal */
export function parseGetNetwork(result: unknown): GetNetworkResult {
  const c = new Checker("getNetwork");
  const object = c.object(result, []);
  const friendbotUrl = c.optionalString(object, "friendbotUrl", []);
  return {
    passphrase: c.string(object, "passphrase", [], true),
    protocolVersion: c.integer(object, "protocolVersion", []),
    ...(friendbotUrl === undefined ? {} : { friendbotUrl }),
  };
}

/** @internal */
export function parseGetLatestLedger(result: unknown): GetLatestLedgerResult {
  const c = new Checker("getLatestLedger");
  const object = c.object(result, []);
  return {
    id: c.string(object, "id", [], true),
    protocolVersion: c.integer(object, "protocolVersion", []),
    sequence: c.integer(object, "sequence", [], 1),
  };
}

function parseLedgerEntry(c: Checker, value: unknown, path: ErrorPath): StellarRpcLedger {
  const object = c.object(value, path);
  const hash = c.string(object, "hash", path);
  if (!HASH.test(hash)) c.fail(`expected a 32-byte hex hash, got ${describe(hash)}`, [...path, "hash"]);
  c.integer(object, "sequence", path, 1);
  c.timestamp(object, "ledgerCloseTime", path);
  c.string(object, "headerXdr", path, true);
  c.string(object, "metadataXdr", path);
  return { ...object } as StellarRpcLedger;
}

/** @internal */
export function parseGetLedgers(result: unknown): GetLedgersResult {
  const c = new Checker("getLedgers");
  const object = c.object(result, []);
  return {
    ledgers: c.list(object, "ledgers", []).map((entry, i) => parseLedgerEntry(c, entry, ["ledgers", i])),
    latestLedger: c.integer(object, "latestLedger", []),
    latestLedgerCloseTime: c.timestamp(object, "latestLedgerCloseTime", []),
    oldestLedger: c.integer(object, "oldestLedger", []),
    oldestLedgerCloseTime: c.timestamp(object, "oldestLedgerCloseTime", []),
    cursor: c.cursor(object, []),
  };
}

function parseTransaction(c: Checker, value: unknown, path: ErrorPath): StellarRpcTransaction {
  const object = c.object(value, path);
  c.string(object, "status", path, true);
  c.string(object, "txHash", path, true);
  c.integer(object, "applicationOrder", path);
  c.boolean(object, "feeBump", path);
  c.string(object, "envelopeXdr", path, true);
  c.string(object, "resultXdr", path, true);
  c.string(object, "resultMetaXdr", path, true);
  c.integer(object, "ledger", path, 1);
  c.timestamp(object, "createdAt", path);
  return { ...object } as StellarRpcTransaction;
}

/** @internal */
export function parseGetTransactions(result: unknown): GetTransactionsResult {
  const c = new Checker("getTransactions");
  const object = c.object(result, []);
  return {
    transactions: c.list(object, "transactions", []).map((entry, i) => parseTransaction(c, entry, ["transactions", i])),
    latestLedger: c.integer(object, "latestLedger", []),
    latestLedgerCloseTimestamp: c.timestamp(object, "latestLedgerCloseTimestamp", []),
    oldestLedger: c.integer(object, "oldestLedger", []),
    oldestLedgerCloseTimestamp: c.timestamp(object, "oldestLedgerCloseTimestamp", []),
    cursor: c.cursor(object, []),
  };
}

function parseEvent(c: Checker, value: unknown, path: ErrorPath): StellarRpcEvent {
  const object = c.object(value, path);
  c.string(object, "type", path, true);
  c.integer(object, "ledger", path, 1);
  c.string(object, "contractId", path);
  c.string(object, "id", path, true);
  c.string(object, "txHash", path, true);
  c.string(object, "value", path, true);
  const topic = object.topic === undefined ? [] : c.list(object, "topic", path);
  topic.forEach((item, j) => {
    if (typeof item !== "string") c.fail(`expected a base64 string, got ${describe(item)}`, [...path, "topic", j]);
  });
  if (object.inSuccessfulContractCall !== undefined) c.boolean(object, "inSuccessfulContractCall", path);
  return { ...object, topic: topic as string[] } as StellarRpcEvent;
}

/** @internal */
export function parseGetEvents(result: unknown): GetEventsResult {
  const c = new Checker("getEvents");
  const object = c.object(result, []);
  return {
    events: c.list(object, "events", []).map((entry, i) => parseEvent(c, entry, ["events", i])),
    latestLedger: c.integer(object, "latestLedger", []),
    oldestLedger: object.oldestLedger === undefined ? undefined : c.integer(object, "oldestLedger", []),
    cursor: c.cursor(object, []),
  };
}

/** @internal */
export function parseGetLedgerEntries(result: unknown): GetLedgerEntriesResult {
  const c = new Checker("getLedgerEntries");
  const object = c.object(result, []);
  const entries = object.entries === undefined ? [] : c.list(object, "entries", []);
  return {
    entries: entries.map((value, i) => {
      const path = ["entries", i];
      const entry = c.object(value, path);
      c.string(entry, "key", path, true);
      c.string(entry, "xdr", path, true);
      c.integer(entry, "lastModifiedLedgerSeq", path);
      if (entry.liveUntilLedgerSeq !== undefined) c.integer(entry, "liveUntilLedgerSeq", path);
      return { ...entry } as StellarLedgerEntryResult;
    }),
    latestLedger: c.integer(object, "latestLedger", []),
  };
}
