/**
 * @module identity
 *
 * Authentication for the control plane: signup (user + tenant + owner membership, atomically, audited), login with
 * argon2id passwords (same error and similar time for unknown addresses and wrong passwords), HS256 access JWTs
 * (`iss`, `aud`, `sub`, `sid`, `jti`, `iat`, `exp`) bound to a revocable session, refresh-token rotation with reuse
 * detection (a reused token revokes its whole family), logout, and tenant API keys (`argus_<prefix>_<secret>`, shown
 * once, stored as SHA-256 with a lookup prefix, scoped, expiring, revocable, last use tracked).
 *
 * Authorization (what a role or scope may do) is the API's; this module says who is calling. Depends on `store`
 * and `secrets` only.
 *
 * @example
 * const { secret } = await loadJwtSecret({ dataDir });
 * const identity = createIdentity({ store, jwtSecret: secret, issuer: "argus", audience: "argus-api" });
 * const { tokens } = await identity.signup({ email, password, tenantSlug: "acme", tenantName: "Acme", meta });
 * const principal = await identity.verifyAccessToken(tokens.accessToken); // { kind: "user", userId, … }
 * const { key } = await withTenant(store, tenantId, (scoped) =>
 *   identity.createApiKey(scoped, { tenantId, name: "ci", scopes: ["monitors:read"], role: "viewer", expiresAt: null, createdBy: principal.userId }));
 */
export { IdentityCode, IdentityError } from "./errors.js";
export {
  type ApiKeyPrincipal,
  type CreateApiKeyParameters,
  createIdentity,
  type Identity,
  type IdentityOptions,
  type LoginParameters,
  type RevokeApiKeyParameters,
  type SignupParameters,
  type SignupResult,
  type TokenPair,
  type UserPrincipal,
} from "./identity.js";
export { type LoadedJwtSecret, type LoadJwtSecretOptions, loadJwtSecret } from "./jwt-secret.js";
export {
  assertPasswordPolicy,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from "./password.js";
export { generateApiKey, parseApiKey } from "./tokens.js";
export {
  isRole,
  isScope,
  type Principal,
  RESOURCE_KINDS,
  type RequestMeta,
  type ResourceKind,
  ROLES,
  type Role,
  SCOPES,
  type Scope,
} from "./types.js";
