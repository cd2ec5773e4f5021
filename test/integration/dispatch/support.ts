// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OZ notification templates use ${…} placeholders in plain strings
/**
 * A tenant world for the dispatch suites: a stored network, monitor and triggers (webhooks pointing at real loopback
 * receivers), the engine's real matches of OZ's USDC fixture block for that monitor, and a trigger registry over the
 * store.
 */
import { randomBytes } from "node:crypto";
import type { Monitor, TriggerCondition } from "../../../src/config/index.js";
import {
  type AttemptEvent,
  createDispatcher,
  createStoreTriggerRegistry,
  type Dispatcher,
  type DispatcherOptions,
  type TriggerRegistry,
} from "../../../src/dispatch/index.js";
import { compileMonitors, evaluateBlock, type MonitorMatch, matchId } from "../../../src/engine/index.js";
import {
  DEFAULT_TENANT_ID,
  type Delivery,
  type DeliveryAttempt,
  deliveries,
  monitors,
  networks,
  type Store,
  type StoredMonitor,
  type StoredNetwork,
  type StoredTrigger,
  type ThrottlePolicy,
  tenants,
  triggers,
} from "../../../src/store/index.js";
import { block, loadMonitor } from "../../unit/engine/fixtures.js";

export const NETWORK_SLUG = "ethereum_mainnet";
export const FIXTURE_BLOCK = "0x1451aca";

/** OZ's retry policy shape with test-sized pauses: 1 ms, 2 ms, 4 ms… no jitter. */
export function fastRetry(maxRetries = 3) {
  return {
    max_retries: maxRetries,
    base_for_backoff: 2,
    initial_backoff: { secs: 0, nanos: 1_000_000 },
    max_backoff: { secs: 1, nanos: 0 },
    jitter: "none" as const,
  };
}

/** A stored webhook trigger (OZ JSON) posting to `url`. */
export function webhookTriggerJson(url: string, options: { maxRetries?: number; retryPolicy?: object } = {}) {
  return {
    name: "Ops webhook",
    trigger_type: "webhook",
    config: {
      url: { type: "Plain", value: url },
      method: "POST",
      secret: { type: "Plain", value: "whsec-test-secret" },
      message: { title: "${monitor.name} matched", body: "tx ${transaction.hash}" },
      payload_mode: "template",
      ...(options.retryPolicy === undefined && options.maxRetries === undefined
        ? { retry_policy: fastRetry() }
        : { retry_policy: options.retryPolicy ?? fastRetry(options.maxRetries) }),
    },
  };
}

export interface WorldOptions {
  tenantId?: string;
  /** Trigger key → OZ trigger JSON, stored for the tenant. */
  triggers: Record<string, unknown>;
  /** The monitor's `triggers` list. Default: the keys of `triggers`. */
  monitorTriggers?: string[];
  triggerConditions?: TriggerCondition[];
  throttle?: ThrottlePolicy;
}

export interface DispatchWorld {
  tenantId: string;
  network: StoredNetwork;
  monitor: StoredMonitor;
  monitorConfig: Monitor;
  storedTriggers: Map<string, StoredTrigger>;
  /** The engine's matches of the fixture block for this monitor (at least one). */
  matches: MonitorMatch[];
}

let counter = 0;

/** Stores a tenant (unless the built-in one), the network, the monitor and its triggers; evaluates the fixture block. */
export async function seedDispatchWorld(store: Store, options: WorldOptions): Promise<DispatchWorld> {
  counter += 1;
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
  if (tenantId !== DEFAULT_TENANT_ID && (await tenants.get(store, tenantId)) === null) {
    await tenants.create(store, { id: tenantId, slug: `t-${counter}-${randomBytes(3).toString("hex")}`, name: "T" });
  }
  const network = await networks.save(store, {
    tenantId: null,
    slug: NETWORK_SLUG,
    networkType: "EVM",
    config: { name: "Ethereum Mainnet", slug: NETWORK_SLUG, network_type: "EVM" },
  });
  const base = loadMonitor("monitor.json");
  const monitorConfig: Monitor = {
    ...base,
    name: `usdc-${counter}`,
    triggers: options.monitorTriggers ?? Object.keys(options.triggers),
    trigger_conditions: options.triggerConditions ?? [],
  };
  const monitor = await monitors.save(store, {
    tenantId,
    name: monitorConfig.name,
    config: monitorConfig,
    throttle: options.throttle ?? null,
  });
  const storedTriggers = new Map<string, StoredTrigger>();
  for (const [key, json] of Object.entries(options.triggers)) {
    const triggerType = (json as { trigger_type: string }).trigger_type;
    storedTriggers.set(key, await triggers.save(store, { tenantId, key, triggerType, config: json }));
  }
  const { compiled } = compileMonitors([
    { id: monitor.id, tenantId, version: monitor.version, monitor: monitorConfig },
  ]);
  const { matches } = evaluateBlock(compiled, NETWORK_SLUG, block(FIXTURE_BLOCK));
  if (matches.length === 0) throw new Error("the fixture block produced no match");
  return { tenantId, network, monitor, monitorConfig, storedTriggers, matches };
}

/**
 * `count` distinct matches: the fixture match (first) and copies re-addressed to the following transaction indexes
 * (ids recomputed the engine's way).
 */
export function matchVariants(world: DispatchWorld, count: number): MonitorMatch[] {
  const first = world.matches[0]!;
  return Array.from({ length: count }, (_, i) => ({
    ...first,
    transactionIndex: first.transactionIndex + i,
    id: matchId({
      networkSlug: first.networkSlug,
      blockHash: first.blockHash,
      transactionIndex: first.transactionIndex + i,
      monitorId: first.monitorId,
      monitorVersion: first.monitorVersion,
    }),
  })) as MonitorMatch[];
}

export function registryFor(store: Store): TriggerRegistry {
  return createStoreTriggerRegistry(store, { ttlMs: 0 });
}

export interface TestDispatcher extends Dispatcher {
  events: AttemptEvent[];
  /** Resolves once `count` attempts were recorded in total; rejects after `timeoutMs`. */
  waitForAttempts(count: number, timeoutMs?: number): Promise<AttemptEvent[]>;
}

const running = new Set<Dispatcher>();

/** Stops every dispatcher a test created (call in afterEach). */
export async function stopDispatchers(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((d) => d.stop()));
}

/** A started dispatcher over `store` (loopback receivers allowed, 20 ms polls) that records its attempt events. */
export function startDispatcher(store: Store, options: Partial<DispatcherOptions> = {}): TestDispatcher {
  const events: AttemptEvent[] = [];
  const waiters = new Set<() => void>();
  const dispatcher = createDispatcher({
    store,
    triggers: registryFor(store),
    allowPrivateNetworks: true,
    pollIntervalMs: 20,
    timeoutMs: 2_000,
    leaseMs: 10_000,
    ...options,
    onAttempt: (event) => {
      events.push(event);
      options.onAttempt?.(event);
      for (const waiter of waiters) waiter();
    },
  });
  running.add(dispatcher);
  dispatcher.start();
  const waitForAttempts = (count: number, timeoutMs = 10_000) =>
    new Promise<AttemptEvent[]>((resolve, reject) => {
      const check = () => {
        if (events.length < count) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(events.slice());
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`expected ${count} attempt(s) within ${timeoutMs} ms, got ${events.length}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return Object.assign(dispatcher, { events, waitForAttempts }) as TestDispatcher;
}

export async function deliveryOf(store: Store, tenantId: string, id: string): Promise<Delivery> {
  const found = await deliveries.get(store, tenantId, id);
  if (found === null) throw new Error(`no delivery ${id}`);
  return found;
}

export function attemptsOf(store: Store, tenantId: string, id: string): Promise<DeliveryAttempt[]> {
  return deliveries.attempts(store, tenantId, id);
}
