/**
 * A dispatcher in a process of its own, for the crash tests: the parent kills it with SIGKILL mid-attempt.
 * Usage: node --import tsx dispatcher.child.ts '<json {location, owner, leaseMs, timeoutMs}>'.
 * Prints `ready` once the dispatcher runs, and `attempt <delivery id>` for every recorded attempt.
 */
import { createDispatcher, createStoreTriggerRegistry } from "../../../src/dispatch/index.js";
import { createStore, type StoreLocation } from "../../../src/store/index.js";

interface ChildArguments {
  location: StoreLocation;
  owner: string;
  leaseMs: number;
  timeoutMs: number;
}

const raw = process.argv[2];
if (raw === undefined) throw new Error("usage: dispatcher.child.ts <json arguments>");
const args = JSON.parse(raw) as ChildArguments;
const store = await createStore(args.location);
const dispatcher = createDispatcher({
  store,
  triggers: createStoreTriggerRegistry(store, { ttlMs: 0 }),
  owner: args.owner,
  allowPrivateNetworks: true,
  pollIntervalMs: 20,
  leaseMs: args.leaseMs,
  timeoutMs: args.timeoutMs,
  onAttempt: (event) => process.stdout.write(`attempt ${event.deliveryId}\n`),
});
dispatcher.start();
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void dispatcher
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
