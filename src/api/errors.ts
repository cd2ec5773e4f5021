/**
 * The API's one error shape (RFC 9457 problem details, `application/problem+json`) and the one place that maps any
 * thrown error to it. Handlers throw `ApiError` (or let a module's `ArgusError` through); the root error handler
 * calls `toProblem`. A 5xx never carries internals: its `detail` is generic and the cause is only logged.
 */
import { ArgusError, type ErrorPath, formatJsonPath } from "../errors/index.js";

/** Stable codes of the API module. Branch on these (the `code` member of every problem), never on message text. */
export const ApiCode = {
  /** No route for this method and path. */
  RouteNotFound: "API_ROUTE_NOT_FOUND",
  /** The resource does not exist, or not for this caller (another tenant's rows are indistinguishable from none). */
  NotFound: "API_NOT_FOUND",
  /** The body is not valid JSON. */
  MalformedJson: "API_MALFORMED_JSON",
  /** Query string, path parameters or headers are malformed (bad cursor, out-of-range limit, …). */
  BadRequest: "API_BAD_REQUEST",
  /** No credentials, or credentials that do not verify (expired, revoked, wrong signature). */
  Unauthenticated: "API_UNAUTHENTICATED",
  /** Authenticated, but the role, the API key's scopes or the operator flag do not allow this route. */
  Forbidden: "API_FORBIDDEN",
  /** The tenant is suspended: reads still work, changes are refused. */
  TenantSuspended: "API_TENANT_SUSPENDED",
  /** The plan's limit for this kind of resource is reached. */
  QuotaExceeded: "API_QUOTA_EXCEEDED",
  /** A unique key is taken, or the resource's state does not allow the change. */
  Conflict: "API_CONFLICT",
  /** The body parsed but is not acceptable; `errors[]` names every problem with its JSON path. */
  Validation: "API_VALIDATION",
  /** The tenant's or API key's request budget is used up; see `Retry-After`. */
  RateLimited: "API_RATE_LIMITED",
  /** The body is larger than the server accepts. */
  PayloadTooLarge: "API_PAYLOAD_TOO_LARGE",
  /** The body's content type is not JSON. */
  UnsupportedMediaType: "API_UNSUPPORTED_MEDIA_TYPE",
  /** A dependency (database, chain RPC) is unavailable; retrying later can help. */
  Unavailable: "API_UNAVAILABLE",
  /** A chain RPC failed while testing a monitor. */
  UpstreamFailed: "API_UPSTREAM_FAILED",
  /** Anything else: a bug. The response says nothing more; the log has the cause. */
  Internal: "API_INTERNAL",
} as const;

export type ApiCode = (typeof ApiCode)[keyof typeof ApiCode];

/** One entry of a problem's `errors[]`: where (JSONPath into the request part), what, and a stable code. */
export interface ProblemItem {
  path: string;
  message: string;
  code: string;
}

/** The JSON body of every error response. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors: ProblemItem[];
}

const TITLES: Record<ApiCode, [status: number, title: string]> = {
  API_ROUTE_NOT_FOUND: [404, "Not Found"],
  API_NOT_FOUND: [404, "Not Found"],
  API_MALFORMED_JSON: [400, "Malformed JSON"],
  API_BAD_REQUEST: [400, "Bad Request"],
  API_UNAUTHENTICATED: [401, "Unauthenticated"],
  API_FORBIDDEN: [403, "Forbidden"],
  API_TENANT_SUSPENDED: [403, "Tenant Suspended"],
  API_QUOTA_EXCEEDED: [403, "Quota Exceeded"],
  API_CONFLICT: [409, "Conflict"],
  API_VALIDATION: [422, "Validation Failed"],
  API_RATE_LIMITED: [429, "Too Many Requests"],
  API_PAYLOAD_TOO_LARGE: [413, "Payload Too Large"],
  API_UNSUPPORTED_MEDIA_TYPE: [415, "Unsupported Media Type"],
  API_UNAVAILABLE: [503, "Service Unavailable"],
  API_UPSTREAM_FAILED: [502, "Bad Gateway"],
  API_INTERNAL: [500, "Internal Server Error"],
};

/** The HTTP status an API code is answered with. */
export function statusOf(code: ApiCode): number {
  return TITLES[code][0];
}

/** An error the API answers as a problem: a code (which fixes the status), a safe detail, optional item list. */
export class ApiError extends ArgusError {
  override name = "ApiError";
  declare readonly code: ApiCode;
  readonly status: number;
  readonly errors: ProblemItem[];
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`). */
  readonly headers: Record<string, string>;

  constructor(
    code: ApiCode,
    detail: string,
    options: { errors?: ProblemItem[]; headers?: Record<string, string>; path?: ErrorPath; cause?: unknown } = {},
  ) {
    super(code, detail, { path: options.path ?? [], cause: options.cause });
    this.status = statusOf(code);
    this.errors = options.errors ?? [];
    this.headers = options.headers ?? {};
  }
}

/** `errors[]` item from a module error (`path` as JSONPath under `prefix`). */
export function itemOf(code: string, message: string, path: ErrorPath = [], prefix: ErrorPath = []): ProblemItem {
  return { path: formatJsonPath([...prefix, ...path]), message, code };
}

export function notFound(what: string): ApiError {
  return new ApiError(ApiCode.NotFound, `${what} was not found.`);
}

/** Status and code for module errors that reach the API (store, identity, config, chains), by their `code`. */
const MODULE_CODES: Record<string, ApiCode> = {
  STORE_NOT_FOUND: ApiCode.NotFound,
  STORE_CONFLICT: ApiCode.Conflict,
  STORE_INVALID_STATE: ApiCode.Conflict,
  STORE_REFERENCE_INVALID: ApiCode.Validation,
  STORE_CONSTRAINT_VIOLATED: ApiCode.Validation,
  STORE_INVALID_ARGUMENT: ApiCode.BadRequest,
  STORE_UNAVAILABLE: ApiCode.Unavailable,
  QUOTA_EXCEEDED: ApiCode.QuotaExceeded,
  STORE_QUOTA_EXCEEDED: ApiCode.QuotaExceeded,
  LAST_OWNER: ApiCode.Conflict,
  STORE_LAST_OWNER: ApiCode.Conflict,
  INVALID_CREDENTIALS: ApiCode.Unauthenticated,
  TOKEN_EXPIRED: ApiCode.Unauthenticated,
  TOKEN_INVALID: ApiCode.Unauthenticated,
  REFRESH_REUSED: ApiCode.Unauthenticated,
  SESSION_REVOKED: ApiCode.Unauthenticated,
  IDENTITY_INVALID_INPUT: ApiCode.Validation,
  SECRET_ENVIRONMENT_FORBIDDEN: ApiCode.Validation,
  STORE_FORBIDDEN: ApiCode.Forbidden,
  REFRESH_INVALID: ApiCode.Unauthenticated,
  REFRESH_EXPIRED: ApiCode.Unauthenticated,
  REFRESH_REVOKED: ApiCode.Unauthenticated,
  API_KEY_INVALID: ApiCode.Unauthenticated,
  API_KEY_REVOKED: ApiCode.Unauthenticated,
  API_KEY_EXPIRED: ApiCode.Unauthenticated,
  EMAIL_TAKEN: ApiCode.Conflict,
  SLUG_TAKEN: ApiCode.Conflict,
  WEAK_PASSWORD: ApiCode.Validation,
  INVALID_ARGUMENT: ApiCode.Validation,
  NET_ADDRESS_FORBIDDEN: ApiCode.Validation,
  NET_HOST_NOT_FOUND: ApiCode.Validation,
};

function problem(code: ApiCode, detail: string, errors: ProblemItem[] = []): Problem {
  const [status, title] = TITLES[code];
  return {
    type: `urn:argus:problem:${code.toLowerCase().replaceAll("_", "-")}`,
    title,
    status,
    detail,
    code,
    errors,
  };
}

/** Fastify's own client errors (parsing, size, media type), by its code. */
const FASTIFY_CODES: Record<string, ApiCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ApiCode.MalformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: ApiCode.MalformedJson,
  FST_ERR_CTP_BODY_TOO_LARGE: ApiCode.PayloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ApiCode.UnsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ApiCode.BadRequest,
};

export interface ProblemAndHeaders {
  problem: Problem;
  headers: Record<string, string>;
  /** True when the cause is a server fault worth logging at error level. */
  internal: boolean;
}

/**
 * Maps anything thrown during a request to a problem. Module errors keep their code and path in `errors[]` (their
 * messages are written for users and carry no secrets); unknown errors become a bare 500.
 */
export function toProblem(error: unknown): ProblemAndHeaders {
  if (error instanceof ApiError) {
    return { problem: problem(error.code, error.message, error.errors), headers: error.headers, internal: false };
  }
  if (error instanceof ArgusError) {
    const mapped = MODULE_CODES[error.code] ?? (error.retryable ? ApiCode.Unavailable : undefined);
    if (mapped !== undefined && mapped !== ApiCode.Unavailable) {
      const detail = mapped === ApiCode.Unauthenticated ? "The credentials are not valid." : error.message;
      const items = mapped === ApiCode.Unauthenticated ? [] : [itemOf(error.code, error.message, error.path)];
      return {
        problem: problem(mapped, detail, items),
        headers: mapped === ApiCode.Unauthenticated ? { "www-authenticate": 'Bearer realm="argus"' } : {},
        internal: false,
      };
    }
    if (mapped === ApiCode.Unavailable) {
      return {
        problem: problem(ApiCode.Unavailable, "A dependency is unavailable; retry later."),
        headers: { "retry-after": "1" },
        internal: true,
      };
    }
  }
  const fastify = error as { code?: unknown; statusCode?: unknown } | null;
  if (fastify !== null && typeof fastify === "object" && typeof fastify.code === "string") {
    const mapped = FASTIFY_CODES[fastify.code];
    if (mapped !== undefined) return { problem: problem(mapped, defaultDetail(mapped)), headers: {}, internal: false };
    if (typeof fastify.statusCode === "number" && fastify.statusCode >= 400 && fastify.statusCode < 500) {
      return { problem: problem(ApiCode.BadRequest, "The request is not valid."), headers: {}, internal: false };
    }
  }
  return {
    problem: problem(ApiCode.Internal, "The server failed to handle this request; it has been logged."),
    headers: {},
    internal: true,
  };
}

function defaultDetail(code: ApiCode): string {
  switch (code) {
    case ApiCode.MalformedJson:
      return "The request body is not valid JSON.";
    case ApiCode.PayloadTooLarge:
      return "The request body is too large.";
    case ApiCode.UnsupportedMediaType:
      return "Send the body as application/json.";
    default:
      return "The request is not valid.";
  }
}
