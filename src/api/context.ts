/**
 * What every request carries once the guard (`./guard.ts`) has run, and the services the API is built from.
 */
import type { FastifyRequest } from "fastify";
import type { Principal } from "../identity/index.js";
import type { Logger } from "../ops/index.js";
import type { Keyring } from "../secrets/index.js";
import type { Store, Tenant } from "../store/index.js";
import { ApiCode, ApiError } from "./errors.js";
import type { PermissionId, TenantActor } from "./permissions.js";
import type { RateLimiter } from "./rate-limit.js";

export type { Principal };

export interface RequestAuth {
  principal: Principal | null;
  /** The `{tenant}` of the path, resolved and verified (membership or key tenant) — tenant routes only. */
  tenant: Tenant | null;
  actor: TenantActor | null;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: RequestAuth;
  }
  interface FastifyContextConfig {
    /** The route's entry in the permission matrix (`./permissions.ts`). */
    permission?: PermissionId;
  }
}

/** Who did it, for audit rows. */
export interface AuditActor {
  type: "user" | "api_key" | "system";
  id: string | null;
}

/** Request facts the audit log keeps. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  const agent = request.headers["user-agent"];
  return {
    ip: request.ip ?? null,
    userAgent: typeof agent === "string" ? agent.slice(0, 512) : null,
    requestId: request.id,
  };
}

export function auditActor(principal: Principal | null): AuditActor {
  if (principal === null) return { type: "system", id: null };
  return principal.kind === "user"
    ? { type: "user", id: principal.userId }
    : { type: "api_key", id: principal.apiKeyId };
}

/** The verified tenant context of a tenant route (the guard guarantees it is set there). */
export function tenantContext(request: FastifyRequest): { tenant: Tenant; principal: Principal; actor: TenantActor } {
  const { tenant, principal, actor } = request.auth;
  if (tenant === null || principal === null || actor === null) {
    throw new ApiError(ApiCode.Internal, "tenant context missing");
  }
  return { tenant, principal, actor };
}

export function userPrincipal(request: FastifyRequest): Extract<Principal, { kind: "user" }> {
  const principal = request.auth.principal;
  if (principal === null || principal.kind !== "user") {
    throw new ApiError(ApiCode.Forbidden, "This route needs a user's access token, not an API key.");
  }
  return principal;
}

/** Per-minute request budgets. */
export interface RateLimits {
  /** Per tenant, from its plan (`apiCallsPerMinute`) unless overridden here; `null` = unlimited. */
  tenantPerMinute?: (tenant: Tenant) => number | null;
  /** Per API key. @default 600 */
  apiKeyPerMinute?: number;
  /** Per user outside a tenant (`/auth/me`, `/tenants`). @default 600 */
  userPerMinute?: number;
  /** Per client IP on public routes (signup, login, refresh). @default 60 */
  ipPerMinute?: number;
}

export interface ApiServices {
  store: Store;
  logger: Logger;
  rateLimiter: RateLimiter;
  rateLimits: Required<RateLimits>;
  /** Tenant-supplied URLs (RPC, webhooks) may point at private addresses (self-hosted single tenant, tests). */
  allowPrivateNetworks: boolean;
  /** Encrypts secrets at rest (AES-256-GCM); without one, secrets are stored as sent (development only). */
  keyring: Keyring | null;
}
