import type { Hex, RpcLog, RpcReceipt } from "../../engine/evm-block.js";
import type { RpcTransport } from "../rpc/index.js";
import { EvmInvalidResponseError } from "./errors.js";
import { isHex, parseBlock, parseLogs, parseOptionalReceipt, parseReceipt, type RpcBlock } from "./normalize.js";

/**
 * EVM JSON-RPC wrappers named after the wire (Ponder's `rpc/actions.ts` style). Each takes the client first and
 * returns checked, address-normalised data.
 */

/** What a client has learned about its node. `undefined` means not known yet. */
export interface EvmNodeCapabilities {
  /** Whether the node serves `eth_getBlockReceipts`. Learned from the first block fetched. */
  blockReceipts: boolean | undefined;
}

export interface EvmClient {
  readonly transport: RpcTransport;
  /** Mutable on purpose: `fetchEvmBlock` records what it learns so later blocks skip unsupported methods. */
  readonly capabilities: EvmNodeCapabilities;
}

export interface EvmClientOptions {
  transport: RpcTransport;
  /** Skip discovery when the node type is known (hardhat and ganache lack `eth_getBlockReceipts`). */
  blockReceipts?: boolean;
}

export interface EvmRequestOptions {
  signal?: AbortSignal;
}

export type BlockTag = "latest" | "earliest" | "pending" | "safe" | "finalized";

/**
 * JSON-RPC codes an EVM node uses for "method not found / not supported": every endpoint would say the same, so a
 * transport for EVM should pass them through rather than rotate (`createRpcTransport({ passThroughCodes })`).
 */
export const EVM_PASS_THROUGH_CODES: readonly number[] = Object.freeze([-32601, -32004]);

/** Creates a client over a transport. The client holds no connection of its own; close the transport. */
export function createEvmClient(options: EvmClientOptions): EvmClient {
  return { transport: options.transport, capabilities: { blockReceipts: options.blockReceipts } };
}

/** `0x`-prefixed quantity without leading zeros, as JSON-RPC expects. */
export function toQuantity(value: bigint): Hex {
  if (value < 0n) throw new RangeError(`A block number cannot be negative (${value}).`);
  return `0x${value.toString(16)}`;
}

function blockParam(block: bigint | BlockTag): string {
  return typeof block === "bigint" ? toQuantity(block) : block;
}

function quantity(method: string, value: unknown): bigint {
  if (!isHex(value) || value.length < 3) {
    throw new EvmInvalidResponseError(method, `expected a hex quantity, got ${JSON.stringify(value) ?? "nothing"}`);
  }
  return BigInt(value);
}

/** The node's head block number. Calls `eth_blockNumber`. */
export async function eth_blockNumber(client: EvmClient, options: EvmRequestOptions = {}): Promise<bigint> {
  return quantity("eth_blockNumber", await client.transport.request("eth_blockNumber", [], options));
}

/** The chain id (EIP-155). Calls `eth_chainId`. */
export async function eth_chainId(client: EvmClient, options: EvmRequestOptions = {}): Promise<number> {
  return Number(quantity("eth_chainId", await client.transport.request("eth_chainId", [], options)));
}

/** A block with full transaction objects, or `null` when the node does not have it. Calls `eth_getBlockByNumber`. */
export async function eth_getBlockByNumber(
  client: EvmClient,
  block: bigint | BlockTag,
  options: EvmRequestOptions = {},
): Promise<RpcBlock | null> {
  const result = await client.transport.request("eth_getBlockByNumber", [blockParam(block), true], options);
  return parseBlock("eth_getBlockByNumber", result);
}

/**
 * All receipts of a block in transaction order, or `null` when the node does not have them. Calls
 * `eth_getBlockReceipts`. Nodes without the method reject with an `RpcResponseError` (-32601 or -32004), passed
 * through without trying other endpoints.
 */
export async function eth_getBlockReceipts(
  client: EvmClient,
  block: bigint | BlockTag | Hex,
  options: EvmRequestOptions = {},
): Promise<RpcReceipt[] | null> {
  const param = typeof block === "bigint" ? toQuantity(block) : block;
  const result = await client.transport.request("eth_getBlockReceipts", [param], {
    ...options,
    passThroughCodes: BLOCK_RECEIPTS_UNSUPPORTED_CODES,
  });
  return parseBlockReceipts(result);
}

/** Codes with which nodes refuse `eth_getBlockReceipts` (geth/erigon -32601, hardhat -32004, some gateways -32600/-32602). */
export const BLOCK_RECEIPTS_UNSUPPORTED_CODES: readonly number[] = Object.freeze([-32601, -32004, -32600, -32602]);

/** @internal */
export function parseBlockReceipts(result: unknown): RpcReceipt[] | null {
  if (result === null) return null;
  if (!Array.isArray(result)) {
    throw new EvmInvalidResponseError("eth_getBlockReceipts", "expected an array of receipts or null");
  }
  return result.map((receipt, i) => parseReceipt("eth_getBlockReceipts", receipt, [i]));
}

/** A transaction's receipt, or `null` when the node does not have it. Calls `eth_getTransactionReceipt`. */
export async function eth_getTransactionReceipt(
  client: EvmClient,
  hash: Hex,
  options: EvmRequestOptions = {},
): Promise<RpcReceipt | null> {
  const result = await client.transport.request("eth_getTransactionReceipt", [hash], options);
  return parseOptionalReceipt("eth_getTransactionReceipt", result);
}

export interface LogFilter {
  fromBlock?: bigint | BlockTag;
  toBlock?: bigint | BlockTag;
  /** EIP-234: the logs of exactly this block (excludes `fromBlock`/`toBlock`). */
  blockHash?: Hex;
  address?: Hex | Hex[];
  topics?: Array<Hex | Hex[] | null>;
}

/** @internal */
export function logFilterParam(filter: LogFilter): Record<string, unknown> {
  const param: Record<string, unknown> = {};
  if (filter.fromBlock !== undefined) param.fromBlock = blockParam(filter.fromBlock);
  if (filter.toBlock !== undefined) param.toBlock = blockParam(filter.toBlock);
  if (filter.blockHash !== undefined) param.blockHash = filter.blockHash;
  if (filter.address !== undefined) param.address = filter.address;
  if (filter.topics !== undefined) param.topics = filter.topics;
  return param;
}

/** Logs matching a filter, in the node's order (block, then log index). Calls `eth_getLogs`. */
export async function eth_getLogs(
  client: EvmClient,
  filter: LogFilter,
  options: EvmRequestOptions = {},
): Promise<RpcLog[]> {
  const result = await client.transport.request("eth_getLogs", [logFilterParam(filter)], options);
  return parseLogs("eth_getLogs", result);
}
