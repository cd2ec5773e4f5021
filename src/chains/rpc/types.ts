import type { RetryPolicy } from "./backoff.js";
import type { RpcResponseError } from "./errors.js";

/** One configured endpoint (OZ `rpc_urls` entry of type `rpc`). */
export interface RpcEndpoint {
  /** `http(s)` URL; may carry credentials (`user:pass@`, `?apikey=`), which never reach messages or events. */
  url: string;
  /** Higher first; `0` disables the endpoint. Equal weights keep their configured order. */
  weight: number;
}

/** Why a request left an endpoint for the next one. */
export type RpcRotateReason = "rate_limit" | "http_error" | "network_error" | "jsonrpc_error" | "timeout";

/**
 * What the transport reports to `onEvent`, for the ops layer to turn into metrics and logs. `endpoint`, `from` and
 * `to` are redacted URLs.
 */
export type RpcTransportEvent =
  | {
      type: "request";
      /** The JSON-RPC method, or `"batch"` for a batch HTTP request. */
      method: string;
      endpoint: string;
      durationMs: number;
      ok: boolean;
      /** Number of calls in the HTTP request (1 unless batched). */
      size: number;
      /** The error code when `ok` is false. */
      errorCode?: string;
    }
  | { type: "rotate"; method: string; from: string; to: string; reason: RpcRotateReason }
  | { type: "retry"; method: string; attempt: number; delayMs: number; reason: RpcRotateReason }
  | { type: "batch_unsupported"; endpoint: string };

export interface RpcTransportOptions {
  /** Ordered by weight (descending, stable); weight-0 entries are dropped. At least one must remain. */
  endpoints: readonly RpcEndpoint[];
  /** Backoff between attempt rounds. @default { retries: 3, base: 2, initialDelayMs: 250, maxDelayMs: 10_000 } */
  retry?: Partial<RetryPolicy>;
  /** Per HTTP request, response body included. @default 30_000 */
  timeoutMs?: number;
  /**
   * JSON-RPC error codes returned to the caller as `RpcResponseError` without trying other endpoints, because every
   * endpoint would answer the same. @default [-32601]
   */
  passThroughCodes?: readonly number[];
  /** Larger batches are split into several HTTP requests. @default 1000 */
  maxBatchSize?: number;
  /** In-flight single requests when a batch falls back to one request per call. @default 8 */
  batchFallbackConcurrency?: number;
  /** Extra HTTP headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** Observability hook; exceptions it throws are ignored. */
  onEvent?: (event: RpcTransportEvent) => void;
  /** Source of randomness for jitter, in [0, 1). @internal for tests */
  random?: () => number;
}

export interface RpcRequestOptions {
  signal?: AbortSignal;
  /**
   * Codes passed through for this call, in addition to the transport's `passThroughCodes`; `"all"` returns every
   * JSON-RPC error to the caller (for answers about the data, such as a receipt the node refuses to give).
   */
  passThroughCodes?: readonly number[] | "all";
}

export interface RpcCall {
  method: string;
  params?: readonly unknown[] | Readonly<Record<string, unknown>>;
}

/** One call's outcome in a batch. Only pass-through JSON-RPC errors are reported per call; other failures reject. */
export type RpcBatchResult = { ok: true; result: unknown } | { ok: false; error: RpcResponseError };

export interface RpcTransportStats {
  /** HTTP requests sent, failed ones included. */
  requests: number;
  /** Of those, HTTP requests whose body was a JSON array. */
  batches: number;
}

export interface RpcTransport {
  /**
   * Sends one JSON-RPC call. Resolves with `result` (which may be `null`); `T` is not checked at runtime.
   * Rejects with `RpcResponseError` for pass-through codes, `RpcHttpError` for non-rotating statuses,
   * `RpcAllEndpointsFailedError` when retries are exhausted, or the signal's reason when aborted.
   */
  request<T = unknown>(
    method: string,
    params?: readonly unknown[] | Readonly<Record<string, unknown>>,
    options?: RpcRequestOptions,
  ): Promise<T>;
  /**
   * Sends several calls as one JSON array (split at `maxBatchSize`); results come back in call order. Endpoints that
   * reject arrays are remembered and served one request per call from then on.
   */
  requestBatch(calls: readonly RpcCall[], options?: RpcRequestOptions): Promise<RpcBatchResult[]>;
  /** Redacted endpoint URLs in priority order. */
  readonly endpoints: readonly string[];
  stats(): RpcTransportStats;
  /** Cancels in-flight requests (they reject with `RPC_TRANSPORT_CLOSED`) and refuses new ones. Idempotent. */
  close(): void;
}
