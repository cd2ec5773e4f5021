/**
 * A counting JSON-RPC proxy between Argus and the node: every call is counted by method, a batch counting each call
 * in it (a batch of 5 receipts is 5 calls to a provider's meter), and HTTP requests are counted apart. Counting can
 * be reset between phases. It forwards bytes unchanged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface RpcCounts {
  /** JSON-RPC calls (batch members counted one by one). */
  calls: number;
  /** HTTP requests (a batch is one). */
  httpRequests: number;
  /** Calls by method name. */
  methods: Record<string, number>;
}

export interface CountingProxy {
  url: string;
  /** The counts since the last reset. */
  counts(): RpcCounts;
  reset(): void;
  close(): Promise<void>;
}

/**
 * The method names of one request body (a single call or a batch); unparseable bodies count as one `(invalid)`. A call
 * whose first parameter is a block tag is named with it: `eth_getBlockByNumber(latest)` is a head poll.
 */
export function methodsOf(body: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return ["(invalid)"];
  }
  const calls = Array.isArray(parsed) ? parsed : [parsed];
  return calls.map((call) => {
    if (typeof call !== "object" || call === null) return "(invalid)";
    const { method, params } = call as { method?: unknown; params?: unknown };
    if (typeof method !== "string") return "(invalid)";
    // Head polls and block fetches share a method; tell them apart, they scale differently (time vs blocks).
    const tag = Array.isArray(params) && typeof params[0] === "string" && /^[a-z]+$/.test(params[0]) ? params[0] : "";
    return tag === "" ? method : `${method}(${tag})`;
  });
}

/** Adds one request's methods to `counts` (mutates it). */
export function addRequest(counts: RpcCounts, methods: readonly string[]): void {
  counts.httpRequests += 1;
  for (const method of methods) {
    counts.calls += 1;
    counts.methods[method] = (counts.methods[method] ?? 0) + 1;
  }
}

export const emptyCounts = (): RpcCounts => ({ calls: 0, httpRequests: 0, methods: {} });

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Starts the proxy on 127.0.0.1 (a free port), forwarding every POST to `target`. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  let counts = emptyCounts();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    addRequest(counts, methodsOf(body));
    const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
    const text = await upstream.text();
    response.writeHead(upstream.status, { "content-type": "application/json" });
    response.end(text);
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(502);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the counting proxy has no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    counts: () => ({ ...counts, methods: { ...counts.methods } }),
    reset: () => {
      counts = emptyCounts();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
