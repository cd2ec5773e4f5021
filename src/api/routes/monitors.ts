/**
 * `/tenants/{tenant}/monitors`: OZ monitor JSON (`config`) plus Argus's own settings beside it (`paused`,
 * `throttle`), config history and rollback, and testing a monitor against a past block.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Network } from "../../config/index.js";
import { evaluateBlock, toMatchJson } from "../../engine/index.js";
import { redactSecrets } from "../../secrets/index.js";
import { monitors, networks, quotas, type StoredMonitor, type ThrottlePolicy } from "../../store/index.js";
import { ApiCode, ApiError, notFound } from "../errors.js";
import { validateMonitor } from "../oz.js";
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantIdParams, TenantParams } from "../route.js";
import { keepRedactedSecrets } from "../secrets.js";
import { mutateTenant, openSecrets, type RouteServices, readTenant, sealSecrets } from "../services.js";
import { monitorContext, runtimeNetwork } from "./references.js";
import { tenantOwner, versionedResource } from "./versioned.js";

export const ThrottleSchema = z
  .object({
    minIntervalMs: z.number().int().positive().optional().describe("Minimum time between two notified matches."),
    threshold: z
      .object({ count: z.number().int().positive(), windowMs: z.number().int().positive() })
      .strict()
      .optional()
      .describe("Notify only when `count` matches happen within `windowMs`."),
  })
  .strict()
  .meta({ id: "Throttle" });

const OzDocument = z.record(z.string(), z.unknown());

const MonitorDto = z
  .object({
    id: z.string(),
    name: z.string(),
    config: z.unknown().describe("The OZ monitor JSON, secrets redacted."),
    paused: z.boolean(),
    throttle: ThrottleSchema.nullable(),
    version: z.number().int(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: "Monitor" });

const MonitorVersionDto = z.object({
  version: z.number().int(),
  name: z.string(),
  config: z.unknown(),
  paused: z.boolean(),
  throttle: ThrottleSchema.nullable(),
  createdAt: IsoDate,
});

const MonitorBody = z
  .object({
    config: OzDocument.describe("An OZ monitor document, as in a monitors/*.json file."),
    paused: z.boolean().optional().describe("Default on create: the document's `paused`; on update: unchanged."),
    throttle: ThrottleSchema.nullable().optional(),
  })
  .strict();

const SettingsBody = z
  .object({ paused: z.boolean().optional(), throttle: ThrottleSchema.nullable().optional() })
  .strict();

function dto(monitor: StoredMonitor) {
  return {
    id: monitor.id,
    name: monitor.name,
    config: redactSecrets(monitor.config),
    paused: monitor.paused,
    throttle: throttleDto(monitor.throttle),
    version: monitor.version,
    createdAt: iso(monitor.createdAt),
    updatedAt: iso(monitor.updatedAt),
  };
}

function throttleDto(policy: ThrottlePolicy | null) {
  if (policy === null) return null;
  return {
    ...(policy.minIntervalMs === undefined ? {} : { minIntervalMs: policy.minIntervalMs }),
    ...(policy.threshold === undefined ? {} : { threshold: policy.threshold }),
  };
}

export function monitorRoutes(services: RouteServices) {
  const resource = versionedResource({
    owner: tenantOwner(services),
    resourceType: "monitor",
    label: "Monitor",
    find: monitors.get,
    dto,
  });
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["monitors"];
    const base = "/tenants/:tenant/monitors";

    defineRoute(app, {
      id: "monitors.list",
      method: "GET",
      url: base,
      summary: "List monitors",
      tags,
      params: TenantParams,
      query: PageQuery.extend({
        paused: z.enum(["true", "false"]).optional(),
        network: z.string().optional().describe("Only monitors that list this network slug."),
        name: z.string().optional().describe("Only monitors whose name contains this text (case-insensitive)."),
      }),
      response: { 200: pageOf(MonitorDto) },
      handler: ({ query, request }) =>
        resource.list(
          request,
          query,
          monitors.list,
          (m) => m.id,
          (m) =>
            (query.paused === undefined || String(m.paused) === query.paused) &&
            (query.network === undefined ||
              ((m.config as { networks?: unknown }).networks as unknown[] | undefined)?.includes(query.network)) &&
            (query.name === undefined || m.name.toLowerCase().includes(query.name.toLowerCase())),
        ),
    });

    defineRoute(app, {
      id: "monitors.get",
      method: "GET",
      url: `${base}/:id`,
      summary: "Get a monitor",
      tags,
      params: TenantIdParams,
      response: { 200: MonitorDto },
      handler: ({ params, request }) => resource.get(request, params.id),
    });

    defineRoute(app, {
      id: "monitors.create",
      method: "POST",
      url: base,
      summary: "Create a monitor",
      description: "The body's `config` is validated like `argus validate` does; problems come back as 422 with paths.",
      tags,
      params: TenantParams,
      body: MonitorBody,
      response: { 201: MonitorDto },
      handler: ({ body, request, reply }) =>
        resource.create(request, reply, async (scoped, tenantId) => {
          const monitor = validateMonitor(body.config, await monitorContext(scoped, tenantId));
          await quotas.reserve(scoped, tenantId, "monitors");
          return monitors.save(scoped, {
            tenantId,
            name: monitor.name,
            config: sealSecrets(services, tenantId, body.config),
            paused: body.paused ?? monitor.paused,
            throttle: body.throttle ?? null,
          });
        }),
    });

    defineRoute(app, {
      id: "monitors.update",
      method: "PUT",
      url: `${base}/:id`,
      summary: "Replace a monitor's OZ document (and optionally its settings)",
      tags,
      params: TenantIdParams,
      body: MonitorBody,
      response: { 200: MonitorDto },
      handler: ({ params, body, request }) =>
        resource.update(request, params.id, async (scoped, tenantId, before) => {
          const config = keepRedactedSecrets(body.config, openSecrets(services, tenantId, before.config));
          const monitor = validateMonitor(config, await monitorContext(scoped, tenantId));
          return monitors.save(scoped, {
            tenantId,
            id: before.id,
            name: monitor.name,
            config: sealSecrets(services, tenantId, config),
            paused: body.paused ?? before.paused,
            throttle: body.throttle === undefined ? before.throttle : body.throttle,
          });
        }),
    });

    defineRoute(app, {
      id: "monitors.settings",
      method: "PATCH",
      url: `${base}/:id`,
      summary: "Pause, resume or throttle a monitor",
      tags,
      params: TenantIdParams,
      body: SettingsBody,
      response: { 200: MonitorDto },
      handler: async ({ params, body, request }) =>
        dto(
          await mutateTenant(services, request, async (scoped, tenantId) => {
            const before = await resource.live(scoped, tenantId, params.id);
            const result = await monitors.save(scoped, {
              tenantId,
              id: before.id,
              name: before.name,
              config: before.config,
              paused: body.paused ?? before.paused,
              throttle: body.throttle === undefined ? before.throttle : body.throttle,
            });
            return {
              result,
              audit: {
                action: "monitor.settings",
                resourceType: "monitor",
                resourceId: result.id,
                before: { paused: before.paused, throttle: before.throttle },
                after: { paused: result.paused, throttle: result.throttle },
              },
            };
          }),
        ),
    });

    defineRoute(app, {
      id: "monitors.delete",
      method: "DELETE",
      url: `${base}/:id`,
      summary: "Delete a monitor (its matches, deliveries and history stay)",
      tags,
      params: TenantIdParams,
      response: { 204: z.null() },
      handler: ({ params, request, reply }) =>
        resource.remove(request, reply, params.id, (scoped, tenantId, before) =>
          monitors.remove(scoped, tenantId, before.id),
        ),
    });

    defineRoute(app, {
      id: "monitors.versions",
      method: "GET",
      url: `${base}/:id/versions`,
      summary: "A monitor's config history, oldest first",
      tags,
      params: TenantIdParams,
      response: { 200: z.object({ items: z.array(MonitorVersionDto) }) },
      handler: ({ params, request }) =>
        resource.versions(request, params.id, monitors.history, (v) => ({
          version: v.version,
          name: v.name,
          config: redactSecrets(v.config),
          paused: v.paused,
          throttle: throttleDto(v.throttle),
          createdAt: iso(v.createdAt),
        })),
    });

    defineRoute(app, {
      id: "monitors.rollback",
      method: "POST",
      url: `${base}/:id/rollback`,
      summary: "Restore an earlier version (saved as a new version)",
      tags,
      params: TenantIdParams,
      body: z.object({ version: z.number().int().positive() }).strict(),
      response: { 200: MonitorDto },
      handler: ({ params, body, request }) =>
        resource.rollback(
          request,
          params.id,
          body.version,
          monitors.history,
          async (scoped, tenantId, before, target) => {
            // The old document must still be valid now: its triggers or networks may be gone since.
            validateMonitor(openSecrets(services, tenantId, target.config), await monitorContext(scoped, tenantId));
            return monitors.save(scoped, {
              tenantId,
              id: before.id,
              name: target.name,
              config: target.config,
              paused: target.paused,
              throttle: target.throttle,
            });
          },
        ),
    });

    defineRoute(app, {
      id: "monitors.test",
      method: "POST",
      url: `${base}/:id/test`,
      summary: "Run the monitor against one past block and return its matches (nothing is stored or sent)",
      tags,
      params: TenantIdParams,
      body: z
        .object({
          network: z.string().min(1).describe("Slug of a network the tenant can use."),
          block: z
            .union([z.number().int().nonnegative(), z.string().regex(/^(0x[0-9a-fA-F]+|[0-9]+)$/)])
            .describe("Block number (ledger sequence on Stellar), decimal or 0x-hex."),
        })
        .strict(),
      response: {
        200: z.object({
          network: z.string(),
          block: z.string(),
          matches: z.array(z.unknown()).describe("OZ MonitorMatch JSON."),
          diagnostics: z.array(z.string()),
        }),
      },
      handler: async ({ params, body, request }) => {
        const { monitor, network, networkId } = await readTenant(services, request, async (scoped, tenantId) => {
          const stored = await resource.live(scoped, tenantId, params.id);
          const context = await monitorContext(scoped, tenantId);
          const parsed = validateMonitor(stored.config, context);
          const row =
            (await networks.getBySlug(scoped, tenantId, body.network)) ??
            (await networks.getBySlug(scoped, null, body.network));
          if (row === null) throw notFound(`Network '${body.network}'`);
          return {
            monitor: { ...parsed, paused: false },
            network: runtimeNetwork({ ...row, config: openSecrets(services, row.tenantId, row.config) }),
            networkId: row.id,
          };
        });
        return runTest(services, { ...network, id: networkId }, monitor, params.id, BigInt(body.block));
      },
    });
  };
}

async function runTest(
  services: RouteServices,
  { id: networkId, ...network }: Network & { id: string },
  monitor: Parameters<typeof validateMonitor>[0] extends unknown ? ReturnType<typeof validateMonitor> : never,
  id: string,
  blockNumber: bigint,
) {
  const client = services.openNetworkClient(network);
  const diagnostics: string[] = [];
  try {
    // A block an ingester fetched is in the block cache (keyed by network id): no RPC call for it.
    const block =
      (await cachedBlock(services, networkId, blockNumber)) ??
      (await client.fetchBlock(blockNumber, {
        signal: AbortSignal.timeout(30_000),
        tolerateUnnumberedTransactions: true,
        onWarning: (message) => diagnostics.push(message),
      }));
    const compiled = await client.compile([{ id, tenantId: "test", version: 1, monitor }]);
    diagnostics.push(...compiled.specProblems.map((p) => p.message));
    const result = evaluateBlock(compiled.compiled, network.slug, block);
    for (const d of [...compiled.diagnostics, ...result.diagnostics]) diagnostics.push(describe(d));
    return {
      network: network.slug,
      block: blockNumber.toString(),
      matches: result.matches.map(toMatchJson),
      diagnostics,
    };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ApiError(
      ApiCode.UpstreamFailed,
      `Fetching block ${blockNumber} from '${network.slug}' failed: ${message}`,
    );
  } finally {
    client.close();
  }
}

/** The cached block, or `null` on a miss (a cache that fails or is slow is a miss: the node still answers). */
async function cachedBlock(services: RouteServices, networkId: string, number: bigint) {
  const cache = services.blockCache;
  if (cache === undefined) return null;
  const timeout = new Promise<null>((resolve) => setTimeout(resolve, 1_000, null).unref());
  const hit = await Promise.race([cache.getBlock(networkId, number).catch(() => null), timeout]);
  return hit !== null && hit.number === number ? hit.block : null;
}

function describe(diagnostic: unknown): string {
  if (typeof diagnostic === "string") return diagnostic;
  if (typeof diagnostic === "object" && diagnostic !== null && "message" in diagnostic) {
    return String((diagnostic as { message: unknown }).message);
  }
  return JSON.stringify(diagnostic);
}
