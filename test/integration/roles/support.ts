/**
 * Shared pieces of the roles suites: a hardhat chain with the test Token, many tenants each watching the transfers
 * to its own address (so the ground truth is exact: transfer k belongs to tenant k mod n), and the comparison of a
 * webhook receiver's requests with that truth.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { type Address, createPublicClient, createWalletClient, defineChain, type Hash, http } from "viem";
import type { HardhatNode } from "../../../src/devchain/index.js";
import { importBundle } from "../../../src/portable/index.js";
import { type Store, tenants } from "../../../src/store/index.js";
import { repoRoot } from "../../support/cli.js";
import { compileContract } from "../../support/contracts.js";
import type { RecordedRequest } from "../../support/receivers.js";

const chain = defineChain({
  id: 31337,
  name: "hardhat",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1"] } },
});
const TRANSFER = "Transfer(address,address,uint256)";
let token: ReturnType<typeof compileContract> | undefined;
const tokenContract = () => {
  token ??= compileContract("Token");
  return token;
};

/** The address tenant `i` watches (transfers to it are that tenant's). */
export function tenantAddress(i: number): Address {
  return `0x${(0xa000 + i).toString(16).padStart(40, "0")}` as Address;
}

export interface TokenChain {
  address: Address;
  /** Sends `transfer(to, amount)` and waits for its receipt (hardhat automines one block per transaction). */
  transfer(to: Address, amount: bigint): Promise<{ hash: Hash; blockNumber: bigint }>;
  /** Mines `n` empty blocks. */
  mine(n: number): Promise<void>;
}

export async function deployTokenChain(node: HardhatNode): Promise<TokenChain> {
  const contract = tokenContract();
  const transport = http(node.url);
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 20 });
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
    async transfer(to, amount) {
      const hash = await wallet.writeContract({
        address,
        abi: contract.abi,
        functionName: "transfer",
        args: [to, amount],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      return { hash, blockNumber: receipt.blockNumber };
    },
    async mine(n) {
      await node.rpc("hardhat_mine", [`0x${n.toString(16)}`]);
    },
  };
}

/** An OZ `rpc_urls` entry: higher weights are tried first (OZ §11). */
export interface RpcUrlEntry {
  url: string;
  weight: number;
}

/** The network file; `rpcUrls` (e.g. a primary and a secondary) replaces the single `rpcUrl` at weight 100. */
export function networkJson(rpcUrl: string, rpcUrls?: readonly RpcUrlEntry[]): Record<string, unknown> {
  const entries = rpcUrls ?? [{ url: rpcUrl, weight: 100 }];
  return {
    network_type: "EVM",
    slug: "hardhat_local",
    name: "Hardhat Local",
    rpc_urls: entries.map((entry) => ({
      type_: "rpc",
      url: { type: "Plain", value: entry.url },
      weight: entry.weight,
    })),
    chain_id: 31337,
    block_time_ms: 250,
    confirmation_blocks: 1,
    cron_schedule: "*/5 * * * * *",
    max_past_blocks: "unlimited",
    store_blocks: false,
  };
}

/**
 * Creates the platform network and `count` tenants (`t000`, `t001`, …), each with one monitor of the token's
 * transfers to `tenantAddress(i)` and a webhook trigger to `<receiverUrl>/t/<i>`.
 */
export async function seedTenants(
  store: Store,
  options: {
    count: number;
    rpcUrl: string;
    rpcUrls?: readonly RpcUrlEntry[];
    tokenAddress: Address;
    receiverUrl: string;
  },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < options.count; i++) {
    const tenant = await tenants.create(store, { slug: `t${String(i).padStart(3, "0")}`, name: `Tenant ${i}` });
    if (i === 0) {
      await importBundle(
        store,
        tenant.id,
        {
          networks: { "hardhat_local.json": networkJson(options.rpcUrl, options.rpcUrls) },
          monitors: {},
          triggers: {},
          scripts: {},
        },
        { platformNetworks: true },
      );
    }
    await importBundle(store, tenant.id, {
      networks: {},
      monitors: {
        "mine.json": {
          name: "Mine",
          networks: ["hardhat_local"],
          paused: false,
          addresses: [{ address: options.tokenAddress, contract_spec: tokenContract().abi }],
          match_conditions: {
            functions: [],
            events: [{ signature: TRANSFER, expression: `to == ${tenantAddress(i)}` }],
            transactions: [],
          },
          trigger_conditions: [],
          triggers: ["hook"],
        },
      },
      triggers: {
        "hooks.json": {
          hook: {
            name: "Hook",
            trigger_type: "webhook",
            config: {
              url: { type: "Plain", value: `${options.receiverUrl}/t/${i}` },
              method: "POST",
              // biome-ignore lint/suspicious/noTemplateCurlyInString: an OZ notification template
              message: { title: "Transfer", body: "${transaction.hash}" },
            },
          },
        },
      },
      scripts: {},
    });
    ids.push(tenant.id);
  }
  return ids;
}

export interface Sent {
  tenant: number;
  hash: string;
}

/**
 * What the receiver got, compared with what was sent: missing, unexpected (misrouted) and duplicated notifications
 * (one notification under two webhook-ids). A retry of the same webhook-id (a dispatcher killed mid-attempt) is
 * not a duplicate: it is counted in `retries`.
 */
export function compareDeliveries(sent: readonly Sent[], requests: readonly RecordedRequest[]) {
  const expected = new Set(sent.map((s) => `/t/${s.tenant} ${s.hash.toLowerCase()}`));
  const idsByKey = new Map<string, Set<string>>();
  const ids = new Set<string>();
  for (const request of requests) {
    const body = JSON.parse(request.body.toString()) as { body: string };
    const key = `${request.path} ${body.body.toLowerCase()}`;
    const id = request.headers["webhook-id"] ?? "";
    ids.add(id);
    const set = idsByKey.get(key) ?? new Set<string>();
    set.add(id);
    idsByKey.set(key, set);
  }
  return {
    missing: [...expected].filter((key) => !idsByKey.has(key)),
    unexpected: [...idsByKey.keys()].filter((key) => !expected.has(key)),
    duplicated: [...idsByKey].filter(([, set]) => set.size > 1).map(([key]) => key),
    distinctWebhookIds: ids.size,
    retries: requests.length - ids.size,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` (errors count as false) every 100 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** `./bin/argus start --role <role>` as a child process, with its output kept for failure messages. */
export interface RoleProcess {
  name: string;
  child: ChildProcess;
  /** The process's health URL (`http://127.0.0.1:<port>`), once it printed it; rejects if it exits first. */
  url: Promise<string>;
  output(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  readyz(): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startRoleProcess(name: string, role: string, env: NodeJS.ProcessEnv): RoleProcess {
  const child = spawn(path.join(repoRoot, "bin/argus"), ["start", "--role", role, "--port", "0"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    // The tail is what explains a failure; a long run must not grow without bound.
    output = (output + chunk.toString()).slice(-200_000);
  };
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      keep(chunk);
      const found = /Health and metrics: (http:\/\/\S+)\/readyz/.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    child.stderr?.on("data", keep);
    child.once("exit", (code, signal) => reject(new Error(`${name} exited (${code ?? signal}):\n${output}`)));
  });
  url.catch(() => {});
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    url,
    output: () => output,
    alive,
    readyz: async () => (await (await fetch(`${await url}/readyz`)).json()) as Record<string, unknown>,
    async kill(signal = "SIGKILL") {
      if (!alive()) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await exited;
    },
  };
}
