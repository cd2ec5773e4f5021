import {
  type ApiKeyRecord,
  type AuditActor,
  apiKeys,
  audit,
  type Membership,
  memberships,
  refreshTokens,
  type Store,
  StoreCode,
  StoreError,
  type Tenant,
  tenants,
  type User,
  users,
  withPlatform,
} from "../store/index.js";
import { IdentityCode, IdentityError } from "./errors.js";
import { assertPasswordPolicy, hashPassword, verifyPassword } from "./password.js";
import {
  digestsEqual,
  generateApiKey,
  generateRefreshToken,
  isRefreshTokenFormat,
  type JwtSettings,
  parseApiKey,
  sha256Hex,
  signAccessToken,
  verifyAccessTokenJwt,
} from "./tokens.js";
import { isRole, isScope, type Principal, type RequestMeta, type Role, SCOPES, type Scope } from "./types.js";

export interface IdentityOptions {
  store: Store;
  /** HMAC key for access tokens: at least 32 bytes (see `loadJwtSecret`). */
  jwtSecret: string | Uint8Array;
  /** `iss` of issued tokens, required on verification (e.g. the public API URL). */
  issuer: string;
  /** `aud` of issued tokens, required on verification. */
  audience: string;
  /** @default 900 (15 minutes) */
  accessTtlSec?: number;
  /** Idle lifetime of a refresh token; each refresh issues a new one. @default 2_592_000 (30 days) */
  refreshTtlSec?: number;
  /** @default 5 */
  clockToleranceSec?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface TokenPair {
  tokenType: "Bearer";
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  sessionId: string;
}

export interface SignupParameters {
  email: string;
  password: string;
  tenantSlug: string;
  tenantName: string;
  displayName?: string | null;
  meta?: RequestMeta;
}

export interface SignupResult {
  user: User;
  tenant: Tenant;
  membership: Membership;
  tokens: TokenPair;
}

export interface LoginParameters {
  email: string;
  password: string;
  meta?: RequestMeta;
}

export interface CreateApiKeyParameters {
  tenantId: string;
  name: string;
  scopes: readonly Scope[];
  role: Role;
  /** `null` = never expires. */
  expiresAt: Date | null;
  /** The user creating it (`null` for the platform). */
  createdBy: string | null;
  /** Audit actor; default: the `createdBy` user, or `system`. */
  actor?: AuditActor;
  meta?: RequestMeta;
}

export interface RevokeApiKeyParameters {
  tenantId: string;
  id: string;
  actor: AuditActor;
  meta?: RequestMeta;
}

export type UserPrincipal = Extract<Principal, { kind: "user" }>;
export type ApiKeyPrincipal = Extract<Principal, { kind: "api_key" }>;

/** Authentication for the API: accounts, sessions, access tokens and API keys. */
export interface Identity {
  /** Creates a user, a tenant and the user's owner membership, with audit rows, in one transaction; logs in. */
  signup(parameters: SignupParameters): Promise<SignupResult>;
  /** `INVALID_CREDENTIALS` for an unknown address and a wrong password alike (same work, same error). */
  login(parameters: LoginParameters): Promise<{ user: User; tokens: TokenPair }>;
  /**
   * Exchanges a refresh token for a new pair (rotation). A token used twice means it leaked: the whole session is
   * revoked and `REFRESH_REUSED` thrown, so neither the thief nor the user can continue it.
   */
  refresh(parameters: { refreshToken: string; meta?: RequestMeta }): Promise<TokenPair>;
  /** Ends the refresh token's session (all its tokens; its access tokens fail verification from now on). */
  logout(parameters: { refreshToken: string; meta?: RequestMeta }): Promise<void>;
  /** Ends one of the user's sessions by id (`Principal.sessionId`). */
  revokeSession(parameters: { userId: string; sessionId: string; meta?: RequestMeta }): Promise<void>;
  /** Ends every session of a user (after a password change, say); returns how many. */
  revokeAllSessions(parameters: { userId: string; meta?: RequestMeta }): Promise<number>;
  /** Verifies an access token and that its session is live; the principal carries the user's current data. */
  verifyAccessToken(token: string): Promise<UserPrincipal>;
  /** Creates a key in `scoped` (`withTenant` of `tenantId`) with its audit row; the key is returned only here. */
  createApiKey(scoped: Store, parameters: CreateApiKeyParameters): Promise<{ key: string; record: ApiKeyRecord }>;
  /** Verifies a key from a request header and records its use. Tenant status is the caller's check. */
  verifyApiKey(raw: string): Promise<ApiKeyPrincipal>;
  /** Revokes a key in `scoped`, with its audit row (none when it already was revoked). */
  revokeApiKey(scoped: Store, parameters: RevokeApiKeyParameters): Promise<ApiKeyRecord>;
}

function invalidInput(message: string, path: string): IdentityError {
  return new IdentityError(IdentityCode.InvalidInput, message, { path: [path] });
}

function metaFields(meta: RequestMeta | undefined) {
  return { ip: meta?.ip ?? null, userAgent: meta?.userAgent ?? null, requestId: meta?.requestId ?? null };
}

function assertPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw invalidInput(`${name} must be a positive integer.`, name);
}

/** Maps the store's conflicts and validation failures of signup to identity errors with the caller's field names. */
function signupError(error: unknown): unknown {
  if (!(error instanceof StoreError)) return error;
  if (error.code === StoreCode.Conflict && error.constraint === "users_email_unique") {
    return new IdentityError(IdentityCode.EmailTaken, "An account with this e-mail address already exists.", {
      path: ["email"],
      hint: "Log in instead, or use another address.",
    });
  }
  if (error.code === StoreCode.Conflict && error.constraint === "tenants_slug_unique") {
    return new IdentityError(IdentityCode.SlugTaken, "This tenant slug is taken; choose another.", {
      path: ["tenantSlug"],
    });
  }
  if (error.code === StoreCode.InvalidArgument) {
    const field = error.path[0] === "slug" ? "tenantSlug" : String(error.path[0] ?? "input");
    return new IdentityError(IdentityCode.InvalidInput, error.message, { path: [field], cause: error });
  }
  return error;
}

/**
 * Creates the identity service over a store.
 *
 * @example
 * const identity = createIdentity({ store, jwtSecret, issuer: "https://argus.example", audience: "argus-api" });
 * const { tokens } = await identity.login({ email, password, meta: { ip, userAgent, requestId } });
 * const principal = await identity.verifyAccessToken(tokens.accessToken);
 */
export function createIdentity(options: IdentityOptions): Identity {
  const { store } = options;
  const key = typeof options.jwtSecret === "string" ? new TextEncoder().encode(options.jwtSecret) : options.jwtSecret;
  if (key.length < 32) {
    throw new IdentityError(IdentityCode.JwtSecretInvalid, "The JWT secret must be at least 32 bytes long.", {
      path: ["jwtSecret"],
    });
  }
  if (options.issuer === "" || options.audience === "") {
    throw invalidInput("issuer and audience must not be empty.", options.issuer === "" ? "issuer" : "audience");
  }
  const accessTtlSec = options.accessTtlSec ?? 900;
  const refreshTtlSec = options.refreshTtlSec ?? 30 * 24 * 3600;
  assertPositiveInteger(accessTtlSec, "accessTtlSec");
  assertPositiveInteger(refreshTtlSec, "refreshTtlSec");
  const jwt: JwtSettings = {
    key,
    issuer: options.issuer,
    audience: options.audience,
    clockToleranceSec: options.clockToleranceSec ?? 5,
  };
  const now = options.now ?? (() => new Date());

  // A real argon2id hash to verify against when the address is unknown, so that answer takes as long as a wrong
  // password does (made once, lazily: hashing costs ~50 ms).
  let dummyHash: Promise<string> | undefined;
  const getDummyHash = () => {
    dummyHash ??= hashPassword(`argus-dummy-${Math.random()}`);
    return dummyHash;
  };

  /** A new session with its first refresh token, and an access token for it; inside the caller's transaction. */
  async function issueSession(scoped: Store, user: User, meta: RequestMeta | undefined, at: Date): Promise<TokenPair> {
    const session = await refreshTokens.createSession(
      scoped,
      { userId: user.id, ip: meta?.ip ?? null, userAgent: meta?.userAgent ?? null },
      at,
    );
    return issueTokens(scoped, user.id, session.id, at);
  }

  async function issueTokens(scoped: Store, userId: string, sessionId: string, at: Date): Promise<TokenPair> {
    const refreshToken = generateRefreshToken();
    const refreshTokenExpiresAt = new Date(at.getTime() + refreshTtlSec * 1000);
    await refreshTokens.insertToken(
      scoped,
      { sessionId, tokenHash: sha256Hex(refreshToken), expiresAt: refreshTokenExpiresAt },
      at,
    );
    const access = await signAccessToken(jwt, { userId, sessionId }, at, accessTtlSec);
    return {
      tokenType: "Bearer",
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      refreshTokenExpiresAt,
      sessionId,
    };
  }

  async function signup(parameters: SignupParameters): Promise<SignupResult> {
    if (typeof parameters.email !== "string") throw invalidInput("email must be a string.", "email");
    assertPasswordPolicy(parameters.password);
    const tenantName = typeof parameters.tenantName === "string" ? parameters.tenantName.trim() : "";
    if (tenantName.length < 1 || tenantName.length > 200) {
      throw invalidInput("tenantName must be 1 to 200 characters long.", "tenantName");
    }
    const passwordHash = await hashPassword(parameters.password);
    const at = now();
    const meta = metaFields(parameters.meta);
    try {
      return await withPlatform(store, async (scoped) => {
        const user = await users.create(
          scoped,
          { email: parameters.email, passwordHash, displayName: parameters.displayName ?? null },
          at,
        );
        const tenant = await tenants.create(scoped, { slug: parameters.tenantSlug, name: tenantName });
        const membership = await memberships.add(scoped, { tenantId: tenant.id, userId: user.id, role: "owner" }, at);
        const actor: AuditActor = { type: "user", id: user.id };
        const entries = [
          { tenantId: null, action: "auth.signup", resourceType: "user", resourceId: user.id, after: user },
          {
            tenantId: tenant.id,
            action: "tenant.create",
            resourceType: "tenant",
            resourceId: tenant.id,
            after: tenant,
          },
          {
            tenantId: tenant.id,
            action: "member.add",
            resourceType: "membership",
            resourceId: membership.id,
            after: membership,
          },
        ];
        for (const entry of entries) await audit.record(scoped, { ...entry, actor, ...meta }, at);
        const tokens = await issueSession(scoped, user, parameters.meta, at);
        const updated = await users.update(scoped, user.id, { lastLoginAt: at }, at);
        return { user: updated, tenant, membership, tokens };
      });
    } catch (error) {
      throw signupError(error);
    }
  }

  async function login(parameters: LoginParameters): Promise<{ user: User; tokens: TokenPair }> {
    const invalid = () =>
      new IdentityError(IdentityCode.InvalidCredentials, "The e-mail address or password is wrong.");
    if (typeof parameters.email !== "string" || typeof parameters.password !== "string") throw invalid();
    // Over-long input is refused before hashing, the same way for every address.
    if (parameters.password.length > 1_024 || parameters.email.length > 254) throw invalid();
    const found = await users.getWithPasswordHash(store, parameters.email);
    const ok = await verifyPassword(found?.passwordHash ?? (await getDummyHash()), parameters.password);
    if (found === null || !ok) throw invalid();
    const at = now();
    return withPlatform(store, async (scoped) => {
      const user = await users.update(scoped, found.id, { lastLoginAt: at }, at);
      const tokens = await issueSession(scoped, user, parameters.meta, at);
      await audit.record(
        scoped,
        {
          tenantId: null,
          actor: { type: "user", id: user.id },
          action: "auth.login",
          resourceType: "session",
          resourceId: tokens.sessionId,
          ...metaFields(parameters.meta),
        },
        at,
      );
      return { user, tokens };
    });
  }

  async function refresh(parameters: { refreshToken: string; meta?: RequestMeta }): Promise<TokenPair> {
    if (!isRefreshTokenFormat(parameters.refreshToken)) {
      throw new IdentityError(IdentityCode.TokenInvalid, "The refresh token is not valid.");
    }
    const at = now();
    // The reuse branch must commit (the revocation) and still fail: decide inside, throw after the transaction.
    const outcome = await withPlatform(store, async (scoped) => {
      const found = await refreshTokens.findForUpdate(scoped, sha256Hex(parameters.refreshToken));
      if (found === null) return { kind: "invalid" as const };
      const { token, session } = found;
      if (session.revokedAt !== null) return { kind: "revoked" as const };
      if (token.usedAt !== null) {
        await refreshTokens.revokeSession(scoped, session.id, "refresh_reused", at);
        await audit.record(
          scoped,
          {
            tenantId: null,
            actor: { type: "anonymous", id: null },
            action: "auth.refresh_reused",
            resourceType: "session",
            resourceId: session.id,
            after: { userId: session.userId, tokenId: token.id },
            ...metaFields(parameters.meta),
          },
          at,
        );
        return { kind: "reused" as const };
      }
      if (token.expiresAt.getTime() <= at.getTime()) return { kind: "expired" as const };
      if ((await users.get(scoped, session.userId)) === null) return { kind: "invalid" as const };
      await refreshTokens.markUsed(scoped, token.id, at);
      await refreshTokens.touchSession(scoped, session.id, at);
      return { kind: "ok" as const, tokens: await issueTokens(scoped, session.userId, session.id, at) };
    });
    switch (outcome.kind) {
      case "ok":
        return outcome.tokens;
      case "reused":
        throw new IdentityError(
          IdentityCode.RefreshReused,
          "This refresh token was already used; its session has been revoked. Log in again.",
        );
      case "revoked":
        throw new IdentityError(IdentityCode.SessionRevoked, "This session has ended; log in again.");
      case "expired":
        throw new IdentityError(IdentityCode.TokenExpired, "The refresh token has expired; log in again.");
      case "invalid":
        throw new IdentityError(IdentityCode.TokenInvalid, "The refresh token is not valid.");
    }
  }

  async function endSession(scoped: Store, userId: string, sessionId: string, reason: string, meta?: RequestMeta) {
    const at = now();
    if (await refreshTokens.revokeSession(scoped, sessionId, reason, at)) {
      await audit.record(
        scoped,
        {
          tenantId: null,
          actor: { type: "user", id: userId },
          action: "auth.logout",
          resourceType: "session",
          resourceId: sessionId,
          ...metaFields(meta),
        },
        at,
      );
    }
  }

  async function logout(parameters: { refreshToken: string; meta?: RequestMeta }): Promise<void> {
    if (!isRefreshTokenFormat(parameters.refreshToken)) return;
    await withPlatform(store, async (scoped) => {
      const found = await refreshTokens.findForUpdate(scoped, sha256Hex(parameters.refreshToken));
      if (found === null) return; // logging out twice, or with a token we never issued: nothing to end
      await endSession(scoped, found.session.userId, found.session.id, "logout", parameters.meta);
    });
  }

  async function revokeSession(parameters: { userId: string; sessionId: string; meta?: RequestMeta }): Promise<void> {
    await withPlatform(store, async (scoped) => {
      const session = await refreshTokens.getSession(scoped, parameters.sessionId);
      if (session === null || session.userId !== parameters.userId) {
        throw new IdentityError(IdentityCode.TokenInvalid, "No such session for this user.", { path: ["sessionId"] });
      }
      await endSession(scoped, parameters.userId, session.id, "revoked", parameters.meta);
    });
  }

  async function revokeAllSessions(parameters: { userId: string; meta?: RequestMeta }): Promise<number> {
    const at = now();
    return withPlatform(store, async (scoped) => {
      const count = await refreshTokens.revokeAllForUser(scoped, parameters.userId, "revoked_all", at);
      await audit.record(
        scoped,
        {
          tenantId: null,
          actor: { type: "user", id: parameters.userId },
          action: "auth.logout_all",
          resourceType: "user",
          resourceId: parameters.userId,
          after: { sessionsRevoked: count },
          ...metaFields(parameters.meta),
        },
        at,
      );
      return count;
    });
  }

  async function verifyAccessToken(token: string): Promise<UserPrincipal> {
    if (typeof token !== "string" || token.length > 4_096) {
      throw new IdentityError(IdentityCode.TokenInvalid, "The access token is not valid.");
    }
    const claims = await verifyAccessTokenJwt(jwt, token, now());
    const [session, user] = await Promise.all([
      refreshTokens.getSession(store, claims.sessionId),
      users.get(store, claims.userId),
    ]);
    if (session === null || user === null || session.userId !== user.id) {
      throw new IdentityError(IdentityCode.TokenInvalid, "The access token's user or session no longer exists.");
    }
    if (session.revokedAt !== null) {
      throw new IdentityError(IdentityCode.SessionRevoked, "This session has ended; log in again.");
    }
    return {
      kind: "user",
      userId: user.id,
      email: user.email,
      platformOperator: user.platformRole === "operator",
      sessionId: session.id,
    };
  }

  async function createApiKey(
    scoped: Store,
    parameters: CreateApiKeyParameters,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    const at = now();
    const name = typeof parameters.name === "string" ? parameters.name.trim() : "";
    if (name.length < 1 || name.length > 100) throw invalidInput("name must be 1 to 100 characters long.", "name");
    if (!Array.isArray(parameters.scopes) || parameters.scopes.length === 0) {
      throw invalidInput('scopes must list at least one scope, e.g. "monitors:read".', "scopes");
    }
    parameters.scopes.forEach((scope, index) => {
      if (!isScope(scope)) {
        throw new IdentityError(
          IdentityCode.InvalidInput,
          `Unknown scope ${JSON.stringify(scope)}; expected one of ${SCOPES.join(", ")}.`,
          { path: ["scopes", index] },
        );
      }
    });
    if (!isRole(parameters.role)) throw invalidInput("role must be owner, admin, member or viewer.", "role");
    if (parameters.expiresAt !== null && !(parameters.expiresAt instanceof Date && parameters.expiresAt > at)) {
      throw invalidInput("expiresAt must be a future date, or null for a key that does not expire.", "expiresAt");
    }
    const scopes = SCOPES.filter((scope) => parameters.scopes.includes(scope));
    const generated = generateApiKey();
    const record = await withScopedTransaction(scoped, async (tx) => {
      const saved = await apiKeys.insert(
        tx,
        {
          tenantId: parameters.tenantId,
          name,
          prefix: generated.prefix,
          keyHash: generated.hash,
          scopes,
          role: parameters.role,
          expiresAt: parameters.expiresAt,
          createdBy: parameters.createdBy,
        },
        at,
      );
      await audit.record(
        tx,
        {
          tenantId: parameters.tenantId,
          actor: parameters.actor ?? {
            type: parameters.createdBy === null ? "system" : "user",
            id: parameters.createdBy,
          },
          action: "api_key.create",
          resourceType: "api_key",
          resourceId: saved.id,
          after: saved,
          ...metaFields(parameters.meta),
        },
        at,
      );
      return saved;
    });
    return { key: generated.key, record };
  }

  async function verifyApiKey(raw: string): Promise<ApiKeyPrincipal> {
    const invalid = () => new IdentityError(IdentityCode.ApiKeyInvalid, "The API key is not valid.");
    const parsed = parseApiKey(raw);
    if (parsed === null) throw invalid();
    const found = await apiKeys.findByPrefix(store, parsed.prefix);
    // Compare even when the prefix is unknown, so both failures cost the same.
    const matches = digestsEqual(found?.keyHash ?? "00".repeat(32), parsed.hash);
    if (found === null || !matches) throw invalid();
    const at = now();
    if (found.revokedAt !== null) throw new IdentityError(IdentityCode.ApiKeyRevoked, "The API key was revoked.");
    if (found.expiresAt !== null && found.expiresAt.getTime() <= at.getTime()) {
      throw new IdentityError(IdentityCode.ApiKeyExpired, "The API key has expired.");
    }
    await apiKeys.touch(store, found.id, at);
    return {
      kind: "api_key",
      apiKeyId: found.id,
      tenantId: found.tenantId,
      scopes: found.scopes.filter(isScope),
      role: found.role,
    };
  }

  async function revokeApiKey(scoped: Store, parameters: RevokeApiKeyParameters): Promise<ApiKeyRecord> {
    const at = now();
    return withScopedTransaction(scoped, async (tx) => {
      const { before, after } = await apiKeys.revoke(tx, parameters.tenantId, parameters.id, at);
      if (before.revokedAt === null) {
        await audit.record(
          tx,
          {
            tenantId: parameters.tenantId,
            actor: parameters.actor,
            action: "api_key.revoke",
            resourceType: "api_key",
            resourceId: parameters.id,
            before,
            after,
            ...metaFields(parameters.meta),
          },
          at,
        );
      }
      return after;
    });
  }

  return {
    signup,
    login,
    refresh,
    logout,
    revokeSession,
    revokeAllSessions,
    verifyAccessToken,
    createApiKey,
    verifyApiKey,
    revokeApiKey,
  };
}

/**
 * Runs `fn` all-or-nothing within `scoped`: a savepoint when `scoped` is already a transaction (the tenant role and
 * setting of `withTenant` stay in force), a transaction when it is a plain store.
 */
function withScopedTransaction<T>(scoped: Store, fn: (tx: Store) => Promise<T>): Promise<T> {
  return withPlatform(scoped, fn);
}
