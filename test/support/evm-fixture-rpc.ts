import { createHash } from "node:crypto";
import path from "node:path";
import type { Hex, RpcBlockHeader, RpcLog, RpcReceipt, RpcTransaction } from "../../src/engine/evm-block.js";
import {
  type JsonRpcCall,
  JsonRpcErrorValue,
  type JsonRpcServer,
  type JsonRpcServerOptions,
  ozFixturesDir,
  readFixtureJson,
  startJsonRpcServer,
} from "./jsonrpc-server.js";

export type { FaultScope, FixtureCall, FixtureFault, FixtureHttpRequest } from "./jsonrpc-server.js";

/**
 * A real HTTP JSON-RPC server on 127.0.0.1 that serves OZ's EVM fixtures (and blocks given in memory) the way an
 * Ethereum node would, with fault injection for transport tests. It follows the "EVM fake RPC" of
 * conformance-public.md §0:
 *
 * - `eth_getBlockByNumber(n, full)` → the block whose `number` is n (`null` when unknown; tags → the highest block);
 * - `eth_getLogs({fromBlock, toBlock} | {blockHash}, address?, topics?)` → the logs of the fixture receipts of those
 *   blocks plus extra in-memory logs, by block then logIndex;
 * - `eth_getTransactionReceipt(h)` → the receipt with that hash, or `null`;
 * - `eth_getBlockReceipts(n)` (unless `blockReceipts: false`, then -32601 like geth) → the receipts in transaction
 *   order. OZ's fixture blocks are trimmed and most of their receipts are absent, so the server answers `null` for a
 *   block unless it has a receipt for every transaction: `null` is what a node answers when it does not have the
 *   block's receipts (the same answer as for an unknown block), and it is not an error a client would rotate on;
 * - `eth_blockNumber` (highest block), `eth_chainId`, `net_version`; anything else → -32601.
 *
 * Envelopes, batches (`batch`, `batchRejection`, `batchOrder`), request logs and faults are jsonrpc-server.ts's.
 */

/** A block as `eth_getBlockByNumber(n, true)` returns it. */
export type FixtureBlock = RpcBlockHeader & { transactions: RpcTransaction[] };

export interface EvmFixtureData {
  blocks?: ReadonlyArray<FixtureBlock | { EVM: FixtureBlock }>;
  receipts?: readonly RpcReceipt[];
  /** Logs served by `eth_getLogs` in addition to receipt logs (for transactions whose receipt the node lacks). */
  logs?: readonly RpcLog[];
}

export interface EvmFixtureRpcOptions extends EvmFixtureData, Omit<JsonRpcServerOptions, "handle"> {
  /** Directory with `blocks.json` and `transaction_receipts.json`. @default <repo>/../shared/fixtures/oz/evm */
  fixturesDir?: string;
  /** Load the OZ fixtures; `false` serves only in-memory data. @default true */
  loadFixtures?: boolean;
  /** Serve `eth_getBlockReceipts`. @default true */
  blockReceipts?: boolean;
  /** @default 1 */
  chainId?: number;
}

export interface EvmFixtureRpc extends JsonRpcServer {
  /** Serves more blocks, receipts and logs from now on. */
  addData(data: EvmFixtureData): void;
}

export const defaultEvmFixturesDir = ozFixturesDir("evm");

/** Loads OZ's EVM fixtures: blocks (untagged) and receipts. */
export function loadEvmFixtures(dir: string = defaultEvmFixturesDir): {
  blocks: FixtureBlock[];
  receipts: RpcReceipt[];
} {
  const tagged = readFixtureJson(path.join(dir, "blocks.json")) as Array<{ EVM: FixtureBlock }>;
  const receipts = readFixtureJson(path.join(dir, "transaction_receipts.json")) as RpcReceipt[];
  return { blocks: tagged.map((entry) => entry.EVM), receipts };
}

export async function startEvmFixtureRpc(options: EvmFixtureRpcOptions = {}): Promise<EvmFixtureRpc> {
  const blocksByNumber = new Map<bigint, FixtureBlock>();
  const blocksByHash = new Map<string, FixtureBlock>();
  const receiptsByHash = new Map<string, RpcReceipt>();
  const extraLogsByBlock = new Map<bigint, RpcLog[]>();
  const receiptsByBlock = new Map<bigint, RpcReceipt[]>();
  let head = -1n;

  const addData = (data: EvmFixtureData): void => {
    for (const entry of data.blocks ?? []) {
      const block = (entry as { EVM?: FixtureBlock }).EVM ?? (entry as FixtureBlock);
      const number = BigInt(block.number);
      blocksByNumber.set(number, block);
      blocksByHash.set(block.hash.toLowerCase(), block);
      if (number > head) head = number;
    }
    for (const receipt of data.receipts ?? []) {
      receiptsByHash.set(receipt.transactionHash.toLowerCase(), receipt);
      const number = BigInt(receipt.blockNumber as string);
      const list = receiptsByBlock.get(number) ?? [];
      list.push(receipt);
      receiptsByBlock.set(number, list);
    }
    for (const log of data.logs ?? []) {
      const number = BigInt(log.blockNumber as string);
      const list = extraLogsByBlock.get(number) ?? [];
      list.push(log);
      extraLogsByBlock.set(number, list);
    }
  };

  if (options.loadFixtures !== false) addData(loadEvmFixtures(options.fixturesDir ?? defaultEvmFixturesDir));
  addData(options);

  const chainId = options.chainId ?? 1;

  const blockParam = (param: unknown): bigint | undefined => {
    if (param === undefined || param === "latest" || param === "pending" || param === "safe" || param === "finalized") {
      return head;
    }
    if (param === "earliest") return 0n;
    if (typeof param === "string" && /^0x[0-9a-fA-F]+$/.test(param)) return BigInt(param);
    return undefined;
  };

  const blockReceipts = (block: FixtureBlock): RpcReceipt[] | null => {
    const receipts: RpcReceipt[] = [];
    for (const tx of block.transactions) {
      const receipt = receiptsByHash.get(tx.hash.toLowerCase());
      if (!receipt) return null;
      receipts.push(receipt);
    }
    return receipts;
  };

  const logsOfBlock = (number: bigint): RpcLog[] => {
    const fromReceipts = (receiptsByBlock.get(number) ?? []).flatMap((receipt) => receipt.logs);
    const all = [...fromReceipts, ...(extraLogsByBlock.get(number) ?? [])];
    return all.sort((a, b) => Number(BigInt(a.logIndex ?? "0x0") - BigInt(b.logIndex ?? "0x0")));
  };

  const getLogs = (filter: Record<string, unknown>): RpcLog[] | JsonRpcErrorValue => {
    let from: bigint | undefined;
    let to: bigint | undefined;
    if (typeof filter.blockHash === "string") {
      const block = blocksByHash.get(filter.blockHash.toLowerCase());
      if (!block) return new JsonRpcErrorValue(-32000, `unknown block ${filter.blockHash}`);
      from = to = BigInt(block.number);
    } else {
      from = blockParam(filter.fromBlock);
      to = blockParam(filter.toBlock);
    }
    if (from === undefined || to === undefined) return new JsonRpcErrorValue(-32602, "invalid block range");
    const addresses =
      typeof filter.address === "string"
        ? [filter.address.toLowerCase()]
        : Array.isArray(filter.address)
          ? filter.address.map((a) => String(a).toLowerCase())
          : undefined;
    const topics = Array.isArray(filter.topics) ? (filter.topics as unknown[]) : [];
    const out: RpcLog[] = [];
    for (let n = from; n <= to; n++) {
      for (const log of logsOfBlock(n)) {
        if (addresses && !addresses.includes(log.address.toLowerCase())) continue;
        const topicsMatch = topics.every((wanted, i) => {
          if (wanted === null || wanted === undefined) return true;
          const actual = log.topics[i]?.toLowerCase();
          const options = Array.isArray(wanted) ? wanted : [wanted];
          return options.some((option) => String(option).toLowerCase() === actual);
        });
        if (topicsMatch) out.push(log);
      }
    }
    return out;
  };

  const handle = ({ method, params }: JsonRpcCall): unknown => {
    const args = Array.isArray(params) ? params : [];
    switch (method) {
      case "net_version":
        return String(chainId);
      case "eth_chainId":
        return `0x${chainId.toString(16)}`;
      case "eth_blockNumber":
        return `0x${(head < 0n ? 0n : head).toString(16)}`;
      case "eth_getBlockByNumber": {
        const number = blockParam(args[0]);
        if (number === undefined) return new JsonRpcErrorValue(-32602, "invalid block number");
        const block = blocksByNumber.get(number);
        if (!block) return null;
        return args[1] === true ? block : { ...block, transactions: block.transactions.map((tx) => tx.hash) };
      }
      case "eth_getBlockReceipts": {
        if (options.blockReceipts === false) {
          return new JsonRpcErrorValue(-32601, "the method eth_getBlockReceipts does not exist/is not available");
        }
        const param = args[0];
        const block =
          typeof param === "string" && param.length === 66
            ? blocksByHash.get(param.toLowerCase())
            : blocksByNumber.get(blockParam(param) ?? -1n);
        return block ? blockReceipts(block) : null;
      }
      case "eth_getTransactionReceipt": {
        const hash = args[0];
        if (typeof hash !== "string") return new JsonRpcErrorValue(-32602, "invalid transaction hash");
        return receiptsByHash.get(hash.toLowerCase()) ?? null;
      }
      case "eth_getLogs": {
        const filter = args[0];
        if (typeof filter !== "object" || filter === null) return new JsonRpcErrorValue(-32602, "invalid filter");
        return getLogs(filter as Record<string, unknown>);
      }
      default:
        return new JsonRpcErrorValue(-32601, `the method ${method} does not exist/is not available`);
    }
  };

  const server = await startJsonRpcServer({
    handle,
    batch: options.batch,
    batchRejection: options.batchRejection,
    batchOrder: options.batchOrder,
  });
  return { ...server, addData };
}

/** A deterministic 32-byte hex value derived from `seed`. */
export function fakeHash(seed: string): Hex {
  return `0x${createHash("sha256").update(seed).digest("hex")}`;
}

/** A deterministic 20-byte address derived from `seed`, mixed case (nodes may return checksummed addresses). */
export function fakeAddress(seed: string): Hex {
  const hex = createHash("sha256").update(seed).digest("hex").slice(0, 40);
  return `0x${[...hex].map((c, i) => (i % 3 === 0 ? c.toUpperCase() : c)).join("")}`;
}

export interface SyntheticBlockOptions {
  number: bigint;
  txCount: number;
  logsPerTx?: number;
  parentHash?: Hex;
  /** Which transactions get a receipt: all (default), none, or the given tx indexes. */
  receipts?: "all" | "none" | readonly number[];
  /** Failed transactions (receipt status 0x0), by tx index. */
  failed?: readonly number[];
}

/**
 * Generates a consistent block with full transactions, receipts and logs (benchmarks, tests). Logs of transactions
 * without a receipt come back in `logs`, for `eth_getLogs`.
 */
export function buildSyntheticBlock(options: SyntheticBlockOptions): {
  block: FixtureBlock;
  receipts: RpcReceipt[];
  logs: RpcLog[];
} {
  const { number, txCount } = options;
  const logsPerTx = options.logsPerTx ?? 1;
  const hash = fakeHash(`block:${number}`);
  const blockNumber: Hex = `0x${number.toString(16)}`;
  const parentHash =
    options.parentHash ?? (number === 0n ? fakeHash("genesis-parent") : fakeHash(`block:${number - 1n}`));
  const withReceipt = (i: number) =>
    options.receipts === undefined || options.receipts === "all"
      ? true
      : options.receipts === "none"
        ? false
        : options.receipts.includes(i);
  const transactions: RpcTransaction[] = [];
  const receipts: RpcReceipt[] = [];
  const orphanLogs: RpcLog[] = [];
  let logIndex = 0;
  for (let i = 0; i < txCount; i++) {
    const txHash = fakeHash(`tx:${number}:${i}`);
    const transactionIndex: Hex = `0x${i.toString(16)}`;
    const from = fakeAddress(`from:${number}:${i}`);
    const to = fakeAddress(`to:${i % 7}`);
    transactions.push({
      hash: txHash,
      blockHash: hash,
      blockNumber,
      transactionIndex,
      from,
      to,
      value: "0x0",
      input: "0xa9059cbb",
      gas: "0x5208",
      gasPrice: "0x3b9aca00",
      nonce: `0x${i.toString(16)}`,
      type: "0x0",
    });
    const logs: RpcLog[] = [];
    for (let j = 0; j < logsPerTx; j++) {
      logs.push({
        address: to,
        topics: [
          "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
          `0x000000000000000000000000${from.slice(2).toLowerCase()}`,
        ],
        data: `0x${(j + 1).toString(16).padStart(64, "0")}`,
        logIndex: `0x${(logIndex++).toString(16)}`,
        transactionHash: txHash,
        transactionIndex,
        blockHash: hash,
        blockNumber,
        removed: false,
      });
    }
    if (withReceipt(i)) {
      receipts.push({
        transactionHash: txHash,
        transactionIndex,
        blockHash: hash,
        blockNumber,
        from,
        to,
        status: options.failed?.includes(i) ? "0x0" : "0x1",
        gasUsed: "0x5208",
        cumulativeGasUsed: `0x${(21000 * (i + 1)).toString(16)}`,
        logs,
      });
    } else {
      orphanLogs.push(...logs);
    }
  }
  const block: FixtureBlock = {
    number: blockNumber,
    hash,
    parentHash,
    timestamp: `0x${(1_700_000_000n + number * 12n).toString(16)}`,
    miner: fakeAddress("miner"),
    gasLimit: "0x1c9c380",
    gasUsed: `0x${(21000 * txCount).toString(16)}`,
    transactions,
  };
  return { block, receipts, logs: orphanLogs };
}
