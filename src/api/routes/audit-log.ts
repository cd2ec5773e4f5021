/** `/tenants/{tenant}/audit-log`: every change in the tenant, newest first; kept when resources are deleted. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type AuditEntry, audit } from "../../store/index.js";
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantParams } from "../route.js";
import { type RouteServices, readTenant } from "../services.js";

const AuditDto = z
  .object({
    id: z.string(),
    actorType: z.string(),
    actorId: z.string().nullable(),
    action: z.string(),
    resourceType: z.string(),
    resourceId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    createdAt: IsoDate,
  })
  .meta({ id: "AuditEntry" });

function dto(entry: AuditEntry) {
  return {
    id: entry.id,
    actorType: entry.actorType,
    actorId: entry.actorId,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    before: entry.before,
    after: entry.after,
    ip: entry.ip,
    userAgent: entry.userAgent,
    requestId: entry.requestId,
    createdAt: iso(entry.createdAt),
  };
}

export function auditRoutes(services: RouteServices) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    defineRoute(app, {
      id: "audit_log.list",
      method: "GET",
      url: "/tenants/:tenant/audit-log",
      summary: "The tenant's audit log, newest first",
      tags: ["audit-log"],
      params: TenantParams,
      query: PageQuery.extend({
        action: z.string().optional().describe("e.g. monitor.update"),
        actorId: z.string().optional(),
        resourceType: z.string().optional(),
        resourceId: z.string().optional(),
        since: z.iso.datetime({ offset: true }).optional(),
        until: z.iso.datetime({ offset: true }).optional(),
      }),
      response: { 200: pageOf(AuditDto) },
      handler: async ({ query, request }) => {
        const { since, until, ...rest } = query;
        const filters = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
        const page = await readTenant(services, request, (scoped, tenantId) =>
          audit.list(scoped, tenantId, {
            ...filters,
            ...(since === undefined ? {} : { since: new Date(since) }),
            ...(until === undefined ? {} : { until: new Date(until) }),
          }),
        );
        return { items: page.items.map(dto), nextCursor: page.nextCursor };
      },
    });
  };
}
