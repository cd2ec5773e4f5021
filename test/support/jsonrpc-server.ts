import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The chain-independent part of the fixture RPC servers: a real HTTP JSON-RPC 2.0 server on 127.0.0.1 (port 0) that
 * parses envelopes and batches, records every call and HTTP request, injects transport faults, and hands each call to
 * a chain-specific `handle`.
 *
 * - A body that is not JSON → a -32700 envelope; a call that is not an object with a string `method` → -32600
 *   (`id: null`); a method other than POST → HTTP 405 (after recording).
 * - `handle(call)` returns the result, or a `JsonRpcErrorValue` (returned or thrown) for an error envelope; any other
 *   thrown error becomes HTTP 500.
 * - Batches (JSON arrays) are answered with an array, unless `batch: false`: then the server answers like one that
 *   does not understand arrays (`batchRejection`: a single -32600 error envelope with HTTP 200, or HTTP 400).
 */

export type FixtureFault =
  /** Answer with this HTTP status (and `Retry-After`, body when given). */
  | { kind: "http"; status: number; retryAfter?: string; body?: string }
  /** HTTP 200 with a body that is not JSON. */
  | { kind: "garbage" }
  /** Never answer; the request stays open until the client gives up or the server closes. */
  | { kind: "hang" }
  /** Drop the connection without answering (a network error for the client). */
  | { kind: "reset" }
  /** Answer normally, after `ms`. */
  | { kind: "delay"; ms: number }
  /** HTTP 200 with a JSON-RPC error envelope for every call. */
  | { kind: "rpc_error"; code: number; message: string; data?: unknown }
  /** HTTP 200 with an envelope that has neither `result` nor `error`. */
  | { kind: "empty_envelope" }
  /** HTTP 200 with this `result` for every call (serve answers the data cannot produce, e.g. a wrong block). */
  | { kind: "result"; result: unknown };

export interface FaultScope {
  /** Apply to the next `count` matching HTTP requests. */
  count?: number;
  /** Apply for this long from now. Without `count` and `durationMs`, until `clearFaults()`. */
  durationMs?: number;
  /** Apply only to HTTP requests containing one of these methods. */
  methods?: readonly string[];
}

export interface FixtureCall {
  method: string;
  params: unknown;
}

export interface FixtureHttpRequest<Fault extends FixtureFault = FixtureFault> {
  /** Parsed calls (one unless batched); empty when the body did not parse. */
  calls: FixtureCall[];
  batch: boolean;
  /** The fault applied to this request, if any. */
  fault: Fault["kind"] | null;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A call handed to `handle`: `id` is the request's id, `null` when absent. */
export interface JsonRpcCall extends FixtureCall {
  id: unknown;
}

/** A JSON-RPC error answer: return it (or throw it) from `handle`. */
export class JsonRpcErrorValue extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export interface JsonRpcServerOptions {
  /** Answers one call: its result, or a `JsonRpcErrorValue`. */
  handle(call: JsonRpcCall): unknown;
  /** Accept JSON-array batches. @default true */
  batch?: boolean;
  /** How a server without batches answers an array. @default "envelope" */
  batchRejection?: "envelope" | "http_400";
  /** Order of batch responses; `"reverse"` checks that clients match by id. @default "request" */
  batchOrder?: "request" | "reverse";
}

export interface JsonRpcServer<Fault extends FixtureFault = FixtureFault> {
  url: string;
  /** Every JSON-RPC call received, in arrival order (faulted ones included). */
  requests: FixtureCall[];
  /** Every HTTP request received. */
  httpRequests: FixtureHttpRequest<Fault>[];
  /** Replaces any fault set before. */
  setFault(fault: Fault, scope?: FaultScope): void;
  clearFaults(): void;
  /** Clears `requests` and `httpRequests`. */
  resetLog(): void;
  close(): Promise<void>;
}

interface ActiveFault {
  fault: FixtureFault;
  remaining: number | undefined;
  until: number | undefined;
  methods: ReadonlySet<string> | undefined;
}

interface ErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

interface Envelope {
  jsonrpc: "2.0";
  id: unknown;
  result?: unknown;
  error?: ErrorBody;
}

const errorBody = (code: number, message: string, data: unknown): ErrorBody => ({
  code,
  message,
  ...(data === undefined ? {} : { data }),
});

export async function startJsonRpcServer<Fault extends FixtureFault = FixtureFault>(
  options: JsonRpcServerOptions,
): Promise<JsonRpcServer<Fault>> {
  const requests: FixtureCall[] = [];
  const httpRequests: FixtureHttpRequest<Fault>[] = [];
  let faults: ActiveFault[] = [];
  const hanging = new Set<ServerResponse>();

  const answer = (call: unknown): Envelope => {
    if (typeof call !== "object" || call === null || typeof (call as { method?: unknown }).method !== "string") {
      return { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request" } };
    }
    const { id = null, method, params } = call as { id?: unknown; method: string; params?: unknown };
    let outcome: unknown;
    try {
      outcome = options.handle({ id, method, params });
    } catch (error) {
      if (!(error instanceof JsonRpcErrorValue)) throw error;
      outcome = error;
    }
    return outcome instanceof JsonRpcErrorValue
      ? { jsonrpc: "2.0", id, error: errorBody(outcome.code, outcome.message, outcome.data) }
      : { jsonrpc: "2.0", id, result: outcome };
  };

  const pickFault = (calls: readonly FixtureCall[]): FixtureFault | undefined => {
    const now = Date.now();
    faults = faults.filter(
      (f) => (f.remaining === undefined || f.remaining > 0) && (f.until === undefined || now < f.until),
    );
    for (const active of faults) {
      if (active.methods && !calls.some((call) => active.methods?.has(call.method))) continue;
      if (active.remaining !== undefined) active.remaining -= 1;
      return active.fault;
    }
    return undefined;
  };

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    let parsed = true;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    } catch {
      parsed = false;
    }
    const batch = Array.isArray(body);
    const rawCalls = batch ? (body as unknown[]) : parsed ? [body] : [];
    const calls: FixtureCall[] = rawCalls.map((call) => ({
      method: String((call as { method?: unknown } | null)?.method),
      params: (call as { params?: unknown } | null)?.params,
    }));
    requests.push(...calls);
    const fault = pickFault(calls);
    httpRequests.push({
      calls,
      batch,
      fault: (fault?.kind ?? null) as Fault["kind"] | null,
      headers: { ...req.headers },
    });

    if (req.method !== "POST") return send(res, 405, "");
    /** The same envelope member for every call, shaped like the request (array for a batch). */
    const envelopes = (member: Partial<Envelope>): string => {
      const list = rawCalls.map((call) => ({
        jsonrpc: "2.0",
        id: (call as { id?: unknown } | null)?.id ?? null,
        ...member,
      }));
      return JSON.stringify(batch ? list : list[0]);
    };
    if (fault) {
      switch (fault.kind) {
        case "http":
          return send(res, fault.status, fault.body ?? `{"error":"injected ${fault.status}"}`, {
            ...(fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter }),
          });
        case "garbage":
          res.writeHead(200, { "content-type": "text/html" });
          res.end("<html><body>502 Bad Gateway (not JSON)</body></html>");
          return;
        case "reset":
          req.socket.destroy();
          return;
        case "hang":
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        case "delay":
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          break;
        case "rpc_error":
          return send(res, 200, envelopes({ error: errorBody(fault.code, fault.message, fault.data) }));
        case "result":
          return send(res, 200, envelopes({ result: fault.result }));
        case "empty_envelope":
          return send(res, 200, envelopes({}));
      }
    }
    if (!parsed) {
      return send(
        res,
        200,
        JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }),
      );
    }
    if (!batch) return send(res, 200, JSON.stringify(answer(body)));
    if (options.batch === false) {
      if (options.batchRejection === "http_400") return send(res, 400, '{"error":"batch requests are not supported"}');
      return send(
        res,
        200,
        JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32600, message: "batch requests are not supported" },
        }),
      );
    }
    const answers = rawCalls.map(answer);
    if (options.batchOrder === "reverse") answers.reverse();
    return send(res, 200, JSON.stringify(answers));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    httpRequests,
    setFault(fault, scope = {}) {
      faults = [
        {
          fault,
          remaining: scope.count,
          until: scope.durationMs === undefined ? undefined : Date.now() + scope.durationMs,
          methods: scope.methods ? new Set(scope.methods) : undefined,
        },
      ];
    },
    clearFaults() {
      faults = [];
    },
    resetLog() {
      requests.length = 0;
      httpRequests.length = 0;
    },
    close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Fixture files, shared by the chain fixture servers.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `<repo>/../shared/fixtures/oz/<chain>`: OZ's recorded fixtures for one chain. */
export function ozFixturesDir(chain: "evm" | "stellar"): string {
  return path.resolve(repoRoot, "../shared/fixtures/oz", chain);
}

const fileCache = new Map<string, unknown>();

/** Parses a JSON file once per process (fixtures are read-only). */
export function readFixtureJson(file: string): unknown {
  let value = fileCache.get(file);
  if (value === undefined) {
    value = JSON.parse(readFileSync(file, "utf8")) as unknown;
    fileCache.set(file, value);
  }
  return value;
}
