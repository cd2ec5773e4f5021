/**
 * One way to declare a route: its permission id, zod schemas and a thin handler (input → repositories → DTO). The
 * id goes into `config.permission` (read by the guard) and the schemas into `schema` (validation, response
 * filtering, OpenAPI), so a route cannot exist without both.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { PermissionId } from "./permissions.js";

/** The error body, as documented for every route (see `./errors.ts`). */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })),
  })
  .meta({ id: "Problem" });

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDefinition<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  id: PermissionId;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Relative to the plugin's prefix, Fastify syntax (`/tenants/:tenant/monitors/:id`). */
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** Success responses by status. Error responses are the problem shape, added for every route. */
  response: Record<number, z.ZodType>;
  handler(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

export function defineRoute<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(app: FastifyInstance, definition: RouteDefinition<P, Q, B>): void {
  const authenticated = !["docs.openapi", "docs.ui"].includes(definition.id);
  app.route({
    method: definition.method,
    url: definition.url,
    config: { permission: definition.id },
    schema: {
      operationId: definition.id,
      summary: definition.summary,
      ...(definition.description === undefined ? {} : { description: definition.description }),
      tags: definition.tags,
      ...(authenticated ? { security: [{ bearer: [] }, { apiKey: [] }] } : {}),
      ...(definition.params === undefined ? {} : { params: definition.params }),
      ...(definition.query === undefined ? {} : { querystring: definition.query }),
      ...(definition.body === undefined ? {} : { body: definition.body }),
      response: { ...definition.response, "4xx": ProblemSchema, "5xx": ProblemSchema },
    },
    handler: async (request, reply) =>
      definition.handler({
        params: request.params as z.output<P>,
        query: request.query as z.output<Q>,
        body: request.body as z.output<B>,
        request,
        reply,
      }),
  });
}

/** Page size: at most 200, 50 by default. */
export const MAX_PAGE_SIZE = 200;

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50).describe("Page size (1–200)."),
  cursor: z.string().min(1).max(512).optional().describe("The nextCursor of the previous page, unchanged."),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page."),
  });
}

export const TenantParams = z.object({ tenant: z.string().min(1).max(128).describe("Tenant slug or id.") });
export const TenantIdParams = TenantParams.extend({ id: z.string().min(1).max(128) });

/** Dates leave the API as ISO-8601 strings. */
export const IsoDate = z.string().describe("ISO-8601 timestamp.");

export function iso(date: Date | null | undefined): string | null {
  return date === null || date === undefined ? null : date.toISOString();
}
