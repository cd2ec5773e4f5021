import type { EvmBlock, EvmBlockTransaction, RpcLog, RpcReceipt, RpcTransaction } from "../../engine/evm-block.js";
import type { ErrorPath } from "../../errors/index.js";
import { InconsistentBlockError } from "./errors.js";
import type { RpcBlock } from "./normalize.js";

/**
 * Cross-checks a block, its receipts and (for transactions without a receipt) its `eth_getLogs` logs, and builds the
 * `EvmBlock` the engine trusts (Ponder's `validateReceiptsAndBlock` / `validateLogsAndBlock`). Pure.
 *
 * Guarantees on success:
 * - transactions keep block order and their `transactionIndex` values strictly increase (fixtures from OZ are
 *   trimmed blocks, so indexes need not be contiguous);
 * - `receipts[i]` belongs to `transactions[i]`: same hash, same block hash and number, same index where given;
 * - every log belongs to the block and its transaction, is not `removed`, logs of a transaction are in strictly
 *   increasing `logIndex` order, and no log index repeats within the block;
 * - a transaction whose receipt is `null` carries the `eth_getLogs` logs with its hash.
 *
 * @param receipts one entry per transaction, aligned by position; `null` where the node had no receipt.
 * @param logs the block's `eth_getLogs` answer; required when some receipt is `null`.
 * @throws InconsistentBlockError when the parts do not fit together.
 */
export function assembleEvmBlock(
  block: RpcBlock,
  receipts: ReadonlyArray<RpcReceipt | null>,
  logs?: readonly RpcLog[],
): EvmBlock {
  const number = BigInt(block.number);
  const blockHash = lower(block.hash);
  const inconsistent = (detail: string, path: ErrorPath): never => {
    throw new InconsistentBlockError(number, detail, path);
  };
  const { transactions, ...header } = block;

  if (receipts.length !== transactions.length) {
    inconsistent(`the block has ${transactions.length} transactions but ${receipts.length} receipts came back.`, [
      "receipts",
    ]);
  }

  /** Checks `blockHash` / `blockNumber` of a tx, receipt or log against the block. */
  const checkBlockRef = (item: Readonly<Record<string, unknown>>, what: string, path: ErrorPath) => {
    if (typeof item.blockHash === "string" && lower(item.blockHash) !== blockHash) {
      inconsistent(`${what} has blockHash ${item.blockHash}, expected ${block.hash}.`, [...path, "blockHash"]);
    }
    if (typeof item.blockNumber === "string" && BigInt(item.blockNumber) !== number) {
      inconsistent(`${what} has blockNumber ${item.blockNumber}, expected ${block.number}.`, [...path, "blockNumber"]);
    }
  };

  const txIndexByHash = new Map<string, number>();
  let previousIndex = -1n;
  transactions.forEach((tx, i) => {
    const path = ["transactions", i];
    checkBlockRef(tx, `transaction ${tx.hash}`, path);
    if (txIndexByHash.has(lower(tx.hash))) inconsistent(`transaction ${tx.hash} appears twice.`, [...path, "hash"]);
    txIndexByHash.set(lower(tx.hash), i);
    if (tx.transactionIndex !== undefined) {
      const index = BigInt(tx.transactionIndex);
      if (index <= previousIndex) {
        inconsistent(
          `transaction ${tx.hash} has transactionIndex ${tx.transactionIndex} after a higher or equal one.`,
          [...path, "transactionIndex"],
        );
      }
      previousIndex = index;
    }
  });

  const seenLogIndexes = new Set<bigint>();
  const checkLogs = (txLogs: readonly RpcLog[], tx: RpcTransaction, path: ErrorPath) => {
    const txHash = tx.hash;
    let previous = -1n;
    txLogs.forEach((log, j) => {
      const logPath = [...path, j];
      checkBlockRef(log, `log ${j} of transaction ${txHash}`, logPath);
      if (log.transactionHash !== undefined && lower(log.transactionHash) !== lower(txHash)) {
        inconsistent(`log ${j} of transaction ${txHash} names transaction ${log.transactionHash}.`, [
          ...logPath,
          "transactionHash",
        ]);
      }
      if (
        log.transactionIndex !== undefined &&
        tx.transactionIndex !== undefined &&
        BigInt(log.transactionIndex) !== BigInt(tx.transactionIndex)
      ) {
        inconsistent(
          `log ${j} of transaction ${txHash} has transactionIndex ${log.transactionIndex}, expected ${tx.transactionIndex}.`,
          [...logPath, "transactionIndex"],
        );
      }
      if (log.removed === true)
        inconsistent(`log ${j} of transaction ${txHash} is marked removed.`, [...logPath, "removed"]);
      if (log.logIndex !== undefined) {
        const index = BigInt(log.logIndex);
        if (index <= previous) {
          inconsistent(`logs of transaction ${txHash} are not in logIndex order (${log.logIndex}).`, [
            ...logPath,
            "logIndex",
          ]);
        }
        if (seenLogIndexes.has(index)) {
          inconsistent(`logIndex ${log.logIndex} appears more than once in the block.`, [...logPath, "logIndex"]);
        }
        seenLogIndexes.add(index);
        previous = index;
      }
    });
  };

  // Logs from eth_getLogs, grouped by transaction; they must all belong to this block's transactions.
  const missing = receipts.some((receipt) => receipt === null);
  const logsByTx = new Map<string, RpcLog[]>();
  if (missing) {
    if (logs === undefined) inconsistent("some receipts are missing and no eth_getLogs result was given.", ["logs"]);
    (logs ?? []).forEach((log, k) => {
      const path = ["logs", k];
      checkBlockRef(log, `eth_getLogs log ${k}`, path);
      if (log.transactionHash === undefined) inconsistent(`eth_getLogs log ${k} has no transactionHash.`, path);
      const key = lower(log.transactionHash as string);
      if (!txIndexByHash.has(key)) {
        inconsistent(`eth_getLogs log ${k} belongs to transaction ${log.transactionHash}, which is not in the block.`, [
          ...path,
          "transactionHash",
        ]);
      }
      const group = logsByTx.get(key);
      if (group) group.push(log);
      else logsByTx.set(key, [log]);
    });
  }

  const out: EvmBlockTransaction[] = transactions.map((transaction, i) => {
    const receipt = receipts[i] ?? null;
    const path = ["transactions", i];
    if (receipt === null) {
      const txLogs = logsByTx.get(lower(transaction.hash)) ?? [];
      checkLogs(txLogs, transaction, [...path, "logs"]);
      return { transaction, receipt: null, logs: txLogs };
    }
    if (lower(receipt.transactionHash) !== lower(transaction.hash)) {
      inconsistent(
        `receipt ${i} is for transaction ${receipt.transactionHash}, expected ${transaction.hash} (one receipt per transaction, in block order).`,
        [...path, "receipt", "transactionHash"],
      );
    }
    checkBlockRef(receipt, `the receipt of transaction ${transaction.hash}`, [...path, "receipt"]);
    if (
      typeof receipt.transactionIndex === "string" &&
      transaction.transactionIndex !== undefined &&
      BigInt(receipt.transactionIndex) !== BigInt(transaction.transactionIndex)
    ) {
      inconsistent(
        `the receipt of transaction ${transaction.hash} has transactionIndex ${receipt.transactionIndex}, expected ${transaction.transactionIndex}.`,
        [...path, "receipt", "transactionIndex"],
      );
    }
    checkLogs(receipt.logs, transaction, [...path, "receipt", "logs"]);
    return { transaction, receipt, logs: receipt.logs };
  });

  return {
    chain: "EVM",
    number,
    hash: block.hash,
    parentHash: block.parentHash,
    header,
    transactions: out,
  };
}

function lower(value: string): string {
  return value.toLowerCase();
}
