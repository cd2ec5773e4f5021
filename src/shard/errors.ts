import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the shard module. Branch on these, never on message text. */
export const ShardCode = {
  /** Shard options (config) are invalid; `path` names the field. */
  OptionsInvalid: "SHARD_OPTIONS_INVALID",
  /** An assignment input is malformed (empty worker id, negative weight, wrong shard count in `previous`…). */
  InputInvalid: "SHARD_INPUT_INVALID",
  /** There are no live workers: every shard is unassigned. */
  NoWorkers: "SHARD_NO_WORKERS",
  /** Some shards fit on no worker under `maxTenantsPerWorker`: they stay unassigned until workers join or the cap rises. */
  CapacityExceeded: "SHARD_CAPACITY_EXCEEDED",
  /** `maxTenantsPerWorker` is set but the input has no tenant counts per shard: the cap could not be applied. */
  TenantsUnknown: "SHARD_TENANTS_UNKNOWN",
  /** A membership backend did not answer (Redis down); retryable. */
  MembershipUnavailable: "SHARD_MEMBERSHIP_UNAVAILABLE",
  /** The membership registry was closed. */
  MembershipClosed: "SHARD_MEMBERSHIP_CLOSED",
} as const;

export type ShardCode = (typeof ShardCode)[keyof typeof ShardCode];

export class ShardError extends ArgusError {
  override name = "ShardError";
  declare readonly code: ShardCode;
  /** The shards concerned (for `SHARD_CAPACITY_EXCEEDED`). */
  readonly shards: readonly number[];

  constructor(code: ShardCode, message: string, options: ArgusErrorOptions & { shards?: readonly number[] } = {}) {
    super(code, message, options);
    this.shards = options.shards ?? [];
  }
}
