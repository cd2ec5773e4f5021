/** `/tenants/{tenant}/usage`: the plan's limits beside what the tenant uses (live resources, API calls, notifications). */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { monitors, networks, quotas, triggers, usage, usagePeriod } from "../../store/index.js";
import { tenantContext } from "../context.js";
import { defineRoute, TenantParams } from "../route.js";
import { type RouteServices, readTenant } from "../services.js";

const Limit = z.number().int().nullable().describe("null: unlimited");

const UsageDto = z
  .object({
    plan: z.string(),
    limits: z.object({
      monitors: Limit,
      triggers: Limit,
      networks: Limit,
      apiCallsPerMinute: Limit,
      notificationsPerDay: Limit,
    }),
    used: z.object({
      monitors: z.number().int(),
      triggers: z.number().int(),
      networks: z.number().int().describe("Private networks (platform networks do not count)."),
    }),
    today: z
      .object({
        period: z.string().describe("The current UTC day, e.g. 2026-07-01 (the day notificationsPerDay applies to)."),
        notifications: z.number().int().describe("Deliveries enqueued to be sent today (what the limit counts)."),
        notificationsLimit: Limit,
        notificationsQuotaExceeded: z
          .number()
          .int()
          .describe("Deliveries held back today by the limit (suppressed as quota_exceeded; replayable)."),
        matches: z.number().int().describe("New matches stored today."),
      })
      .describe("Today's counters beside the daily limit."),
    counters: z
      .array(z.object({ metric: z.string(), period: z.string(), value: z.string() }))
      .describe("Counters of the requested granularity between from and to (period keys, inclusive)."),
  })
  .meta({ id: "Usage" });

export function usageRoutes(services: RouteServices) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    defineRoute(app, {
      id: "usage.get",
      method: "GET",
      url: "/tenants/:tenant/usage",
      summary: "Plan limits and usage",
      tags: ["usage"],
      params: TenantParams,
      query: z.object({
        metric: z
          .string()
          .max(64)
          .optional()
          .describe("api_calls, notifications, notifications_quota_exceeded, matches, …"),
        from: z.string().max(32).optional().describe("First period key, e.g. 2026-07-01."),
        to: z.string().max(32).optional().describe("Last period key."),
      }),
      response: { 200: UsageDto },
      handler: async ({ query, request }) => {
        const { tenant } = tenantContext(request);
        return readTenant(services, request, async (scoped, tenantId) => {
          const day = usagePeriod("day");
          const [ms, ts, ns, counters, today] = await Promise.all([
            monitors.list(scoped, tenantId),
            triggers.list(scoped, tenantId),
            networks.list(scoped, tenantId),
            usage.list(scoped, tenantId, {
              ...(query.metric === undefined ? {} : { metric: query.metric }),
              from: query.from ?? usagePeriod("day", new Date(Date.now() - 30 * 86_400_000)),
              ...(query.to === undefined ? {} : { to: query.to }),
            }),
            usage.list(scoped, tenantId, { from: day, to: day }),
          ]);
          const todays = (metric: string) => Number(today.find((c) => c.metric === metric)?.value ?? 0n);
          const limits = quotas.limitsFor(tenant);
          return {
            plan: tenant.plan,
            limits,
            used: {
              monitors: ms.length,
              triggers: ts.length,
              networks: ns.filter((n) => n.tenantId !== null).length,
            },
            today: {
              period: day,
              notifications: todays("notifications"),
              notificationsLimit: limits.notificationsPerDay,
              notificationsQuotaExceeded: todays("notifications_quota_exceeded"),
              matches: todays("matches"),
            },
            counters: counters.map((c) => ({ metric: c.metric, period: c.period, value: c.value.toString() })),
          };
        });
      },
    });
  };
}
