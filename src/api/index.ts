/**
 * @module api
 *
 * The REST API (Fastify): versioned under `/api/v1`, OpenAPI 3.1 at `/api/openapi.json`, interactive docs at
 * `/api/docs` (served from the package, works offline). Every route is declared with zod schemas (validation,
 * response filtering and the OpenAPI document come from the same schemas) and a permission id; one guard
 * authenticates (headers only), verifies tenant membership, applies the permission matrix (`PERMISSIONS`) and rate
 * limits for every request; every error is an RFC 9457 problem document. Mutations run inside `withTenant` (or
 * `withPlatform`) with their audit row in the same transaction.
 *
 * Imports `store`, `identity`, `secrets`, `config`, `engine`, `chains`, `net` through their `index.ts`.
 *
 * @example
 * const api = await startApiServer({ store, identity, keyring, logger, port: 8080 });
 * // or: const app = await buildApi({ store, identity, keyring, logger }); await app.listen({ port: 8080 });
 * await api.close();
 */
export { type ApiRoute, type BuildApiOptions, buildApi, listApiRoutes } from "./build.js";
export type { Principal, RateLimits } from "./context.js";
export { ApiCode, ApiError, type Problem, type ProblemItem } from "./errors.js";
export {
  ALL_SCOPES,
  type ApiScope,
  grantableScopes,
  PERMISSIONS,
  type Permission,
  type PermissionId,
  permissionOf,
  ROLE_SCOPES,
} from "./permissions.js";
export {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type MemoryRateLimiterOptions,
  type RateLimitDecision,
  type RateLimiter,
  type RedisRateLimiterOptions,
} from "./rate-limit.js";
export { type ApiServer, type ApiServerOptions, startApiServer } from "./server.js";
