/**
 * Crash safety with a real crash: a dispatcher in a child process is killed with SIGKILL while its attempt is in
 * flight (the receiver has the request and never answers). A second dispatcher, another owner in this process,
 * takes the delivery over when the lease has expired and delivers it under the SAME id.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { recordMatches } from "../../../src/dispatch/index.js";
import { createStore, type Store, type StoreLocation } from "../../../src/store/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/receivers.js";
import { createTestDatabase, createTestDataDir, DRIVERS, type DriverName, waitFor } from "../store/support.js";
import {
  attemptsOf,
  deliveryOf,
  registryFor,
  seedDispatchWorld,
  startDispatcher,
  stopDispatchers,
  webhookTriggerJson,
} from "./support.js";

const childScript = fileURLToPath(new URL("./dispatcher.child.ts", import.meta.url));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await stopDispatchers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function location(driver: DriverName): Promise<StoreLocation> {
  if (driver === "pglite") {
    const data = await createTestDataDir({ migrated: true });
    cleanups.push(data.remove);
    return { dataDir: data.dir };
  }
  const database = await createTestDatabase();
  cleanups.push(database.drop);
  return { databaseUrl: database.url };
}

async function open(where: StoreLocation): Promise<Store> {
  const store = await createStore(where);
  cleanups.push(() => store.close());
  return store;
}

function startChild(args: object): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, JSON.stringify(args)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return Object.assign(child, { output: () => `${out}${err}` });
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  await exited;
}

for (const driver of DRIVERS) {
  describe(`dispatcher crash [${driver}]`, () => {
    it("a dispatcher killed mid-attempt: the delivery is retried under the same id after its lease, and delivered", async () => {
      const receiver: WebhookReceiver = await startWebhookReceiver();
      cleanups.push(() => receiver.close());
      receiver.respondWith({ hang: true });
      const where = await location(driver);

      let store = await open(where);
      const world = await seedDispatchWorld(store, { triggers: { ops: webhookTriggerJson(receiver.url) } });
      const recorded = await recordMatches(store, world.matches, {
        networkId: world.network.id,
        triggers: registryFor(store),
      });
      const [id] = recorded.pendingDeliveryIds;
      expect(id).toBeDefined();
      if (driver === "pglite") await store.close(); // one process per data directory

      const leaseMs = 3_000;
      const child = startChild({ location: where, owner: "doomed", leaseMs, timeoutMs: 1_000 });
      await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`the child exited early: ${child.output()}`);
          return receiver.requests.length >= 1;
        },
        60_000,
        "the child's attempt to reach the receiver",
      );
      await killed(child);
      expect(child.output()).not.toContain("attempt "); // it died before recording anything

      if (driver === "pglite") store = await open(where); // the dead child's lock is stale: taken over
      receiver.setDefaultResponse({ status: 200 });
      // Real time: the successor can only claim once the doomed lease has run out.
      const successor = startDispatcher(store, { owner: "survivor" });
      await successor.waitForAttempts(1, 20_000);

      const delivery = await deliveryOf(store, world.tenantId, id!);
      expect(delivery).toMatchObject({ status: "delivered", attempts: 2 });
      const attempts = await attemptsOf(store, world.tenantId, id!);
      expect(attempts.map((a) => [a.attempt, a.leaseOwner, a.outcome])).toEqual([
        [1, "doomed", "lease_expired"],
        [2, "survivor", "delivered"],
      ]);
      expect(attempts[1]!.startedAt.getTime()).toBeGreaterThanOrEqual(attempts[0]!.startedAt.getTime() + leaseMs);
      // The receiver saw the one id twice (the second time as a retry), never another id.
      expect(receiver.requests.map((r) => r.headers["webhook-id"])).toEqual([id, id]);
    });
  });
}
