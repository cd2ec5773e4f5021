import { createStoreTriggerRegistry, type TriggerRegistry } from "../dispatch/index.js";
import { unseal } from "../portable/index.js";
import type { Keyring } from "../secrets/index.js";
import type { Store } from "../store/index.js";

/** The trigger registry of a running process, and how to drop its cache when triggers change. */
export interface LiveTriggerRegistry {
  /** Looks triggers up through the registry of the moment. */
  triggers: TriggerRegistry;
  /** A trigger changed (or notifications may have been missed): the next lookup reads the store. */
  reset(): void;
}

/**
 * The store's trigger registry with secrets decrypted under `keyring`. It caches lookups for a second; `reset`
 * replaces it so a committed trigger change is used by the next delivery.
 */
export function createLiveTriggerRegistry(
  store: Store,
  options: { env: NodeJS.ProcessEnv; keyring: Keyring },
): LiveTriggerRegistry {
  const create = () =>
    createStoreTriggerRegistry(store, {
      env: options.env,
      open: (tenantId, config) => unseal(options.keyring, tenantId, config),
    });
  let registry = create();
  return {
    triggers: (tenantId, key) => registry(tenantId, key),
    reset: () => {
      registry = create();
    },
  };
}
