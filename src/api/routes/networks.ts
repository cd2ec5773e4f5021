/**
 * Networks: `/tenants/{tenant}/networks` lists the platform's networks and the tenant's private ones and manages the
 * latter; `/platform/networks` is for operators (platform networks every tenant may monitor).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { redactSecrets } from "../../secrets/index.js";
import { monitors, networks, quotas, type Store, type StoredNetwork } from "../../store/index.js";
import { ApiCode, ApiError, notFound } from "../errors.js";
import { validateNetwork } from "../oz.js";
import { paginate } from "../paginate.js";
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantIdParams, TenantParams } from "../route.js";
import { keepRedactedSecrets } from "../secrets.js";
import { mutatePlatform, mutateTenant, openSecrets, type RouteServices, readTenant, sealSecrets } from "../services.js";

const NetworkDto = z
  .object({
    id: z.string(),
    slug: z.string(),
    networkType: z.string(),
    scope: z.enum(["platform", "tenant"]),
    config: z.unknown().describe("The OZ network JSON, secrets redacted."),
    version: z.number().int(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: "Network" });

const OzNetwork = z.record(z.string(), z.unknown()).describe("An OZ network document, as in networks/*.json.");

function dto(network: StoredNetwork) {
  return {
    id: network.id,
    slug: network.slug,
    networkType: network.networkType,
    scope: network.tenantId === null ? ("platform" as const) : ("tenant" as const),
    config: redactSecrets(network.config),
    version: network.version,
    createdAt: iso(network.createdAt),
    updatedAt: iso(network.updatedAt),
  };
}

/** A live network of this scope (`null` = platform) by id. */
async function live(scoped: Store, tenantId: string | null, id: string): Promise<StoredNetwork> {
  const found = await networks.get(scoped, id);
  if (found === null || found.deletedAt !== null || found.tenantId !== tenantId) throw notFound(`Network '${id}'`);
  return found;
}

async function refuseInUse(scoped: Store, tenantIds: readonly string[], slug: string): Promise<void> {
  for (const tenantId of tenantIds) {
    const users = (await monitors.list(scoped, tenantId)).filter((m) =>
      ((m.config as { networks?: unknown }).networks as unknown[] | undefined)?.includes(slug),
    );
    if (users.length > 0) {
      throw new ApiError(
        ApiCode.Conflict,
        `Network '${slug}' is used by monitor(s) ${users.map((m) => `'${m.name}'`).join(", ")}; remove it from them first.`,
      );
    }
  }
}

function slugOf(config: Record<string, unknown>): string {
  return typeof config.slug === "string" ? config.slug : "";
}

export function networkRoutes(services: RouteServices) {
  const tenantPolicy = { allowPrivateNetworks: services.allowPrivateNetworks, tenant: true };
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["networks"];
    const base = "/tenants/:tenant/networks";

    defineRoute(app, {
      id: "networks.list",
      method: "GET",
      url: base,
      summary: "List the networks this tenant can monitor (platform and private)",
      tags,
      params: TenantParams,
      query: PageQuery.extend({
        scope: z.enum(["platform", "tenant"]).optional(),
        type: z.string().optional().describe("Only this network_type."),
      }),
      response: { 200: pageOf(NetworkDto) },
      handler: async ({ query, request }) => {
        const all = await readTenant(services, request, (scoped, tenantId) => networks.list(scoped, tenantId));
        const filtered = all
          .map(dto)
          .filter(
            (n) =>
              (query.scope === undefined || n.scope === query.scope) &&
              (query.type === undefined || n.networkType === query.type),
          );
        const page = paginate(filtered, (n) => `${n.slug}\u0000${n.scope}`, query.limit, query.cursor);
        return page;
      },
    });

    defineRoute(app, {
      id: "networks.get",
      method: "GET",
      url: `${base}/:id`,
      summary: "Get a network (platform or private)",
      tags,
      params: TenantIdParams,
      response: { 200: NetworkDto },
      handler: async ({ params, request }) =>
        dto(
          await readTenant(services, request, async (scoped, tenantId) => {
            const found = await networks.get(scoped, params.id);
            if (
              found === null ||
              found.deletedAt !== null ||
              (found.tenantId !== null && found.tenantId !== tenantId)
            ) {
              throw notFound(`Network '${params.id}'`);
            }
            return found;
          }),
        ),
    });

    defineRoute(app, {
      id: "networks.create",
      method: "POST",
      url: base,
      summary: "Create a private network",
      tags,
      params: TenantParams,
      body: z.object({ config: OzNetwork }).strict(),
      response: { 201: NetworkDto },
      handler: async ({ body, request, reply }) => {
        const saved = await mutateTenant(services, request, async (scoped, tenantId) => {
          const network = await validateNetwork(body.config, tenantPolicy);
          if ((await networks.getBySlug(scoped, tenantId, network.slug)) !== null) {
            throw new ApiError(ApiCode.Conflict, `A private network with slug '${network.slug}' exists.`);
          }
          await quotas.reserve(scoped, tenantId, "networks");
          const result = await networks.save(scoped, {
            tenantId,
            slug: network.slug,
            networkType: network.network_type,
            config: sealSecrets(services, tenantId, body.config),
          });
          return {
            result,
            audit: { action: "network.create", resourceType: "network", resourceId: result.id, after: dto(result) },
          };
        });
        reply.code(201).header("location", `${request.url.split("?")[0]}/${saved.id}`);
        return dto(saved);
      },
    });

    defineRoute(app, {
      id: "networks.update",
      method: "PUT",
      url: `${base}/:id`,
      summary: "Replace a private network's OZ document (its slug stays)",
      tags,
      params: TenantIdParams,
      body: z.object({ config: OzNetwork }).strict(),
      response: { 200: NetworkDto },
      handler: async ({ params, body, request }) =>
        dto(
          await mutateTenant(services, request, async (scoped, tenantId) => {
            const before = await live(scoped, tenantId, params.id);
            const config = keepRedactedSecrets(body.config, openSecrets(services, tenantId, before.config)) as Record<
              string,
              unknown
            >;
            const network = await validateNetwork(config, tenantPolicy);
            if (slugOf(config) !== before.slug) {
              throw new ApiError(ApiCode.Validation, "A network's slug cannot change; create a new network.", {
                errors: [
                  {
                    path: "$.config.slug",
                    message: `must stay ${JSON.stringify(before.slug)}`,
                    code: "API_SLUG_IMMUTABLE",
                  },
                ],
              });
            }
            const result = await networks.save(scoped, {
              tenantId,
              slug: before.slug,
              networkType: network.network_type,
              config: sealSecrets(services, tenantId, config),
            });
            return {
              result,
              audit: {
                action: "network.update",
                resourceType: "network",
                resourceId: result.id,
                before: dto(before),
                after: dto(result),
              },
            };
          }),
        ),
    });

    defineRoute(app, {
      id: "networks.delete",
      method: "DELETE",
      url: `${base}/:id`,
      summary: "Delete a private network no monitor uses",
      tags,
      params: TenantIdParams,
      response: { 204: z.null() },
      handler: async ({ params, request, reply }) => {
        await mutateTenant(services, request, async (scoped, tenantId) => {
          const before = await live(scoped, tenantId, params.id);
          // With a platform network of the same slug, the tenant's monitors fall back to it.
          if ((await networks.getBySlug(scoped, null, before.slug)) === null) {
            await refuseInUse(scoped, [tenantId], before.slug);
          }
          await networks.remove(scoped, before.id);
          return {
            result: null,
            audit: { action: "network.delete", resourceType: "network", resourceId: before.id, before: dto(before) },
          };
        });
        return reply.code(204).send();
      },
    });

    // Platform networks (operators).
    const platformTags = ["platform"];
    const platformBase = "/platform/networks";
    const IdParams = z.object({ id: z.string().min(1).max(128) });
    const platformPolicy = { allowPrivateNetworks: true, tenant: false };

    defineRoute(app, {
      id: "platform.networks.list",
      method: "GET",
      url: platformBase,
      summary: "List platform networks",
      tags: platformTags,
      query: PageQuery,
      response: { 200: pageOf(NetworkDto) },
      handler: async ({ query }) => {
        const all = (await networks.list(services.store, null)).map(dto);
        return paginate(all, (n) => n.slug, query.limit, query.cursor);
      },
    });

    defineRoute(app, {
      id: "platform.networks.create",
      method: "POST",
      url: platformBase,
      summary: "Create a platform network every tenant can monitor",
      tags: platformTags,
      body: z.object({ config: OzNetwork }).strict(),
      response: { 201: NetworkDto },
      handler: async ({ body, request, reply }) => {
        const saved = await mutatePlatform(services, request, async (scoped) => {
          const network = await validateNetwork(body.config, platformPolicy);
          if ((await networks.getBySlug(scoped, null, network.slug)) !== null) {
            throw new ApiError(ApiCode.Conflict, `A platform network with slug '${network.slug}' exists.`);
          }
          const result = await networks.save(scoped, {
            tenantId: null,
            slug: network.slug,
            networkType: network.network_type,
            config: sealSecrets(services, null, body.config),
          });
          return {
            result,
            audit: {
              action: "platform_network.create",
              resourceType: "network",
              resourceId: result.id,
              after: dto(result),
            },
          };
        });
        reply.code(201);
        return dto(saved);
      },
    });

    defineRoute(app, {
      id: "platform.networks.update",
      method: "PUT",
      url: `${platformBase}/:id`,
      summary: "Replace a platform network's OZ document (its slug stays)",
      tags: platformTags,
      params: IdParams,
      body: z.object({ config: OzNetwork }).strict(),
      response: { 200: NetworkDto },
      handler: async ({ params, body, request }) =>
        dto(
          await mutatePlatform(services, request, async (scoped) => {
            const before = await live(scoped, null, params.id);
            const config = keepRedactedSecrets(body.config, openSecrets(services, null, before.config)) as Record<
              string,
              unknown
            >;
            const network = await validateNetwork(config, platformPolicy);
            if (slugOf(config) !== before.slug) {
              throw new ApiError(ApiCode.Validation, "A network's slug cannot change; create a new network.", {
                errors: [
                  {
                    path: "$.config.slug",
                    message: `must stay ${JSON.stringify(before.slug)}`,
                    code: "API_SLUG_IMMUTABLE",
                  },
                ],
              });
            }
            const result = await networks.save(scoped, {
              tenantId: null,
              slug: before.slug,
              networkType: network.network_type,
              config: sealSecrets(services, null, config),
            });
            return {
              result,
              audit: {
                action: "platform_network.update",
                resourceType: "network",
                resourceId: result.id,
                before: dto(before),
                after: dto(result),
              },
            };
          }),
        ),
    });

    defineRoute(app, {
      id: "platform.networks.delete",
      method: "DELETE",
      url: `${platformBase}/:id`,
      summary: "Delete a platform network",
      tags: platformTags,
      params: IdParams,
      response: { 204: z.null() },
      handler: async ({ params, request, reply }) => {
        await mutatePlatform(services, request, async (scoped) => {
          const before = await live(scoped, null, params.id);
          await networks.remove(scoped, before.id);
          return {
            result: null,
            audit: {
              action: "platform_network.delete",
              resourceType: "network",
              resourceId: before.id,
              before: dto(before),
            },
          };
        });
        return reply.code(204).send();
      },
    });
  };
}
