import { RpcAllEndpointsFailedError, RpcResponseError } from "../rpc/index.js";
import { StellarLedgerNotFoundError, StellarOutsideRetentionError } from "./errors.js";

/**
 * Stellar-RPC reports a ledger outside its window as JSON-RPC error -32600 (invalid request) with one of these
 * messages (stellar-rpc `getLedgers`, `getTransactions`, `getEvents`):
 * - `start ledger must be between the oldest ledger: 1000 and the latest ledger: 2000 for this rpc instance`
 * - `startLedger must be between the oldest ledger: 1000 and the latest ledger: 2000 for this rpc instance.`
 * - `startLedger must be within the ledger range: 1000 - 2000`
 * Providers also word it with "retention". The transport rotates on such errors, so an endpoint with a longer
 * retention is tried before the error reaches here.
 */

export interface LedgerRange {
  oldestLedger?: number;
  latestLedger?: number;
}

const BETWEEN = /oldest ledger:?\s*(\d+)\s*,?\s*and\s*the\s*latest ledger:?\s*(\d+)/i;
const WITHIN = /ledger range:?\s*(\d+)\s*-\s*(\d+)/i;
const MENTIONS_RANGE = /retention|must be between|must be within|out of range|outside (?:of )?the (?:ledger )?range/i;

/** The ledger window named by a range error, `{}` when it names none, `undefined` when it is not a range error. */
export function parseLedgerRangeError(code: number, message: string): LedgerRange | undefined {
  if (code !== -32600 && code !== -32602) return undefined;
  const between = BETWEEN.exec(message) ?? WITHIN.exec(message);
  if (between) return { oldestLedger: Number(between[1]), latestLedger: Number(between[2]) };
  return MENTIONS_RANGE.test(message) ? {} : undefined;
}

/** JSON-RPC errors behind a transport failure: the error itself, or every endpoint's when all answered with one. */
function responseErrors(error: unknown): RpcResponseError[] {
  if (error instanceof RpcResponseError) return [error];
  if (error instanceof RpcAllEndpointsFailedError && error.causes.length > 0) {
    const causes = error.causes.map((cause) => cause.error);
    if (causes.every((cause) => cause instanceof RpcResponseError)) return causes as RpcResponseError[];
  }
  return [];
}

/**
 * Turns a transport failure about `ledger` into `StellarLedgerNotFoundError` (ledger after every endpoint's latest:
 * not closed yet, retryable) or `StellarOutsideRetentionError` (before the window: recoverable only by a decision),
 * when every endpoint answered with a range error. Anything else is returned unchanged.
 */
export function mapLedgerRangeError(method: string, error: unknown, ledger: number): unknown {
  const responses = responseErrors(error);
  if (responses.length === 0) return error;
  const ranges: LedgerRange[] = [];
  for (const response of responses) {
    const range = parseLedgerRangeError(response.rpcCode, response.rpcMessage);
    if (range === undefined) return error;
    ranges.push(range);
  }
  const oldest = ranges.flatMap((r) => (r.oldestLedger === undefined ? [] : [r.oldestLedger]));
  const latest = ranges.flatMap((r) => (r.latestLedger === undefined ? [] : [r.latestLedger]));
  const oldestLedger = oldest.length > 0 ? Math.min(...oldest) : undefined;
  const latestLedger = latest.length > 0 ? Math.max(...latest) : undefined;
  const rpcMessage = (responses[0] as RpcResponseError).rpcMessage;
  if (latestLedger !== undefined && ledger > latestLedger) {
    return new StellarLedgerNotFoundError(
      ledger,
      `the RPC's latest ledger is ${latestLedger} (${method} said: ${rpcMessage})`,
      latestLedger,
      error,
    );
  }
  return new StellarOutsideRetentionError({ method, ledger, oldestLedger, latestLedger, rpcMessage, cause: error });
}
