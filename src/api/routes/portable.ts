/**
 * `/tenants/{tenant}/import` and `/export`: an OZ config directory, as a JSON bundle (file name → document), into a
 * tenant and back (`src/portable`). Import is all or nothing, validated as `argus validate` does; never reads the
 * server's environment. Export redacts secrets (they are write-only through the API; `argus export` on the server
 * writes them out).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { formatJsonPath } from "../../errors/index.js";
import { type ConfigBundle, exportBundle, importBundle, PortableError } from "../../portable/index.js";
import { findEnvironmentSecrets, redactSecrets } from "../../secrets/index.js";
import { ApiCode, ApiError, type ProblemItem } from "../errors.js";
import { bundleUrlProblems } from "../oz.js";
import { defineRoute, TenantParams } from "../route.js";
import { mutateTenant, type RouteServices, readTenant } from "../services.js";

const Documents = z.record(z.string().min(1).max(255), z.unknown());

const BundleSchema = z
  .object({
    networks: Documents.default({}).describe("networks/<file>.json → network JSON"),
    monitors: Documents.default({}).describe("monitors/<file>.json → monitor JSON"),
    triggers: z.record(z.string().min(1).max(255), z.record(z.string(), z.unknown())).default({}),
    scripts: z.record(z.string().min(1).max(512), z.string().max(256 * 1024)).default({}),
  })
  .strict()
  .meta({ id: "ConfigBundle" });

const Names = z.object({
  networks: z.array(z.string()),
  monitors: z.array(z.string()),
  triggers: z.array(z.string()),
  scripts: z.array(z.string()),
});

function environmentItems(bundle: ConfigBundle): ProblemItem[] {
  const items: ProblemItem[] = [];
  for (const kind of ["networks", "monitors", "triggers"] as const) {
    for (const [file, document] of Object.entries(bundle[kind])) {
      for (const secret of findEnvironmentSecrets(document)) {
        items.push({
          path: formatJsonPath(["bundle", kind, file, ...secret.path]),
          message: "Environment secrets read the server's environment and are not allowed through the API",
          code: "API_SECRET_ENVIRONMENT_REFUSED",
        });
      }
    }
  }
  return items;
}

export function portableRoutes(services: RouteServices) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["import-export"];
    defineRoute(app, {
      id: "tenants.import",
      method: "POST",
      url: "/tenants/:tenant/import",
      summary: "Import an OZ config directory (as a bundle) into the tenant, all or nothing",
      tags,
      params: TenantParams,
      body: z
        .object({
          bundle: BundleSchema,
          replace: z.boolean().default(false).describe("Delete what the bundle does not define (soft delete)."),
        })
        .strict(),
      response: { 200: z.object({ saved: Names, removed: Names }) },
      handler: async ({ body, request }) => {
        const bundle = body.bundle as ConfigBundle;
        const refused = environmentItems(bundle);
        if (refused.length > 0)
          throw new ApiError(ApiCode.Validation, "The bundle uses Environment secrets.", { errors: refused });
        const unreachable = await bundleUrlProblems(bundle, { allowPrivateNetworks: services.allowPrivateNetworks });
        if (unreachable.length > 0)
          throw new ApiError(ApiCode.Validation, "The bundle points at private or loopback addresses.", {
            errors: unreachable,
          });
        try {
          return await mutateTenant(services, request, async (scoped, tenantId) => {
            const result = await importBundle(scoped, tenantId, bundle, {
              env: {},
              replace: body.replace,
              ...(services.keyring === null ? {} : { keyring: services.keyring }),
            });
            return {
              result,
              audit: {
                action: "tenant.import",
                resourceType: "tenant",
                resourceId: tenantId,
                after: { replace: body.replace, ...result },
              },
            };
          });
        } catch (error) {
          if (error instanceof PortableError && error.problems.length > 0) {
            throw new ApiError(ApiCode.Validation, error.message, {
              errors: error.problems.map((p) => ({
                path: formatJsonPath(["bundle", ...p.file.split("/"), ...p.path]),
                message: p.message,
                code: p.code,
              })),
            });
          }
          throw error;
        }
      },
    });

    defineRoute(app, {
      id: "tenants.export",
      method: "GET",
      url: "/tenants/:tenant/export",
      summary: "Export the tenant's configuration as an OZ config bundle (secrets redacted)",
      tags,
      params: TenantParams,
      response: { 200: BundleSchema },
      handler: async ({ request }) => {
        const bundle = await readTenant(services, request, (scoped, tenantId) =>
          exportBundle(scoped, tenantId, { platformNetworks: "referenced" }),
        );
        return redactSecrets(bundle);
      },
    });
  };
}
