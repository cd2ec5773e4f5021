/**
 * Assembles the API: one Fastify instance with zod validation/serialisation, one error shape, one guard for every
 * route, the OpenAPI document and interactive docs, and a plugin per resource under `/api/v1`.
 */
import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { BlockCache } from "../cache/index.js";
import { openNetworkClient } from "../chains/index.js";
import type { Identity } from "../identity/index.js";
import type { Logger } from "../ops/index.js";
import type { Keyring } from "../secrets/index.js";
import { collectStatus, STATUS_PERMISSION, type StatusReport, statusRoute } from "../status/index.js";
import { quotas, type Store, type Tenant, usage, usagePeriod } from "../store/index.js";
import type { ApiServices, RateLimits, RequestAuth } from "./context.js";
import { ApiCode, ApiError, toProblem } from "./errors.js";
import { guardRequest } from "./guard.js";
import { createMemoryRateLimiter, type RateLimiter } from "./rate-limit.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { auditRoutes } from "./routes/audit-log.js";
import { authRoutes } from "./routes/auth.js";
import { deliveryRoutes } from "./routes/deliveries.js";
import { matchRoutes } from "./routes/matches.js";
import { memberRoutes } from "./routes/members.js";
import { monitorRoutes } from "./routes/monitors.js";
import { networkRoutes } from "./routes/networks.js";
import { portableRoutes } from "./routes/portable.js";
import { scriptRoutes } from "./routes/scripts.js";
import { tenantRoutes } from "./routes/tenants.js";
import { triggerRoutes } from "./routes/triggers.js";
import { usageRoutes } from "./routes/usage.js";
import { toOpenApiSchema, zodSerializerCompiler, zodValidatorCompiler } from "./schema.js";
import type { RouteServices } from "./services.js";

export interface BuildApiOptions {
  store: Store;
  identity: Identity;
  /** Encrypts notification and RPC secrets at rest; `null` stores them as sent (development without a key). */
  keyring: Keyring | null;
  logger: Logger;
  /** @default an in-process token bucket (`createMemoryRateLimiter`) */
  rateLimiter?: RateLimiter;
  rateLimits?: RateLimits;
  /**
   * Tenant URLs may point at loopback/private addresses (self-hosted single tenant, tests).
   * @default false
   */
  allowPrivateNetworks?: boolean;
  /**
   * Largest accepted request body, in bytes.
   * @default 1_048_576
   */
  bodyLimit?: number;
  /** Trust `X-Forwarded-For` from a reverse proxy (for client IPs in audit rows and rate limits). @default false */
  trustProxy?: boolean;
  /** Told after a delivery was replayed (e.g. `dispatcher.wake`). */
  onReplay?: () => void;
  /**
   * The operator view behind `GET /api/v1/platform/status`; the process that knows its bus, leases and membership
   * passes them. @default the store's networks (heads over RPC), cursors and deliveries
   */
  status?: () => Promise<StatusReport>;
  /** Chain access for `POST …/monitors/{id}/test`. @default openNetworkClient */
  openNetworkClient?: typeof openNetworkClient;
  /** Blocks the ingesters fetched (keyed by network id): `…/monitors/{id}/test` reads a block here before the node. */
  blockCache?: BlockCache;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A registered route: method, URL and its permission id (for the matrix and isolation tests, and docs). */
export interface ApiRoute {
  method: string;
  url: string;
  permission: string | undefined;
}

const registered = new WeakMap<FastifyInstance, ApiRoute[]>();

/** Every route `buildApi` registered (HEAD routes Fastify adds for GETs excluded). */
export function listApiRoutes(app: FastifyInstance): readonly ApiRoute[] {
  return registered.get(app) ?? [];
}

/** The plan's `apiCallsPerMinute` (with the tenant's overrides); `null` = unlimited. */
function defaultTenantLimit(tenant: Tenant): number | null {
  return quotas.limitsFor(tenant).apiCallsPerMinute;
}

/**
 * Builds the API (not listening; `listen` is the caller's job, or use `startApiServer`).
 *
 * @example
 * const app = await buildApi({ store, identity, logger });
 * await app.listen({ port: 8080, host: "0.0.0.0" });
 */
export async function buildApi(options: BuildApiOptions): Promise<FastifyInstance> {
  const statusRpc = options.keyring === null ? {} : { keyring: options.keyring };
  const limits = options.rateLimits ?? {};
  const services: RouteServices = {
    store: options.store,
    logger: options.logger,
    rateLimiter: options.rateLimiter ?? createMemoryRateLimiter(),
    rateLimits: {
      tenantPerMinute: limits.tenantPerMinute ?? defaultTenantLimit,
      apiKeyPerMinute: limits.apiKeyPerMinute ?? 600,
      userPerMinute: limits.userPerMinute ?? 600,
      ipPerMinute: limits.ipPerMinute ?? 60,
    },
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    keyring: options.keyring,
    onReplay: options.onReplay ?? (() => undefined),
    openNetworkClient: options.openNetworkClient ?? openNetworkClient,
    ...(options.blockCache === undefined ? {} : { blockCache: options.blockCache }),
  };
  const ownsLimiter = options.rateLimiter === undefined;

  // Typed with Fastify's base logger: route plugins do not care which logger implementation is behind it.
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    trustProxy: options.trustProxy ?? false,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // One line per request comes from our onResponse hook (with the route and status), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  app.decorateRequest("auth", null as unknown as RequestAuth);

  const routes: ApiRoute[] = [];
  registered.set(app, routes);
  app.addHook("onRoute", (route) => {
    // swagger-ui's own routes (page, assets, its copy of the document) are public docs, like /api/openapi.json.
    if (route.url.startsWith("/api/docs") && route.config?.permission === undefined) {
      route.config = { ...(route.config ?? {}), permission: "docs.ui" };
    }
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") routes.push({ method, url: route.url, permission: route.config?.permission });
    }
  });
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    await guardRequest(services, options.identity, request, reply);
  });
  const metering = new Set<Promise<void>>();
  app.addHook("onResponse", async (request, reply) => {
    const level = reply.statusCode >= 500 ? "error" : "debug";
    request.log[level](
      { method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: reply.elapsedTime },
      "Request handled",
    );
    // Counted after the answer is sent, so metering adds no latency; a failed count is logged, not the request's.
    const tenant = request.auth?.tenant;
    if (tenant !== null && tenant !== undefined) {
      const counting = usage
        .increment(services.store, { tenantId: tenant.id, metric: "api_calls", period: usagePeriod("day") })
        .then(
          () => undefined,
          (error: unknown) => request.log.warn({ err: error, tenant_id: tenant.id }, "API call not counted"),
        );
      metering.add(counting);
      await counting.finally(() => metering.delete(counting));
    }
  });
  // Closing waits for the counts of answers already sent: none lands after the store is closed (or reset).
  app.addHook("onClose", async () => {
    await Promise.all(metering);
  });
  if (ownsLimiter) app.addHook("onClose", () => services.rateLimiter.close());

  app.setErrorHandler((error, request, reply) => {
    const { problem, headers, internal } = toProblem(error);
    if (internal) request.log.error({ err: error }, "Request failed");
    problem.instance = request.url.split("?")[0] ?? request.url;
    problem.requestId = request.id;
    return reply.code(problem.status).headers(headers).type("application/problem+json").send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const { problem } = toProblem(
      new ApiError(ApiCode.RouteNotFound, `No route ${request.method} ${request.url.split("?")[0]}.`),
    );
    problem.instance = request.url.split("?")[0] ?? request.url;
    problem.requestId = request.id;
    return reply.code(404).type("application/problem+json").send(problem);
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Argus API",
        version: "1",
        description:
          "Multi-tenant blockchain monitoring. Monitor, trigger and network bodies are OpenZeppelin Monitor JSON. " +
          "Errors are RFC 9457 problem documents.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "An access token (JWT) or an API key (argus_…)." },
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
        },
      },
    },
    transform: ({ schema, url }) => ({ schema: toOpenApiSchema(schema) as typeof schema, url }),
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs", uiConfig: { validatorUrl: null } });
  app.get("/api/openapi.json", { config: { permission: "docs.openapi" }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  await app.register(
    async (v1) => {
      await v1.register(authRoutes(services, options.identity));
      await v1.register(tenantRoutes(services));
      await v1.register(apiKeyRoutes(services, options.identity));
      await v1.register(monitorRoutes(services));
      await v1.register(triggerRoutes(services));
      await v1.register(networkRoutes(services));
      await v1.register(matchRoutes(services));
      await v1.register(deliveryRoutes(services));
      await v1.register(scriptRoutes(services));
      await v1.register(memberRoutes(services));
      await v1.register(auditRoutes(services));
      await v1.register(usageRoutes(services));
      await v1.register(portableRoutes(services));
      await v1.register(
        statusRoute({
          collect: options.status ?? (() => collectStatus({ store: options.store, now: new Date(), rpc: statusRpc })),
          routeConfig: { permission: STATUS_PERMISSION },
        }),
      );
    },
    { prefix: "/api/v1" },
  );
  return app;
}

export type { ApiServices };
