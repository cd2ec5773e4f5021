import type { IncomingMessage, ServerResponse } from "node:http";
import { Redis } from "ioredis";
import { buildApi, createRedisRateLimiter } from "../api/index.js";
import type { BlockCache } from "../cache/index.js";
import { createIdentity, loadJwtSecret } from "../identity/index.js";
import type { Logger } from "../ops/index.js";
import type { Keyring } from "../secrets/index.js";
import type { Store } from "../store/index.js";

/** The REST control plane, served on the ops server's port for every path but `/healthz`, `/readyz`, `/metrics`. */
export interface MountedApi {
  handle(request: IncomingMessage, response: ServerResponse): void;
  close(): Promise<void>;
}

export interface MountApiOptions {
  store: Store;
  logger: Logger;
  keyring: Keyring;
  env: NodeJS.ProcessEnv;
  /** Where a development JWT secret is generated when `ARGUS_JWT_SECRET` is unset (refused in production). */
  dataDir: string;
  allowPrivateNetworks: boolean;
  /** Told after a delivery was replayed through the API, so the dispatcher tries it at once. */
  onReplay?: () => void;
  /** Blocks the ingesters fetched: test-a-monitor reads a block here before asking the node. */
  blockCache?: BlockCache;
}

/** JWT `iss`/`aud` of the access tokens this deployment issues and accepts. */
export const API_TOKEN_ISSUER = "argus";
export const API_TOKEN_AUDIENCE = "argus-api";

/**
 * Builds the REST API (identity from `ARGUS_JWT_SECRET`, rate limits in Redis when `REDIS_URL` is set, else
 * in-process) and returns a handler for the ops server.
 */
export async function mountApi(options: MountApiOptions): Promise<MountedApi> {
  const { secret, source } = await loadJwtSecret({ dataDir: options.dataDir, env: options.env });
  if (source !== "env") options.logger.warn({ source }, "Using a development JWT secret from the data directory");
  const identity = createIdentity({
    store: options.store,
    jwtSecret: secret,
    issuer: API_TOKEN_ISSUER,
    audience: API_TOKEN_AUDIENCE,
  });
  const redisUrl = options.env.REDIS_URL;
  const rateLimiter =
    redisUrl === undefined || redisUrl === ""
      ? undefined
      : createRedisRateLimiter({
          redis: new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 }),
          ownsConnection: true,
          prefix: `${options.env.ARGUS_REDIS_PREFIX ?? "argus:"}ratelimit:`,
        });
  const app = await buildApi({
    store: options.store,
    identity,
    keyring: options.keyring,
    logger: options.logger,
    allowPrivateNetworks: options.allowPrivateNetworks,
    ...(rateLimiter === undefined ? {} : { rateLimiter }),
    ...(options.onReplay === undefined ? {} : { onReplay: options.onReplay }),
    ...(options.blockCache === undefined ? {} : { blockCache: options.blockCache }),
  });
  await app.ready();
  return {
    handle: (request, response) => app.routing(request, response),
    close: async () => {
      await app.close();
      await rateLimiter?.close();
    },
  };
}
