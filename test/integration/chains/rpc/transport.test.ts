import { afterEach, describe, expect, it } from "vitest";
import {
  createRpcTransport,
  RpcAllEndpointsFailedError,
  RpcHttpError,
  RpcResponseError,
  type RpcTransport,
  type RpcTransportEvent,
  type RpcTransportOptions,
  redactUrl,
} from "../../../../src/chains/rpc/index.js";
import {
  type EvmFixtureRpc,
  type EvmFixtureRpcOptions,
  type FixtureFault,
  startEvmFixtureRpc,
} from "../../../support/evm-fixture-rpc.js";

const HEAD = "0x19b7a39"; // highest block of the OZ fixtures, answered by eth_blockNumber
/** Nothing listens on port 2, and it is below the ephemeral range (no test server can get it) and not a fetch "bad port". */
const REFUSED_URL = "http://127.0.0.1:2/";
const FAST_RETRY = { retries: 2, base: 2, initialDelayMs: 1, maxDelayMs: 5 };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: EvmFixtureRpcOptions = {}): Promise<EvmFixtureRpc> {
  const rpc = await startEvmFixtureRpc(options);
  cleanups.push(() => rpc.close());
  return rpc;
}

function transport(options: RpcTransportOptions): RpcTransport & { events: RpcTransportEvent[] } {
  const events: RpcTransportEvent[] = [];
  const created = createRpcTransport({
    retry: FAST_RETRY,
    ...options,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  cleanups.push(() => created.close());
  return Object.assign(created, { events });
}

/** Polls `predicate` until it holds; fails after `timeoutMs`. */
async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("createRpcTransport() endpoint order", () => {
  it("uses the highest weight first, keeps configured order for equal weights, and never uses weight-0 endpoints", async () => {
    const [low, high, disabled, high2] = await Promise.all([server(), server(), server(), server()]);
    const rpc = transport({
      endpoints: [
        { url: low.url, weight: 10 },
        { url: high.url, weight: 100 },
        { url: disabled.url, weight: 0 },
        { url: high2.url, weight: 100 },
      ],
    });
    expect(rpc.endpoints).toEqual([high.url, high2.url, low.url]);

    expect(await rpc.request("eth_blockNumber")).toBe(HEAD);
    expect(high.requests.map((r) => r.method)).toEqual(["eth_blockNumber"]);
    expect(high2.requests).toEqual([]);
    expect(low.requests).toEqual([]);

    high.setFault({ kind: "http", status: 503 });
    high2.setFault({ kind: "http", status: 503 });
    expect(await rpc.request("eth_blockNumber")).toBe(HEAD);
    expect(high2.requests).toHaveLength(1);
    expect(low.requests).toHaveLength(1);
    expect(disabled.requests).toEqual([]);
    expect(rpc.events.filter((e) => e.type === "rotate").map((e) => e.type === "rotate" && [e.from, e.to])).toEqual([
      [high.url, high2.url],
      [high2.url, low.url],
    ]);
  });

  it("refuses options without an enabled endpoint", () => {
    const error = rejectionSync(() => createRpcTransport({ endpoints: [{ url: "http://127.0.0.1:1", weight: 0 }] }));
    expect(error).toMatchObject({ code: "RPC_INVALID_OPTIONS", path: ["endpoints"] });
    expect(
      rejectionSync(() => createRpcTransport({ endpoints: [{ url: "ws://127.0.0.1:1", weight: 1 }] })),
    ).toMatchObject({ code: "RPC_INVALID_OPTIONS", path: ["endpoints", 0, "url"] });
  });
});

function rejectionSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("createRpcTransport() rotation", () => {
  const classes: Array<[string, FixtureFault, string]> = [
    ["HTTP 429", { kind: "http", status: 429 }, "rate_limit"],
    ["HTTP 500", { kind: "http", status: 500 }, "http_error"],
    ["HTTP 400", { kind: "http", status: 400 }, "http_error"],
    ["HTTP 502", { kind: "http", status: 502 }, "http_error"],
    ["a non-JSON body", { kind: "garbage" }, "jsonrpc_error"],
    ["a timeout", { kind: "hang" }, "timeout"],
    ["a JSON-RPC error envelope", { kind: "rpc_error", code: -32000, message: "header not found" }, "jsonrpc_error"],
    ["an envelope with neither result nor error", { kind: "empty_envelope" }, "jsonrpc_error"],
  ];

  it.each(classes)("moves to the secondary on %s, loses no request, and stays there", async (_name, fault, reason) => {
    const [primary, secondary] = await Promise.all([server(), server()]);
    primary.setFault(fault);
    const rpc = transport({
      endpoints: [
        { url: primary.url, weight: 2 },
        { url: secondary.url, weight: 1 },
      ],
      timeoutMs: 150,
    });

    const results = await Promise.all([1, 2, 3].map(() => rpc.request("eth_blockNumber")));
    expect(results).toEqual([HEAD, HEAD, HEAD]);
    expect(secondary.requests).toHaveLength(3);
    expect(primary.httpRequests.length).toBeGreaterThanOrEqual(1);
    expect(rpc.events).toContainEqual({
      type: "rotate",
      method: "eth_blockNumber",
      from: primary.url,
      to: secondary.url,
      reason,
    });

    // The secondary is now the active endpoint: the next request does not touch the primary.
    const primaryBefore = primary.httpRequests.length;
    expect(await rpc.request("eth_blockNumber")).toBe(HEAD);
    expect(primary.httpRequests).toHaveLength(primaryBefore);
    expect(secondary.requests).toHaveLength(4);
  });

  it.each([
    ["a dropped connection", "reset"],
    ["a refused connection", "refused"],
  ])("moves to the secondary on a network error (%s)", async (_name, kind) => {
    const [primary, secondary] = await Promise.all([server(), server()]);
    primary.setFault({ kind: "reset" });
    const rpc = transport({
      endpoints: [
        { url: kind === "reset" ? primary.url : REFUSED_URL, weight: 2 },
        { url: secondary.url, weight: 1 },
      ],
    });
    expect(await rpc.request("eth_blockNumber")).toBe(HEAD);
    expect(rpc.events).toContainEqual(expect.objectContaining({ type: "rotate", reason: "network_error" }));
    expect(secondary.requests).toHaveLength(1);
  });

  it("fails at once on an HTTP status outside the rotation list (403), without trying the secondary", async () => {
    const [primary, secondary] = await Promise.all([server(), server()]);
    primary.setFault({ kind: "http", status: 403 });
    const rpc = transport({
      endpoints: [
        { url: primary.url, weight: 2 },
        { url: secondary.url, weight: 1 },
      ],
    });
    const error = await rejection(rpc.request("eth_blockNumber"));
    expect(error).toBeInstanceOf(RpcHttpError);
    expect(error).toMatchObject({ code: "RPC_HTTP_STATUS", status: 403, retryable: false });
    expect(secondary.requests).toEqual([]);
    expect(primary.httpRequests).toHaveLength(1);
  });

  it("returns pass-through JSON-RPC errors (-32601 by default) to the caller without rotating", async () => {
    const [primary, secondary] = await Promise.all([server(), server()]);
    const rpc = transport({
      endpoints: [
        { url: primary.url, weight: 2 },
        { url: secondary.url, weight: 1 },
      ],
    });
    const error = await rejection(rpc.request("eth_notAMethod"));
    expect(error).toBeInstanceOf(RpcResponseError);
    expect(error).toMatchObject({ code: "RPC_ERROR_RESPONSE", rpcCode: -32601, retryable: false });
    expect(secondary.requests).toEqual([]);

    primary.setFault({ kind: "rpc_error", code: -32602, message: "invalid params" });
    const perCall = await rejection(rpc.request("eth_blockNumber", [], { passThroughCodes: [-32602] }));
    expect(perCall).toMatchObject({ code: "RPC_ERROR_RESPONSE", rpcCode: -32602 });
    expect(secondary.requests).toEqual([]);
  });

  it("uses a configured pass-through list instead of the default", async () => {
    const [primary, secondary] = await Promise.all([server(), server()]);
    primary.setFault({ kind: "rpc_error", code: -32004, message: "Method not supported" });
    const rpc = transport({
      endpoints: [
        { url: primary.url, weight: 2 },
        { url: secondary.url, weight: 1 },
      ],
      passThroughCodes: [-32004],
    });
    expect(await rejection(rpc.request("eth_blockNumber"))).toMatchObject({ rpcCode: -32004 });
    expect(secondary.requests).toEqual([]);
  });
});

describe("createRpcTransport() retries", () => {
  it("retries a lone endpoint with exponential backoff and full jitter, then succeeds", async () => {
    const rpc1 = await server();
    rpc1.setFault({ kind: "http", status: 500 }, { count: 2 });
    const rpc = transport({
      endpoints: [{ url: rpc1.url, weight: 1 }],
      retry: { retries: 3, base: 2, initialDelayMs: 8, maxDelayMs: 100 },
      random: () => 0.5,
    });
    expect(await rpc.request("eth_blockNumber")).toBe(HEAD);
    expect(rpc1.httpRequests).toHaveLength(3);
    // full jitter: floor(0.5 * min(100, 8 * 2^n)) → 4, 8
    expect(rpc.events.filter((e) => e.type === "retry")).toEqual([
      { type: "retry", method: "eth_blockNumber", attempt: 1, delayMs: 4, reason: "http_error" },
      { type: "retry", method: "eth_blockNumber", attempt: 2, delayMs: 8, reason: "http_error" },
    ]);
  });

  it("waits as long as Retry-After asks on 429", async () => {
    const rpc1 = await server();
    rpc1.setFault({ kind: "http", status: 429, retryAfter: "1" }, { count: 1 });
    const rpc = transport({
      endpoints: [{ url: rpc1.url, weight: 1 }],
      retry: { retries: 1, base: 2, initialDelayMs: 1, maxDelayMs: 5_000 },
    });
    const started = performance.now();
    expect(await rpc.request("eth_blockNumber")).toBe(HEAD);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(rpc.events.filter((e) => e.type === "retry")).toEqual([
      { type: "retry", method: "eth_blockNumber", attempt: 1, delayMs: 1000, reason: "rate_limit" },
    ]);
  });

  it("caps Retry-After at the maximum backoff", async () => {
    const rpc1 = await server();
    rpc1.setFault({ kind: "http", status: 429, retryAfter: "120" }, { count: 1 });
    const rpc = transport({
      endpoints: [{ url: rpc1.url, weight: 1 }],
      retry: { retries: 1, base: 2, initialDelayMs: 1, maxDelayMs: 30 },
    });
    expect(await rpc.request("eth_blockNumber")).toBe(HEAD);
    expect(rpc.events.find((e) => e.type === "retry")).toMatchObject({ delayMs: 30 });
  });

  it("fails with RPC_ALL_ENDPOINTS_FAILED, one cause per endpoint, and no credentials anywhere in the error", async () => {
    const [a, b] = await Promise.all([server(), server()]);
    a.setFault({ kind: "http", status: 500 });
    b.setFault({ kind: "hang" });
    const urlA = `${a.url.replace("http://", "http://alice:s3cr3t-pass@")}v2/k3y9a8b7c6d5e4f3g2h1?apikey=QUERYKEY77`;
    const urlB = `${b.url}rpc?token=TOKEN4242`;
    const rpc = transport({
      endpoints: [
        { url: urlA, weight: 2 },
        { url: urlB, weight: 1 },
      ],
      retry: { retries: 1, base: 2, initialDelayMs: 1, maxDelayMs: 2 },
      timeoutMs: 100,
    });

    const error = await rejection(rpc.request("eth_blockNumber"));
    expect(error).toBeInstanceOf(RpcAllEndpointsFailedError);
    const failed = error as RpcAllEndpointsFailedError;
    expect(failed.code).toBe("RPC_ALL_ENDPOINTS_FAILED");
    expect(failed.retryable).toBe(true);
    expect(failed.attempts).toBe(2);
    expect(failed.causes.map((c) => [c.endpoint, c.error.code])).toEqual([
      [redactUrl(urlA), "RPC_HTTP_STATUS"],
      [redactUrl(urlB), "RPC_TIMEOUT"],
    ]);
    expect(redactUrl(urlA)).toBe(`${a.url.replace("http://", "http://***@")}v2/***?apikey=***`);
    const texts = [failed.message, ...failed.causes.map((c) => `${c.error.message} ${c.endpoint}`)].join("\n");
    for (const secret of ["alice", "s3cr3t-pass", "k3y9a8b7c6d5e4f3g2h1", "QUERYKEY77", "TOKEN4242"]) {
      expect(texts).not.toContain(secret);
    }
    expect(failed.message).toContain("HTTP status 500");
    expect(failed.message).toContain("timed out after 100 ms");
    // userinfo travels as Basic auth (fetch refuses URLs with credentials)
    expect(a.httpRequests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("alice:s3cr3t-pass").toString("base64")}`,
    );
    expect(a.httpRequests).toHaveLength(2);
    expect(b.httpRequests).toHaveLength(2);
  });

  it("stops after one round when every endpoint answers with a non-retryable JSON-RPC error", async () => {
    const [a, b] = await Promise.all([server(), server()]);
    for (const s of [a, b]) s.setFault({ kind: "rpc_error", code: -32602, message: "invalid argument 0" });
    const rpc = transport({
      endpoints: [
        { url: a.url, weight: 2 },
        { url: b.url, weight: 1 },
      ],
      retry: { retries: 3, base: 2, initialDelayMs: 1, maxDelayMs: 2 },
    });
    const error = await rejection(rpc.request("eth_blockNumber"));
    expect(error).toMatchObject({ code: "RPC_ALL_ENDPOINTS_FAILED", attempts: 1, retryable: false });
    expect((error as RpcAllEndpointsFailedError).causes.map((c) => c.error.code)).toEqual([
      "RPC_ERROR_RESPONSE",
      "RPC_ERROR_RESPONSE",
    ]);
    expect(a.httpRequests).toHaveLength(1);
  });

  it("reports malformed and network causes with their own codes", async () => {
    const a = await server();
    a.setFault({ kind: "empty_envelope" });
    const rpc = transport({
      endpoints: [
        { url: a.url, weight: 2 },
        { url: REFUSED_URL, weight: 1 },
      ],
      retry: { retries: 0, base: 2, initialDelayMs: 1, maxDelayMs: 1 },
    });
    const error = (await rejection(rpc.request("eth_blockNumber"))) as RpcAllEndpointsFailedError;
    expect(error.causes.map((c) => c.error.code)).toEqual(["RPC_MALFORMED_RESPONSE", "RPC_NETWORK"]);
    expect(error.causes[0]?.error.message).toContain("neither result nor error");
    expect(error.causes[1]?.error.message).toContain("ECONNREFUSED");
  });
});

describe("createRpcTransport() batching", () => {
  it("sends calls as one JSON array and matches responses by id", async () => {
    const s = await server({ batchOrder: "reverse", chainId: 137 });
    const rpc = transport({ endpoints: [{ url: s.url, weight: 1 }] });
    const results = await rpc.requestBatch([
      { method: "eth_chainId" },
      { method: "eth_blockNumber" },
      { method: "net_version" },
    ]);
    expect(results).toEqual([
      { ok: true, result: "0x89" },
      { ok: true, result: HEAD },
      { ok: true, result: "137" },
    ]);
    expect(s.httpRequests.map((r) => [r.batch, r.calls.length])).toEqual([[true, 3]]);
    expect(rpc.stats()).toEqual({ requests: 1, batches: 1 });
  });

  it("reports pass-through errors per call and keeps the other results", async () => {
    const s = await server();
    const rpc = transport({ endpoints: [{ url: s.url, weight: 1 }] });
    const [first, second] = await rpc.requestBatch([{ method: "eth_blockNumber" }, { method: "eth_nope" }]);
    expect(first).toEqual({ ok: true, result: HEAD });
    expect(second?.ok).toBe(false);
    expect(second?.ok === false && second.error.rpcCode).toBe(-32601);
  });

  it.each([
    ["an error envelope", "envelope"],
    ["HTTP 400", "http_400"],
  ] as const)(
    "falls back to one request per call when the endpoint answers an array with %s, and remembers it",
    async (_name, batchRejection) => {
      const s = await server({ batch: false, batchRejection });
      const rpc = transport({ endpoints: [{ url: s.url, weight: 1 }] });
      const calls = [{ method: "eth_chainId" }, { method: "eth_blockNumber" }, { method: "net_version" }];
      expect(await rpc.requestBatch(calls)).toEqual([
        { ok: true, result: "0x1" },
        { ok: true, result: HEAD },
        { ok: true, result: "1" },
      ]);
      expect(s.httpRequests.map((r) => r.batch)).toEqual([true, false, false, false]);
      expect(rpc.events).toContainEqual({ type: "batch_unsupported", endpoint: s.url });

      s.resetLog();
      expect(await rpc.requestBatch(calls)).toHaveLength(3);
      expect(s.httpRequests.map((r) => r.batch)).toEqual([false, false, false]);
    },
  );

  it("rotates a rate-limited batch to the next endpoint, still as one array", async () => {
    const [a, b] = await Promise.all([server(), server()]);
    a.setFault({ kind: "http", status: 429 });
    const rpc = transport({
      endpoints: [
        { url: a.url, weight: 2 },
        { url: b.url, weight: 1 },
      ],
    });
    const results = await rpc.requestBatch([{ method: "eth_blockNumber" }, { method: "eth_chainId" }]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(b.httpRequests.map((r) => [r.batch, r.calls.length])).toEqual([[true, 2]]);
  });

  it("rotates when one call of a batch fails with a non-pass-through error", async () => {
    const [a, b] = await Promise.all([server(), server()]);
    a.setFault({ kind: "rpc_error", code: -32005, message: "limit exceeded" });
    const rpc = transport({
      endpoints: [
        { url: a.url, weight: 2 },
        { url: b.url, weight: 1 },
      ],
    });
    const results = await rpc.requestBatch([{ method: "eth_blockNumber" }, { method: "eth_chainId" }]);
    expect(results).toEqual([
      { ok: true, result: HEAD },
      { ok: true, result: "0x1" },
    ]);
  });

  it("splits batches larger than maxBatchSize", async () => {
    const s = await server();
    const rpc = transport({ endpoints: [{ url: s.url, weight: 1 }], maxBatchSize: 2 });
    const results = await rpc.requestBatch(Array.from({ length: 5 }, () => ({ method: "eth_blockNumber" })));
    expect(results).toHaveLength(5);
    expect(s.httpRequests.map((r) => r.calls.length).sort()).toEqual([1, 2, 2]);
  });

  it("sends a single call without an array", async () => {
    const s = await server();
    const rpc = transport({ endpoints: [{ url: s.url, weight: 1 }] });
    expect(await rpc.requestBatch([{ method: "eth_blockNumber" }])).toEqual([{ ok: true, result: HEAD }]);
    expect(await rpc.requestBatch([])).toEqual([]);
    expect(s.httpRequests.map((r) => r.batch)).toEqual([false]);
  });
});

describe("createRpcTransport() cancellation and accounting", () => {
  it("rejects with the signal's AbortError as soon as the caller aborts a hanging request", async () => {
    const s = await server();
    s.setFault({ kind: "hang" });
    const rpc = transport({ endpoints: [{ url: s.url, weight: 1 }] });
    const controller = new AbortController();
    const pending = rejection(rpc.request("eth_blockNumber", [], { signal: controller.signal }));
    await waitFor(() => s.httpRequests.length === 1);
    controller.abort();
    const error = await pending;
    expect(error).toMatchObject({ name: "AbortError" });
  });

  it("rejects during backoff when the caller aborts", async () => {
    const s = await server();
    s.setFault({ kind: "http", status: 503 });
    const rpc = transport({
      endpoints: [{ url: s.url, weight: 1 }],
      retry: { retries: 3, base: 2, initialDelayMs: 10_000, maxDelayMs: 10_000 },
      random: () => 0.99,
    });
    const controller = new AbortController();
    const started = performance.now();
    const pending = rejection(rpc.request("eth_blockNumber", [], { signal: controller.signal }));
    await waitFor(() => rpc.events.some((e) => e.type === "retry"));
    controller.abort(new Error("shutting down"));
    expect(await pending).toMatchObject({ message: "shutting down" });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("rejects at once when the signal is already aborted, without sending anything", async () => {
    const s = await server();
    const rpc = transport({ endpoints: [{ url: s.url, weight: 1 }] });
    const error = await rejection(rpc.request("eth_blockNumber", [], { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ name: "AbortError" });
    expect(s.httpRequests).toEqual([]);
  });

  it("close() cancels in-flight requests and refuses new ones with RPC_TRANSPORT_CLOSED", async () => {
    const s = await server();
    s.setFault({ kind: "hang" });
    const rpc = transport({ endpoints: [{ url: s.url, weight: 1 }] });
    const pending = rejection(rpc.request("eth_blockNumber"));
    await waitFor(() => s.httpRequests.length === 1);
    rpc.close();
    expect(await pending).toMatchObject({ code: "RPC_TRANSPORT_CLOSED" });
    expect(await rejection(rpc.request("eth_blockNumber"))).toMatchObject({ code: "RPC_TRANSPORT_CLOSED" });
  });

  it("counts every HTTP request, failed ones included, and reports each in a request event", async () => {
    const s = await server();
    s.setFault({ kind: "http", status: 500 }, { count: 1 });
    const rpc = transport({ endpoints: [{ url: s.url, weight: 1 }] });
    await rpc.request("eth_blockNumber");
    await rpc.requestBatch([{ method: "eth_blockNumber" }, { method: "eth_chainId" }]);
    expect(rpc.stats()).toEqual({ requests: 3, batches: 1 });
    const requests = rpc.events.filter((e) => e.type === "request");
    expect(requests.map((e) => e.type === "request" && [e.method, e.ok, e.size, e.errorCode])).toEqual([
      ["eth_blockNumber", false, 1, "RPC_HTTP_STATUS"],
      ["eth_blockNumber", true, 1, undefined],
      ["batch", true, 2, undefined],
    ]);
    for (const event of requests) expect(event.type === "request" && event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("ignores exceptions thrown by the event observer", async () => {
    const s = await server();
    const rpc = createRpcTransport({
      endpoints: [{ url: s.url, weight: 1 }],
      onEvent: () => {
        throw new Error("observer bug");
      },
    });
    cleanups.push(() => rpc.close());
    expect(await rpc.request("eth_blockNumber")).toBe(HEAD);
  });
});
