import type { StellarContractSpecEntry } from "../../engine/stellar-ledger.js";
import type { RpcTransport } from "../rpc/index.js";
import { StellarInvalidArgumentError } from "./errors.js";
import { mapLedgerRangeError } from "./range-error.js";
import {
  type GetEventsResult,
  type GetLatestLedgerResult,
  type GetLedgerEntriesResult,
  type GetLedgersResult,
  type GetNetworkResult,
  type GetTransactionsResult,
  parseGetEvents,
  parseGetLatestLedger,
  parseGetLedgerEntries,
  parseGetLedgers,
  parseGetNetwork,
  parseGetTransactions,
} from "./responses.js";

/**
 * Stellar-RPC wrappers named after the wire (`getLedgers`, `getTransactions`, …). Each takes the client first, sends
 * one JSON-RPC call through the shared `chains/rpc` transport (failover, retries) and returns a checked result.
 * Range errors (`-32600 … must be between the oldest ledger …`) become `StellarOutsideRetentionError` or
 * `StellarLedgerNotFoundError` when the call names a ledger.
 */

/** Largest page each method serves (Stellar-RPC's defaults: 200 ledgers, 200 transactions, 10,000 events). */
export const STELLAR_PAGE_CAPS = Object.freeze({ ledgers: 200, transactions: 200, events: 10_000 });

/** Stellar closes ledgers with deterministic finality: one confirmation is final. */
export const STELLAR_DEFAULT_CONFIRMATIONS = 1;

export interface StellarPageLimits {
  /** @default 200 */
  ledgers: number;
  /** @default 200 */
  transactions: number;
  /** @default 200 (as OZ asks); capped at 10,000 */
  events: number;
}

export interface StellarClient {
  readonly transport: RpcTransport;
  /** Page sizes asked for, already capped by `STELLAR_PAGE_CAPS`. */
  readonly pageLimits: Readonly<StellarPageLimits>;
  /** Pages one paged read may take before it fails with `STELLAR_PAGING_LIMIT`. */
  readonly maxPages: number;
  /**
   * Contract specs fetched from the chain, by contract id. Mutable on purpose: `fetchContractSpec` fills it so each
   * contract's spec is fetched once per client.
   */
  readonly contractSpecs: Map<string, Promise<StellarContractSpecEntry[]>>;
}

export interface StellarClientOptions {
  transport: RpcTransport;
  /** Page sizes; each is capped at `STELLAR_PAGE_CAPS`. */
  pageLimits?: Partial<StellarPageLimits>;
  /** @default 10_000 */
  maxPages?: number;
}

export interface StellarRequestOptions {
  signal?: AbortSignal;
}

function pageLimit(value: number | undefined, fallback: number, cap: number, name: string): number {
  const limit = value ?? fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StellarInvalidArgumentError(`pageLimits.${name} must be a whole number ≥ 1, got ${limit}.`);
  }
  return Math.min(limit, cap);
}

/** Creates a client over a transport. The client holds no connection of its own; close the transport. */
export function createStellarClient(options: StellarClientOptions): StellarClient {
  const maxPages = options.maxPages ?? 10_000;
  if (!Number.isInteger(maxPages) || maxPages < 1) {
    throw new StellarInvalidArgumentError(`maxPages must be a whole number ≥ 1, got ${maxPages}.`);
  }
  return {
    transport: options.transport,
    pageLimits: Object.freeze({
      ledgers: pageLimit(options.pageLimits?.ledgers, 200, STELLAR_PAGE_CAPS.ledgers, "ledgers"),
      transactions: pageLimit(options.pageLimits?.transactions, 200, STELLAR_PAGE_CAPS.transactions, "transactions"),
      events: pageLimit(options.pageLimits?.events, 200, STELLAR_PAGE_CAPS.events, "events"),
    }),
    maxPages,
    contractSpecs: new Map(),
  };
}

/** @internal Checks that `value` is a ledger sequence (u32, ≥ 1). */
export function assertLedgerSequence(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 0xffffffff) {
    throw new StellarInvalidArgumentError(
      `${name} must be a ledger sequence (a whole number from 1 to 2^32-1), got ${value}.`,
    );
  }
}

async function call(
  client: StellarClient,
  method: string,
  params: Record<string, unknown>,
  options: StellarRequestOptions,
  ledger?: number,
): Promise<unknown> {
  try {
    return await client.transport.request(method, params, { signal: options.signal });
  } catch (error) {
    throw ledger === undefined ? error : mapLedgerRangeError(method, error, ledger);
  }
}

/** Where a paged read starts: a ledger (first page) or the cursor of the previous page. */
export type PageStart = { startLedger: number; cursor?: undefined } | { cursor: string; startLedger?: undefined };

export interface PageParams {
  /** Page size; capped at the method's `STELLAR_PAGE_CAPS` entry. */
  limit?: number;
  /**
   * The ledger this read is about, named in range errors; defaults to `startLedger`. Pass it for cursor pages, so a
   * ledger that falls out of retention mid-read is reported as such.
   */
  ledger?: number;
}

function pagination(start: PageStart, limit: number, cap: number): Record<string, unknown> {
  const capped = Math.min(limit, cap);
  if (start.cursor !== undefined) return { pagination: { cursor: start.cursor, limit: capped } };
  assertLedgerSequence(start.startLedger, "startLedger");
  return { startLedger: start.startLedger, pagination: { limit: capped } };
}

/** Network passphrase and protocol version; the connection test of OZ (spec §11). Calls `getNetwork`. */
export async function getNetwork(
  client: StellarClient,
  options: StellarRequestOptions = {},
): Promise<GetNetworkResult> {
  return parseGetNetwork(await call(client, "getNetwork", {}, options));
}

/** The RPC's latest closed ledger. Calls `getLatestLedger`. */
export async function getLatestLedger(
  client: StellarClient,
  options: StellarRequestOptions = {},
): Promise<GetLatestLedgerResult> {
  return parseGetLatestLedger(await call(client, "getLatestLedger", {}, options));
}

/**
 * One page of ledgers from `startLedger` (or after `cursor`), with the RPC's retention window. Calls `getLedgers`.
 *
 * @example const page = await getLedgers(client, { startLedger: 172627 }, { limit: 1 });
 */
export async function getLedgers(
  client: StellarClient,
  start: PageStart,
  params: PageParams = {},
  options: StellarRequestOptions = {},
): Promise<GetLedgersResult> {
  const body = pagination(start, params.limit ?? client.pageLimits.ledgers, STELLAR_PAGE_CAPS.ledgers);
  const result = await call(client, "getLedgers", body, options, params.ledger ?? start.startLedger);
  return parseGetLedgers(result);
}

/** One page of transactions from `startLedger` (or after `cursor`), in application order. Calls `getTransactions`. */
export async function getTransactions(
  client: StellarClient,
  start: PageStart,
  params: PageParams = {},
  options: StellarRequestOptions = {},
): Promise<GetTransactionsResult> {
  const body = pagination(start, params.limit ?? client.pageLimits.transactions, STELLAR_PAGE_CAPS.transactions);
  const result = await call(client, "getTransactions", body, options, params.ledger ?? start.startLedger);
  return parseGetTransactions(result);
}

/** A `getEvents` filter (`type` is `contract`, `system` or `diagnostic`). */
export interface StellarEventFilter {
  type?: "contract" | "system" | "diagnostic";
  contractIds?: string[];
  topics?: string[][];
}

export interface GetEventsParams extends PageParams {
  /** @default [{ type: "contract" }] */
  filters?: readonly StellarEventFilter[];
  /** Exclusive end of the scanned range (first page only: Stellar-RPC refuses a range together with a cursor). */
  endLedger?: number;
}

/** One page of events from `startLedger` (or after `cursor`), in event-id order. Calls `getEvents`. */
export async function getEvents(
  client: StellarClient,
  start: PageStart,
  params: GetEventsParams = {},
  options: StellarRequestOptions = {},
): Promise<GetEventsResult> {
  const body: Record<string, unknown> = {
    ...pagination(start, params.limit ?? client.pageLimits.events, STELLAR_PAGE_CAPS.events),
    filters: params.filters ?? [{ type: "contract" }],
  };
  if (params.endLedger !== undefined && start.cursor === undefined) body.endLedger = params.endLedger;
  const result = await call(client, "getEvents", body, options, params.ledger ?? start.startLedger);
  return parseGetEvents(result);
}

/**
 * Current values of ledger entries by base64 `LedgerKey` XDR; keys the RPC does not have are absent from `entries`.
 * Calls `getLedgerEntries` (with `xdrFormat: "base64"`, as OZ sends it).
 */
export async function getLedgerEntries(
  client: StellarClient,
  keys: readonly string[],
  options: StellarRequestOptions = {},
): Promise<GetLedgerEntriesResult> {
  if (keys.length === 0) throw new StellarInvalidArgumentError("getLedgerEntries needs at least one key.");
  return parseGetLedgerEntries(await call(client, "getLedgerEntries", { keys, xdrFormat: "base64" }, options));
}
