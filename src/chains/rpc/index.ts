/**
 * JSON-RPC 2.0 over HTTP with OZ failover semantics, shared by every chain (EVM now, Stellar and others later).
 *
 * Owns: endpoint ordering by weight, rotation, retries with backoff, batching with per-endpoint fallback, typed
 * errors, URL redaction. Imports no logger or metrics: observability goes through `onEvent`.
 *
 * @example
 * const transport = createRpcTransport({
 *   endpoints: [{ url: "https://eth.example/v2/KEY", weight: 100 }, { url: "https://backup.example", weight: 50 }],
 *   onEvent: (event) => { if (event.type === "rotate") console.warn(event); },
 * });
 * const head = await transport.request<string>("eth_blockNumber", [], { signal });
 * transport.close();
 */
export { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from "./backoff.js";
export {
  RpcAllEndpointsFailedError,
  RpcConfigError,
  type RpcError,
  RpcHttpError,
  RpcMalformedResponseError,
  RpcNetworkError,
  RpcResponseError,
  RpcTimeoutError,
  RpcTransportClosedError,
} from "./errors.js";
export { redactUrl } from "./redact-url.js";
export { createRpcTransport } from "./transport.js";
export type {
  RpcBatchResult,
  RpcCall,
  RpcEndpoint,
  RpcRequestOptions,
  RpcRotateReason,
  RpcTransport,
  RpcTransportEvent,
  RpcTransportOptions,
  RpcTransportStats,
} from "./types.js";
