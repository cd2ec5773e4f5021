/**
 * Zod at the HTTP boundary, once: every route declares zod schemas for params, query, body and responses; the same
 * schemas validate requests (Fastify's validator compiler), filter responses (the serializer compiler parses the
 * handler's value, so undeclared fields such as secrets are dropped, never sent) and become the OpenAPI document
 * (`z.toJSONSchema` in @fastify/swagger's transform).
 */
import type { FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from "fastify";
import { z } from "zod";
import { formatJsonPath } from "../errors/index.js";
import { ApiCode, ApiError, type ProblemItem } from "./errors.js";

/** Zod issues → problem items with JSONPath (`$.config.networks[0]`) and a stable code. */
export function issuesToItems(issues: readonly z.core.$ZodIssue[]): ProblemItem[] {
  return issues.map((issue) => ({
    path: formatJsonPath(issue.path.filter((p): p is string | number => typeof p !== "symbol")),
    message: issue.message,
    code: `ZOD_${issue.code.toUpperCase()}`,
  }));
}

const PART_NAMES: Record<string, string> = {
  body: "request body",
  querystring: "query string",
  params: "path parameters",
  headers: "request headers",
};

function isZod(schema: unknown): schema is z.ZodType {
  return typeof schema === "object" && schema !== null && "_zod" in schema;
}

/**
 * Validates with the route's zod schema. A body that does not fit is 422 (it parsed as JSON but says the wrong
 * thing); a bad query string or path parameter is 400.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (!isZod(schema)) throw new Error(`route schema for ${httpPart ?? "?"} must be a zod schema`);
  return (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const part = PART_NAMES[httpPart ?? ""] ?? "request";
    const code = httpPart === "body" ? ApiCode.Validation : ApiCode.BadRequest;
    return {
      error: new ApiError(code, `The ${part} is not valid (${result.error.issues.length} problem(s)).`, {
        errors: issuesToItems(result.error.issues),
      }),
    };
  };
};

/**
 * Serialises through the response schema: `parse` strips every key the schema does not declare, so a handler that
 * returns a whole row cannot leak a column. A value that does not fit is a server bug (500).
 */
export const zodSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  if (!isZod(schema)) return (data: unknown) => JSON.stringify(data);
  return (data: unknown) => JSON.stringify(schema.parse(data));
};

function toJsonSchema(schema: unknown, io: "input" | "output"): unknown {
  if (!isZod(schema)) return schema;
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  return json;
}

/** @fastify/swagger `transform`: the zod schemas of a route → JSON Schema for the OpenAPI document. */
export function toOpenApiSchema(schema: FastifySchema | undefined): Record<string, unknown> {
  if (schema === undefined) return {};
  const out: Record<string, unknown> = { ...schema };
  for (const part of ["body", "querystring", "params", "headers"] as const) {
    if (schema[part] !== undefined) out[part] = toJsonSchema(schema[part], "input");
  }
  if (schema.response !== undefined && typeof schema.response === "object") {
    const responses: Record<string, unknown> = {};
    for (const [status, value] of Object.entries(schema.response as Record<string, unknown>)) {
      responses[status] = toJsonSchema(value, "output");
    }
    out.response = responses;
  }
  return out;
}
