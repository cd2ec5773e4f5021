/**
 * `/tenants/{tenant}/triggers`: one OZ trigger (`{name, trigger_type, config}`) per key, the key monitors list in
 * `triggers: [...]`. Secrets are write-only; URLs must not point at private addresses.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { redactSecrets } from "../../secrets/index.js";
import { monitors, quotas, type Store, type StoredTrigger, triggers } from "../../store/index.js";
import { ApiCode, ApiError } from "../errors.js";
import { validateTrigger } from "../oz.js";
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantIdParams, TenantParams } from "../route.js";
import { keepRedactedSecrets } from "../secrets.js";
import { openSecrets, type RouteServices, sealSecrets } from "../services.js";
import { scriptPaths } from "./references.js";
import { tenantOwner, versionedResource } from "./versioned.js";

const TriggerDto = z
  .object({
    id: z.string(),
    key: z.string(),
    triggerType: z.string(),
    config: z.unknown().describe("The OZ trigger JSON, secrets redacted."),
    version: z.number().int(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: "Trigger" });

const TriggerKey = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, "letters, digits, '_', '.' and '-' (1–128)")
  .describe("The key monitors reference in `triggers`.");

const OzTrigger = z.record(z.string(), z.unknown()).describe("An OZ trigger: {name, trigger_type, config}.");

function dto(trigger: StoredTrigger) {
  return {
    id: trigger.id,
    key: trigger.key,
    triggerType: trigger.triggerType,
    config: redactSecrets(trigger.config),
    version: trigger.version,
    createdAt: iso(trigger.createdAt),
    updatedAt: iso(trigger.updatedAt),
  };
}

export function triggerRoutes(services: RouteServices) {
  const policy = { allowPrivateNetworks: services.allowPrivateNetworks };
  const resource = versionedResource({
    owner: tenantOwner(services),
    resourceType: "trigger",
    label: "Trigger",
    find: triggers.get,
    dto,
  });
  /** The trigger as OZ would load it, checked against the tenant's scripts and the URL policy. */
  const validate = async (scoped: Store, tenantId: string, config: unknown) =>
    validateTrigger(config, { scriptPaths: await scriptPaths(scoped, tenantId) }, policy);
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["triggers"];
    const base = "/tenants/:tenant/triggers";

    defineRoute(app, {
      id: "triggers.list",
      method: "GET",
      url: base,
      summary: "List triggers",
      tags,
      params: TenantParams,
      query: PageQuery.extend({ type: z.string().optional().describe("Only this trigger_type.") }),
      response: { 200: pageOf(TriggerDto) },
      handler: ({ query, request }) =>
        resource.list(
          request,
          query,
          triggers.list,
          (t) => t.key,
          (t) => query.type === undefined || t.triggerType === query.type,
        ),
    });

    defineRoute(app, {
      id: "triggers.get",
      method: "GET",
      url: `${base}/:id`,
      summary: "Get a trigger",
      tags,
      params: TenantIdParams,
      response: { 200: TriggerDto },
      handler: ({ params, request }) => resource.get(request, params.id),
    });

    defineRoute(app, {
      id: "triggers.create",
      method: "POST",
      url: base,
      summary: "Create a trigger",
      tags,
      params: TenantParams,
      body: z.object({ key: TriggerKey, config: OzTrigger }).strict(),
      response: { 201: TriggerDto },
      handler: ({ body, request, reply }) =>
        resource.create(request, reply, async (scoped, tenantId) => {
          const trigger = await validate(scoped, tenantId, body.config);
          if ((await triggers.getByKey(scoped, tenantId, body.key)) !== null) {
            throw new ApiError(ApiCode.Conflict, `A trigger with key '${body.key}' exists; update it instead.`);
          }
          await quotas.reserve(scoped, tenantId, "triggers");
          return triggers.save(scoped, {
            tenantId,
            key: body.key,
            triggerType: trigger.trigger_type,
            config: sealSecrets(services, tenantId, body.config),
          });
        }),
    });

    defineRoute(app, {
      id: "triggers.update",
      method: "PUT",
      url: `${base}/:id`,
      summary: "Replace a trigger's OZ document (its key stays)",
      description: 'A secret sent as "***" keeps the stored value, so a GET → edit → PUT round trip works.',
      tags,
      params: TenantIdParams,
      body: z.object({ config: OzTrigger }).strict(),
      response: { 200: TriggerDto },
      handler: ({ params, body, request }) =>
        resource.update(request, params.id, async (scoped, tenantId, before) => {
          const config = keepRedactedSecrets(body.config, openSecrets(services, tenantId, before.config));
          const trigger = await validate(scoped, tenantId, config);
          return triggers.save(scoped, {
            tenantId,
            key: before.key,
            triggerType: trigger.trigger_type,
            config: sealSecrets(services, tenantId, config),
          });
        }),
    });

    defineRoute(app, {
      id: "triggers.delete",
      method: "DELETE",
      url: `${base}/:id`,
      summary: "Delete a trigger no monitor uses",
      tags,
      params: TenantIdParams,
      response: { 204: z.null() },
      handler: ({ params, request, reply }) =>
        resource.remove(request, reply, params.id, async (scoped, tenantId, before) => {
          const users = (await monitors.list(scoped, tenantId)).filter((m) =>
            ((m.config as { triggers?: unknown }).triggers as unknown[] | undefined)?.includes(before.key),
          );
          if (users.length > 0) {
            throw new ApiError(
              ApiCode.Conflict,
              `Trigger '${before.key}' is used by monitor(s) ${users.map((m) => `'${m.name}'`).join(", ")}; remove it from them first.`,
            );
          }
          await triggers.remove(scoped, tenantId, before.id);
        }),
    });

    defineRoute(app, {
      id: "triggers.versions",
      method: "GET",
      url: `${base}/:id/versions`,
      summary: "A trigger's config history, oldest first",
      tags,
      params: TenantIdParams,
      response: {
        200: z.object({
          items: z.array(
            z.object({ version: z.number().int(), triggerType: z.string(), config: z.unknown(), createdAt: IsoDate }),
          ),
        }),
      },
      handler: ({ params, request }) =>
        resource.versions(request, params.id, triggers.history, (v) => ({
          version: v.version,
          triggerType: v.triggerType,
          config: redactSecrets(v.config),
          createdAt: iso(v.createdAt),
        })),
    });

    defineRoute(app, {
      id: "triggers.rollback",
      method: "POST",
      url: `${base}/:id/rollback`,
      summary: "Restore an earlier version (saved as a new version)",
      tags,
      params: TenantIdParams,
      body: z.object({ version: z.number().int().positive() }).strict(),
      response: { 200: TriggerDto },
      handler: ({ params, body, request }) =>
        resource.rollback(
          request,
          params.id,
          body.version,
          triggers.history,
          async (scoped, tenantId, before, target) => {
            await validate(scoped, tenantId, openSecrets(services, tenantId, target.config));
            return triggers.save(scoped, {
              tenantId,
              key: before.key,
              triggerType: target.triggerType,
              config: target.config,
            });
          },
        ),
    });
  };
}
