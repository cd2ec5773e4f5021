import type { FastifyInstance } from "fastify";
import { type BuildApiOptions, buildApi } from "./build.js";

export interface ApiServerOptions extends BuildApiOptions {
  /** @default 8080 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
}

export interface ApiServer {
  app: FastifyInstance;
  /** `http://host:port` actually bound (port 0 resolves to the chosen port). */
  url: string;
  /** Stops accepting connections, finishes in-flight requests, then runs the app's onClose hooks. */
  close(): Promise<void>;
}

/**
 * Builds the API and listens. For `argus start` (role `api` or `all`): close it before the store on shutdown.
 *
 * @example
 * const api = await startApiServer({ store, identity, keyring, logger, port: 8080, host: "0.0.0.0" });
 * shutdown.add(() => api.close());
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const app = await buildApi(options);
  try {
    const address = await app.listen({ port: options.port ?? 8080, host: options.host ?? "127.0.0.1" });
    return { app, url: address, close: () => app.close() };
  } catch (error) {
    await app.close();
    throw error;
  }
}
