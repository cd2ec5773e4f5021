import { afterEach, describe, expect, it } from "vitest";
import {
  BlockNotFoundError,
  createEvmClient,
  type EvmClient,
  type EvmClientOptions,
  eth_blockNumber,
  eth_chainId,
  eth_getBlockByNumber,
  eth_getBlockReceipts,
  eth_getLogs,
  eth_getTransactionReceipt,
  fetchEvmBlock,
  InconsistentBlockError,
} from "../../../../src/chains/evm/index.js";
import { createRpcTransport, type RpcTransport } from "../../../../src/chains/rpc/index.js";
import type { RpcLog } from "../../../../src/engine/evm-block.js";
import {
  buildSyntheticBlock,
  type EvmFixtureRpc,
  type EvmFixtureRpcOptions,
  fakeHash,
  loadEvmFixtures,
  startEvmFixtureRpc,
} from "../../../support/evm-fixture-rpc.js";

const SWAP = "0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0";
const USDC_TRANSFER = "0xd5069b22a3a89a36d592d5a1f72a281bc5d11d6d0bac6f0a878c13abb764b6d8";
const ETH_TRANSFER = "0xe802c02b6ee8e5246d9b40b52cd2e5e68625dcb6d7ed1a09f1c04d83742f4d67";
const USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  serverOptions: EvmFixtureRpcOptions = {},
  clientOptions: Partial<EvmClientOptions> = {},
): Promise<{ rpc: EvmFixtureRpc; transport: RpcTransport; client: EvmClient }> {
  const rpc = await startEvmFixtureRpc(serverOptions);
  cleanups.push(() => rpc.close());
  const transport = createRpcTransport({
    endpoints: [{ url: rpc.url, weight: 1 }],
    retry: { retries: 1, base: 2, initialDelayMs: 1, maxDelayMs: 2 },
    timeoutMs: 2_000,
  });
  cleanups.push(() => transport.close());
  return { rpc, transport, client: createEvmClient({ transport, ...clientOptions }) };
}

/** The methods of each HTTP request, e.g. `[["eth_getBlockByNumber"], ["eth_getTransactionReceipt", …]]`. */
function httpMethods(rpc: EvmFixtureRpc): string[][] {
  return rpc.httpRequests.map((request) => request.calls.map((call) => call.method));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("fetchEvmBlock() with eth_getBlockReceipts", () => {
  it("returns block 0x1451aca with its 3 transactions, their receipts and logs, in exactly 2 HTTP requests", async () => {
    const { rpc, transport, client } = await setup();
    const block = await fetchEvmBlock(client, 0x1451acan);

    expect(block.chain).toBe("EVM");
    expect(block.number).toBe(21306058n);
    expect(block.hash).toBe("0x9432868b7fc57e85f0435ca3047f6a76add86f804b3c1af85647520061e30f80");
    expect(block.parentHash).toBe(block.header.parentHash);
    expect(block.header).not.toHaveProperty("transactions");
    expect(block.header.number).toBe("0x1451aca");
    expect(block.header.miner).toBeDefined();

    expect(block.transactions.map((t) => t.transaction.hash)).toEqual([SWAP, USDC_TRANSFER, ETH_TRANSFER]);
    expect(block.transactions.map((t) => t.receipt?.transactionHash)).toEqual([SWAP, USDC_TRANSFER, ETH_TRANSFER]);
    expect(block.transactions.map((t) => t.receipt?.status)).toEqual(["0x1", "0x1", "0x1"]);
    expect(block.transactions.map((t) => t.logs.length)).toEqual([6, 1, 0]);
    expect(block.transactions[0]?.logs.map((l) => l.logIndex)).toEqual(["0x0", "0x1", "0x2", "0x3", "0x4", "0x5"]);
    const usdcLog = block.transactions[1]?.logs[0];
    expect(usdcLog?.address).toBe(USDC);
    expect(usdcLog?.topics[0]).toBe("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    expect(block.transactions[1]?.transaction.from).toBe("0x58b704065b7aff3ed351052f8560019e05925023");
    expect(block.transactions[1]?.transaction.to).toBe(USDC);

    expect(httpMethods(rpc).sort()).toEqual([["eth_getBlockByNumber"], ["eth_getBlockReceipts"]]);
    expect(transport.stats()).toEqual({ requests: 2, batches: 0 });
    expect(client.capabilities.blockReceipts).toBe(true);
  });

  it("normalises transaction and log addresses to lowercase", async () => {
    const { block, receipts } = buildSyntheticBlock({ number: 500n, txCount: 3, logsPerTx: 2 });
    expect(block.transactions[0]?.from).not.toBe(block.transactions[0]?.from?.toLowerCase());
    const { client } = await setup({ loadFixtures: false, blocks: [block], receipts });
    const fetched = await fetchEvmBlock(client, 500n);
    for (const { transaction, receipt, logs } of fetched.transactions) {
      expect(transaction.from).toMatch(/^0x[0-9a-f]{40}$/);
      expect(transaction.to).toMatch(/^0x[0-9a-f]{40}$/);
      expect(receipt?.from).toMatch(/^0x[0-9a-f]{40}$/);
      for (const log of logs) expect(log.address).toMatch(/^0x[0-9a-f]{40}$/);
    }
  });

  it("returns an empty transaction list for an empty block", async () => {
    const { block } = buildSyntheticBlock({ number: 7n, txCount: 0 });
    const { transport, client } = await setup({ loadFixtures: false, blocks: [block] });
    const fetched = await fetchEvmBlock(client, 7n);
    expect(fetched.transactions).toEqual([]);
    expect(transport.stats().requests).toBe(2);
  });
});

describe("fetchEvmBlock() without eth_getBlockReceipts", () => {
  it("fetches receipts in one batch, within 3 HTTP requests, with the same result, and remembers the node lacks the method", async () => {
    const reference = await setup();
    const expected = await fetchEvmBlock(reference.client, 0x1451acan);

    const { rpc, transport, client } = await setup({ blockReceipts: false });
    const block = await fetchEvmBlock(client, 0x1451acan);
    expect(block).toEqual(expected);
    expect(client.capabilities.blockReceipts).toBe(false);
    expect(transport.stats()).toEqual({ requests: 3, batches: 1 });
    // On the block where the node turned out to lack the method, the block's eth_getLogs rides in the receipt batch
    // (in case some receipt is missing), so the block still costs 3 requests.
    expect(httpMethods(rpc).sort()).toEqual([
      ["eth_getBlockByNumber"],
      ["eth_getBlockReceipts"],
      ["eth_getTransactionReceipt", "eth_getTransactionReceipt", "eth_getTransactionReceipt", "eth_getLogs"],
    ]);

    // Later blocks go straight to the fallback: block + one receipt request.
    rpc.resetLog();
    const next = await fetchEvmBlock(client, 0x7d6b60n);
    expect(next.transactions.map((t) => t.receipt?.transactionHash)).toEqual([
      "0x6fb716f3fc4e2edec31f01c8bb67e565e3efacba965090a38835d3f297232bf6",
    ]);
    expect(httpMethods(rpc)).toEqual([["eth_getBlockByNumber"], ["eth_getTransactionReceipt"]]);
  });

  it.each([
    ["hardhat's -32004", -32004, "Method eth_getBlockReceipts is not supported"],
    ["-32602 with an 'unsupported' message", -32602, "unsupported method eth_getBlockReceipts"],
    ["-32600 with a 'does not exist' message", -32600, "method eth_getBlockReceipts does not exist"],
  ])("treats %s as a node without eth_getBlockReceipts", async (_name, code, message) => {
    const { rpc, client } = await setup();
    rpc.setFault({ kind: "rpc_error", code, message }, { methods: ["eth_getBlockReceipts"] });
    const block = await fetchEvmBlock(client, 0x1451acan);
    expect(block.transactions.map((t) => t.logs.length)).toEqual([6, 1, 0]);
    expect(client.capabilities.blockReceipts).toBe(false);
    expect(rpc.httpRequests.filter((r) => r.calls.some((c) => c.method === "eth_getBlockReceipts"))).toHaveLength(1);
  });

  it("falls back to one request per receipt when the node rejects batches too", async () => {
    const { rpc, client } = await setup({ blockReceipts: false, batch: false });
    const block = await fetchEvmBlock(client, 0x1451acan);
    expect(block.transactions.map((t) => t.receipt?.status)).toEqual(["0x1", "0x1", "0x1"]);
    const receiptRequests = rpc.httpRequests.filter(
      (r) => !r.batch && r.calls[0]?.method === "eth_getTransactionReceipt",
    );
    expect(receiptRequests).toHaveLength(3);
  });
});

describe("fetchEvmBlock() when the node lacks receipts", () => {
  /** Two logs for transactions 5 and 17 of the 129-transaction fixture block, served only by eth_getLogs. */
  function extraLogsFor129(): RpcLog[] {
    const block = loadEvmFixtures().blocks[1];
    if (!block) throw new Error("fixture block 0x1451acb missing");
    return [5, 17].map((i, k) => ({
      address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
      topics: ["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"],
      data: "0x",
      logIndex: `0x${(k + 10).toString(16)}`,
      transactionHash: block.transactions[i]?.hash as `0x${string}`,
      transactionIndex: `0x${i.toString(16)}`,
      blockHash: block.hash,
      blockNumber: block.number,
      removed: false,
    }));
  }

  it.each([
    ["serves eth_getBlockReceipts (answers null)", true],
    ["lacks eth_getBlockReceipts", false],
  ])(
    "gives the 129-tx block null receipts and its eth_getLogs logs when the node %s, within 3 HTTP requests",
    async (_name, blockReceipts) => {
      const logs = extraLogsFor129();
      const { rpc, transport, client } = await setup({ blockReceipts, logs });
      const block = await fetchEvmBlock(client, 0x1451acbn);

      expect(block.transactions).toHaveLength(129);
      expect(block.transactions.every((t) => t.receipt === null)).toBe(true);
      expect(block.transactions[5]?.logs.map((l) => l.logIndex)).toEqual(["0xa"]);
      expect(block.transactions[17]?.logs.map((l) => l.logIndex)).toEqual(["0xb"]);
      expect(block.transactions[17]?.logs[0]?.address).toBe(USDC);
      expect(block.transactions.filter((t) => t.logs.length > 0)).toHaveLength(2);
      expect(transport.stats().requests).toBeLessThanOrEqual(3);
      expect(rpc.requests.filter((r) => r.method === "eth_getLogs")).toEqual([
        { method: "eth_getLogs", params: [{ fromBlock: "0x1451acb", toBlock: "0x1451acb" }] },
      ]);
    },
  );

  it("fetches eth_getLogs once, only for the missing receipts, when a known fallback node misses some", async () => {
    const { block, receipts, logs } = buildSyntheticBlock({ number: 900n, txCount: 4, logsPerTx: 2, receipts: [0, 2] });
    const { rpc, transport, client } = await setup(
      { loadFixtures: false, blocks: [block], receipts, logs, blockReceipts: false },
      { blockReceipts: false },
    );
    const fetched = await fetchEvmBlock(client, 900n);
    expect(fetched.transactions.map((t) => t.receipt === null)).toEqual([false, true, false, true]);
    expect(fetched.transactions.map((t) => t.logs.map((l) => l.logIndex))).toEqual([
      ["0x0", "0x1"],
      ["0x2", "0x3"],
      ["0x4", "0x5"],
      ["0x6", "0x7"],
    ]);
    expect(httpMethods(rpc)).toEqual([
      ["eth_getBlockByNumber"],
      [
        "eth_getTransactionReceipt",
        "eth_getTransactionReceipt",
        "eth_getTransactionReceipt",
        "eth_getTransactionReceipt",
      ],
      ["eth_getLogs"],
    ]);
    expect(transport.stats().requests).toBe(3);
  });
});

describe("fetchEvmBlock() with nodes that answer oddly", () => {
  it("falls back to per-transaction receipts for this block only when eth_getBlockReceipts fails otherwise", async () => {
    const { rpc, client } = await setup();
    rpc.setFault(
      { kind: "rpc_error", code: -32000, message: "internal error" },
      { methods: ["eth_getBlockReceipts"], count: 1 },
    );
    const block = await fetchEvmBlock(client, 0x1451acan);
    expect(block.transactions.map((t) => t.receipt?.status)).toEqual(["0x1", "0x1", "0x1"]);
    // One odd answer does not mark the method unsupported: the next block takes the fast path again.
    expect(client.capabilities.blockReceipts).not.toBe(false);
    rpc.resetLog();
    await fetchEvmBlock(client, 0x1451acan);
    expect(httpMethods(rpc).map((methods) => methods[0])).toEqual(["eth_getBlockByNumber", "eth_getBlockReceipts"]);
  });

  it("leaves receipts unknown (null, logs from eth_getLogs) when the node answers their requests with errors", async () => {
    const { rpc, client } = await setup({ blockReceipts: false }, { blockReceipts: false });
    rpc.setFault(
      { kind: "rpc_error", code: -32000, message: "receipt not found" },
      { methods: ["eth_getTransactionReceipt"], count: 1 },
    );
    const block = await fetchEvmBlock(client, 0x1451acan);
    // The fault answers every call of the receipt batch with an error; the block still arrives, logs intact.
    expect(block.transactions.map((t) => t.receipt === null)).toEqual([true, true, true]);
    expect(block.transactions.map((t) => t.logs.length)).toEqual([6, 1, 0]);
    expect(rpc.requests.filter((r) => r.method === "eth_getLogs")).toHaveLength(1);
  });
});

describe("fetchEvmBlock() errors", () => {
  it("rejects with BlockNotFoundError (EVM_BLOCK_NOT_FOUND, retryable) for a block the node does not have", async () => {
    const { client } = await setup();
    const error = await rejection(fetchEvmBlock(client, 1n));
    expect(error).toBeInstanceOf(BlockNotFoundError);
    expect(error).toMatchObject({ code: "EVM_BLOCK_NOT_FOUND", retryable: true, blockNumber: 1n });
    expect((error as Error).message).toBe("Block 1 (0x1) was not found on the RPC node.");
  });

  it("rejects with InconsistentBlockError when a receipt belongs to another block", async () => {
    const { block, receipts } = buildSyntheticBlock({ number: 40n, txCount: 3 });
    const other = fakeHash("block:41");
    const tampered = receipts.map((receipt, i) => (i === 1 ? { ...receipt, blockHash: other } : receipt));
    const { client } = await setup({ loadFixtures: false, blocks: [block], receipts: tampered });
    const error = await rejection(fetchEvmBlock(client, 40n));
    expect(error).toBeInstanceOf(InconsistentBlockError);
    expect(error).toMatchObject({
      code: "EVM_INCONSISTENT_BLOCK",
      retryable: true,
      path: ["transactions", 1, "receipt", "blockHash"],
    });
    expect((error as Error).message).toContain(`has blockHash ${other}, expected ${block.hash}`);
  });

  it("rejects with InconsistentBlockError when the node returns another block than asked", async () => {
    const { block } = buildSyntheticBlock({ number: 41n, txCount: 0 });
    const { rpc, client } = await setup({ loadFixtures: false });
    rpc.setFault({ kind: "result", result: block }, { methods: ["eth_getBlockByNumber"] });
    const error = await rejection(fetchEvmBlock(client, 42n));
    expect(error).toMatchObject({ code: "EVM_INCONSISTENT_BLOCK", path: ["number"] });
    expect((error as Error).message).toBe("Block 42 is inconsistent: eth_getBlockByNumber(0x2a) returned block 0x29.");
  });

  it("rejects with EvmInvalidResponseError when the node answers with hashes instead of transactions", async () => {
    const { block } = buildSyntheticBlock({ number: 43n, txCount: 2 });
    const { rpc, client } = await setup({ loadFixtures: false });
    rpc.setFault(
      { kind: "result", result: { ...block, transactions: block.transactions.map((tx) => tx.hash) } },
      { methods: ["eth_getBlockByNumber"] },
    );
    expect(await rejection(fetchEvmBlock(client, 43n))).toMatchObject({
      code: "EVM_INVALID_RESPONSE",
      path: ["transactions", 0],
    });
  });

  it("passes transport failures through (RPC_ALL_ENDPOINTS_FAILED)", async () => {
    const { rpc, client } = await setup();
    rpc.setFault({ kind: "http", status: 503 });
    expect(await rejection(fetchEvmBlock(client, 0x1451acan))).toMatchObject({ code: "RPC_ALL_ENDPOINTS_FAILED" });
  });

  it("rejects with the signal's reason when aborted", async () => {
    const { rpc, client } = await setup();
    rpc.setFault({ kind: "hang" });
    const controller = new AbortController();
    const started = performance.now();
    const pending = rejection(fetchEvmBlock(client, 0x1451acan, { signal: controller.signal }));
    const deadline = Date.now() + 2_000;
    while (rpc.httpRequests.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    controller.abort();
    expect(await pending).toMatchObject({ name: "AbortError" });
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe("EVM wire wrappers", () => {
  it("eth_blockNumber / eth_chainId / eth_getBlockByNumber / eth_getBlockReceipts / eth_getTransactionReceipt / eth_getLogs read the fixtures", async () => {
    const { client } = await setup({ chainId: 11155111 });
    expect(await eth_blockNumber(client)).toBe(0x19b7a39n);
    expect(await eth_chainId(client)).toBe(11155111);
    expect(await eth_getBlockByNumber(client, 2n)).toBeNull();
    expect((await eth_getBlockByNumber(client, "latest"))?.number).toBe("0x19b7a39");
    expect((await eth_getBlockReceipts(client, 0x1451acan))?.map((r) => r.transactionHash)).toEqual([
      SWAP,
      USDC_TRANSFER,
      ETH_TRANSFER,
    ]);
    expect(await eth_getBlockReceipts(client, 0x1451acbn)).toBeNull();
    expect((await eth_getTransactionReceipt(client, USDC_TRANSFER))?.logs).toHaveLength(1);
    expect(await eth_getTransactionReceipt(client, fakeHash("nope"))).toBeNull();
    const logs = await eth_getLogs(client, { fromBlock: 0x1451acan, toBlock: 0x1451acan });
    expect(logs).toHaveLength(7);
    expect(logs.filter((l) => l.transactionHash === SWAP)).toHaveLength(6);
    expect(await eth_getLogs(client, { fromBlock: 0x1451acan, toBlock: 0x1451acan, address: USDC })).toHaveLength(1);
  });
});
