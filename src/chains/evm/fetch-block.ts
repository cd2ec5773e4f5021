import type { EvmBlock, RpcLog, RpcReceipt } from "../../engine/evm-block.js";
import { RpcAllEndpointsFailedError, type RpcCall, RpcResponseError } from "../rpc/index.js";
import { assembleEvmBlock } from "./assemble-block.js";
import { BlockNotFoundError, EvmInvalidResponseError, InconsistentBlockError } from "./errors.js";
import { parseLogs, parseOptionalReceipt } from "./normalize.js";
import {
  type EvmClient,
  type EvmRequestOptions,
  eth_getBlockByNumber,
  eth_getBlockReceipts,
  eth_getLogs,
  toQuantity,
} from "./rpc.js";

export type FetchEvmBlockOptions = EvmRequestOptions;

/**
 * Fetches block `blockNumber` with every transaction's receipt and logs, cross-checked (see `assembleEvmBlock`).
 *
 * HTTP requests per block (with a batching endpoint): 2 when the node serves `eth_getBlockReceipts`
 * (`eth_getBlockByNumber` and `eth_getBlockReceipts`, sent in parallel); never more than 3 otherwise:
 * - node without `eth_getBlockReceipts` (learned once per client): `eth_getBlockByNumber`, then one batch of
 *   `eth_getTransactionReceipt`, then one `eth_getLogs` only if some receipt came back `null`;
 * - on the block where that is learned, or when `eth_getBlockReceipts` answers `null` for a block the node just
 *   served (it lacks the receipts), the receipt batch carries the block's `eth_getLogs` too, so the block still costs
 *   3 requests.
 * A transaction without a receipt gets `receipt: null` (status unknown) and its logs from `eth_getLogs`.
 *
 * @throws BlockNotFoundError when the node does not have the block (retryable).
 * @throws InconsistentBlockError when the answers do not fit together (retryable: usually a reorg between calls).
 * @throws EvmInvalidResponseError when an answer has the wrong shape; transport errors as `chains/rpc` raises them.
 *
 * @example
 * const block = await fetchEvmBlock(client, 21306058n, { signal });
 */
export async function fetchEvmBlock(
  client: EvmClient,
  blockNumber: bigint,
  options: FetchEvmBlockOptions = {},
): Promise<EvmBlock> {
  const signal = options.signal;
  const hex = toQuantity(blockNumber);
  const blockPromise = eth_getBlockByNumber(client, blockNumber, { signal });
  const receiptsPromise =
    client.capabilities.blockReceipts === false
      ? undefined
      : settle(eth_getBlockReceipts(client, blockNumber, { signal }));

  const block = await blockPromise;
  if (block === null) throw new BlockNotFoundError(blockNumber);
  if (BigInt(block.number) !== blockNumber) {
    throw new InconsistentBlockError(blockNumber, `eth_getBlockByNumber(${hex}) returned block ${block.number}.`, [
      "number",
    ]);
  }

  let receipts: Array<RpcReceipt | null> | undefined;
  /** True when this block already spent a request on eth_getBlockReceipts without getting receipts. */
  let spentRequest = false;
  if (receiptsPromise !== undefined) {
    const outcome = await receiptsPromise;
    if (outcome.ok && outcome.value !== null) {
      client.capabilities.blockReceipts = true;
      receipts = outcome.value;
    } else if (outcome.ok) {
      spentRequest = true;
    } else if (signal?.aborted) {
      throw outcome.error;
    } else {
      // Any other failure costs only this block the fast path: per-transaction receipts still give exact
      // statuses, and a node that lacks the method entirely is remembered so later blocks skip the attempt.
      if (isMethodUnsupported(outcome.error)) client.capabilities.blockReceipts = false;
      spentRequest = true;
    }
  }

  let logs: RpcLog[] | undefined;
  if (receipts === undefined) {
    const transactions = block.transactions;
    const calls: RpcCall[] = transactions.map((tx) => ({ method: "eth_getTransactionReceipt", params: [tx.hash] }));
    const logsFilter = { fromBlock: hex, toBlock: hex };
    if (spentRequest && calls.length > 0) calls.push({ method: "eth_getLogs", params: [logsFilter] });
    // A JSON-RPC error for one receipt is an answer about that transaction, not about the endpoint: it leaves
    // that receipt unknown (status assumed Success, logs from eth_getLogs) instead of failing the block.
    const results =
      calls.length === 0 ? [] : await client.transport.requestBatch(calls, { signal, passThroughCodes: "all" });
    receipts = transactions.map((_tx, i) => {
      const result = results[i];
      if (result === undefined) throw new EvmInvalidResponseError("eth_getTransactionReceipt", "missing batch result");
      if (!result.ok) return null;
      return parseOptionalReceipt("eth_getTransactionReceipt", result.result, ["transactions", i, "receipt"]);
    });
    const logsResult = results[transactions.length];
    if (logsResult !== undefined) {
      if (!logsResult.ok) throw logsResult.error;
      logs = parseLogs("eth_getLogs", logsResult.result);
    }
    if (logs === undefined && receipts.some((receipt) => receipt === null)) {
      logs = await eth_getLogs(client, { fromBlock: blockNumber, toBlock: blockNumber }, { signal });
    }
  }

  return assembleEvmBlock(block, receipts, logs);
}

/** Messages with which gateways refuse a method under a generic code (-32600 invalid request, -32602 invalid params). */
const UNSUPPORTED_MESSAGE =
  /unsupported|not supported|does not exist|not available|method not found|unknown method|no such method/i;

/**
 * Whether an `eth_getBlockReceipts` failure means "this node does not have the method": -32601 (geth, erigon,
 * nethermind), -32004 (hardhat: "Method … is not supported"), or -32600/-32602 with such a message. Also when every
 * endpoint answered that way.
 */
export function isMethodUnsupported(error: unknown): boolean {
  if (error instanceof RpcResponseError) {
    if (error.rpcCode === -32601 || error.rpcCode === -32004) return true;
    return (error.rpcCode === -32600 || error.rpcCode === -32602) && UNSUPPORTED_MESSAGE.test(error.rpcMessage);
  }
  if (error instanceof RpcAllEndpointsFailedError) {
    return error.causes.length > 0 && error.causes.every((cause) => isMethodUnsupported(cause.error));
  }
  return false;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Wraps a promise that may be left unawaited (the block was not found) so it never rejects unhandled. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
