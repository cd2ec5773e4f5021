import type { StellarLedger, StellarRpcEvent, StellarRpcTransaction } from "../../engine/stellar-ledger.js";
import { assembleStellarLedger } from "./assemble-ledger.js";
import { StellarInvalidArgumentError } from "./errors.js";
import { getEventsInRange, getLedgerRange, getTransactionsInRange, type PagedReadOptions } from "./paging.js";
import type { StellarClient } from "./rpc.js";

export interface FetchStellarLedgerOptions extends PagedReadOptions {}

/**
 * Fetches ledger `sequence` with its transactions and contract events, decoded (see `assembleStellarLedger`).
 *
 * Calls: `getLedgers {startLedger, limit 1}`, then `getTransactions` and `getEvents {filters:[{type:"contract"}]}`
 * from that ledger (in parallel), each following cursors until an item of a later ledger appears.
 *
 * @throws StellarLedgerNotFoundError when the RPC does not have the ledger yet (retryable).
 * @throws StellarOutsideRetentionError when the ledger is, or falls during the fetch, outside the RPC's retention
 *   window (not retryable as is; skip knowingly or add an archive endpoint).
 * @throws StellarXdrError, StellarMalformedResponseError, StellarInconsistentLedgerError; transport errors as
 *   `chains/rpc` raises them.
 *
 * @example
 * const ledger = await fetchStellarLedger(client, 172627, { signal });
 */
export async function fetchStellarLedger(
  client: StellarClient,
  sequence: number,
  options: FetchStellarLedgerOptions = {},
): Promise<StellarLedger> {
  const [ledger] = await fetchStellarLedgers(client, sequence, sequence, options);
  return ledger as StellarLedger;
}

/**
 * Fetches ledgers `from`…`to` (catch-up): one paged read per method for the whole range instead of three calls per
 * ledger. Same errors as `fetchStellarLedger`; the first failing ledger fails the whole range.
 */
export async function fetchStellarLedgers(
  client: StellarClient,
  from: number,
  to: number,
  options: FetchStellarLedgerOptions = {},
): Promise<StellarLedger[]> {
  const strict = options.filterByLedger !== false;
  if (!strict && from !== to) {
    throw new StellarInvalidArgumentError("filterByLedger: false only applies to a single ledger (from === to).");
  }
  const ledgers = await getLedgerRange(client, from, to, options);
  const [transactions, events] = await bothOrNeither(options.signal, (signal) => [
    getTransactionsInRange(client, from, to, { ...options, signal }),
    getEventsInRange(client, from, to, { ...options, signal }),
  ]);
  if (!strict) {
    return ledgers.map((ledger) => assembleStellarLedger(ledger, transactions, events, { strict: false }));
  }
  const txsByLedger = groupByLedger(transactions);
  const eventsByLedger = groupByLedger(events);
  return ledgers.map((ledger) =>
    assembleStellarLedger(ledger, txsByLedger.get(ledger.sequence) ?? [], eventsByLedger.get(ledger.sequence) ?? []),
  );
}

function groupByLedger<T extends StellarRpcTransaction | StellarRpcEvent>(items: readonly T[]): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const group = groups.get(item.ledger);
    if (group) group.push(item);
    else groups.set(item.ledger, [item]);
  }
  return groups;
}

/**
 * Runs two reads in parallel; when one fails, the other is aborted rather than left running unowned. The caller's
 * signal aborts both.
 */
async function bothOrNeither<A, B>(
  callerSignal: AbortSignal | undefined,
  start: (signal: AbortSignal) => [Promise<A>, Promise<B>],
): Promise<[A, B]> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onAbort();
  else callerSignal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await Promise.all(start(controller.signal));
  } catch (error) {
    controller.abort(error);
    throw error;
  } finally {
    callerSignal?.removeEventListener("abort", onAbort);
  }
}
