import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the store module. Branch on these, never on message text. */
export const StoreCode = {
  /** Another process (or this one) holds the PGlite data directory's lock file. */
  Locked: "STORE_LOCKED",
  /** PostgreSQL did not answer, or the connection broke (retryable). */
  Unavailable: "STORE_UNAVAILABLE",
  /** `createStore` was aborted through its `signal`. */
  Aborted: "STORE_ABORTED",
  /** The store was used after `close()`. */
  Closed: "STORE_CLOSED",
  /** A migration failed; the database is left at the last applied version. */
  MigrationFailed: "STORE_MIGRATION_FAILED",
  /** An applied migration's file changed, or the database has migrations this build does not know. */
  MigrationMismatch: "STORE_MIGRATION_MISMATCH",
  /** A unique key already exists (e.g. a monitor name within a tenant). */
  Conflict: "STORE_CONFLICT",
  /** A reference points to a row that does not exist for this tenant (composite, tenant-scoped foreign keys). */
  ReferenceInvalid: "STORE_REFERENCE_INVALID",
  /** A value violates a check or not-null constraint. */
  ConstraintViolated: "STORE_CONSTRAINT_VIOLATED",
  /** A query failed for another reason (retryable when PostgreSQL says so: serialization failure, deadlock). */
  QueryFailed: "STORE_QUERY_FAILED",
  /** The row asked for does not exist (for this tenant). */
  NotFound: "STORE_NOT_FOUND",
  /** An argument is out of range or malformed (block number, limit, pagination cursor, …). */
  InvalidArgument: "STORE_INVALID_ARGUMENT",
  /** `cursors.advance` was asked to move a cursor backwards or sideways; use `cursors.rewind` for that. */
  CursorRegression: "STORE_CURSOR_REGRESSION",
  /** The operation is not allowed in the row's current state (e.g. replaying a delivery that is not dead). */
  InvalidState: "STORE_INVALID_STATE",
  /**
   * The database refused the statement for this role: row-level security (a row of another tenant) or a missing
   * privilege (e.g. a platform table inside `withTenant`).
   */
  Forbidden: "STORE_FORBIDDEN",
  /** Creating the resource would exceed the tenant's plan limit (`quotas.reserve`). */
  QuotaExceeded: "QUOTA_EXCEEDED",
} as const;

export type StoreCode = (typeof StoreCode)[keyof typeof StoreCode];

/** The store module's error. `sqlState` carries PostgreSQL's SQLSTATE when the database raised it. */
export class StoreError extends ArgusError {
  override name = "StoreError";
  declare readonly code: StoreCode;
  readonly sqlState: string | undefined;
  readonly constraint: string | undefined;

  constructor(
    code: StoreCode,
    message: string,
    options: ArgusErrorOptions & { sqlState?: string; constraint?: string } = {},
  ) {
    super(code, message, options);
    this.sqlState = options.sqlState;
    this.constraint = options.constraint;
  }
}

interface DatabaseErrorFields {
  code: string;
  message: string;
  detail: string | undefined;
  constraint: string | undefined;
  table: string | undefined;
}

/** Finds the PostgreSQL error (pg's or PGlite's `DatabaseError`) in a cause chain; drizzle wraps it. */
function findDatabaseError(error: unknown): DatabaseErrorFields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const candidate = current as Error & { code?: unknown; detail?: unknown; constraint?: unknown; table?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return {
        code: candidate.code,
        message: candidate.message,
        detail: typeof candidate.detail === "string" ? candidate.detail : undefined,
        constraint: typeof candidate.constraint === "string" ? candidate.constraint : undefined,
        table: typeof candidate.table === "string" ? candidate.table : undefined,
      };
    }
    current = candidate.cause;
  }
  return undefined;
}

const CONNECTION_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);

function findConnectionError(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERROR_CODES.has(code)) return code;
    if (/Connection terminated|connection timeout/i.test(current.message)) return "ECONNRESET";
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps anything a query threw to a `StoreError`. The message names the operation and the constraint, never the
 * query parameters (drizzle's own message lists them, and they may hold tenant data).
 */
export function toStoreError(error: unknown, operation: string): StoreError {
  if (error instanceof StoreError) return error;
  const db = findDatabaseError(error);
  if (db !== undefined) {
    const where = db.constraint === undefined ? "" : ` (constraint ${db.constraint})`;
    const detail = db.detail === undefined ? "" : ` ${db.detail}`;
    const options = {
      cause: error,
      sqlState: db.code,
      ...(db.constraint === undefined ? {} : { constraint: db.constraint }),
    };
    switch (db.code) {
      case "23505":
        return new StoreError(StoreCode.Conflict, `${operation}: the row already exists${where}.${detail}`, options);
      case "23503":
        return new StoreError(
          StoreCode.ReferenceInvalid,
          `${operation}: a referenced row does not exist for this tenant${where}.${detail}`,
          { ...options, hint: "References between tenant-owned rows must stay within one tenant." },
        );
      case "23514":
      case "23502":
      case "22P02":
      case "22003":
        return new StoreError(StoreCode.ConstraintViolated, `${operation}: ${db.message}${where}.${detail}`, options);
      case "42501":
        return new StoreError(
          StoreCode.Forbidden,
          `${operation}: the database refused this for the current tenant: ${db.message}${where}.`,
          { ...options, hint: "Inside withTenant() only the tenant's own rows (and platform networks) are reachable." },
        );
      case "40001":
      case "40P01":
        return new StoreError(StoreCode.QueryFailed, `${operation}: ${db.message}; retry the operation.`, {
          ...options,
          retryable: true,
        });
      default:
        if (db.code.startsWith("08") || db.code === "57P01" || db.code === "57P03") {
          return new StoreError(StoreCode.Unavailable, `${operation}: the database is unavailable: ${db.message}`, {
            ...options,
            retryable: true,
          });
        }
        return new StoreError(StoreCode.QueryFailed, `${operation}: ${db.message} (SQLSTATE ${db.code})`, options);
    }
  }
  const connection = findConnectionError(error);
  if (connection !== undefined) {
    return new StoreError(StoreCode.Unavailable, `${operation}: the database is unavailable (${connection}).`, {
      cause: error,
      retryable: true,
    });
  }
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new StoreError(StoreCode.QueryFailed, `${operation}: ${message}`, { cause: error });
}
