/**
 * Shared pieces of the runtime suites that run `startArgus` in-process on a real chain: a hardhat node with the test
 * Token, a loopback webhook receiver, Argus on PGlite or PostgreSQL with a store to commit changes through, and the
 * OZ documents they import.
 */
import type { HardhatNode } from "../../../src/devchain/index.js";
import { startHardhat } from "../../../src/devchain/index.js";
import { createLogger } from "../../../src/ops/index.js";
import { type RunningArgus, type StartOptions, startArgus } from "../../../src/runtime/index.js";
import { createStore, type Store } from "../../../src/store/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/receivers.js";
import { type DeployedToken, deployToken, tokenContract } from "../../support/token.js";
import { createTestDatabase, createTestDataDir, type DriverName } from "../store/support.js";

const TRANSFER = "Transfer(address,address,uint256)";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 25 ms (the suites time sub-second promises); throws after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** The OZ network file for the hardhat node. */
export function networkJson(url: string, confirmations = 1) {
  return {
    network_type: "EVM",
    slug: "hardhat_local",
    name: "Hardhat Local",
    rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: url }, weight: 100 }],
    chain_id: 31337,
    block_time_ms: 250,
    confirmation_blocks: confirmations,
    cron_schedule: "*/5 * * * * *",
    max_past_blocks: "unlimited",
    store_blocks: false,
  };
}

/** A monitor of the token's Transfer events that match `expression`, notifying the trigger `hook`. */
export function monitorJson(
  name: string,
  address: string,
  { expression = "value > 0", paused = false }: { expression?: string; paused?: boolean } = {},
) {
  return {
    name,
    networks: ["hardhat_local"],
    paused,
    addresses: [{ address, contract_spec: tokenContract().abi }],
    match_conditions: { functions: [], events: [{ signature: TRANSFER, expression }], transactions: [] },
    trigger_conditions: [],
    triggers: ["hook"],
  };
}

/**
 * A monitor of Transfer events at the address hardhat gives the first deployment, with no ABI and no triggers: for
 * suites that look at configuration (what is watched, since when), not at deliveries.
 */
export function bareMonitorJson(
  name: string,
  {
    network = "hardhat_local",
    expression = "value > 0",
    paused = false,
  }: { network?: string; expression?: string | undefined; paused?: boolean | undefined } = {},
) {
  return {
    name,
    networks: [network],
    paused,
    addresses: [{ address: "0x5fbdb2315678afecb367f032d93f642f64180aa3" }],
    match_conditions: { functions: [], events: [{ signature: TRANSFER, expression }], transactions: [] },
    trigger_conditions: [],
    triggers: [],
  };
}

/** An OZ webhook trigger to `url` whose body is the transfer's value. */
export function webhookTrigger(url: string) {
  return {
    name: "Hook",
    trigger_type: "webhook",
    config: {
      url: { type: "Plain", value: url },
      method: "POST",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an OZ notification template
      message: { title: "Transfer", body: "${events.0.args.value}" },
    },
  };
}

export interface RuntimeFixture {
  node: HardhatNode;
  receiver: WebhookReceiver;
  token: DeployedToken;
  argus: RunningArgus;
  /** Where the test commits its changes: Argus's own store on PGlite, a second pool on PostgreSQL. */
  writer: Store;
  /** Transfers `amount` to the second account; resolves with the block it was mined in. */
  transfer(amount: bigint): Promise<bigint>;
  /** Stops Argus, drops its store and closes the receiver and the node. */
  close(): Promise<void>;
}

/**
 * A hardhat node with the Token deployed, a webhook receiver and `startArgus` on `driver` with nothing configured
 * (full reconciliation only every 10 minutes, so changes must arrive by notification). On PostgreSQL the writer is
 * a second pool: a change reaches the runtime only through NOTIFY.
 */
export async function startRuntimeFixture(
  driver: DriverName,
  options: Pick<StartOptions, "api"> = {},
): Promise<RuntimeFixture> {
  const node = await startHardhat();
  const receiver = await startWebhookReceiver().catch(async (error: unknown) => {
    await node.close();
    throw error;
  });
  try {
    return await startOn(driver, node, receiver, options);
  } catch (error) {
    await receiver.close();
    await node.close();
    throw error;
  }
}

async function startOn(
  driver: DriverName,
  node: HardhatNode,
  receiver: WebhookReceiver,
  options: Pick<StartOptions, "api">,
): Promise<RuntimeFixture> {
  const token = await deployToken(node);
  const common = {
    port: 0,
    env: {},
    logger: createLogger({ level: "silent" }),
    allowPrivateNetworks: true,
    reconcileIntervalMs: 600_000,
    ...options,
  };
  let argus: RunningArgus;
  let writer: Store;
  let cleanup: () => Promise<void>;
  if (driver === "pglite") {
    const data = await createTestDataDir({ migrated: true });
    argus = await startArgus({ ...common, dataDir: data.dir });
    writer = argus.store;
    cleanup = async () => data.remove();
  } else {
    const database = await createTestDatabase();
    const data = await createTestDataDir(); // only its master.key is used
    argus = await startArgus({ ...common, dataDir: data.dir, databaseUrl: database.url });
    writer = await createStore({ databaseUrl: database.url });
    cleanup = async () => {
      await writer.close();
      await database.drop();
      data.remove();
    };
  }
  return {
    node,
    receiver,
    token,
    argus,
    writer,
    transfer: async (amount) => (await token.transfer(token.accounts[1]!, amount)).blockNumber,
    async close() {
      await argus.stop();
      await cleanup();
      await receiver.close();
      await node.close();
    },
  };
}
