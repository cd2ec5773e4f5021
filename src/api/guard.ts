/**
 * The one gate every request passes (an `onRequest` hook, so that nothing — not even body validation — runs for a
 * caller who may not call the route): authenticate from headers only, resolve `{tenant}` and verify membership (or
 * the API key's tenant), consult the permission matrix, refuse changes to suspended tenants, and take a token from
 * the rate-limit buckets (setting the `RateLimit-*` headers on every answer).
 *
 * A tenant the caller does not belong to answers 404, exactly like a tenant that does not exist: membership must not
 * be probeable.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Identity } from "../identity/index.js";
import { memberships, type Tenant, tenants } from "../store/index.js";
import type { ApiServices, Principal } from "./context.js";
import { ApiCode, ApiError } from "./errors.js";
import { missingScopes, type Permission, permissionOf, type TenantActor } from "./permissions.js";
import type { RateLimitDecision } from "./rate-limit.js";

/** What the guard needs from identity. */
export type IdentityVerifier = Pick<Identity, "verifyAccessToken" | "verifyApiKey">;

const API_KEY_PREFIX = "argus_";
const QUERY_CREDENTIALS = ["api_key", "apikey", "access_token", "token", "key"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function unauthenticated(detail: string): ApiError {
  return new ApiError(ApiCode.Unauthenticated, detail, { headers: { "www-authenticate": 'Bearer realm="argus"' } });
}

/** Reads credentials from `Authorization: Bearer …` or `X-API-Key`; never from the query string. */
export async function authenticate(request: FastifyRequest, identity: IdentityVerifier): Promise<Principal | null> {
  const query = request.query as Record<string, unknown> | undefined;
  if (query !== undefined && query !== null && QUERY_CREDENTIALS.some((name) => Object.hasOwn(query, name))) {
    // Query strings end up in access logs, proxies and browser history.
    throw unauthenticated("Credentials are accepted only in the Authorization or X-API-Key header.");
  }
  const apiKeyHeader = request.headers["x-api-key"];
  const authorization = request.headers.authorization;
  if (typeof apiKeyHeader === "string" && apiKeyHeader !== "") {
    return identity.verifyApiKey(apiKeyHeader.trim());
  }
  if (typeof authorization === "string" && authorization !== "") {
    const found = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (found?.[1] === undefined) throw unauthenticated("The Authorization header must be 'Bearer <token>'.");
    const token = found[1];
    return token.startsWith(API_KEY_PREFIX) ? identity.verifyApiKey(token) : identity.verifyAccessToken(token);
  }
  return null;
}

async function resolveTenant(services: ApiServices, ref: string): Promise<Tenant | null> {
  const byId = UUID.test(ref) ? await tenants.get(services.store, ref) : null;
  return byId ?? (await tenants.getBySlug(services.store, ref));
}

async function tenantActor(services: ApiServices, principal: Principal, tenant: Tenant): Promise<TenantActor | null> {
  if (principal.kind === "api_key") {
    return principal.tenantId === tenant.id
      ? { kind: "api_key", role: principal.role, scopes: principal.scopes }
      : null;
  }
  const membership = await memberships.get(services.store, tenant.id, principal.userId);
  return membership === null ? null : { kind: "user", role: membership.role };
}

function setRateHeaders(reply: FastifyReply, decision: RateLimitDecision): void {
  reply.header("ratelimit-limit", String(decision.limit));
  reply.header("ratelimit-remaining", String(decision.remaining));
  reply.header("ratelimit-reset", String(decision.resetSeconds));
}

/** Takes a token from each bucket; headers report the tightest one. */
async function rateLimit(
  services: ApiServices,
  reply: FastifyReply,
  buckets: ReadonlyArray<[key: string, limit: number]>,
): Promise<void> {
  let tightest: RateLimitDecision | undefined;
  for (const [key, limit] of buckets) {
    const decision = await services.rateLimiter.take(key, limit);
    const worse =
      tightest === undefined ||
      (!decision.allowed && tightest.allowed) ||
      (decision.allowed === tightest.allowed && decision.remaining < tightest.remaining);
    if (worse) tightest = decision;
    if (!decision.allowed) break;
  }
  if (tightest === undefined) return;
  setRateHeaders(reply, tightest);
  if (!tightest.allowed) {
    throw new ApiError(ApiCode.RateLimited, `Rate limit of ${tightest.limit} requests per minute reached.`, {
      headers: { "retry-after": String(tightest.retryAfterSeconds) },
    });
  }
}

function bucketsFor(
  services: ApiServices,
  request: FastifyRequest,
  principal: Principal | null,
  tenant: Tenant | null,
) {
  const limits = services.rateLimits;
  const out: Array<[string, number]> = [];
  const tenantLimit = tenant === null ? null : limits.tenantPerMinute(tenant);
  if (tenant !== null && tenantLimit !== null) out.push([`tenant:${tenant.id}`, tenantLimit]);
  if (principal?.kind === "api_key") out.push([`api_key:${principal.apiKeyId}`, limits.apiKeyPerMinute]);
  else if (principal?.kind === "user" && tenant === null) out.push([`user:${principal.userId}`, limits.userPerMinute]);
  if (principal === null) out.push([`ip:${request.ip}`, limits.ipPerMinute]);
  return out;
}

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Decides one request. Throws `ApiError` (401/403/404/429) or sets `request.auth`. */
export async function guardRequest(
  services: ApiServices,
  identity: IdentityVerifier,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  request.auth = { principal: null, tenant: null, actor: null };
  if (request.is404) return;
  const id = request.routeOptions.config.permission;
  const permission: Permission | undefined = permissionOf(id);
  if (permission === undefined) {
    // Fail closed: a route that nobody put in the matrix is callable by nobody.
    throw new ApiError(ApiCode.Forbidden, "This route has no entry in the permission matrix.");
  }
  const principal = await authenticate(request, identity);
  request.auth.principal = principal;

  if (permission.access === "public") {
    await rateLimit(services, reply, bucketsFor(services, request, principal, null));
    return;
  }
  if (principal === null) throw unauthenticated("Send 'Authorization: Bearer <token>' or an 'X-API-Key' header.");

  switch (permission.access) {
    case "authenticated":
      break;
    case "user":
      if (principal.kind !== "user") throw new ApiError(ApiCode.Forbidden, "This route is for users, not API keys.");
      break;
    case "platform":
      if (principal.kind !== "user" || !principal.platformOperator) {
        throw new ApiError(ApiCode.Forbidden, "This route is for platform operators.");
      }
      break;
    case "tenant": {
      const ref = (request.params as Record<string, unknown> | undefined)?.tenant;
      const tenant = typeof ref === "string" && ref !== "" ? await resolveTenant(services, ref) : null;
      const actor = tenant === null ? null : await tenantActor(services, principal, tenant);
      if (tenant === null || actor === null) throw new ApiError(ApiCode.NotFound, "The tenant was not found.");
      const missing = missingScopes(actor, permission.scopes);
      if (missing.length > 0) {
        const who = actor.kind === "api_key" ? `this API key (role ${actor.role})` : `the role ${actor.role}`;
        throw new ApiError(ApiCode.Forbidden, `This needs ${missing.join(", ")}, which ${who} does not have.`);
      }
      if (tenant.status === "suspended" && !READ_METHODS.has(request.method)) {
        throw new ApiError(ApiCode.TenantSuspended, `Tenant '${tenant.slug}' is suspended; changes are refused.`);
      }
      request.auth.tenant = tenant;
      request.auth.actor = actor;
      await rateLimit(services, reply, bucketsFor(services, request, principal, tenant));
      return;
    }
  }
  await rateLimit(services, reply, bucketsFor(services, request, principal, null));
}
