/**
 * Profiling aid (`--trace-rpc`): a JSON-RPC proxy between Argus and the node that records when each request arrived
 * and when its answer went back, so the ingest part of the latency splits into head detection and block fetch. The
 * proxy adds one loopback hop (about a millisecond) to every request; its runs are profiles, not the measurement.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface TracedCall {
  method: string;
  params: unknown[];
  /** `Date.now()` when the request reached the proxy. */
  receivedAt: number;
  /** `Date.now()` when the answer was written back. */
  respondedAt: number;
  result: unknown;
}

export interface RpcTrace {
  url: string;
  calls: TracedCall[];
  close(): Promise<void>;
}

interface JsonRpcRequest {
  method?: unknown;
  params?: unknown;
  id?: unknown;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Starts the proxy on 127.0.0.1 (port 0), forwarding every POST to `target`. */
export async function startRpcTrace(target: string): Promise<RpcTrace> {
  const calls: TracedCall[] = [];
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const receivedAt = Date.now();
    const body = await readBody(request);
    const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
    const text = await upstream.text();
    response.writeHead(upstream.status, { "content-type": "application/json" });
    response.end(text);
    const respondedAt = Date.now();
    const sent = JSON.parse(body) as JsonRpcRequest | JsonRpcRequest[];
    const answered = JSON.parse(text) as { result?: unknown; id?: unknown } | Array<{ result?: unknown; id?: unknown }>;
    const requests = Array.isArray(sent) ? sent : [sent];
    const answers = Array.isArray(answered) ? answered : [answered];
    for (const call of requests) {
      const answer = answers.find((a) => a.id === call.id);
      calls.push({
        method: String(call.method),
        params: Array.isArray(call.params) ? call.params : [],
        receivedAt,
        respondedAt,
        result: answer?.result,
      });
    }
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(502);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the RPC trace proxy has no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface IngestSplit {
  /** Eligible block appeared (bench) → Argus asked the node for block N. */
  toFetchStart: number;
  /**
   * Eligible block appeared → the first head poll answer that showed it went back to Argus; undefined when no such
   * poll preceded the fetch (live heads).
   */
  detection: number | undefined;
  /** Block N's block + receipts requests, first received → last answered. */
  fetch: number;
  /** `Date.now()` when the last of block N's fetch answers went back. */
  fetchEndAt: number;
}

function quantityOf(value: unknown): bigint | undefined {
  return typeof value === "string" && /^0x[0-9a-f]+$/i.test(value) ? BigInt(value) : undefined;
}

/** The ingest split for block `number`, eligible when `eligible` appeared at `eligibleAt`; undefined if not traced. */
export function ingestSplit(
  calls: readonly TracedCall[],
  number: bigint,
  eligible: bigint,
  eligibleAt: number,
): IngestSplit | undefined {
  const fetches = calls.filter(
    (call) =>
      (call.method === "eth_getBlockByNumber" || call.method === "eth_getBlockReceipts") &&
      quantityOf(call.params[0]) === number,
  );
  if (fetches.length === 0) return undefined;
  const fetchStart = Math.min(...fetches.map((call) => call.receivedAt));
  const fetchEndAt = Math.max(...fetches.map((call) => call.respondedAt));
  const detected = calls.find((call) => {
    if (call.method !== "eth_getBlockByNumber" || call.params[0] !== "latest" || call.respondedAt > fetchStart) {
      return false;
    }
    const head = quantityOf((call.result as { number?: unknown } | null)?.number);
    return head !== undefined && head >= eligible;
  });
  return {
    toFetchStart: fetchStart - eligibleAt,
    detection: detected === undefined ? undefined : detected.respondedAt - eligibleAt,
    fetch: fetchEndAt - fetchStart,
    fetchEndAt,
  };
}

/** Gaps between successive head polls (`eth_getBlockByNumber("latest")`) as they reached the node. */
export function headPollGaps(calls: readonly TracedCall[], from: number, to: number): number[] {
  const at = calls
    .filter((call) => call.method === "eth_getBlockByNumber" && call.params[0] === "latest")
    .map((call) => call.receivedAt)
    .filter((t) => t >= from && t <= to);
  return at.slice(1).map((t, i) => t - (at[i] as number));
}

export interface RpcLoad {
  calls: number;
  /** Share of the window during which at least one request was at the node (0–1). */
  busyFraction: number;
  /** Average number of requests at the node at once over the window. */
  meanInFlight: number;
}

/** How busy the node was with Argus's requests between `from` and `to` (`Date.now()` values). */
export function rpcLoad(calls: readonly TracedCall[], from: number, to: number): RpcLoad {
  const spans = calls
    .map((call) => [Math.max(from, call.receivedAt), Math.min(to, call.respondedAt)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let total = 0;
  let coveredTo = from;
  for (const [start, end] of spans) {
    total += end - start;
    if (end > coveredTo) {
      busy += end - Math.max(start, coveredTo);
      coveredTo = end;
    }
  }
  const window = to - from;
  return {
    calls: calls.filter((call) => call.receivedAt >= from && call.receivedAt <= to).length,
    busyFraction: window > 0 ? Math.round((busy / window) * 1000) / 1000 : 0,
    meanInFlight: window > 0 ? Math.round((total / window) * 100) / 100 : 0,
  };
}
