/**
 * Builds the engine's `EvmBlock` from the batch JSON-RPC response text of `generateBlock` (`eth_getBlockByNumber(n,
 * true)` and `eth_getBlockReceipts(n)`), with the same cross-checks the ingest path applies (`assembleEvmBlock`).
 */
import { assembleEvmBlock, type RpcBlock } from "../../src/chains/evm/index.js";
import type { EvmBlock, RpcReceipt } from "../../src/engine/evm-block.js";

interface JsonRpcResponse {
  id: number;
  result: unknown;
}

/** Parses `[{id: 1, result: block}, {id: 2, result: receipts}]` and assembles the `EvmBlock`. */
export function evmBlockFromPayload(rpcPayloadText: string): EvmBlock {
  const responses = JSON.parse(rpcPayloadText) as JsonRpcResponse[];
  const block = responses.find((response) => response.id === 1)?.result;
  const receipts = responses.find((response) => response.id === 2)?.result;
  if (!block || !Array.isArray(receipts)) throw new Error("payload lacks the block or the receipts");
  return assembleEvmBlock(block as RpcBlock, receipts as RpcReceipt[]);
}
