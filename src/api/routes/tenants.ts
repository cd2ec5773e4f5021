/**
 * Tenants: the ones a user belongs to, one tenant's profile, and the operators' view (`/platform/tenants`), where a
 * tenant is suspended (its matches and notifications stop; its members can still read) or reactivated.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { memberships, quotas, type Tenant, tenants } from "../../store/index.js";
import { tenantContext, userPrincipal } from "../context.js";
import { notFound } from "../errors.js";
import { paginate } from "../paginate.js";
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantParams } from "../route.js";
import { mutatePlatform, type RouteServices } from "../services.js";

const Limit = z.number().int().nullable();

export const TenantDto = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    plan: z.string(),
    status: z.enum(["active", "suspended"]),
    limits: z.object({
      monitors: Limit,
      triggers: Limit,
      networks: Limit,
      apiCallsPerMinute: Limit,
      notificationsPerDay: Limit,
    }),
    role: z.string().nullable().describe("The caller's role in this tenant (null for operators' views)."),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: "Tenant" });

export function tenantDto(tenant: Tenant, role: string | null) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    plan: tenant.plan,
    status: tenant.status,
    limits: quotas.limitsFor(tenant),
    role,
    createdAt: iso(tenant.createdAt),
    updatedAt: iso(tenant.updatedAt),
  };
}

export function tenantRoutes(services: RouteServices) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    defineRoute(app, {
      id: "tenants.list",
      method: "GET",
      url: "/tenants",
      summary: "The tenants the caller belongs to",
      tags: ["tenants"],
      response: { 200: z.object({ items: z.array(TenantDto) }) },
      handler: async ({ request }) => {
        const principal = userPrincipal(request);
        const items = [];
        for (const membership of await memberships.listForUser(services.store, principal.userId)) {
          const tenant = await tenants.get(services.store, membership.tenantId);
          if (tenant !== null) items.push(tenantDto(tenant, membership.role));
        }
        return { items };
      },
    });

    defineRoute(app, {
      id: "tenants.get",
      method: "GET",
      url: "/tenants/:tenant",
      summary: "A tenant, with its plan limits and the caller's role",
      tags: ["tenants"],
      params: TenantParams,
      response: { 200: TenantDto },
      handler: async ({ request }) => {
        const { tenant, actor } = tenantContext(request);
        return tenantDto(tenant, actor.role);
      },
    });

    const platformTags = ["platform"];
    const IdParams = z.object({ id: z.string().min(1).max(128).describe("Tenant id or slug.") });
    async function find(ref: string): Promise<Tenant> {
      const found = (await tenants.get(services.store, ref)) ?? (await tenants.getBySlug(services.store, ref));
      if (found === null) throw notFound(`Tenant '${ref}'`);
      return found;
    }

    defineRoute(app, {
      id: "platform.tenants.list",
      method: "GET",
      url: "/platform/tenants",
      summary: "All tenants",
      tags: platformTags,
      query: PageQuery.extend({ status: z.enum(["active", "suspended"]).optional() }),
      response: { 200: pageOf(TenantDto) },
      handler: async ({ query }) => {
        const all = await tenants.list(services.store, query.status === undefined ? {} : { status: query.status });
        const page = paginate(all, (t) => t.slug, query.limit, query.cursor);
        return { items: page.items.map((t) => tenantDto(t, null)), nextCursor: page.nextCursor };
      },
    });

    defineRoute(app, {
      id: "platform.tenants.get",
      method: "GET",
      url: "/platform/tenants/:id",
      summary: "One tenant",
      tags: platformTags,
      params: IdParams,
      response: { 200: TenantDto },
      handler: async ({ params }) => tenantDto(await find(params.id), null),
    });

    defineRoute(app, {
      id: "platform.tenants.update",
      method: "PATCH",
      url: "/platform/tenants/:id",
      summary: "Suspend or reactivate a tenant",
      tags: platformTags,
      params: IdParams,
      body: z.object({ status: z.enum(["active", "suspended"]) }).strict(),
      response: { 200: TenantDto },
      handler: async ({ params, body, request }) => {
        const target = await find(params.id);
        const updated = await mutatePlatform(services, request, async (scoped) => {
          const result = await tenants.setStatus(scoped, target.id, body.status);
          return {
            result,
            tenantId: target.id,
            audit: {
              action: body.status === "suspended" ? "tenant.suspend" : "tenant.reactivate",
              resourceType: "tenant",
              resourceId: target.id,
              before: { status: target.status },
              after: { status: result.status },
            },
          };
        });
        return tenantDto(updated, null);
      },
    });
  };
}
