import { formatProblem, parseTrigger, type SecretEnv } from "../config/index.js";
import { type Store, triggers } from "../store/index.js";
import { DispatchCode, DispatchError } from "./errors.js";
import type { RegisteredTrigger, TriggerRegistry } from "./types.js";

export interface StoreTriggerRegistryOptions {
  /** Environment for `Environment` secrets in stored trigger configs. @default process.env */
  env?: SecretEnv;
  /**
   * How long a lookup (found, missing or invalid) is reused. Config changes reach deliveries within this time.
   * `0` disables caching.
   * @default 1_000
   */
  ttlMs?: number;
  /** Monotonic clock for the cache, ms. @default performance.now */
  clock?: () => number;
  /** Turns a stored config into the usable one (decrypts secrets encrypted at rest). @default as stored */
  open?: (tenantId: string, config: unknown) => unknown;
}

type Cached = { until: number; value: RegisteredTrigger | undefined } | { until: number; error: DispatchError };

/**
 * A `TriggerRegistry` over the store's `triggers` table: the tenant's live trigger with that key, its OZ JSON parsed
 * and validated as a trigger file entry would be (secrets resolved). A stored config that no longer validates throws
 * `DISPATCH_TRIGGER_INVALID` (its deliveries are dead-lettered, replayable once fixed).
 *
 * @example
 * const registry = createStoreTriggerRegistry(store);
 * const dispatcher = createDispatcher({ store, triggers: registry });
 */
export function createStoreTriggerRegistry(store: Store, options: StoreTriggerRegistryOptions = {}): TriggerRegistry {
  const ttlMs = options.ttlMs ?? 1_000;
  const clock = options.clock ?? (() => performance.now());
  const cache = new Map<string, Cached>();

  async function load(tenantId: string, key: string): Promise<RegisteredTrigger | undefined> {
    const row = await triggers.getByKey(store, tenantId, key);
    if (row === null) return undefined;
    const parsed = parseTrigger(options.open === undefined ? row.config : options.open(tenantId, row.config), {
      checkScripts: false,
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    if (!parsed.ok) {
      const problems = parsed.problems.filter((p) => p.severity === "error").map(formatProblem);
      throw new DispatchError(
        DispatchCode.TriggerInvalid,
        `Trigger ${JSON.stringify(key)} is stored but not valid: ${problems.join("; ")}`,
        {
          context: { tenantId, triggerKey: key },
          hint: "Fix the trigger's configuration, then replay its dead deliveries.",
        },
      );
    }
    return { id: row.id, key: row.key, trigger: parsed.value };
  }

  return async (tenantId, key) => {
    const cacheKey = `${tenantId}\u0000${key}`;
    const now = clock();
    const hit = cache.get(cacheKey);
    if (hit !== undefined && hit.until > now) {
      if ("error" in hit) throw hit.error;
      return hit.value;
    }
    try {
      const value = await load(tenantId, key);
      if (ttlMs > 0) cache.set(cacheKey, { until: now + ttlMs, value });
      return value;
    } catch (error) {
      // Invalid configs are remembered like any answer; store failures are not (the next lookup asks again).
      if (error instanceof DispatchError && ttlMs > 0) cache.set(cacheKey, { until: now + ttlMs, error });
      throw error;
    }
  };
}
