/**
 * `/tenants/{tenant}/scripts`: the tenant's trigger scripts, which triggers (`script_path`) and monitors' trigger
 * conditions name by path. Stored in the database, never on the server's disk.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { monitors, type Store, type StoredTriggerScript, triggerScripts, triggers } from "../../store/index.js";
import { ApiCode, ApiError } from "../errors.js";
import { defineRoute, IsoDate, iso, PageQuery, pageOf, TenantIdParams, TenantParams } from "../route.js";
import type { RouteServices } from "../services.js";
import { tenantOwner, versionedResource } from "./versioned.js";

const LANGUAGES = ["Python", "JavaScript", "Bash"] as const;
const EXTENSIONS: Record<(typeof LANGUAGES)[number], string> = { Python: ".py", JavaScript: ".js", Bash: ".sh" };
/** Scripts run with a CPU and memory budget; a megabyte of source is far beyond any condition script. */
const MAX_SCRIPT_BYTES = 256 * 1024;

const ScriptDto = z
  .object({
    id: z.string(),
    path: z.string(),
    language: z.enum(LANGUAGES),
    content: z.string(),
    version: z.number().int(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: "Script" });

const ScriptPath = z
  .string()
  .min(1)
  .max(512)
  .refine(
    (p) =>
      !p.startsWith("/") &&
      !p.includes("\\") &&
      !p.includes("\0") &&
      p.split("/").every((s) => s !== "" && s !== "." && s !== ".."),
    "must be a relative path without '.' or '..' segments",
  )
  .describe("The path triggers and trigger conditions reference, e.g. filters/large_transfer.py.");

const ScriptBody = z
  .object({ path: ScriptPath, language: z.enum(LANGUAGES), content: z.string().max(MAX_SCRIPT_BYTES) })
  .strict()
  .refine((s) => s.path.endsWith(EXTENSIONS[s.language]), {
    message: "the extension must match the language (.py, .js, .sh)",
    path: ["path"],
  });

function dto(script: StoredTriggerScript) {
  return {
    id: script.id,
    path: script.path,
    language: script.language,
    content: script.content,
    version: script.version,
    createdAt: iso(script.createdAt),
    updatedAt: iso(script.updatedAt),
  };
}

/** Who still names this path: monitors' trigger conditions and script triggers. */
async function usersOf(scoped: Store, tenantId: string, path: string): Promise<string[]> {
  const names: string[] = [];
  for (const m of await monitors.list(scoped, tenantId)) {
    const conditions = (m.config as { trigger_conditions?: Array<{ script_path?: unknown }> }).trigger_conditions ?? [];
    if (conditions.some((c) => c?.script_path === path)) names.push(`monitor '${m.name}'`);
  }
  for (const t of await triggers.list(scoped, tenantId)) {
    const config = (t.config as { config?: { script_path?: unknown } }).config;
    if (config?.script_path === path) names.push(`trigger '${t.key}'`);
  }
  return names;
}

export function scriptRoutes(services: RouteServices) {
  const resource = versionedResource({
    owner: tenantOwner(services),
    resourceType: "script",
    label: "Script",
    find: triggerScripts.get,
    dto,
  });
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["scripts"];
    const base = "/tenants/:tenant/scripts";

    defineRoute(app, {
      id: "scripts.list",
      method: "GET",
      url: base,
      summary: "List trigger scripts",
      tags,
      params: TenantParams,
      query: PageQuery,
      response: { 200: pageOf(ScriptDto) },
      handler: ({ query, request }) => resource.list(request, query, triggerScripts.list, (s) => s.path),
    });

    defineRoute(app, {
      id: "scripts.get",
      method: "GET",
      url: `${base}/:id`,
      summary: "Get a trigger script",
      tags,
      params: TenantIdParams,
      response: { 200: ScriptDto },
      handler: ({ params, request }) => resource.get(request, params.id),
    });

    defineRoute(app, {
      id: "scripts.create",
      method: "POST",
      url: base,
      summary: "Create a trigger script",
      tags,
      params: TenantParams,
      body: ScriptBody,
      response: { 201: ScriptDto },
      handler: ({ body, request, reply }) =>
        resource.create(request, reply, async (scoped, tenantId) => {
          if ((await triggerScripts.getByPath(scoped, tenantId, body.path)) !== null) {
            throw new ApiError(ApiCode.Conflict, `A script at '${body.path}' exists; update it instead.`);
          }
          return triggerScripts.save(scoped, { tenantId, ...body });
        }),
    });

    defineRoute(app, {
      id: "scripts.update",
      method: "PUT",
      url: `${base}/:id`,
      summary: "Replace a trigger script's content (its path stays)",
      tags,
      params: TenantIdParams,
      body: ScriptBody,
      response: { 200: ScriptDto },
      handler: ({ params, body, request }) =>
        resource.update(request, params.id, async (scoped, tenantId, before) => {
          if (body.path !== before.path) {
            throw new ApiError(ApiCode.Validation, "A script's path cannot change; create a new script.", {
              errors: [
                { path: "$.path", message: `must stay ${JSON.stringify(before.path)}`, code: "API_PATH_IMMUTABLE" },
              ],
            });
          }
          return triggerScripts.save(scoped, { tenantId, ...body });
        }),
    });

    defineRoute(app, {
      id: "scripts.delete",
      method: "DELETE",
      url: `${base}/:id`,
      summary: "Delete a script nothing uses",
      tags,
      params: TenantIdParams,
      response: { 204: z.null() },
      handler: ({ params, request, reply }) =>
        resource.remove(request, reply, params.id, async (scoped, tenantId, before) => {
          const users = await usersOf(scoped, tenantId, before.path);
          if (users.length > 0) {
            throw new ApiError(ApiCode.Conflict, `Script '${before.path}' is used by ${users.join(", ")}.`);
          }
          await triggerScripts.remove(scoped, tenantId, before.id);
        }),
    });
  };
}
