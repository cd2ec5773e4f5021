/**
 * `GET /platform/status` (mounted under `/api/v1`): the operator view over HTTP, for platform operators only.
 *
 * The route is a Fastify plugin with zod schemas, in the API's style (the API's zod validator and serializer
 * compilers filter the response through `StatusReportSchema`). Access is decided by whoever mounts it: in the REST
 * API pass `routeConfig: { permission: "platform.status" }` with that id in the permission matrix as a platform
 * route (the API's guard refuses a route without an entry, so an unwired mount fails closed); elsewhere pass
 * `authorize`.
 */
import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from "fastify";
import { type StatusReport, StatusReportSchema } from "./report.js";

/** The permission id the REST API's matrix should map to platform operators. */
export const STATUS_PERMISSION = "platform.status";

export interface StatusRouteOptions {
  /** Builds the report for one request (typically `() => collectStatus({ …, now: new Date() })`). */
  collect: (request: FastifyRequest) => Promise<StatusReport>;
  /** The route's `config` (the REST API's permission id). */
  routeConfig?: FastifyContextConfig;
  /** Runs before the handler; throw (e.g. a 403 error) to refuse. */
  authorize?: (request: FastifyRequest) => Promise<void> | void;
}

/**
 * @example
 * await v1.register(statusRoute({ collect: () => collectStatus({ store, bus, now: new Date() }),
 *   routeConfig: { permission: "platform.status" } }));
 */
export function statusRoute(options: StatusRouteOptions) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.route({
      method: "GET",
      url: "/platform/status",
      ...(options.routeConfig === undefined ? {} : { config: options.routeConfig }),
      schema: {
        operationId: STATUS_PERMISSION,
        summary: "Platform status: networks, ingest leaders, workers, consumer lag, deliveries",
        description:
          "Per network the chain head, the ingest cursor and the lag between them; who leads ingest per network; live " +
          "workers with their shards and load; consumer lag of the block and match logs; delivery counts by status " +
          "including dead letters. A source that does not answer marks its part `unavailable`. Platform operators only.",
        tags: ["platform"],
        security: [{ bearer: [] }],
        response: { 200: StatusReportSchema },
      },
      ...(options.authorize === undefined
        ? {}
        : { preHandler: async (request: FastifyRequest) => options.authorize?.(request) }),
      handler: async (request) => options.collect(request),
    });
  };
}
