import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  type Hash,
  http,
  toEventSelector,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HardhatNode, startHardhat } from "../../src/devchain/index.js";
import { runArgus } from "../support/cli.js";
import { compileContract } from "../support/contracts.js";

const chain = defineChain({
  id: 31337,
  name: "hardhat",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1"] } },
});

const token = compileContract("Token");
const vault = compileContract("Vault");

interface MatchJson {
  EVM: {
    monitor: { name: string; addresses: { address: string; contract_spec: unknown }[] };
    transaction: { hash: string; from: string; to: string | null };
    receipt: { status: string } | null;
    logs: { address: string; topics: string[] }[];
    network_slug: string;
    matched_on: {
      functions: { signature: string; expression: string | null }[];
      events: { signature: string; expression: string | null }[];
      transactions: { status: string; expression: string | null }[];
    };
    matched_on_args: {
      functions:
        | {
            signature: string;
            hex_signature: string;
            args: { name: string; value: string; kind: string; indexed: boolean }[];
          }[]
        | null;
      events:
        | {
            signature: string;
            hex_signature: string;
            args: { name: string; value: string; kind: string; indexed: boolean }[];
          }[]
        | null;
    };
  };
}

describe("test-monitor on a real hardhat chain", () => {
  let node: HardhatNode;
  let configDir: string;
  let accounts: Address[];
  let tokenAddress: Address;
  let vaultAddress: Address;
  let transferBlock: bigint;
  let transferHash: Hash;
  let mixedBlock: bigint;
  let mixedTransferHash: Hash;
  let revertedHash: Hash;
  let withdrawHash: Hash;

  beforeAll(async () => {
    node = await startHardhat();
    const transport = http(node.url);
    const publicClient = createPublicClient({ chain, transport, cacheTime: 0 });
    accounts = await node.rpc<Address[]>("eth_accounts");
    const [deployer, alice, bob] = accounts as [Address, Address, Address];
    const wallet = createWalletClient({ chain, transport, account: deployer });

    const deploy = async (abi: Abi, bytecode: `0x${string}`, args: unknown[]) => {
      const hash = await wallet.deployContract({ abi, bytecode, args });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (!receipt.contractAddress) throw new Error("deployment produced no contract address");
      return receipt.contractAddress;
    };
    tokenAddress = await deploy(token.abi, token.bytecode, [10n ** 24n]);
    vaultAddress = await deploy(vault.abi, vault.bytecode, [100n]);

    // Block 1: one ERC-20 transfer, mined on its own.
    transferHash = await wallet.writeContract({
      address: tokenAddress,
      abi: token.abi,
      functionName: "transfer",
      args: [alice, 1_500_000_000_000_000_000n],
    });
    transferBlock = (await publicClient.waitForTransactionReceipt({ hash: transferHash })).blockNumber;

    // Block 2: a transfer, a successful withdrawal and a reverted withdrawal in the same block, so the block has logs
    // and a failed transaction (the case OZ gets wrong, issue #498).
    await node.rpc("evm_setAutomine", [false]);
    mixedTransferHash = await wallet.writeContract({
      address: tokenAddress,
      abi: token.abi,
      functionName: "transfer",
      args: [bob, 42n],
      gas: 100_000n,
    });
    withdrawHash = await wallet.sendTransaction({
      to: vaultAddress,
      data: encodeFunctionData({ abi: vault.abi, functionName: "withdraw", args: [50n, "rent"] }),
      gas: 100_000n,
    });
    revertedHash = await wallet.sendTransaction({
      to: vaultAddress,
      data: encodeFunctionData({ abi: vault.abi, functionName: "withdraw", args: [1_000n, "too much"] }),
      gas: 100_000n,
    });
    await node.rpc("evm_mine");
    await node.rpc("evm_setAutomine", [true]);
    mixedBlock = (await publicClient.waitForTransactionReceipt({ hash: revertedHash })).blockNumber;

    configDir = await mkdtemp(path.join(tmpdir(), "argus-e2e-"));
    await mkdir(path.join(configDir, "networks"));
    await mkdir(path.join(configDir, "triggers"));
    await mkdir(path.join(configDir, "monitors"));
    await writeFile(
      path.join(configDir, "networks", "hardhat_local.json"),
      JSON.stringify({
        network_type: "EVM",
        slug: "hardhat_local",
        name: "Hardhat Local",
        rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: node.url }, weight: 100 }],
        chain_id: 31337,
        block_time_ms: 1000,
        confirmation_blocks: 1,
        cron_schedule: "*/5 * * * * *",
        max_past_blocks: 10,
        store_blocks: false,
      }),
    );
    await writeFile(
      path.join(configDir, "triggers", "webhooks.json"),
      JSON.stringify({
        ops_webhook: {
          name: "Ops webhook",
          trigger_type: "webhook",
          config: {
            url: { type: "Plain", value: "https://example.com/hooks/argus" },
            method: "POST",
            headers: { Authorization: "Bearer test" },
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an OZ notification template, not a JS template
            message: { title: "Match", body: "${monitor.name} matched ${transaction.hash}" },
          },
        },
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await node?.close();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  async function writeMonitor(name: string, monitor: object): Promise<string> {
    const file = path.join(configDir, "monitors", `${name}.json`);
    await writeFile(file, JSON.stringify(monitor, null, 2));
    return file;
  }

  async function testMonitor(file: string, block: bigint): Promise<MatchJson[]> {
    const run = await runArgus([
      "test-monitor",
      "--config-dir",
      configDir,
      "--monitor",
      file,
      "--network",
      "hardhat_local",
      "--block",
      block.toString(),
    ]);
    expect(run.stderr).not.toContain("unexpected failure");
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as MatchJson[];
  }

  const baseMonitor = (name: string, address: Address, abi: Abi) => ({
    name,
    networks: ["hardhat_local"],
    paused: false,
    addresses: [{ address, contract_spec: abi }],
    match_conditions: { functions: [], events: [], transactions: [] },
    trigger_conditions: [],
    triggers: ["ops_webhook"],
  });

  it("matches an ERC-20 transfer by event and function with OZ's args and formats", async () => {
    const file = await writeMonitor("large-transfers", {
      ...baseMonitor("Large Transfers", tokenAddress, token.abi),
      match_conditions: {
        functions: [{ signature: "transfer(address,uint256)", expression: null }],
        events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 1000000000000000000" }],
        transactions: [{ status: "Success", expression: null }],
      },
    });
    const [deployer, alice] = accounts as [Address, Address];
    const matches = await testMonitor(file, transferBlock);
    expect(matches).toHaveLength(1);
    const match = matches[0]!.EVM;
    expect(match.network_slug).toBe("hardhat_local");
    expect(match.transaction.hash).toBe(transferHash);
    expect(match.monitor.name).toBe("Large Transfers");
    expect(match.monitor.addresses[0]!.contract_spec).toBeNull();
    expect(match.receipt?.status).toBe("0x1");
    expect(match.matched_on).toEqual({
      functions: [{ signature: "transfer(address,uint256)", expression: null }],
      events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 1000000000000000000" }],
      transactions: [{ status: "Success", expression: null }],
    });
    expect(match.matched_on_args.events).toEqual([
      {
        signature: "Transfer(address,address,uint256)",
        hex_signature: toEventSelector("Transfer(address,address,uint256)"),
        args: [
          { name: "from", value: deployer.toLowerCase(), kind: "address", indexed: true },
          { name: "to", value: alice.toLowerCase(), kind: "address", indexed: true },
          { name: "value", value: "1500000000000000000", kind: "uint256", indexed: false },
        ],
      },
    ]);
    expect(match.matched_on_args.functions).toEqual([
      {
        signature: "transfer(address,uint256)",
        hex_signature: "0xa9059cbb",
        args: [
          { name: "to", value: alice.toLowerCase(), kind: "address", indexed: false },
          { name: "value", value: "1500000000000000000", kind: "uint256", indexed: false },
        ],
      },
    ]);
  });

  it("returns [] when the expression excludes the transfer", async () => {
    const file = await writeMonitor("huge-transfers", {
      ...baseMonitor("Huge Transfers", tokenAddress, token.abi),
      match_conditions: {
        functions: [],
        events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 2000000000000000000" }],
        transactions: [],
      },
    });
    expect(await testMonitor(file, transferBlock)).toEqual([]);
  });

  it("reports a reverted call as Failure in a block that has logs", async () => {
    const file = await writeMonitor("vault-failures", {
      ...baseMonitor("Vault Failures", vaultAddress, vault.abi),
      match_conditions: { functions: [], events: [], transactions: [{ status: "Failure", expression: null }] },
    });
    // The block really has logs (the transfer's and the withdrawal's) and all three transactions.
    const hex = `0x${mixedBlock.toString(16)}`;
    const logs = await node.rpc<unknown[]>("eth_getLogs", [{ fromBlock: hex, toBlock: hex }]);
    expect(logs.length).toBeGreaterThanOrEqual(2);
    const block = await node.rpc<{ transactions: string[] }>("eth_getBlockByNumber", [hex, false]);
    expect(block.transactions).toEqual([mixedTransferHash, withdrawHash, revertedHash]);

    const matches = await testMonitor(file, mixedBlock);
    expect(matches.map((m) => m.EVM.transaction.hash)).toEqual([revertedHash]);
    const match = matches[0]!.EVM;
    expect(match.matched_on.transactions).toEqual([{ status: "Failure", expression: null }]);
    expect(match.receipt?.status).toBe("0x0");
    expect(match.logs).toEqual([]);
  });

  it("sees every transaction of a mixed block with its own status", async () => {
    const file = await writeMonitor("vault-any", {
      ...baseMonitor("Vault Activity", vaultAddress, vault.abi),
      match_conditions: {
        functions: [{ signature: "withdraw(uint256,string)", expression: "memo == 'rent' OR amount > 100" }],
        events: [],
        transactions: [{ status: "Any", expression: null }],
      },
    });
    const matches = await testMonitor(file, mixedBlock);
    expect(matches.map((m) => [m.EVM.transaction.hash, m.EVM.matched_on.transactions[0]?.status])).toEqual([
      [withdrawHash, "Success"],
      [revertedHash, "Failure"],
    ]);
    expect(matches[0]!.EVM.matched_on_args.functions?.[0]?.args).toEqual([
      { name: "amount", value: "50", kind: "uint256", indexed: false },
      { name: "memo", value: "rent", kind: "string", indexed: false },
    ]);
    expect(matches.every((m) => m.EVM.transaction.hash !== mixedTransferHash)).toBe(true);
  });

  it("validates the config directory it used", async () => {
    const run = await runArgus(["validate", "--config-dir", configDir]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});
