import { ArgusError } from "../../errors/index.js";

/**
 * Errors of the JSON-RPC transport. Every message names the method and the endpoint by its redacted URL
 * (`redactUrl`), never the configured URL: RPC URLs routinely carry API keys.
 */

/** The endpoint answered with an HTTP status outside 2xx. */
export class RpcHttpError extends ArgusError {
  override name = "RpcHttpError";
  readonly status: number;
  readonly endpoint: string;
  /** Milliseconds from a `Retry-After` header, when the server sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(args: { method: string; endpoint: string; status: number; retryAfterMs?: number | undefined }) {
    super("RPC_HTTP_STATUS", `RPC ${args.method} on ${args.endpoint} failed with HTTP status ${args.status}.`, {
      retryable: RETRYABLE_HTTP_STATUSES.has(args.status),
      hint:
        args.status === 401 || args.status === 403
          ? "Check the endpoint's credentials (API key or user:password in the URL)."
          : args.status === 429
            ? "The endpoint is rate limiting; add endpoints or lower the request rate."
            : undefined,
    });
    this.status = args.status;
    this.endpoint = args.endpoint;
    this.retryAfterMs = args.retryAfterMs;
  }
}

/** No complete response arrived within the per-request timeout. */
export class RpcTimeoutError extends ArgusError {
  override name = "RpcTimeoutError";
  readonly endpoint: string;
  readonly timeoutMs: number;

  constructor(args: { method: string; endpoint: string; timeoutMs: number }) {
    super("RPC_TIMEOUT", `RPC ${args.method} on ${args.endpoint} timed out after ${args.timeoutMs} ms.`, {
      retryable: true,
    });
    this.endpoint = args.endpoint;
    this.timeoutMs = args.timeoutMs;
  }
}

/** The request did not reach the endpoint or the connection broke (DNS, refused, reset, TLS). */
export class RpcNetworkError extends ArgusError {
  override name = "RpcNetworkError";
  readonly endpoint: string;

  constructor(args: { method: string; endpoint: string; detail: string; cause?: unknown }) {
    super("RPC_NETWORK", `RPC ${args.method} on ${args.endpoint} failed: network error (${args.detail}).`, {
      retryable: true,
      cause: args.cause,
    });
    this.endpoint = args.endpoint;
  }
}

/**
 * JSON-RPC codes that say the request itself is wrong, so repeating it cannot help: parse error, invalid request,
 * method not found, invalid params, method not supported (EIP-1474), version not supported, execution reverted.
 */
const NON_RETRYABLE_RPC_CODES: ReadonlySet<number> = new Set([-32700, -32600, -32601, -32602, -32004, -32006, 3]);

/** The endpoint answered with a JSON-RPC error object (`{"error": {code, message, data}}`). */
export class RpcResponseError extends ArgusError {
  override name = "RpcResponseError";
  readonly rpcCode: number;
  readonly rpcMessage: string;
  readonly data: unknown;
  readonly endpoint: string;

  constructor(args: { method: string; endpoint: string; code: number; message: string; data?: unknown }) {
    super(
      "RPC_ERROR_RESPONSE",
      `RPC ${args.method} on ${args.endpoint} returned JSON-RPC error ${args.code}: ${args.message}`,
      { retryable: !NON_RETRYABLE_RPC_CODES.has(args.code) },
    );
    this.rpcCode = args.code;
    this.rpcMessage = args.message;
    this.data = args.data;
    this.endpoint = args.endpoint;
  }
}

/** A 2xx response that is not a JSON-RPC envelope: not JSON, neither `result` nor `error`, or ids that do not match. */
export class RpcMalformedResponseError extends ArgusError {
  override name = "RpcMalformedResponseError";
  readonly endpoint: string;

  constructor(args: { method: string; endpoint: string; detail: string }) {
    super(
      "RPC_MALFORMED_RESPONSE",
      `RPC ${args.method} on ${args.endpoint} returned a malformed response: ${args.detail}.`,
      {
        retryable: true,
        hint: "The endpoint may be a proxy or gateway answering with an error page; check it serves JSON-RPC 2.0.",
      },
    );
    this.endpoint = args.endpoint;
  }
}

/** Every endpoint failed in every attempt round; `causes` holds the last failure of each endpoint, in priority order. */
export class RpcAllEndpointsFailedError extends ArgusError {
  override name = "RpcAllEndpointsFailedError";
  readonly causes: ReadonlyArray<{ endpoint: string; error: ArgusError }>;
  readonly attempts: number;

  constructor(args: {
    method: string;
    attempts: number;
    causes: ReadonlyArray<{ endpoint: string; error: ArgusError }>;
  }) {
    const list = args.causes.map((c) => `${c.endpoint}: ${c.error.message}`).join("; ");
    super(
      "RPC_ALL_ENDPOINTS_FAILED",
      `RPC ${args.method} failed on all ${args.causes.length} endpoint(s) after ${args.attempts} attempt round(s). ${list}`,
      {
        retryable: args.causes.some((c) => c.error.retryable),
        cause: args.causes.at(-1)?.error,
        hint: "Check the network's rpc_urls; add a fallback endpoint if there is only one.",
      },
    );
    this.causes = args.causes;
    this.attempts = args.attempts;
  }
}

/** `close()` was called on the transport; in-flight and later requests fail with this. */
export class RpcTransportClosedError extends ArgusError {
  override name = "RpcTransportClosedError";

  constructor(method: string) {
    super("RPC_TRANSPORT_CLOSED", `RPC ${method} was cancelled: the transport is closed.`, { retryable: false });
  }
}

/** The transport options are unusable (no enabled endpoint, a URL that is not http(s), a negative setting). */
export class RpcConfigError extends ArgusError {
  override name = "RpcConfigError";

  constructor(message: string, path: ReadonlyArray<string | number> = []) {
    super("RPC_INVALID_OPTIONS", message, { path, retryable: false });
  }
}

/** HTTP statuses after which the same request may succeed later (same endpoint or another). */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** HTTP statuses that move the request to the next endpoint (OZ §11). Other statuses fail at once. */
export const ROTATING_HTTP_STATUSES: ReadonlySet<number> = new Set([400, 408, 410, 429, 500, 502, 503, 504]);

export type RpcError =
  | RpcHttpError
  | RpcTimeoutError
  | RpcNetworkError
  | RpcResponseError
  | RpcMalformedResponseError
  | RpcAllEndpointsFailedError
  | RpcTransportClosedError;
