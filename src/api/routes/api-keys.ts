/**
 * `/tenants/{tenant}/api-keys`: keys for machines. The key is shown once, in the creation response; afterwards only
 * its prefix. A key never gets more than its creator could do: its role is at most the creator's, and its scopes at
 * most what that role grants.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Identity } from "../../identity/index.js";
import { type ApiKeyRecord, apiKeys, withTenant } from "../../store/index.js";
import { auditActor, requestMeta, tenantContext } from "../context.js";
import { ApiCode, ApiError, notFound } from "../errors.js";
import { ALL_SCOPES, grantableScopes, ROLES, type Role } from "../permissions.js";
import { defineRoute, IsoDate, iso, TenantIdParams, TenantParams } from "../route.js";
import { type RouteServices, readTenant } from "../services.js";

const RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1, viewer: 0 };

const ApiKeyDto = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe("The public start of the key, to recognise it."),
    role: z.enum(ROLES),
    scopes: z.array(z.string()),
    expiresAt: IsoDate.nullable(),
    revokedAt: IsoDate.nullable(),
    lastUsedAt: IsoDate.nullable(),
    createdBy: z.string().nullable(),
    createdAt: IsoDate,
  })
  .meta({ id: "ApiKey" });

function dto(record: ApiKeyRecord) {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    role: record.role,
    scopes: record.scopes,
    expiresAt: iso(record.expiresAt),
    revokedAt: iso(record.revokedAt),
    lastUsedAt: iso(record.lastUsedAt),
    createdBy: record.createdBy,
    createdAt: iso(record.createdAt),
  };
}

export function apiKeyRoutes(services: RouteServices, identity: Identity) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["api-keys"];
    const base = "/tenants/:tenant/api-keys";

    defineRoute(app, {
      id: "api_keys.list",
      method: "GET",
      url: base,
      summary: "List API keys (never the keys themselves)",
      tags,
      params: TenantParams,
      response: { 200: z.object({ items: z.array(ApiKeyDto) }) },
      handler: async ({ request }) => ({
        items: (await readTenant(services, request, (scoped, tenantId) => apiKeys.list(scoped, tenantId))).map(dto),
      }),
    });

    defineRoute(app, {
      id: "api_keys.create",
      method: "POST",
      url: base,
      summary: "Create an API key (the key is in this response only)",
      tags,
      params: TenantParams,
      body: z
        .object({
          name: z.string().min(1).max(100),
          role: z.enum(ROLES).default("viewer"),
          scopes: z.array(z.enum(ALL_SCOPES as [string, ...string[]])).min(1),
          expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
        })
        .strict(),
      response: { 201: ApiKeyDto.extend({ key: z.string().describe("Shown once; store it now.") }) },
      handler: async ({ body, request, reply }) => {
        const { tenant, principal, actor } = tenantContext(request);
        if (RANK[body.role] > RANK[actor.role]) {
          throw new ApiError(ApiCode.Forbidden, `A ${actor.role} cannot create a key with the role ${body.role}.`);
        }
        const allowed = new Set<string>(grantableScopes(body.role));
        const excess = body.scopes.filter(
          (s) => !allowed.has(s) || (actor.kind === "api_key" && !actor.scopes.includes(s)),
        );
        if (excess.length > 0) {
          throw new ApiError(ApiCode.Validation, "Some scopes exceed what the key's role (or your key) allows.", {
            errors: excess.map((s) => ({
              path: `$.scopes[${body.scopes.indexOf(s)}]`,
              message: `${s} is not allowed for the role ${body.role}`,
              code: "API_SCOPE_NOT_GRANTABLE",
            })),
          });
        }
        const created = await withTenant(services.store, tenant.id, (scoped) =>
          identity.createApiKey(scoped, {
            tenantId: tenant.id,
            name: body.name,
            role: body.role,
            scopes: body.scopes as Parameters<Identity["createApiKey"]>[1]["scopes"],
            expiresAt: body.expiresAt === null ? null : new Date(body.expiresAt),
            createdBy: principal.kind === "user" ? principal.userId : null,
            actor: auditActor(principal),
            meta: requestMeta(request),
          }),
        );
        reply.code(201);
        return { ...dto(created.record), key: created.key };
      },
    });

    defineRoute(app, {
      id: "api_keys.revoke",
      method: "DELETE",
      url: `${base}/:id`,
      summary: "Revoke an API key (it stops working at once)",
      tags,
      params: TenantIdParams,
      response: { 200: ApiKeyDto },
      handler: async ({ params, request }) => {
        const { tenant, principal } = tenantContext(request);
        const revoked = await withTenant(services.store, tenant.id, async (scoped) => {
          if ((await apiKeys.get(scoped, tenant.id, params.id)) === null) throw notFound(`API key '${params.id}'`);
          return identity.revokeApiKey(scoped, {
            tenantId: tenant.id,
            id: params.id,
            actor: auditActor(principal),
            meta: requestMeta(request),
          });
        });
        return dto(revoked);
      },
    });
  };
}
