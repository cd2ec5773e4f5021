/**
 * Issue 5's finish line through a real `./bin/argus start` process (no config directory, embedded PGlite): two
 * tenants sign up over the REST API, import their own OZ config bundles (a tenant-private network on the hardhat
 * node, a webhook trigger, a transfer monitor), and each then sees only its own matches and deliveries — the other
 * tenant's are unreachable by slug, by id and by resource id.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HardhatNode, startHardhat } from "../../src/devchain/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/receivers.js";
import { type DeployedToken, deployToken } from "../support/token.js";
import { type ArgusProcess, hardhatNetwork, startArgusProcess, transferMonitor, waitFor } from "./argus-process.js";

interface Tenant {
  slug: string;
  id: string;
  token: string;
}

let node: HardhatNode;
let token: DeployedToken;
let receiver: WebhookReceiver;
let dataDir: string;
let argus: ArgusProcess | undefined;
let baseUrl: string;

async function api(method: string, url: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function signup(slug: string): Promise<Tenant> {
  const answer = await api("POST", "/api/v1/auth/signup", {
    body: { email: `${slug}@example.com`, password: "correct horse battery", tenantSlug: slug, tenantName: slug },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  const body = answer.body as { tenant: { id: string }; tokens: { accessToken: string } };
  return { slug, id: body.tenant.id, token: body.tokens.accessToken };
}

/** An OZ bundle: the hardhat network (private to the tenant), a webhook to `/<slug>`, a monitor of `expression`. */
function bundle(tenant: string, expression: string) {
  const monitor = transferMonitor(token.address, ["hook"]);
  (monitor.match_conditions as { events: Array<{ expression: string }> }).events[0]!.expression = expression;
  return {
    networks: { "hardhat_local.json": hardhatNetwork(node, { block_time_ms: 250 }) },
    triggers: {
      "hooks.json": {
        hook: {
          name: `${tenant} hook`,
          trigger_type: "webhook",
          config: {
            url: { type: "Plain", value: `${receiver.url}/${tenant}` },
            method: "POST",
            secret: { type: "Plain", value: `secret-of-${tenant}` },
            headers: {},
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an OZ notification template
            message: { title: "Transfer", body: "value ${events.0.args.value}" },
          },
        },
      },
    },
    monitors: { "transfers.json": { ...monitor, name: `${tenant} transfers` } },
    scripts: {},
  };
}

const pathOf = (r: { path?: string; url?: string }) => r.path ?? r.url ?? "";

beforeAll(async () => {
  node = await startHardhat();
  token = await deployToken(node);
  receiver = await startWebhookReceiver();
  dataDir = await mkdtemp(path.join(tmpdir(), "argus-two-tenants-"));
  // No config directory: the tenants bring their configuration through the API.
  argus = startArgusProcess(undefined, dataDir);
  baseUrl = await argus.url;
}, 120_000);

afterAll(async () => {
  await argus?.stop();
  await receiver?.close();
  await node?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("two tenants on one argus start", () => {
  it("sign up, import their OZ configs, and see only their own matches and deliveries", async () => {
    const alpha = await signup("alpha");
    const beta = await signup("beta");
    for (const [tenant, expression] of [
      [alpha, "value > 0"],
      [beta, "value >= 500"],
    ] as const) {
      const imported = await api("POST", `/api/v1/tenants/${tenant.slug}/import`, {
        token: tenant.token,
        body: { bundle: bundle(tenant.slug, expression) },
      });
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    }

    // A network new to Argus is watched from its head when its watcher starts (OZ's behaviour for a first run):
    // wait until both tenants' networks are running before sending what they must see.
    await waitFor(
      async () => {
        const ready = (await (await fetch(`${baseUrl}/readyz`)).json()) as { networks?: Record<string, string> };
        const states = ready.networks ?? {};
        return states["alpha/hardhat_local"] === "running" && states["beta/hardhat_local"] === "running";
      },
      () => `networks not running\n${argus?.output()}`,
      30_000,
    );
    const to = token.accounts[1] as Address;
    const values = [100n, 700n, 200n, 900n, 300n];
    for (const value of values) await token.transfer(to, value);
    await node.rpc("evm_mine"); // confirmation_blocks: 1 — the last transfer's block needs one on top
    const forAlpha = values.length;
    const forBeta = values.filter((v) => v >= 500n).length;

    const received = (slug: string) => receiver.requests.filter((r) => pathOf(r).startsWith(`/${slug}`));
    await waitFor(
      () => received("alpha").length >= forAlpha && received("beta").length >= forBeta,
      () =>
        `alpha ${received("alpha").length}/${forAlpha}, beta ${received("beta").length}/${forBeta}: ${received("beta")
          .map((r) => r.body.toString())
          .join(" | ")}\n${argus?.output()}`,
      90_000,
    );

    const matchesOf = async (tenant: Tenant) => {
      const page = await api("GET", `/api/v1/tenants/${tenant.slug}/matches?limit=50`, { token: tenant.token });
      expect(page.status).toBe(200);
      return page.body.items as Array<{ id: string; monitorId: string }>;
    };
    const alphaMatches = await matchesOf(alpha);
    const betaMatches = await matchesOf(beta);
    expect(alphaMatches).toHaveLength(forAlpha);
    expect(betaMatches).toHaveLength(forBeta);
    expect(alphaMatches.some((m) => betaMatches.some((b) => b.id === m.id))).toBe(false);

    const deliveries = await api("GET", `/api/v1/tenants/${beta.slug}/deliveries?limit=50`, { token: beta.token });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items).toHaveLength(forBeta);
    // Each webhook id reached the receiver once, and only at its own tenant's URL.
    const ids = (slug: string) => received(slug).map((r) => r.headers["webhook-id"]);
    expect(new Set(ids("alpha")).size).toBe(forAlpha);
    expect(new Set(ids("beta")).size).toBe(forBeta);

    // Neither tenant reaches the other: by slug, by id, and by a resource id under its own path.
    for (const url of [
      `/api/v1/tenants/${beta.slug}/matches`,
      `/api/v1/tenants/${beta.id}/deliveries`,
      `/api/v1/tenants/${alpha.slug}/matches/${betaMatches[0]!.id}`,
    ]) {
      expect((await api("GET", url, { token: alpha.token })).status, url).toBe(404);
    }
    const secretShown = await api("GET", `/api/v1/tenants/${alpha.slug}/triggers`, { token: alpha.token });
    expect(JSON.stringify(secretShown.body)).not.toContain("secret-of-alpha");
  }, 150_000);
});
