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
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantIdParams, TenantParams } from "../route.js";
import { keepRedactedSecrets } from "../secrets.js";
import { openSecrets, type RouteServices, readTenant, sealSecrets } from "../services.js";
import { platformOwner, tenantOwner, versionedResource } from "./versioned.js";

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
type OzNetworkDocument = z.output<typeof OzNetwork>;
type NetworkPolicy = Parameters<typeof validateNetwork>[1];

function scopeOf(network: StoredNetwork): "platform" | "tenant" {
  return network.tenantId === null ? "platform" : "tenant";
}

function dto(network: StoredNetwork) {
  return {
    id: network.id,
    slug: network.slug,
    networkType: network.networkType,
    scope: scopeOf(network),
    config: redactSecrets(network.config),
    version: network.version,
    createdAt: iso(network.createdAt),
    updatedAt: iso(network.updatedAt),
  };
}

/** A live network of this owner (`null` = platform) by id. */
async function findOwned(scoped: Store, owner: string | null, id: string): Promise<StoredNetwork | null> {
  const found = await networks.get(scoped, id);
  return found === null || found.deletedAt !== null || found.tenantId !== owner ? null : found;
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
  const platformPolicy = { allowPrivateNetworks: true, tenant: false };
  const common = { resourceType: "network", label: "Network", find: findOwned, dto };
  const resource = versionedResource({ ...common, owner: tenantOwner(services) });
  const platform = versionedResource({
    ...common,
    owner: platformOwner(services),
    actionPrefix: "platform_network",
    location: false,
  });

  /** A new network document of this owner, validated, refusing a slug the owner already has. */
  async function validateNew(scoped: Store, owner: string | null, config: OzNetworkDocument, policy: NetworkPolicy) {
    const network = await validateNetwork(config, policy);
    if ((await networks.getBySlug(scoped, owner, network.slug)) !== null) {
      const kind = owner === null ? "platform" : "private";
      throw new ApiError(ApiCode.Conflict, `A ${kind} network with slug '${network.slug}' exists.`);
    }
    return network;
  }

  function save(scoped: Store, owner: string | null, slug: string, networkType: string, config: OzNetworkDocument) {
    return networks.save(scoped, { tenantId: owner, slug, networkType, config: sealSecrets(services, owner, config) });
  }

  /** Saves a new document for `before`; its slug cannot change (monitors name networks by slug). */
  async function replace(
    scoped: Store,
    owner: string | null,
    before: StoredNetwork,
    sent: OzNetworkDocument,
    policy: NetworkPolicy,
  ) {
    const config = keepRedactedSecrets(sent, openSecrets(services, owner, before.config)) as OzNetworkDocument;
    const network = await validateNetwork(config, policy);
    if (slugOf(config) !== before.slug) {
      throw new ApiError(ApiCode.Validation, "A network's slug cannot change; create a new network.", {
        errors: [
          { path: "$.config.slug", message: `must stay ${JSON.stringify(before.slug)}`, code: "API_SLUG_IMMUTABLE" },
        ],
      });
    }
    return save(scoped, owner, before.slug, network.network_type, config);
  }

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
      handler: ({ query, request }) =>
        resource.list(
          request,
          query,
          networks.list,
          (n) => `${n.slug}\u0000${scopeOf(n)}`,
          (n) =>
            (query.scope === undefined || scopeOf(n) === query.scope) &&
            (query.type === undefined || n.networkType === query.type),
        ),
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
      handler: ({ body, request, reply }) =>
        resource.create(request, reply, async (scoped, tenantId) => {
          const network = await validateNew(scoped, tenantId, body.config, tenantPolicy);
          await quotas.reserve(scoped, tenantId, "networks");
          return save(scoped, tenantId, network.slug, network.network_type, body.config);
        }),
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
      handler: ({ params, body, request }) =>
        resource.update(request, params.id, (scoped, tenantId, before) =>
          replace(scoped, tenantId, before, body.config, tenantPolicy),
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
      handler: ({ params, request, reply }) =>
        resource.remove(request, reply, params.id, async (scoped, tenantId, before) => {
          // With a platform network of the same slug, the tenant's monitors fall back to it.
          if ((await networks.getBySlug(scoped, null, before.slug)) === null) {
            await refuseInUse(scoped, [tenantId], before.slug);
          }
          await networks.remove(scoped, before.id);
        }),
    });

    // Platform networks (operators).
    const platformTags = ["platform"];
    const platformBase = "/platform/networks";
    const IdParams = z.object({ id: z.string().min(1).max(128) });

    defineRoute(app, {
      id: "platform.networks.list",
      method: "GET",
      url: platformBase,
      summary: "List platform networks",
      tags: platformTags,
      query: PageQuery,
      response: { 200: pageOf(NetworkDto) },
      handler: ({ query, request }) => platform.list(request, query, networks.list, (n) => n.slug),
    });

    defineRoute(app, {
      id: "platform.networks.create",
      method: "POST",
      url: platformBase,
      summary: "Create a platform network every tenant can monitor",
      tags: platformTags,
      body: z.object({ config: OzNetwork }).strict(),
      response: { 201: NetworkDto },
      handler: ({ body, request, reply }) =>
        platform.create(request, reply, async (scoped) => {
          const network = await validateNew(scoped, null, body.config, platformPolicy);
          return save(scoped, null, network.slug, network.network_type, body.config);
        }),
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
      handler: ({ params, body, request }) =>
        platform.update(request, params.id, (scoped, owner, before) =>
          replace(scoped, owner, before, body.config, platformPolicy),
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
      handler: ({ params, request, reply }) =>
        platform.remove(request, reply, params.id, (scoped, _owner, before) => networks.remove(scoped, before.id)),
    });
  };
}
