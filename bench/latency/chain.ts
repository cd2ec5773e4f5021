/**
 * The benchmark's chain side: a hardhat node with the test ERC-20 deployed, transfers sent through the node's
 * unlocked accounts (`eth_sendTransaction`, no receipt wait), and an observer of new heads over a `newHeads`
 * WebSocket subscription that timestamps each block on arrival.
 */
import { type Abi, type Address, encodeDeployData, encodeFunctionData, type Hash, type Hex } from "viem";
import WebSocket from "ws";
import { type HardhatNode, startHardhat } from "../../src/devchain/index.js";
import { compileContract } from "../../test/support/contracts.js";

export interface BenchChain {
  node: HardhatNode;
  wsUrl: string;
  token: Address;
  abi: Abi;
  /** Sends `transfer(recipient, value)` from the first account; resolves with the hash once the node accepted it. */
  transfer(value: bigint): Promise<Hash>;
  blockNumber(): Promise<bigint>;
  /** Transaction hashes of block `number`. */
  blockTransactions(number: bigint): Promise<{ hash: string; transactions: Hash[] }>;
  close(): Promise<void>;
}

const GAS = "0x186a0"; // 100k: a transfer needs ~52k; a fixed limit spares the node an estimate per transfer.

async function receipt(node: HardhatNode, hash: Hash, timeoutMs = 30_000): Promise<{ contractAddress: Address }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await node.rpc<{ contractAddress: Address; status: Hex } | null>("eth_getTransactionReceipt", [hash]);
    if (found) {
      if (found.status !== "0x1") throw new Error(`transaction ${hash} reverted`);
      return found;
    }
    if (Date.now() > deadline) throw new Error(`no receipt for ${hash} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts hardhat (automine on) and deploys the ERC-20 from account 0. */
export async function startBenchChain(): Promise<BenchChain> {
  const contract = compileContract("Token");
  const node = await startHardhat();
  try {
    const [sender, recipient] = await node.rpc<Address[]>("eth_accounts");
    if (!sender || !recipient) throw new Error("hardhat has no unlocked accounts");
    const data = encodeDeployData({ abi: contract.abi, bytecode: contract.bytecode, args: [10n ** 30n] });
    const deployHash = await node.rpc<Hash>("eth_sendTransaction", [{ from: sender, data, gas: "0x2dc6c0" }]);
    const token = (await receipt(node, deployHash)).contractAddress;
    return {
      node,
      wsUrl: node.url.replace(/^http/, "ws"),
      token,
      abi: contract.abi,
      transfer: (value) =>
        node.rpc<Hash>("eth_sendTransaction", [
          {
            from: sender,
            to: token,
            gas: GAS,
            data: encodeFunctionData({ abi: contract.abi, functionName: "transfer", args: [recipient, value] }),
          },
        ]),
      blockNumber: async () => BigInt(await node.rpc<Hex>("eth_blockNumber")),
      blockTransactions: async (number) => {
        const block = await node.rpc<{ hash: string; transactions: Hash[] } | null>("eth_getBlockByNumber", [
          `0x${number.toString(16)}`,
          false,
        ]);
        if (block === null) throw new Error(`hardhat has no block ${number}`);
        return { hash: block.hash.toLowerCase(), transactions: block.transactions.map((h) => h.toLowerCase() as Hash) };
      },
      close: () => node.close(),
    };
  } catch (error) {
    await node.close();
    throw error;
  }
}

export interface ObservedHead {
  number: bigint;
  hash: string;
  /** `Date.now()` when the notification arrived at the benchmark. */
  observedAt: number;
}

export interface HeadObserver {
  heads: ObservedHead[];
  close(): void;
}

/**
 * Subscribes to `newHeads` over a WebSocket and records when each head arrives; `onHead` runs after recording.
 * Resolves once the subscription is confirmed.
 */
export function observeHeads(
  wsUrl: string,
  onHead: (head: ObservedHead) => void,
  timeoutMs = 10_000,
): Promise<HeadObserver> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl);
    const heads: ObservedHead[] = [];
    let subscription: string | undefined;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`newHeads subscription on ${wsUrl} not confirmed within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("open", () =>
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] })),
    );
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("message", (data: WebSocket.RawData) => {
      const observedAt = Date.now();
      const message = JSON.parse(data.toString()) as {
        id?: number;
        result?: unknown;
        params?: { subscription?: string; result?: { number?: string; hash?: string } };
      };
      if (message.id === 1) {
        if (typeof message.result !== "string") {
          clearTimeout(timer);
          reject(new Error(`eth_subscribe(newHeads) refused: ${JSON.stringify(message)}`));
          return;
        }
        subscription = message.result;
        clearTimeout(timer);
        resolve({ heads, close: () => socket.close() });
        return;
      }
      const header = message.params?.result;
      if (message.params?.subscription !== subscription || !header?.number || !header.hash) return;
      const head = { number: BigInt(header.number), hash: header.hash.toLowerCase(), observedAt };
      heads.push(head);
      onHead(head);
    });
  });
}
