import type { Hex, RpcBlockHeader, RpcLog, RpcReceipt, RpcTransaction } from "../../engine/evm-block.js";
import type { ErrorPath } from "../../errors/index.js";
import { EvmInvalidResponseError } from "./errors.js";

/**
 * Shape checks for node answers, with addresses normalised to lowercase (OZ emits lowercase, and matching compares
 * addresses case-insensitively anyway). Unknown fields are kept as they came. Every parser returns new objects.
 */

/** A block from `eth_getBlockByNumber(n, true)`: the header fields plus full transaction objects. */
export interface RpcBlock extends RpcBlockHeader {
  transactions: RpcTransaction[];
}

const HEX = /^0x[0-9a-fA-F]*$/;

export function isHex(value: unknown): value is Hex {
  return typeof value === "string" && HEX.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(method: string, detail: string, path: ErrorPath): never {
  throw new EvmInvalidResponseError(method, detail, path);
}

function requireRecord(method: string, value: unknown, path: ErrorPath, what: string): Record<string, unknown> {
  if (!isRecord(value)) fail(method, `expected ${what} object, got ${describe(value)}`, path);
  return value;
}

function requireHex(method: string, record: Record<string, unknown>, field: string, path: ErrorPath): Hex {
  const value = record[field];
  if (!isHex(value))
    fail(method, `field '${field}' must be a 0x-prefixed hex string, got ${describe(value)}`, [...path, field]);
  return value;
}

function optionalHex(method: string, record: Record<string, unknown>, field: string, path: ErrorPath): void {
  const value = record[field];
  if (value !== undefined && value !== null && !isHex(value)) {
    fail(method, `field '${field}' must be a 0x-prefixed hex string, got ${describe(value)}`, [...path, field]);
  }
}

function lowerAddress(method: string, value: unknown, field: string, path: ErrorPath): Hex | null | undefined {
  if (value === undefined || value === null) return value;
  if (!isHex(value)) fail(method, `field '${field}' must be an address, got ${describe(value)}`, [...path, field]);
  return value.toLowerCase() as Hex;
}

export function parseTransaction(method: string, value: unknown, path: ErrorPath): RpcTransaction {
  const raw = requireRecord(method, value, path, "a transaction");
  requireHex(method, raw, "hash", path);
  for (const field of ["transactionIndex", "blockHash", "blockNumber", "value", "input", "nonce"]) {
    optionalHex(method, raw, field, path);
  }
  const tx = { ...raw } as RpcTransaction;
  if (raw.from !== undefined) tx.from = lowerAddress(method, raw.from, "from", path) as Hex;
  if (raw.to !== undefined) tx.to = lowerAddress(method, raw.to, "to", path) ?? null;
  return tx;
}

export function parseLog(method: string, value: unknown, path: ErrorPath): RpcLog {
  const raw = requireRecord(method, value, path, "a log");
  const address = lowerAddress(method, raw.address, "address", path);
  if (address === undefined || address === null) fail(method, "field 'address' is missing", [...path, "address"]);
  if (!Array.isArray(raw.topics) || !raw.topics.every(isHex)) {
    fail(method, `field 'topics' must be an array of hex strings, got ${describe(raw.topics)}`, [...path, "topics"]);
  }
  requireHex(method, raw, "data", path);
  for (const field of ["logIndex", "transactionHash", "transactionIndex", "blockHash", "blockNumber"]) {
    optionalHex(method, raw, field, path);
  }
  if (raw.removed !== undefined && typeof raw.removed !== "boolean") {
    fail(method, `field 'removed' must be a boolean, got ${describe(raw.removed)}`, [...path, "removed"]);
  }
  return { ...raw, address, topics: [...raw.topics] } as RpcLog;
}

export function parseLogs(method: string, value: unknown, path: ErrorPath = []): RpcLog[] {
  if (!Array.isArray(value)) fail(method, `expected an array of logs, got ${describe(value)}`, path);
  return value.map((log, i) => parseLog(method, log, [...path, i]));
}

export function parseReceipt(method: string, value: unknown, path: ErrorPath): RpcReceipt {
  const raw = requireRecord(method, value, path, "a receipt");
  requireHex(method, raw, "transactionHash", path);
  for (const field of ["status", "gasUsed", "blockHash", "blockNumber", "transactionIndex"]) {
    optionalHex(method, raw, field, path);
  }
  if (!Array.isArray(raw.logs))
    fail(method, `field 'logs' must be an array, got ${describe(raw.logs)}`, [...path, "logs"]);
  const receipt = { ...raw, logs: raw.logs.map((log, i) => parseLog(method, log, [...path, "logs", i])) } as RpcReceipt;
  for (const field of ["from", "to", "contractAddress"]) {
    if (raw[field] !== undefined) receipt[field] = lowerAddress(method, raw[field], field, path);
  }
  return receipt;
}

/** `null` stays `null` (the node does not have the receipt). */
export function parseOptionalReceipt(method: string, value: unknown, path: ErrorPath = []): RpcReceipt | null {
  return value === null ? null : parseReceipt(method, value, path);
}

/** `null` stays `null` (block unknown to the node). */
export function parseBlock(method: string, value: unknown): RpcBlock | null {
  if (value === null) return null;
  const raw = requireRecord(method, value, [], "a block");
  for (const field of ["number", "hash", "parentHash", "timestamp"]) requireHex(method, raw, field, []);
  if (!Array.isArray(raw.transactions)) {
    fail(method, `field 'transactions' must be an array, got ${describe(raw.transactions)}`, ["transactions"]);
  }
  const transactions = raw.transactions.map((tx, i) => {
    if (typeof tx === "string") {
      fail(method, "transactions are hashes; the block must be requested with full transaction objects", [
        "transactions",
        i,
      ]);
    }
    return parseTransaction(method, tx, ["transactions", i]);
  });
  return { ...raw, transactions } as RpcBlock;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}
