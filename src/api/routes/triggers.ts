/**
 * `/tenants/{tenant}/triggers`: one OZ trigger (`{name, trigger_type, config}`) per key, the key monitors list in
 * `triggers: [...]`. Secrets are write-only; URLs must not point at private addresses.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { redactSecrets } from "../../secrets/index.js";
import { monitors, quotas, type Store, type StoredTrigger, triggers } from "../../store/index.js";
import { ApiCode, ApiError, notFound } from "../errors.js";
import { validateTrigger } from "../oz.js";
import { paginate } from "../paginate.js";
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantIdParams, TenantParams } from "../route.js";
import { keepRedactedSecrets } from "../secrets.js";
import { mutateTenant, openSecrets, type RouteServices, readTenant, sealSecrets } from "../services.js";
import { scriptPaths } from "./references.js";

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

async function live(scoped: Store, tenantId: string, id: string): Promise<StoredTrigger> {
  const found = await triggers.get(scoped, tenantId, id);
  if (found === null) throw notFound(`Trigger '${id}'`);
  return found;
}

export function triggerRoutes(services: RouteServices) {
  const policy = { allowPrivateNetworks: services.allowPrivateNetworks };
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
      handler: async ({ query, request }) => {
        const all = await readTenant(services, request, (scoped, tenantId) => triggers.list(scoped, tenantId));
        const filtered = all.filter((t) => query.type === undefined || t.triggerType === query.type);
        const page = paginate(filtered, (t) => t.key, query.limit, query.cursor);
        return { items: page.items.map(dto), nextCursor: page.nextCursor };
      },
    });

    defineRoute(app, {
      id: "triggers.get",
      method: "GET",
      url: `${base}/:id`,
      summary: "Get a trigger",
      tags,
      params: TenantIdParams,
      response: { 200: TriggerDto },
      handler: async ({ params, request }) =>
        dto(await readTenant(services, request, (scoped, tenantId) => live(scoped, tenantId, params.id))),
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
      handler: async ({ body, request, reply }) => {
        const saved = await mutateTenant(services, request, async (scoped, tenantId) => {
          const trigger = await validateTrigger(
            body.config,
            { scriptPaths: await scriptPaths(scoped, tenantId) },
            policy,
          );
          if ((await triggers.getByKey(scoped, tenantId, body.key)) !== null) {
            throw new ApiError(ApiCode.Conflict, `A trigger with key '${body.key}' exists; update it instead.`);
          }
          await quotas.reserve(scoped, tenantId, "triggers");
          const result = await triggers.save(scoped, {
            tenantId,
            key: body.key,
            triggerType: trigger.trigger_type,
            config: sealSecrets(services, tenantId, body.config),
          });
          return {
            result,
            audit: { action: "trigger.create", resourceType: "trigger", resourceId: result.id, after: dto(result) },
          };
        });
        reply.code(201).header("location", `${request.url.split("?")[0]}/${saved.id}`);
        return dto(saved);
      },
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
      handler: async ({ params, body, request }) =>
        dto(
          await mutateTenant(services, request, async (scoped, tenantId) => {
            const before = await live(scoped, tenantId, params.id);
            const config = keepRedactedSecrets(body.config, openSecrets(services, tenantId, before.config));
            const trigger = await validateTrigger(config, { scriptPaths: await scriptPaths(scoped, tenantId) }, policy);
            const result = await triggers.save(scoped, {
              tenantId,
              key: before.key,
              triggerType: trigger.trigger_type,
              config: sealSecrets(services, tenantId, config),
            });
            return {
              result,
              audit: {
                action: "trigger.update",
                resourceType: "trigger",
                resourceId: result.id,
                before: dto(before),
                after: dto(result),
              },
            };
          }),
        ),
    });

    defineRoute(app, {
      id: "triggers.delete",
      method: "DELETE",
      url: `${base}/:id`,
      summary: "Delete a trigger no monitor uses",
      tags,
      params: TenantIdParams,
      response: { 204: z.null() },
      handler: async ({ params, request, reply }) => {
        await mutateTenant(services, request, async (scoped, tenantId) => {
          const before = await live(scoped, tenantId, params.id);
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
          return {
            result: null,
            audit: { action: "trigger.delete", resourceType: "trigger", resourceId: before.id, before: dto(before) },
          };
        });
        return reply.code(204).send();
      },
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
      handler: async ({ params, request }) => {
        const versions = await readTenant(services, request, async (scoped, tenantId) => {
          const history = await triggers.history(scoped, tenantId, params.id);
          if (history.length === 0) throw notFound(`Trigger '${params.id}'`);
          return history;
        });
        return {
          items: versions.map((v) => ({
            version: v.version,
            triggerType: v.triggerType,
            config: redactSecrets(v.config),
            createdAt: iso(v.createdAt),
          })),
        };
      },
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
      handler: async ({ params, body, request }) =>
        dto(
          await mutateTenant(services, request, async (scoped, tenantId) => {
            const before = await live(scoped, tenantId, params.id);
            const target = (await triggers.history(scoped, tenantId, before.id)).find(
              (v) => v.version === body.version,
            );
            if (target === undefined) throw notFound(`Version ${body.version} of trigger '${params.id}'`);
            await validateTrigger(
              openSecrets(services, tenantId, target.config),
              { scriptPaths: await scriptPaths(scoped, tenantId) },
              policy,
            );
            const result = await triggers.save(scoped, {
              tenantId,
              key: before.key,
              triggerType: target.triggerType,
              config: target.config,
            });
            return {
              result,
              audit: {
                action: "trigger.rollback",
                resourceType: "trigger",
                resourceId: result.id,
                before: dto(before),
                after: { ...dto(result), restoredVersion: body.version },
              },
            };
          }),
        ),
    });
  };
}
