import type { Trigger } from "../config/index.js";

/** A tenant's trigger as the dispatcher needs it: its stored id (the outbox references it), key and parsed config. */
export interface RegisteredTrigger {
  /** The stored trigger's id (`triggers.id`). */
  id: string;
  /** The key monitors list in `triggers: [...]`. */
  key: string;
  /** The OZ trigger, validated, with its secrets resolved (or left as `Environment` for `deliver` to resolve). */
  trigger: Trigger;
}

/**
 * Looks up a tenant's trigger by the key a monitor lists. `undefined` means "no such trigger" (its notifications
 * are not sent). Throw a `DispatchError` with code `DISPATCH_TRIGGER_INVALID` for a trigger that exists but cannot
 * be used; any other thrown error counts as a transient lookup failure (the attempt is retried).
 */
export type TriggerRegistry = (
  tenantId: string,
  triggerKey: string,
) => RegisteredTrigger | undefined | Promise<RegisteredTrigger | undefined>;

/** Attempts allowed per delivery run: a number for every trigger, or a function of the trigger. */
export type MaxAttemptsOverride = number | ((trigger: RegisteredTrigger) => number);
