import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface OpsServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  registry: Registry;
  /** Ready = every network watcher is running and the store is open. */
  ready: () => { ready: boolean; detail: Record<string, unknown> };
  /** Serves every other path (e.g. the REST API mounted by `startArgus`); default: 404. */
  handler?: (request: IncomingMessage, response: ServerResponse) => void;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/** `/healthz` (the process answers), `/readyz` (it can do its work) and `/metrics` (Prometheus text format). */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    } else if (path === "/readyz") {
      const { ready, detail } = options.ready();
      response
        .writeHead(ready ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify({ status: ready ? "ready" : "not_ready", ...detail }));
    } else if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    } else if (options.handler !== undefined) {
      options.handler(request, response);
    } else {
      response.writeHead(404, { "content-type": "application/json" }).end('{"status":"not_found"}');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
