/**
 * The test ERC-20 (`Token`, compiled from test/fixtures) on a hardhat node: deploy it, send transfers, mine blocks.
 * Shared by every suite that needs real Transfer events on a real chain.
 */
import { type Address, createPublicClient, createWalletClient, defineChain, type Hash, http } from "viem";
import type { HardhatNode } from "../../src/devchain/index.js";
import { type CompiledContract, compileContract } from "./contracts.js";

const chain = defineChain({
  id: 31337,
  name: "hardhat",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1"] } },
});

/** Hardhat automines: a receipt is there at once, so poll for it often. */
const POLLING_MS = 20;

let compiled: CompiledContract | undefined;
/** The test Token, compiled once per test file. */
export function tokenContract(): CompiledContract {
  compiled ??= compileContract("Token");
  return compiled;
}

export interface DeployedToken {
  address: Address;
  /** The node's accounts; the first holds the whole supply and sends every transfer. */
  accounts: Address[];
  /** Sends `transfer(to, amount)` and waits for its receipt (hardhat mines one block per transaction). */
  transfer(to: Address, amount: bigint): Promise<{ hash: Hash; blockNumber: bigint; blockHash: Hash }>;
  /** Mines `n` empty blocks. */
  mine(n: number): Promise<void>;
  /** The latest block's timestamp, in seconds. */
  latestTimestamp(): Promise<number>;
}

export async function deployToken(node: HardhatNode): Promise<DeployedToken> {
  const contract = tokenContract();
  const transport = http(node.url);
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: POLLING_MS });
  const accounts = await node.rpc<Address[]>("eth_accounts");
  const wallet = createWalletClient({ chain, transport, account: accounts[0]! });
  const deployHash = await wallet.deployContract({
    abi: contract.abi,
    bytecode: contract.bytecode,
    args: [10n ** 24n],
  });
  const address = (await publicClient.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;
  return {
    address,
    accounts,
    async transfer(to, amount) {
      const hash = await wallet.writeContract({
        address,
        abi: contract.abi,
        functionName: "transfer",
        args: [to, amount],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: POLLING_MS });
      return { hash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
    },
    async mine(n) {
      await node.rpc("hardhat_mine", [`0x${n.toString(16)}`]);
    },
    latestTimestamp: async () => Number((await publicClient.getBlock({ blockTag: "latest" })).timestamp),
  };
}
