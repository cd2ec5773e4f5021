import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the secrets module. */
export const SecretsCode = {
  /** An envelope is malformed, was tampered with, or was encrypted for another context. */
  DecryptFailed: "SECRET_DECRYPT_FAILED",
  /** An envelope names a key id the keyring does not have (a retired master key?). */
  UnknownKey: "SECRET_UNKNOWN_KEY",
  /** Master keys are missing (production mode) or malformed. */
  MasterKeyInvalid: "SECRET_MASTER_KEY_INVALID",
  /** A tenant's document uses an `Environment` secret (it would read the server's environment). */
  EnvironmentForbidden: "SECRET_ENVIRONMENT_FORBIDDEN",
} as const;

export type SecretsCode = (typeof SecretsCode)[keyof typeof SecretsCode];

export class SecretsError extends ArgusError {
  override name = "SecretsError";
  declare readonly code: SecretsCode;

  constructor(code: SecretsCode, message: string, options: ArgusErrorOptions = {}) {
    super(code, message, options);
  }
}
