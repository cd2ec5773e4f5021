/**
 * The EVM block the engine evaluates: what `chains/evm` produces after fetching and cross-checking a block.
 *
 * Objects keep the node's JSON-RPC field names and hex quantities, because matches carry them verbatim to users'
 * scripts (OZ's MonitorMatch JSON). Invariants guaranteed by `chains/evm` (the engine trusts them):
 * - `transactions` are in block order (`transactionIndex` strictly increasing; trimmed fixtures may skip indexes);
 * - `receipt`, when present, belongs to that transaction (same hash, same block hash);
 * - `logs` are that transaction's logs in log-index order (from the receipt, or from `eth_getLogs` when the node
 *   returned no receipt).
 */
export type Hex = `0x${string}`;

/** A transaction object as returned by `eth_getBlockByNumber(n, true)`. Unknown fields are kept as they came. */
export interface RpcTransaction {
  hash: Hex;
  from?: Hex;
  to?: Hex | null;
  value?: Hex;
  input?: Hex;
  gas?: Hex;
  gasPrice?: Hex;
  maxFeePerGas?: Hex;
  maxPriorityFeePerGas?: Hex;
  nonce?: Hex;
  transactionIndex?: Hex;
  blockNumber?: Hex;
  blockHash?: Hex;
  [field: string]: unknown;
}

/** A log as found in a receipt or returned by `eth_getLogs`. */
export interface RpcLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  logIndex?: Hex;
  transactionHash?: Hex;
  transactionIndex?: Hex;
  blockNumber?: Hex;
  blockHash?: Hex;
  removed?: boolean;
  [field: string]: unknown;
}

/** A receipt as returned by `eth_getBlockReceipts` / `eth_getTransactionReceipt`. */
export interface RpcReceipt {
  transactionHash: Hex;
  status?: Hex;
  gasUsed?: Hex;
  logs: RpcLog[];
  [field: string]: unknown;
}

/** The block header fields as returned by the node (the `transactions` array is moved to `EvmBlock.transactions`). */
export interface RpcBlockHeader {
  number: Hex;
  hash: Hex;
  parentHash: Hex;
  timestamp: Hex;
  [field: string]: unknown;
}

export interface EvmBlockTransaction {
  transaction: RpcTransaction;
  /** `null` only when the node could not return a receipt; the transaction's status is then unknown. */
  receipt: RpcReceipt | null;
  logs: RpcLog[];
}

export interface EvmBlock {
  chain: "EVM";
  number: bigint;
  hash: Hex;
  parentHash: Hex;
  header: RpcBlockHeader;
  transactions: EvmBlockTransaction[];
}
