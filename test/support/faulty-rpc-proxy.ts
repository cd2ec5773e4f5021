/**
 * A fault-injecting JSON-RPC proxy for failover tests: real HTTP on loopback in front of a real node (hardhat).
 * In `pass` mode it forwards each request and relays the node's answer unchanged; in a fault mode it answers (or
 * does not) the way a failing provider does:
 *
 * - `rate-limit`: 429 with `Retry-After: 1`;
 * - `server-error`: 500 with an HTML body;
 * - `garbage`: 200 with a body that is not a JSON-RPC response — alternately bytes that are not JSON and the node's
 *   real answer cut in half (invalid JSON with a consistent `Content-Length`);
 * - `truncate`: the node's real answer with its full `Content-Length`, of which only half is sent before the
 *   connection is closed;
 * - `hang`: reads the request and never answers (the socket stays open until the client gives up);
 * - `reset`: reads the request and resets the connection (TCP RST).
 *
 * Every request is counted by what was done with it, so a test can tell which endpoint served what.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FaultMode = "pass" | "rate-limit" | "server-error" | "garbage" | "truncate" | "hang" | "reset";

export const FAULT_MODES: readonly Exclude<FaultMode, "pass">[] = [
  "rate-limit",
  "server-error",
  "garbage",
  "truncate",
  "hang",
  "reset",
];

export interface FaultyRpcProxyStats {
  /** Requests received, whatever happened to them. */
  requests: number;
  /** Requests forwarded to the node and answered intact. */
  served: number;
  /** Requests received and not finished yet (hung ones until the client gives up). */
  pending: number;
  /** Requests answered (or not) with a fault, by mode. */
  faulted: Record<Exclude<FaultMode, "pass">, number>;
}

export interface FaultyRpcProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  readonly mode: FaultMode;
  /** Applies to every request from now on (until `setMode` again). */
  setMode(mode: FaultMode): void;
  /** The next `count` requests get `mode`, whatever the current mode; then the current mode applies again. */
  failNext(mode: Exclude<FaultMode, "pass">, count?: number): void;
  stats(): FaultyRpcProxyStats;
  /** Stops listening and destroys every open connection (hung ones included). */
  close(): Promise<void>;
}

export async function startFaultyRpcProxy(upstream: string): Promise<FaultyRpcProxy> {
  let mode: FaultMode = "pass";
  const queued: Exclude<FaultMode, "pass">[] = [];
  const stats: FaultyRpcProxyStats = {
    requests: 0,
    served: 0,
    pending: 0,
    faulted: { "rate-limit": 0, "server-error": 0, garbage: 0, truncate: 0, hang: 0, reset: 0 },
  };
  const sockets = new Set<Socket>();
  let garbageVariant = 0;

  const forward = async (body: Buffer): Promise<{ status: number; body: Buffer }> => {
    const response = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    stats.pending += 1;
    response.once("close", () => {
      stats.pending -= 1;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    stats.requests += 1;
    const applied = queued.shift() ?? mode;
    if (applied !== "pass") stats.faulted[applied] += 1;
    switch (applied) {
      case "pass": {
        const answer = await forward(body);
        response.writeHead(answer.status, { "content-type": "application/json" });
        response.end(answer.body);
        stats.served += 1;
        return;
      }
      case "rate-limit":
        response.writeHead(429, { "content-type": "text/plain", "retry-after": "1" });
        response.end("Too Many Requests");
        return;
      case "server-error":
        response.writeHead(500, { "content-type": "text/html" });
        response.end("<html><body><h1>500 Internal Server Error</h1></body></html>");
        return;
      case "garbage": {
        const payload =
          garbageVariant++ % 2 === 0
            ? Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x7b, 0x00, 0xff, 0x22])
            : halfOf((await forward(body)).body);
        response.writeHead(200, { "content-type": "application/json", "content-length": payload.length });
        response.end(payload);
        return;
      }
      case "truncate": {
        const answer = await forward(body);
        response.writeHead(200, { "content-type": "application/json", "content-length": answer.body.length });
        response.write(halfOf(answer.body), () => response.socket?.destroy());
        return;
      }
      case "hang":
        return; // the socket stays open; the client's time-out ends it
      case "reset":
        request.socket.resetAndDestroy();
        return;
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      // The node did not answer (e.g. shutting down): the client sees a dropped connection, as from a dying proxy.
      request.socket.destroy();
    });
  });
  // Longer than any client's idle keep-alive, so that the proxy never closes a connection a client is about to reuse
  // (that would be a fault nobody injected).
  server.keepAliveTimeout = 120_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    setMode(next) {
      mode = next;
    },
    failNext(next, count = 1) {
      for (let i = 0; i < count; i++) queued.push(next);
    },
    stats: () => ({ ...stats, faulted: { ...stats.faulted } }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function halfOf(body: Buffer): Buffer {
  return body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
}
