/** `/tenants/{tenant}/matches`: what monitors found, newest first, as the engine produced it (OZ MonitorMatch JSON). */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { matches, type StoredMatch } from "../../store/index.js";
import { notFound } from "../errors.js";
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantIdParams, TenantParams } from "../route.js";
import { type RouteServices, readTenant } from "../services.js";

export const MatchDto = z
  .object({
    id: z.string(),
    monitorId: z.string(),
    monitorVersion: z.number().int(),
    networkId: z.string(),
    blockNumber: z.string().describe("Decimal block number (or ledger sequence)."),
    blockHash: z.string(),
    txHash: z.string().nullable(),
    txIndex: z.number().int(),
    status: z.enum(["active", "orphaned"]),
    payload: z.unknown().describe("The OZ MonitorMatch JSON."),
    createdAt: IsoDate,
  })
  .meta({ id: "Match" });

export function matchDto(match: StoredMatch) {
  return {
    id: match.id,
    monitorId: match.monitorId,
    monitorVersion: match.monitorVersion,
    networkId: match.networkId,
    blockNumber: match.blockNumber.toString(),
    blockHash: match.blockHash,
    txHash: match.txHash,
    txIndex: match.txIndex,
    status: match.status,
    payload: match.payload,
    createdAt: iso(match.createdAt),
  };
}

export function matchRoutes(services: RouteServices) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["matches"];
    defineRoute(app, {
      id: "matches.list",
      method: "GET",
      url: "/tenants/:tenant/matches",
      summary: "List matches, newest first",
      tags,
      params: TenantParams,
      query: PageQuery.extend({
        monitorId: z.string().optional(),
        networkId: z.string().optional(),
        status: z.enum(["active", "orphaned"]).optional(),
      }),
      response: { 200: pageOf(MatchDto) },
      handler: async ({ query, request }) => {
        const page = await readTenant(services, request, (scoped, tenantId) =>
          matches.list(scoped, {
            tenantId,
            limit: query.limit,
            ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
            ...(query.monitorId === undefined ? {} : { monitorId: query.monitorId }),
            ...(query.networkId === undefined ? {} : { networkId: query.networkId }),
            ...(query.status === undefined ? {} : { status: query.status }),
          }),
        );
        return { items: page.items.map(matchDto), nextCursor: page.nextCursor };
      },
    });

    defineRoute(app, {
      id: "matches.get",
      method: "GET",
      url: "/tenants/:tenant/matches/:id",
      summary: "Get a match",
      tags,
      params: TenantIdParams,
      response: { 200: MatchDto },
      handler: async ({ params, request }) => {
        const match = await readTenant(services, request, (scoped, tenantId) =>
          matches.get(scoped, tenantId, params.id),
        );
        if (match === null) throw notFound(`Match '${params.id}'`);
        return matchDto(match);
      },
    });
  };
}
