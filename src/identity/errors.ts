import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the identity module. The API maps them to 401/403/409/422; branch on these, never on messages. */
export const IdentityCode = {
  /** Wrong e-mail or password: deliberately the same for both, so login does not reveal which addresses exist. */
  InvalidCredentials: "INVALID_CREDENTIALS",
  /** The access or refresh token's lifetime is over. */
  TokenExpired: "TOKEN_EXPIRED",
  /** The token is malformed, forged, for another issuer/audience, or its user or session is gone. */
  TokenInvalid: "TOKEN_INVALID",
  /** The session was ended (logout, reuse detection, revocation); log in again. */
  SessionRevoked: "SESSION_REVOKED",
  /** A refresh token was used a second time: its whole session (token family) is now revoked. */
  RefreshReused: "REFRESH_REUSED",
  /** The API key is malformed or unknown. */
  ApiKeyInvalid: "API_KEY_INVALID",
  ApiKeyRevoked: "API_KEY_REVOKED",
  ApiKeyExpired: "API_KEY_EXPIRED",
  EmailTaken: "EMAIL_TAKEN",
  SlugTaken: "SLUG_TAKEN",
  /** An argument failed validation; `path` names it. */
  InvalidInput: "IDENTITY_INVALID_INPUT",
  /** The JWT secret is missing (production mode) or too short. */
  JwtSecretInvalid: "JWT_SECRET_INVALID",
} as const;

export type IdentityCode = (typeof IdentityCode)[keyof typeof IdentityCode];

export class IdentityError extends ArgusError {
  override name = "IdentityError";
  declare readonly code: IdentityCode;

  constructor(code: IdentityCode, message: string, options: ArgusErrorOptions = {}) {
    super(code, message, options);
  }
}
