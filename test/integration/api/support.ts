/**
 * The API over a real store (PGlite and PostgreSQL, via the store suites' support) and the real identity service:
 * `describeApi(title, body)` runs a suite once per driver with a fresh app per test and helpers to call it.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import pino from "pino";
import { afterEach, beforeEach, describe } from "vitest";
import { type BuildApiOptions, buildApi, createMemoryRateLimiter } from "../../../src/api/index.js";
import { createIdentity, type Identity } from "../../../src/identity/index.js";
import { createKeyring } from "../../../src/secrets/index.js";
import type { Store } from "../../../src/store/index.js";
import { sharedFixtures } from "../../support/cli.js";
import { DRIVERS, type DriverName, useStore } from "../store/support.js";

export const PASSWORD = "correct horse battery staple";

export interface ApiHandle {
  readonly driver: DriverName;
  readonly store: Store;
  readonly app: FastifyInstance;
  readonly identity: Identity;
  /** Rebuilds the app with other options (e.g. tight rate limits); closed after the test. */
  rebuild(options: Partial<BuildApiOptions>): Promise<FastifyInstance>;
}

export interface CallOptions {
  token?: string;
  apiKey?: string;
  body?: unknown;
  headers?: Record<string, string>;
  app?: FastifyInstance;
}

export interface Answer {
  status: number;
  body: Record<string, unknown> & { errors?: Array<{ path: string; message: string; code: string }> };
  headers: LightMyRequestResponse["headers"];
  raw: LightMyRequestResponse;
}

export const keyring = createKeyring({ keys: [{ id: "test", key: Buffer.alloc(32, 7) }] });

export function describeApi(title: string, body: (h: ApiHandle) => void): void {
  for (const driver of DRIVERS) {
    describe(`${title} [${driver}]`, () => {
      const storeHandle = useStore(driver);
      let app: FastifyInstance | undefined;
      let identity: Identity | undefined;
      const extra: FastifyInstance[] = [];
      const make = (options: Partial<BuildApiOptions> = {}) =>
        buildApi({
          store: storeHandle.store,
          identity: identity!,
          keyring,
          logger: pino({ level: "silent" }),
          allowPrivateNetworks: true,
          rateLimiter: createMemoryRateLimiter(),
          ...options,
        });
      beforeEach(async () => {
        identity = createIdentity({
          store: storeHandle.store,
          jwtSecret: randomBytes(32),
          issuer: "https://argus.test",
          audience: "argus-api",
        });
        app = await make();
      });
      afterEach(async () => {
        await app?.close();
        for (const other of extra.splice(0)) await other.close();
      });
      body({
        driver,
        get store() {
          return storeHandle.store;
        },
        get app() {
          return app!;
        },
        get identity() {
          return identity!;
        },
        async rebuild(options) {
          const other = await make(options);
          extra.push(other);
          return other;
        },
      });
    });
  }
}

export async function call(h: ApiHandle, method: string, url: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey !== undefined) headers["x-api-key"] = options.apiKey;
  const raw = await (options.app ?? h.app).inject({
    method: method as "GET",
    url,
    headers,
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
  let parsed: Record<string, unknown> = {};
  if (raw.body !== "") {
    try {
      parsed = JSON.parse(raw.body) as Record<string, unknown>;
    } catch {
      parsed = { text: raw.body };
    }
  }
  return { status: raw.statusCode, body: parsed as Answer["body"], headers: raw.headers, raw };
}

export interface SignedUp {
  userId: string;
  email: string;
  tenantId: string;
  slug: string;
  token: string;
  refreshToken: string;
}

let counter = 0;

/** Signs up a user with a tenant through the API. */
export async function signup(h: ApiHandle, name = "t"): Promise<SignedUp> {
  counter += 1;
  const slug = `${name}-${counter}-${randomBytes(3).toString("hex")}`;
  const email = `${slug}@example.com`;
  const answer = await call(h, "POST", "/api/v1/auth/signup", {
    body: { email, password: PASSWORD, tenantSlug: slug, tenantName: `Tenant ${slug}` },
  });
  if (answer.status !== 201) throw new Error(`signup failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  const b = answer.body as {
    user: { id: string };
    tenant: { id: string };
    tokens: { accessToken: string; refreshToken: string };
  };
  return {
    userId: b.user.id,
    email,
    tenantId: b.tenant.id,
    slug,
    token: b.tokens.accessToken,
    refreshToken: b.tokens.refreshToken,
  };
}

/** Creates an API key through the API (as the given user token). */
export async function createKey(
  h: ApiHandle,
  tenant: SignedUp,
  scopes: string[],
  role = "admin",
): Promise<{ id: string; key: string }> {
  const answer = await call(h, "POST", `/api/v1/tenants/${tenant.slug}/api-keys`, {
    token: tenant.token,
    body: { name: `key-${scopes.length}-${scopes[0] ?? ""}`, role, scopes },
  });
  if (answer.status !== 201) throw new Error(`key creation failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { id: answer.body.id as string, key: answer.body.key as string };
}

/** Makes a user a platform operator (there is no API for that: it is a deployment decision). */
export async function makeOperator(store: Store, userId: string): Promise<void> {
  await store.db.execute(sql`update users set platform_role = 'operator' where id = ${userId}`);
}

/** A file of the shared OZ EVM fixture (`networks/network.json`, `monitors/monitor.json`), parsed. */
function evmFixture(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${sharedFixtures}/evm/${file}`, "utf8")) as Record<string, unknown>;
}

/**
 * What testing a monitor against a past block needs: the shared fixture's network (`ethereum_mainnet`) as a platform
 * network on `rpcUrl` (created by a new operator), and a new tenant with the fixture's monitor, without triggers.
 */
export async function seedFixtureMonitor(
  h: ApiHandle,
  rpcUrl: string,
  names: { operator: string; tenant: string },
): Promise<{ tenant: SignedUp; url: string; monitorId: string }> {
  const op = await signup(h, names.operator);
  await makeOperator(h.store, op.userId);
  const network = evmFixture("networks/network.json");
  network.rpc_urls = [{ type_: "rpc", url: { type: "Plain", value: rpcUrl }, weight: 100 }];
  const created = await call(h, "POST", "/api/v1/platform/networks", { token: op.token, body: { config: network } });
  if (created.status !== 201) throw new Error(`network creation failed: ${JSON.stringify(created.body)}`);
  const tenant = await signup(h, names.tenant);
  const url = `/api/v1/tenants/${tenant.slug}`;
  const monitor = evmFixture("monitors/monitor.json");
  monitor.triggers = [];
  monitor.trigger_conditions = [];
  const saved = await call(h, "POST", `${url}/monitors`, { token: tenant.token, body: { config: monitor } });
  if (saved.status !== 201) throw new Error(`monitor creation failed: ${JSON.stringify(saved.body)}`);
  return { tenant, url, monitorId: saved.body.id as string };
}

export function evmNetwork(slug: string, url = "http://127.0.0.1:8545"): Record<string, unknown> {
  return {
    network_type: "EVM",
    slug,
    name: `Network ${slug}`,
    rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: url }, weight: 100 }],
    chain_id: 31337,
    block_time_ms: 1000,
    confirmation_blocks: 1,
    cron_schedule: "*/5 * * * * *",
    max_past_blocks: 50,
    store_blocks: false,
  };
}

export function webhookTrigger(
  url = "https://hooks.example.com/argus",
  secret = "s3cret-value",
): Record<string, unknown> {
  return {
    name: "Ops webhook",
    trigger_type: "webhook",
    config: {
      url: { type: "Plain", value: url },
      method: "POST",
      secret: { type: "Plain", value: secret },
      headers: { Authorization: "Bearer receiver-token" },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an OZ notification template
      message: { title: "Alert", body: "Match in ${transaction.hash}" },
    },
  };
}

export function transferMonitor(name: string, networks: string[], triggers: string[]): Record<string, unknown> {
  return {
    name,
    paused: false,
    networks,
    addresses: [{ address: "0x5FbDB2315678afecb367f032d93F642f64180aa3" }],
    match_conditions: {
      functions: [],
      events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 1000" }],
      transactions: [],
    },
    trigger_conditions: [],
    triggers,
  };
}
