import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the dispatch module. Branch on these, never on message text. */
export const DispatchCode = {
  /** `createDispatcher` options are out of range (e.g. a lease not longer than the attempt timeout). */
  OptionsInvalid: "DISPATCH_OPTIONS_INVALID",
  /** A match's network slug has no stored network id (the caller's `networkId` resolver returned nothing). */
  NetworkUnknown: "DISPATCH_NETWORK_UNKNOWN",
  /** A monitor lists a trigger key the tenant has no trigger for: that notification is not sent (OZ logs it too). */
  TriggerUnknown: "DISPATCH_TRIGGER_UNKNOWN",
  /** The tenant's trigger exists but its stored config does not parse (or a secret does not resolve). */
  TriggerInvalid: "DISPATCH_TRIGGER_INVALID",
  /** The trigger registry failed (e.g. the store did not answer); retryable. */
  TriggerLookupFailed: "DISPATCH_TRIGGER_LOOKUP_FAILED",
  /** A monitor lists the same trigger key twice; it is notified once. */
  TriggerDuplicate: "DISPATCH_TRIGGER_DUPLICATE",
  /** A trigger condition failed or timed out; as in OZ, the match is kept. */
  ConditionFailed: "DISPATCH_CONDITION_FAILED",
  /** The stored match payload is not a JSON object; the delivery cannot be rendered. */
  PayloadInvalid: "DISPATCH_PAYLOAD_INVALID",
  /** The dispatcher stopped (or the attempt's lease budget ran out) while the attempt was running or waiting. */
  Aborted: "DISPATCH_ABORTED",
  /** A `script` trigger names a script the tenant has not stored: permanent until it is uploaded and replayed. */
  ScriptUnknown: "DISPATCH_SCRIPT_UNKNOWN",
  /** Reading a `script` trigger's script from the store failed; retryable. */
  ScriptLookupFailed: "DISPATCH_SCRIPT_LOOKUP_FAILED",
  /** `deliver` threw instead of returning an outcome (a bug); the attempt is retried. */
  DeliverCrashed: "DISPATCH_DELIVER_CRASHED",
} as const;

export type DispatchCode = (typeof DispatchCode)[keyof typeof DispatchCode];

/** Where a dispatch problem happened; every field is optional and only what is known is set. */
export interface DispatchErrorContext {
  tenantId?: string;
  monitorId?: string;
  matchId?: string;
  deliveryId?: string;
  triggerKey?: string;
}

/**
 * The dispatch module's error. Returned as a value for per-match problems (`RecordMatchesResult.problems`) and
 * recorded as an attempt's error text for per-delivery ones; thrown only for caller mistakes (options, networks).
 */
export class DispatchError extends ArgusError {
  override name = "DispatchError";
  declare readonly code: DispatchCode;
  readonly context: DispatchErrorContext;

  constructor(
    code: DispatchCode,
    message: string,
    options: ArgusErrorOptions & { context?: DispatchErrorContext } = {},
  ) {
    super(code, message, options);
    this.context = options.context ?? {};
  }
}
