/**
 * EVM chain access: wire wrappers named after the JSON-RPC methods, and `fetchEvmBlock`, which produces the
 * cross-checked `EvmBlock` the engine evaluates (contract in `engine/evm-block.ts`).
 *
 * Talks to nodes only through a `chains/rpc` transport; holds no connection of its own.
 *
 * @example
 * const transport = createRpcTransport({ endpoints: [{ url, weight: 100 }], passThroughCodes: EVM_PASS_THROUGH_CODES });
 * const client = createEvmClient({ transport });
 * const head = await eth_blockNumber(client);
 * const block = await fetchEvmBlock(client, head, { signal });
 */
export { assembleEvmBlock } from "./assemble-block.js";
export { BlockNotFoundError, EvmInvalidResponseError, InconsistentBlockError } from "./errors.js";
export { type FetchEvmBlockOptions, fetchEvmBlock, isMethodUnsupported } from "./fetch-block.js";
export type { RpcBlock } from "./normalize.js";
export {
  BLOCK_RECEIPTS_UNSUPPORTED_CODES,
  type BlockTag,
  createEvmClient,
  EVM_PASS_THROUGH_CODES,
  type EvmClient,
  type EvmClientOptions,
  type EvmNodeCapabilities,
  type EvmRequestOptions,
  eth_blockNumber,
  eth_chainId,
  eth_getBlockByNumber,
  eth_getBlockReceipts,
  eth_getLogs,
  eth_getTransactionReceipt,
  type LogFilter,
  toQuantity,
} from "./rpc.js";
