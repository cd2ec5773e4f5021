/**
 * Shared pieces of the roles suites: a hardhat chain with the test Token, many tenants each watching the transfers
 * to its own address (so the ground truth is exact: transfer k belongs to tenant k mod n), and the comparison of a
 * webhook receiver's requests with that truth.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import type { Address } from "viem";
import { importBundle } from "../../../src/portable/index.js";
import { type Store, tenants } from "../../../src/store/index.js";
import { type ArgusChild, spawnArgus } from "../../support/cli.js";
import type { RecordedRequest } from "../../support/receivers.js";
import { tokenContract } from "../../support/token.js";

const TRANSFER = "Transfer(address,address,uint256)";

/** The address tenant `i` watches (transfers to it are that tenant's). */
export function tenantAddress(i: number): Address {
  return `0x${(0xa000 + i).toString(16).padStart(40, "0")}` as Address;
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
export interface RoleProcess extends ArgusChild {
  readyz(): Promise<Record<string, unknown>>;
}

export function startRoleProcess(name: string, role: string, env: NodeJS.ProcessEnv): RoleProcess {
  const argus = spawnArgus(name, ["start", "--role", role, "--port", "0"], env);
  return {
    ...argus,
    readyz: async () => (await (await fetch(`${await argus.url}/readyz`)).json()) as Record<string, unknown>,
  };
}

/** What a run's role processes share: one store, and NATS and Redis prefixes no other run uses. */
export interface RoleRun {
  /** Names the suite in the prefixes (`e2e_<tag>_<id>`), so a leftover stream says where it came from. */
  tag: string;
  /** Unique per run. */
  id: string;
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
  shards: number;
}

/** The environment of `argus start --role …` for one run, loopback webhooks allowed. */
export function roleProcessEnv(run: RoleRun): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: run.databaseUrl,
    NATS_URL: run.natsUrl,
    REDIS_URL: run.redisUrl,
    ARGUS_NATS_PREFIX: natsPrefix(run),
    ARGUS_REDIS_PREFIX: `e2e-${run.tag}-${run.id}:`,
    ARGUS_SHARD_COUNT: String(run.shards),
    ARGUS_ALLOW_PRIVATE_NETWORKS: "true",
    ARGUS_LOG_LEVEL: "warn",
  };
}

const natsPrefix = (run: Pick<RoleRun, "tag" | "id">) => `e2e_${run.tag}_${run.id}`;

/** The run's JetStream stream names (`<PREFIX>_BLOCKS`, `<PREFIX>_MATCHES`). */
export function runStreams(run: Pick<RoleRun, "tag" | "id">): { blocks: string; matches: string } {
  const prefix = natsPrefix(run).toUpperCase();
  return { blocks: `${prefix}_BLOCKS`, matches: `${prefix}_MATCHES` };
}

/** Deletes the run's streams: nothing else uses its prefix. */
export async function deleteRunStreams(run: Pick<RoleRun, "tag" | "id" | "natsUrl">): Promise<void> {
  const nc = await connect({ servers: run.natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of Object.values(runStreams(run))) await jsm.streams.delete(stream).catch(() => {});
  } finally {
    await nc.close();
  }
}

/** How many matches the store at `databaseUrl` holds (read over a connection of its own). */
export async function countMatches(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("select count(*) as n from matches");
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}
