import { describe, expect, it } from "vitest";
import { assembleEvmBlock, InconsistentBlockError, type RpcBlock } from "../../../../src/chains/evm/index.js";
import type { RpcLog, RpcReceipt } from "../../../../src/engine/evm-block.js";
import { buildSyntheticBlock, fakeHash, loadEvmFixtures } from "../../../support/evm-fixture-rpc.js";

/** A 3-transaction block with 2 logs per transaction and every receipt. */
function sample(): { block: RpcBlock; receipts: RpcReceipt[]; logs: RpcLog[] } {
  return structuredClone(buildSyntheticBlock({ number: 100n, txCount: 3, logsPerTx: 2 }));
}

function inconsistency(run: () => unknown): InconsistentBlockError {
  try {
    run();
  } catch (error) {
    if (error instanceof InconsistentBlockError) return error;
    throw error;
  }
  throw new Error("expected an InconsistentBlockError");
}

describe("assembleEvmBlock()", () => {
  it("pairs each transaction with its receipt and the receipt's logs, and moves transactions out of the header", () => {
    const { block, receipts } = sample();
    const assembled = assembleEvmBlock(block, receipts);
    expect(assembled.number).toBe(100n);
    expect(assembled.hash).toBe(block.hash);
    expect(assembled.parentHash).toBe(block.parentHash);
    expect(assembled.header).not.toHaveProperty("transactions");
    expect(assembled.header.gasLimit).toBe(block.gasLimit);
    expect(assembled.transactions.map((t) => [t.transaction.hash, t.receipt?.transactionHash, t.logs.length])).toEqual(
      block.transactions.map((tx) => [tx.hash, tx.hash, 2]),
    );
  });

  it("accepts OZ's trimmed fixture block (transaction indexes 0x0, 0xaf, 0xb0)", () => {
    const { blocks, receipts } = loadEvmFixtures();
    const block = blocks[0] as RpcBlock;
    const byHash = new Map(receipts.map((r) => [r.transactionHash, r]));
    const assembled = assembleEvmBlock(
      block,
      block.transactions.map((tx) => byHash.get(tx.hash) ?? null),
    );
    expect(assembled.transactions.map((t) => t.transaction.transactionIndex)).toEqual(["0x0", "0xaf", "0xb0"]);
  });

  it("attaches eth_getLogs logs by transactionHash to transactions without a receipt", () => {
    const { block, receipts, logs } = structuredClone(
      buildSyntheticBlock({ number: 5n, txCount: 3, logsPerTx: 1, receipts: [1] }),
    );
    const aligned = block.transactions.map((tx) => receipts.find((r) => r.transactionHash === tx.hash) ?? null);
    const assembled = assembleEvmBlock(block, aligned, logs);
    expect(assembled.transactions.map((t) => t.receipt === null)).toEqual([true, false, true]);
    expect(assembled.transactions.map((t) => t.logs.map((l) => l.logIndex))).toEqual([["0x0"], ["0x1"], ["0x2"]]);
  });

  it("pins the message, path and code of an inconsistency", () => {
    const { block, receipts } = sample();
    (receipts[2] as RpcReceipt).blockHash = fakeHash("elsewhere");
    const error = inconsistency(() => assembleEvmBlock(block, receipts));
    expect(error.code).toBe("EVM_INCONSISTENT_BLOCK");
    expect(error.retryable).toBe(true);
    expect(error.path).toEqual(["transactions", 2, "receipt", "blockHash"]);
    expect(error.message).toMatchInlineSnapshot(
      `"Block 100 is inconsistent: the receipt of transaction 0xcd6da7c89144ef4cc464b8b66bc33aa68778e43629c375da92279405fd8d3447 has blockHash 0x7b1b763ee8f62eb88e4742a760f912d0b19bcd58b2b948999784bacc15a7f4d7, expected 0x199bf7987c00d2cb5ff99a4da199d1ed0fea2e955d6ad096654e22a0898f05b0."`,
    );
  });

  type Mutation = (parts: { block: RpcBlock; receipts: Array<RpcReceipt | null>; logs: RpcLog[] }) => void;
  const receipt = (receipts: Array<RpcReceipt | null>, i: number) => receipts[i] as RpcReceipt;
  const cases: Array<[string, Mutation, Array<string | number>]> = [
    [
      "a receipt is missing",
      ({ receipts }) => {
        receipts.pop();
      },
      ["receipts"],
    ],
    [
      "receipts are out of transaction order",
      ({ receipts }) => {
        receipts.reverse();
      },
      ["transactions", 0, "receipt", "transactionHash"],
    ],
    [
      "a receipt is for a transaction of another block",
      ({ receipts }) => {
        receipt(receipts, 1).transactionHash = fakeHash("other-tx");
      },
      ["transactions", 1, "receipt", "transactionHash"],
    ],
    [
      "a receipt names another block number",
      ({ receipts }) => {
        receipt(receipts, 0).blockNumber = "0x65";
      },
      ["transactions", 0, "receipt", "blockNumber"],
    ],
    [
      "a receipt's transactionIndex differs from its transaction's",
      ({ receipts }) => {
        receipt(receipts, 1).transactionIndex = "0x7";
      },
      ["transactions", 1, "receipt", "transactionIndex"],
    ],
    [
      "a log belongs to another block",
      ({ receipts }) => {
        (receipt(receipts, 1).logs[0] as RpcLog).blockHash = fakeHash("x");
      },
      ["transactions", 1, "receipt", "logs", 0, "blockHash"],
    ],
    [
      "a log names another transaction",
      ({ receipts }) => {
        (receipt(receipts, 1).logs[1] as RpcLog).transactionHash = fakeHash("y");
      },
      ["transactions", 1, "receipt", "logs", 1, "transactionHash"],
    ],
    [
      "logs of a transaction are out of logIndex order",
      ({ receipts }) => {
        receipt(receipts, 2).logs.reverse();
      },
      ["transactions", 2, "receipt", "logs", 1, "logIndex"],
    ],
    [
      "a log index repeats within the block",
      ({ receipts }) => {
        (receipt(receipts, 1).logs[0] as RpcLog).logIndex = "0x1";
      },
      ["transactions", 1, "receipt", "logs", 0, "logIndex"],
    ],
    [
      "a log is marked removed",
      ({ receipts }) => {
        (receipt(receipts, 0).logs[0] as RpcLog).removed = true;
      },
      ["transactions", 0, "receipt", "logs", 0, "removed"],
    ],
    [
      "transaction indexes do not increase",
      ({ block }) => {
        (block.transactions[2] as { transactionIndex: string }).transactionIndex = "0x1";
      },
      ["transactions", 2, "transactionIndex"],
    ],
    [
      "a transaction names another block",
      ({ block }) => {
        (block.transactions[0] as { blockHash: string }).blockHash = fakeHash("z");
      },
      ["transactions", 0, "blockHash"],
    ],
    [
      "a transaction appears twice",
      ({ block, receipts }) => {
        block.transactions[1] = {
          ...(block.transactions[0] as RpcBlock["transactions"][number]),
          transactionIndex: "0x1",
        };
        receipts[1] = receipts[0] ?? null;
      },
      ["transactions", 1, "hash"],
    ],
    [
      "an eth_getLogs log belongs to a transaction outside the block",
      ({ receipts, logs }) => {
        receipts[0] = null;
        logs.push({ address: "0x00", topics: [], data: "0x", logIndex: "0x9", transactionHash: fakeHash("q") });
      },
      ["logs", 0, "transactionHash"],
    ],
    [
      "a receipt is missing and no eth_getLogs result was given",
      ({ receipts }) => {
        receipts[0] = null;
      },
      ["logs"],
    ],
  ];

  it.each(cases)("rejects a block where %s", (_name, mutate, path) => {
    const { block, receipts } = sample();
    const parts = { block, receipts: receipts as Array<RpcReceipt | null>, logs: [] as RpcLog[] };
    mutate(parts);
    const withLogs = parts.logs.length > 0 ? parts.logs : undefined;
    const error = inconsistency(() => assembleEvmBlock(parts.block, parts.receipts, withLogs));
    expect(error.code).toBe("EVM_INCONSISTENT_BLOCK");
    expect(error.path).toEqual(path);
  });
});
