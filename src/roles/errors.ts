import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the roles module. Branch on these, never on message text. */
export const RoleCode = {
  /** The requested roles cannot run with these settings (e.g. a worker without a shared block log). */
  SettingsInvalid: "ROLES_SETTINGS_INVALID",
  /** The ingest lease could not be confirmed before advancing a cursor: another ingester may own the network now. */
  LeaseNotConfirmed: "ROLES_LEASE_NOT_CONFIRMED",
} as const;

export type RoleCode = (typeof RoleCode)[keyof typeof RoleCode];

export class RoleError extends ArgusError {
  override name = "RoleError";
  declare readonly code: RoleCode;
  constructor(code: RoleCode, message: string, options: ArgusErrorOptions = {}) {
    super(code, message, options);
  }
}
