/** `/tenants/{tenant}/deliveries`: the notification outbox, every attempt, and replay of dead deliveries. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type Delivery, type DeliveryAttempt, deliveries } from "../../store/index.js";
import { notFound } from "../errors.js";
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantIdParams, TenantParams } from "../route.js";
import { mutateTenant, type RouteServices, readTenant } from "../services.js";

const STATUSES = ["pending", "in_flight", "delivered", "dead", "suppressed"] as const;

const DeliveryDto = z
  .object({
    id: z.string().describe("Also the webhook-id receivers see."),
    matchId: z.string(),
    monitorId: z.string(),
    triggerId: z.string(),
    triggerKey: z.string(),
    channel: z.string(),
    status: z.enum(STATUSES),
    suppressedReason: z.string().nullable(),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    nextAttemptAt: IsoDate,
    lastError: z.string().nullable(),
    deliveredAt: IsoDate.nullable(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: "Delivery" });

const AttemptDto = z
  .object({
    attempt: z.number().int(),
    startedAt: IsoDate,
    finishedAt: IsoDate.nullable(),
    latencyMs: z.number().int().nullable(),
    responseCode: z.number().int().nullable(),
    outcome: z.string(),
    error: z.string().nullable(),
    retryAfterMs: z.number().int().nullable(),
  })
  .meta({ id: "DeliveryAttempt" });

function dto(delivery: Delivery) {
  return {
    id: delivery.id,
    matchId: delivery.matchId,
    monitorId: delivery.monitorId,
    triggerId: delivery.triggerId,
    triggerKey: delivery.triggerKey,
    channel: delivery.channel,
    status: delivery.status,
    suppressedReason: delivery.suppressedReason,
    attempts: delivery.attempts,
    maxAttempts: delivery.maxAttempts,
    nextAttemptAt: iso(delivery.nextAttemptAt),
    lastError: delivery.lastError,
    deliveredAt: iso(delivery.deliveredAt),
    createdAt: iso(delivery.createdAt),
    updatedAt: iso(delivery.updatedAt),
  };
}

function attemptDto(attempt: DeliveryAttempt) {
  return {
    attempt: attempt.attempt,
    startedAt: iso(attempt.startedAt),
    finishedAt: iso(attempt.finishedAt),
    latencyMs: attempt.latencyMs,
    responseCode: attempt.responseCode,
    outcome: attempt.outcome,
    error: attempt.error,
    retryAfterMs: attempt.retryAfterMs,
  };
}

export function deliveryRoutes(services: RouteServices) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["deliveries"];
    const base = "/tenants/:tenant/deliveries";

    defineRoute(app, {
      id: "deliveries.list",
      method: "GET",
      url: base,
      summary: "List deliveries, newest first",
      tags,
      params: TenantParams,
      query: PageQuery.extend({
        status: z.enum(STATUSES).optional(),
        matchId: z.string().optional(),
        monitorId: z.string().optional(),
      }),
      response: { 200: pageOf(DeliveryDto) },
      handler: async ({ query, request }) => {
        const page = await readTenant(services, request, (scoped, tenantId) =>
          deliveries.list(scoped, {
            tenantId,
            limit: query.limit,
            ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
            ...(query.status === undefined ? {} : { status: query.status }),
            ...(query.matchId === undefined ? {} : { matchId: query.matchId }),
            ...(query.monitorId === undefined ? {} : { monitorId: query.monitorId }),
          }),
        );
        return { items: page.items.map(dto), nextCursor: page.nextCursor };
      },
    });

    defineRoute(app, {
      id: "deliveries.get",
      method: "GET",
      url: `${base}/:id`,
      summary: "Get a delivery",
      tags,
      params: TenantIdParams,
      response: { 200: DeliveryDto },
      handler: async ({ params, request }) => {
        const found = await readTenant(services, request, (scoped, tenantId) =>
          deliveries.get(scoped, tenantId, params.id),
        );
        if (found === null) throw notFound(`Delivery '${params.id}'`);
        return dto(found);
      },
    });

    defineRoute(app, {
      id: "deliveries.attempts",
      method: "GET",
      url: `${base}/:id/attempts`,
      summary: "Every attempt of a delivery, in order",
      tags,
      params: TenantIdParams,
      response: { 200: z.object({ items: z.array(AttemptDto) }) },
      handler: async ({ params, request }) => {
        const attempts = await readTenant(services, request, async (scoped, tenantId) => {
          if ((await deliveries.get(scoped, tenantId, params.id)) === null) throw notFound(`Delivery '${params.id}'`);
          return deliveries.attempts(scoped, tenantId, params.id);
        });
        return { items: attempts.map(attemptDto) };
      },
    });

    defineRoute(app, {
      id: "deliveries.replay",
      method: "POST",
      url: `${base}/:id/replay`,
      summary:
        "Send a dead delivery, or one held back by the daily notification quota (while today has room), again: same id, fresh attempts",
      tags,
      params: TenantIdParams,
      response: { 200: DeliveryDto },
      handler: async ({ params, request }) => {
        const replayed = await mutateTenant(services, request, async (scoped, tenantId) => {
          const before = await deliveries.get(scoped, tenantId, params.id);
          if (before === null) throw notFound(`Delivery '${params.id}'`);
          const result = await deliveries.replay(scoped, tenantId, params.id);
          return {
            result,
            audit: {
              action: "delivery.replay",
              resourceType: "delivery",
              resourceId: result.id,
              before: dto(before),
              after: dto(result),
            },
          };
        });
        services.onReplay();
        return dto(replayed);
      },
    });
  };
}
