// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OZ notification templates use ${…} placeholders in plain strings
/**
 * A real reorg on hardhat (`evm_snapshot` / `evm_revert`, then different blocks) while `./bin/argus start` watches
 * with `confirmation_blocks: 1`, two blocks deep so an orphaned block was already evaluated. The README's reorg
 * behaviour: the orphaned blocks' matches are marked `orphaned` and their notifications not yet sent are suppressed
 * (the receiver kept failing them, so they were still pending); the new chain's matches are delivered; the recorded
 * block hashes and the cursor follow the canonical chain with no block skipped.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Address, Hash } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HardhatNode, startHardhat } from "../../src/devchain/index.js";
import {
  blockHashes,
  createStore,
  cursors,
  DEFAULT_TENANT_ID,
  deliveries,
  matches,
  type Store,
} from "../../src/store/index.js";
import { type RecordedRequest, startWebhookReceiver, type WebhookReceiver } from "../support/receivers.js";
import { type DeployedToken, deployToken } from "../support/token.js";
import {
  type ArgusProcess,
  fastRetry,
  hardhatNetwork,
  metric,
  startArgusProcess,
  transferMonitor,
  waitFor,
  writeConfig,
} from "./argus-process.js";

const CURSOR = 'argus_ingest_cursor_block{network="hardhat_local"}';

describe("argus start through a reorg on hardhat", () => {
  let node: HardhatNode;
  let token: DeployedToken;
  let receiver: WebhookReceiver;
  let root: string;
  let argus: ArgusProcess | undefined;
  let store: Store | undefined;

  beforeAll(async () => {
    node = await startHardhat();
    token = await deployToken(node);
    receiver = await startWebhookReceiver();
    root = await mkdtemp(path.join(tmpdir(), "argus-e2e-reorg-"));
  }, 180_000);

  afterAll(async () => {
    await argus?.kill();
    await store?.close();
    await receiver?.close();
    await node?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("orphans the abandoned blocks' matches, suppresses their pending notifications, delivers the new chain's", async () => {
    const config = await writeConfig(root, {
      network: hardhatNetwork(node, { confirmation_blocks: 1 }),
      triggers: {
        hook: {
          name: "Webhook",
          trigger_type: "webhook",
          config: {
            url: { type: "Plain", value: `${receiver.url}/hook` },
            message: { title: "Transfer", body: "${transaction.hash} ${events.0.args.value}" },
            // Keeps retrying well past the reorg, so the orphaned notification is still pending when it happens.
            retry_policy: fastRetry(40),
          },
        },
      },
      monitor: transferMonitor(token.address, ["hook"]),
    });
    const data = path.join(root, "data");
    argus = startArgusProcess(config, data);
    const url = await argus.url;
    const why = () => `\nrequests: ${describeRequests(receiver.requests)}\n${argus?.output() ?? ""}`;
    const head = async () => BigInt(await node.rpc<string>("eth_blockNumber"));
    await node.rpc("evm_mine");
    const start = await head();
    await waitFor(
      async () => BigInt(await metric(url, CURSOR)) >= start - 1n,
      () => `Argus did not catch up${why()}`,
    );

    // The branch that will be abandoned: a transfer in S+1, then S+2 and S+3 so that S+1 and S+2 are evaluated.
    const snapshot = await node.rpc<string>("evm_snapshot");
    const [, alice, bob] = token.accounts as [Address, Address, Address];
    const orphanedTx = await token.transfer(alice, 1111n);
    receiver.setResponder((request) =>
      request.body.toString().includes(orphanedTx.hash) ? { status: 503, body: "down" } : undefined,
    );
    await node.rpc("evm_mine");
    await node.rpc("evm_mine");
    await waitFor(
      () => requestsFor(receiver.requests, orphanedTx.hash).length >= 1,
      () => `the orphaned transfer was not attempted${why()}`,
    );
    await waitFor(
      async () => BigInt(await metric(url, CURSOR)) >= orphanedTx.blockNumber + 1n,
      () => `Argus did not evaluate the second block of the abandoned branch${why()}`,
    );

    // The reorg: back to S, then a longer canonical chain with two different transfers.
    expect(await node.rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    const canonical: Hash[] = [];
    canonical.push((await token.transfer(bob, 2222n)).hash);
    canonical.push((await token.transfer(bob, 3333n)).hash);
    for (let i = 0; i < 3; i++) await node.rpc("evm_mine");
    const finalHead = await head();
    expect(finalHead).toBe(start + 5n);

    await waitFor(
      () => canonical.every((hash) => requestsFor(receiver.requests, hash).length >= 1),
      () => `the new chain's transfers were not delivered${why()}`,
    );
    await waitFor(
      async () => BigInt(await metric(url, CURSOR)) >= finalHead - 1n,
      () => `Argus did not reach the new head${why()}`,
    );
    expect(await metric(url, 'argus_ingest_reorgs_total{network="hardhat_local"}')).toBeGreaterThanOrEqual(1);
    // Several retry intervals (backoff at most 1 s): a notification that was not suppressed would be tried again.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await argus.stop()).toBe(0);

    // No attempt at the orphaned notification after the new chain's first delivery; each new transfer once.
    const firstCanonical = Math.min(...canonical.map((hash) => requestsFor(receiver.requests, hash)[0]!.receivedAt));
    for (const request of requestsFor(receiver.requests, orphanedTx.hash)) {
      expect(request.receivedAt).toBeLessThanOrEqual(firstCanonical);
    }
    for (const hash of canonical) expect(requestsFor(receiver.requests, hash)).toHaveLength(1);

    store = await createStore({ dataDir: data });
    const stored = (await matches.list(store, { tenantId: DEFAULT_TENANT_ID, limit: 50 })).items;
    const byTx = new Map(stored.map((match) => [match.txHash, match]));
    const orphaned = byTx.get(orphanedTx.hash);
    expect(orphaned).toMatchObject({ status: "orphaned", blockHash: orphanedTx.blockHash });
    for (const hash of canonical) expect(byTx.get(hash)?.status).toBe("active");
    expect(stored).toHaveLength(3);

    const log = (await deliveries.list(store, { tenantId: DEFAULT_TENANT_ID, limit: 50 })).items;
    const statusOf = (matchId: string | undefined) => log.filter((d) => d.matchId === matchId).map((d) => d.status);
    expect(statusOf(orphaned?.id)).toEqual(["suppressed"]);
    expect(log.find((d) => d.matchId === orphaned?.id)?.suppressedReason).toBe("orphaned");
    for (const hash of canonical) expect(statusOf(byTx.get(hash)?.id)).toEqual(["delivered"]);

    // The cursor and every recorded block hash are the canonical chain's, contiguous up to the cursor.
    const networkId = orphaned!.networkId;
    const cursor = await cursors.get(store, networkId);
    expect(cursor?.blockNumber).toBe(finalHead - 1n);
    const recorded = (await blockHashes.recent(store, networkId, 1_000)).reverse();
    expect(recorded.at(-1)?.blockNumber).toBe(finalHead - 1n);
    expect(recorded[0]!.blockNumber).toBeLessThanOrEqual(start);
    for (const [i, block] of recorded.entries()) {
      expect(block.blockNumber).toBe(recorded[0]!.blockNumber + BigInt(i));
      const onChain = await node.rpc<{ hash: string }>("eth_getBlockByNumber", [
        `0x${block.blockNumber.toString(16)}`,
        false,
      ]);
      expect(block.blockHash).toBe(onChain.hash);
    }
    expect(cursor?.blockHash).toBe(recorded.at(-1)?.blockHash);
  }, 120_000);
});

function requestsFor(requests: readonly RecordedRequest[], txHash: string): RecordedRequest[] {
  return requests.filter((request) => request.body.toString().includes(txHash));
}

function describeRequests(requests: readonly RecordedRequest[]): string {
  return JSON.stringify(requests.map((request) => request.body.toString()));
}
