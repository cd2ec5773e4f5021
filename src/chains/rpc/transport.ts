import type { ArgusError } from "../../errors/index.js";
import {
  abortReason,
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryPolicy,
  sleep,
} from "./backoff.js";
import {
  ROTATING_HTTP_STATUSES,
  RpcAllEndpointsFailedError,
  RpcConfigError,
  RpcHttpError,
  RpcMalformedResponseError,
  RpcNetworkError,
  RpcResponseError,
  RpcTimeoutError,
  RpcTransportClosedError,
} from "./errors.js";
import { redactUrl, scrubSecrets, urlSecrets } from "./redact-url.js";
import type {
  RpcBatchResult,
  RpcCall,
  RpcRequestOptions,
  RpcRotateReason,
  RpcTransport,
  RpcTransportEvent,
  RpcTransportOptions,
  RpcTransportStats,
} from "./types.js";

/** Batch HTTP statuses that mean "try again / elsewhere" rather than "this endpoint does not take arrays". */
const TRANSIENT_BATCH_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

interface Endpoint {
  /** URL without userinfo (fetch refuses credentials in URLs; they travel as a Basic `Authorization` header). */
  readonly url: string;
  /** Redacted form, the only one shown. */
  readonly label: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
  /** Whether the endpoint accepts JSON arrays; `undefined` until a batch was sent to it. */
  batch: boolean | undefined;
}

/** One endpoint attempt: a value, or a failure that either rotates to the next endpoint or ends the call. */
type Step<T> =
  | { ok: true; value: T }
  | { ok: false; error: ArgusError; rotate: boolean; reason: RpcRotateReason; retryAfterMs?: number };

type Failure = Extract<Step<never>, { ok: false }>;

type HttpOutcome =
  | { kind: "json"; value: unknown }
  | { kind: "status"; status: number; retryAfterMs: number | undefined }
  | { kind: "timeout" }
  | { kind: "network"; detail: string; cause: unknown }
  | { kind: "garbage"; detail: string };

/** Sentinel abort reason used by `close()`. */
const CLOSED = Symbol("rpc-transport-closed");

/**
 * Creates a JSON-RPC 2.0 transport over HTTP with OZ's failover semantics (spec §11): endpoints in weight order, an
 * active endpoint plus fallbacks, rotation on rate limits, 5xx, network errors, timeouts and error envelopes, and
 * attempt rounds separated by exponential backoff with full jitter.
 *
 * A call walks the endpoints once per round, starting at the active one; an endpoint that fails while active hands
 * the active role to the next one (OZ moves the failed endpoint to the end of the fallback list, which is the same
 * cyclic order). After a round in which every endpoint failed, the call sleeps and starts another round, as long as
 * some failure was retryable and rounds remain; then it rejects with `RpcAllEndpointsFailedError`.
 *
 * @example
 * const transport = createRpcTransport({ endpoints: [{ url: "https://eth.example/v2/KEY", weight: 100 }] });
 * const head = await transport.request<string>("eth_blockNumber");
 */
export function createRpcTransport(options: RpcTransportOptions): RpcTransport {
  const endpoints = resolveEndpoints(options);
  const policy = resolvePolicy(options.retry);
  const timeoutMs = positive(options.timeoutMs ?? 30_000, "timeoutMs");
  const maxBatchSize = positive(options.maxBatchSize ?? 1000, "maxBatchSize");
  const fallbackConcurrency = positive(options.batchFallbackConcurrency ?? 8, "batchFallbackConcurrency");
  const basePassThrough = options.passThroughCodes ?? [-32601];
  const random = options.random ?? Math.random;
  const onEvent = options.onEvent;
  const counters: RpcTransportStats = { requests: 0, batches: 0 };
  const scopes = new Set<AbortController>();
  let active = 0;
  let nextId = 1;
  let closed = false;

  const emit = (event: RpcTransportEvent): void => {
    if (!onEvent) return;
    try {
      onEvent(event);
    } catch {
      // An observer must not break requests.
    }
  };

  /** Runs `body` with a signal that aborts when the caller aborts or the transport closes. */
  async function withScope<T>(
    method: string,
    callerSignal: AbortSignal | undefined,
    body: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (closed) throw new RpcTransportClosedError(method);
    if (callerSignal?.aborted) throw abortReason(callerSignal);
    const scope = new AbortController();
    const onCallerAbort = () => scope.abort(abortReason(callerSignal as AbortSignal));
    callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
    scopes.add(scope);
    try {
      return await body(scope.signal);
    } catch (error) {
      if (scope.signal.aborted) throw scopeAbortError(scope.signal, method);
      throw error;
    } finally {
      scopes.delete(scope);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    }
  }

  /** One HTTP POST with the per-request timeout. Throws only when the scope aborted. */
  async function post(endpoint: Endpoint, body: string, isBatch: boolean, signal: AbortSignal): Promise<HttpOutcome> {
    counters.requests += 1;
    if (isBatch) counters.batches += 1;
    const controller = new AbortController();
    const onScopeAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", onScopeAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const response = await fetch(endpoint.url, {
        method: "POST",
        headers: endpoint.headers,
        body,
        signal: controller.signal,
      });
      const text = await response.text();
      if (response.status < 200 || response.status > 299) {
        return {
          kind: "status",
          status: response.status,
          retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
        };
      }
      try {
        return { kind: "json", value: JSON.parse(text) as unknown };
      } catch {
        return { kind: "garbage", detail: scrubSecrets(`body is not JSON (${describeBody(text)})`, endpoint.secrets) };
      }
    } catch (error) {
      if (signal.aborted) throw error;
      if (timedOut) return { kind: "timeout" };
      return { kind: "network", detail: scrubSecrets(describeNetworkError(error), endpoint.secrets), cause: error };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onScopeAbort);
    }
  }

  /** Turns a transport-level outcome (anything but JSON) into a failed step. */
  function failure(method: string, endpoint: Endpoint, outcome: Exclude<HttpOutcome, { kind: "json" }>): Failure {
    switch (outcome.kind) {
      case "status": {
        const error = new RpcHttpError({
          method,
          endpoint: endpoint.label,
          status: outcome.status,
          retryAfterMs: outcome.retryAfterMs,
        });
        return {
          ok: false,
          error,
          rotate: ROTATING_HTTP_STATUSES.has(outcome.status),
          reason: outcome.status === 429 ? "rate_limit" : "http_error",
          retryAfterMs: outcome.retryAfterMs,
        };
      }
      case "timeout":
        return {
          ok: false,
          error: new RpcTimeoutError({ method, endpoint: endpoint.label, timeoutMs }),
          rotate: true,
          reason: "timeout",
        };
      case "network":
        return {
          ok: false,
          error: new RpcNetworkError({
            method,
            endpoint: endpoint.label,
            detail: outcome.detail,
            cause: outcome.cause,
          }),
          rotate: true,
          reason: "network_error",
        };
      case "garbage":
        return malformed(method, endpoint, outcome.detail);
    }
  }

  function malformed(method: string, endpoint: Endpoint, detail: string): Failure {
    return {
      ok: false,
      error: new RpcMalformedResponseError({ method, endpoint: endpoint.label, detail }),
      rotate: true,
      reason: "jsonrpc_error",
    };
  }

  /**
   * The failover loop shared by single and batch requests. `attempt` returns a step; a thrown error (abort, or a
   * nested call's failure during batch fallback) ends the call as is.
   */
  async function withFailover<T>(
    method: string,
    signal: AbortSignal,
    attempt: (endpoint: Endpoint) => Promise<Step<T>>,
  ): Promise<T> {
    const n = endpoints.length;
    for (let round = 0; ; round++) {
      const causes = new Map<number, ArgusError>();
      let retryAfterMs: number | undefined;
      let lastReason: RpcRotateReason = "http_error";
      let index = active;
      for (let k = 0; k < n; k++) {
        const endpoint = endpoints[index] as Endpoint;
        const step = await attempt(endpoint);
        if (step.ok) return step.value;
        if (!step.rotate) throw step.error;
        causes.set(index, step.error);
        lastReason = step.reason;
        if (step.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, step.retryAfterMs);
        const next = (index + 1) % n;
        if (active === index) active = next;
        if (k < n - 1) {
          emit({
            type: "rotate",
            method,
            from: endpoint.label,
            to: (endpoints[next] as Endpoint).label,
            reason: step.reason,
          });
        }
        index = next;
      }
      const ordered = [...causes.entries()]
        .sort(([a], [b]) => a - b)
        .map(([i, error]) => ({ endpoint: (endpoints[i] as Endpoint).label, error }));
      if (round >= policy.retries || !ordered.some((cause) => cause.error.retryable)) {
        throw new RpcAllEndpointsFailedError({ method, attempts: round + 1, causes: ordered });
      }
      const delayMs = backoffDelay(policy, round, retryAfterMs, random);
      emit({ type: "retry", method, attempt: round + 1, delayMs, reason: lastReason });
      await sleep(delayMs, signal);
    }
  }

  function passThroughSet(extra: readonly number[] | "all" | undefined): Pick<ReadonlySet<number>, "has"> {
    if (extra === "all") return { has: () => true };
    return new Set(extra ? [...basePassThrough, ...extra] : basePassThrough);
  }

  async function single(
    method: string,
    params: RpcCall["params"],
    passThrough: Pick<ReadonlySet<number>, "has">,
    signal: AbortSignal,
  ): Promise<unknown> {
    return withFailover(method, signal, async (endpoint) => {
      const id = nextId++;
      const body = JSON.stringify({ jsonrpc: "2.0", id, method, params: params ?? [] });
      const started = performance.now();
      const outcome = await post(endpoint, body, false, signal);
      const step: Step<unknown> =
        outcome.kind === "json"
          ? readEnvelope(method, endpoint, outcome.value, id, passThrough)
          : failure(method, endpoint, outcome);
      emit({
        type: "request",
        method,
        endpoint: endpoint.label,
        durationMs: performance.now() - started,
        ok: step.ok,
        size: 1,
        ...(step.ok ? {} : { errorCode: step.error.code }),
      });
      return step;
    });
  }

  /** Interprets a JSON-RPC response object for call `id`. */
  function readEnvelope(
    method: string,
    endpoint: Endpoint,
    value: unknown,
    id: number,
    passThrough: Pick<ReadonlySet<number>, "has">,
  ): Step<unknown> {
    if (!isRecord(value)) return malformed(method, endpoint, "expected a JSON-RPC response object");
    if (value.id !== undefined && value.id !== null && String(value.id) !== String(id)) {
      return malformed(method, endpoint, `response id ${JSON.stringify(value.id)} does not match request id ${id}`);
    }
    if (value.error !== undefined && value.error !== null) {
      const rpcError = value.error;
      if (!isRecord(rpcError) || typeof rpcError.code !== "number") {
        return malformed(method, endpoint, "error member is not a JSON-RPC error object");
      }
      const error = new RpcResponseError({
        method,
        endpoint: endpoint.label,
        code: rpcError.code,
        message: scrubSecrets(typeof rpcError.message === "string" ? rpcError.message : "", endpoint.secrets),
        data: rpcError.data,
      });
      return { ok: false, error, rotate: !passThrough.has(rpcError.code), reason: "jsonrpc_error" };
    }
    if (!("result" in value)) return malformed(method, endpoint, "neither result nor error in the envelope");
    return { ok: true, value: value.result };
  }

  async function batchChunk(
    calls: readonly RpcCall[],
    passThrough: Pick<ReadonlySet<number>, "has">,
    signal: AbortSignal,
  ): Promise<RpcBatchResult[]> {
    const label = describeBatch(calls);
    return withFailover(label, signal, async (endpoint) => {
      if (endpoint.batch === false) return { ok: true, value: await oneByOne(calls, passThrough, signal) };
      const ids = calls.map(() => nextId++);
      const body = JSON.stringify(
        calls.map((call, i) => ({ jsonrpc: "2.0", id: ids[i], method: call.method, params: call.params ?? [] })),
      );
      const started = performance.now();
      const outcome = await post(endpoint, body, true, signal);
      const report = (ok: boolean, errorCode?: string) =>
        emit({
          type: "request",
          method: "batch",
          endpoint: endpoint.label,
          durationMs: performance.now() - started,
          ok,
          size: calls.length,
          ...(errorCode === undefined ? {} : { errorCode }),
        });
      const rejected =
        (outcome.kind === "status" && !TRANSIENT_BATCH_STATUSES.has(outcome.status)) ||
        (outcome.kind === "json" && !Array.isArray(outcome.value));
      if (rejected) {
        report(false, "RPC_BATCH_UNSUPPORTED");
        endpoint.batch = false;
        emit({ type: "batch_unsupported", endpoint: endpoint.label });
        return { ok: true, value: await oneByOne(calls, passThrough, signal) };
      }
      if (outcome.kind !== "json") {
        const step = failure(label, endpoint, outcome);
        report(false, step.error.code);
        return step;
      }
      const step = readBatch(label, endpoint, calls, ids, outcome.value as unknown[], passThrough);
      report(step.ok, step.ok ? undefined : step.error.code);
      if (step.ok) endpoint.batch = true;
      return step;
    });
  }

  function readBatch(
    label: string,
    endpoint: Endpoint,
    calls: readonly RpcCall[],
    ids: readonly number[],
    responses: readonly unknown[],
    passThrough: Pick<ReadonlySet<number>, "has">,
  ): Step<RpcBatchResult[]> {
    const byId = new Map<string, unknown>();
    for (const response of responses) {
      if (!isRecord(response) || response.id === undefined || response.id === null) {
        return malformed(label, endpoint, "batch response element without an id");
      }
      const key = String(response.id);
      if (byId.has(key)) return malformed(label, endpoint, `batch response id ${key} appears twice`);
      byId.set(key, response);
    }
    const results: RpcBatchResult[] = [];
    for (let i = 0; i < calls.length; i++) {
      const id = ids[i] as number;
      const call = calls[i] as RpcCall;
      const response = byId.get(String(id));
      if (response === undefined) return malformed(label, endpoint, `no response for ${call.method} (id ${id})`);
      const step = readEnvelope(call.method, endpoint, response, id, passThrough);
      if (step.ok) results.push({ ok: true, result: step.value });
      else if (!step.rotate && step.error instanceof RpcResponseError) results.push({ ok: false, error: step.error });
      else return step;
    }
    if (byId.size !== calls.length) return malformed(label, endpoint, "batch response has unknown ids");
    return { ok: true, value: results };
  }

  /** Batch fallback: one request per call, a few at a time, results in call order. */
  async function oneByOne(
    calls: readonly RpcCall[],
    passThrough: Pick<ReadonlySet<number>, "has">,
    signal: AbortSignal,
  ): Promise<RpcBatchResult[]> {
    const results = new Array<RpcBatchResult>(calls.length);
    let next = 0;
    let failed: { error: unknown } | undefined;
    const worker = async () => {
      while (failed === undefined && next < calls.length) {
        const i = next++;
        const call = calls[i] as RpcCall;
        try {
          results[i] = { ok: true, result: await single(call.method, call.params, passThrough, signal) };
        } catch (error) {
          if (error instanceof RpcResponseError) results[i] = { ok: false, error };
          else failed ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(fallbackConcurrency, calls.length) }, worker));
    if (failed !== undefined) throw failed.error;
    return results;
  }

  return {
    endpoints: endpoints.map((endpoint) => endpoint.label),

    request<T>(method: string, params?: RpcCall["params"], requestOptions: RpcRequestOptions = {}): Promise<T> {
      const passThrough = passThroughSet(requestOptions.passThroughCodes);
      return withScope(method, requestOptions.signal, (signal) =>
        single(method, params, passThrough, signal),
      ) as Promise<T>;
    },

    async requestBatch(calls: readonly RpcCall[], requestOptions: RpcRequestOptions = {}): Promise<RpcBatchResult[]> {
      if (calls.length === 0) return [];
      const passThrough = passThroughSet(requestOptions.passThroughCodes);
      const label = describeBatch(calls);
      return withScope(label, requestOptions.signal, async (signal) => {
        if (calls.length === 1) return oneByOne(calls, passThrough, signal);
        const chunks: RpcCall[][] = [];
        for (let i = 0; i < calls.length; i += maxBatchSize) chunks.push(calls.slice(i, i + maxBatchSize));
        const parts = await Promise.all(chunks.map((chunk) => batchChunk(chunk, passThrough, signal)));
        return parts.flat();
      });
    },

    stats(): RpcTransportStats {
      return { ...counters };
    },

    close(): void {
      closed = true;
      for (const scope of scopes) scope.abort(CLOSED);
      scopes.clear();
    },
  };
}

function scopeAbortError(signal: AbortSignal, method: string): unknown {
  return signal.reason === CLOSED ? new RpcTransportClosedError(method) : signal.reason;
}

function resolveEndpoints(options: RpcTransportOptions): Endpoint[] {
  if (!Array.isArray(options.endpoints)) throw new RpcConfigError("RPC transport options need an endpoints array.");
  const enabled: Array<{ url: string; weight: number; position: number }> = [];
  options.endpoints.forEach((endpoint, position) => {
    const { weight } = endpoint;
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) {
      throw new RpcConfigError(`Endpoint #${position} has weight ${String(weight)}; expected a number ≥ 0.`, [
        "endpoints",
        position,
        "weight",
      ]);
    }
    if (weight > 0) enabled.push({ url: endpoint.url, weight, position });
  });
  if (enabled.length === 0) {
    throw new RpcConfigError("No enabled RPC endpoint: every endpoint has weight 0 or the list is empty.", [
      "endpoints",
    ]);
  }
  // Array.prototype.sort is stable, so equal weights keep their configured order.
  enabled.sort((a, b) => b.weight - a.weight);
  return enabled.map(({ url, position }) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RpcConfigError(`Endpoint #${position} is not a valid URL (${redactUrl(url)}).`, [
        "endpoints",
        position,
        "url",
      ]);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new RpcConfigError(
        `Endpoint #${position} (${redactUrl(url)}) is not an http(s) URL; the JSON-RPC transport speaks HTTP only.`,
        ["endpoints", position, "url"],
      );
    }
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json",
      ...options.headers,
    };
    if (parsed.username !== "" || parsed.password !== "") {
      const user = decodeURIComponent(parsed.username);
      const password = decodeURIComponent(parsed.password);
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
      parsed.username = "";
      parsed.password = "";
    }
    return { url: parsed.toString(), label: redactUrl(url), headers, secrets: urlSecrets(url), batch: undefined };
  });
}

function resolvePolicy(retry: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...retry };
  if (!Number.isInteger(policy.retries) || policy.retries < 0) {
    throw new RpcConfigError(`retry.retries must be a whole number ≥ 0, got ${policy.retries}.`, ["retry", "retries"]);
  }
  if (!(policy.base >= 1)) throw new RpcConfigError(`retry.base must be ≥ 1, got ${policy.base}.`, ["retry", "base"]);
  if (!(policy.initialDelayMs >= 0) || !(policy.maxDelayMs >= 0)) {
    throw new RpcConfigError("retry delays must be ≥ 0 ms.", ["retry"]);
  }
  return policy;
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RpcConfigError(`${name} must be > 0, got ${value}.`, [name]);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeBatch(calls: readonly RpcCall[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
  return `batch[${[...counts].map(([method, count]) => (count === 1 ? method : `${method}×${count}`)).join(", ")}]`;
}

function describeBody(text: string): string {
  if (text.length === 0) return "empty body";
  const printable = text.slice(0, 40).replace(/[^\x20-\x7e]/g, "?");
  return `starts with ${JSON.stringify(printable)}`;
}

/** undici reports `TypeError: fetch failed` and puts the useful part (`ECONNREFUSED`, `UND_ERR_SOCKET`) in `cause`. */
function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === "string" ? `${code}: ${current.message}` : current.message);
    current = current.cause;
  }
  return parts.length === 0 ? String(error) : parts.join(" ← ");
}
