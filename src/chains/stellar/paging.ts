import type { StellarRpcEvent, StellarRpcLedger, StellarRpcTransaction } from "../../engine/stellar-ledger.js";
import {
  StellarInvalidArgumentError,
  StellarLedgerNotFoundError,
  StellarMalformedResponseError,
  StellarOutsideRetentionError,
  StellarPagingLimitError,
} from "./errors.js";
import {
  assertLedgerSequence,
  getEvents,
  getLedgers,
  getTransactions,
  type StellarClient,
  type StellarEventFilter,
  type StellarRequestOptions,
} from "./rpc.js";

/**
 * Cursor paging over ledger ranges. Cursors are followed only; a page never ends a read just because it is empty
 * (Stellar-RPC returns empty pages with an advanced cursor when its scan window held nothing, OZ #265). A read ends
 * when an item past the range appears, the cursor is absent, the cursor did not advance, or the cursor points past
 * the range. A ledger the RPC no longer has is an error, never a silent gap (OZ #242).
 *
 * Stellar-RPC cursors are TOIDs (`ledger << 32 | tx << 12 | op`) as decimal strings for ledgers and transactions, and
 * `<19-digit TOID>-<10-digit index>` for events; both order numerically, which "advanced" relies on. Other cursor
 * formats are treated as opaque: any change counts as progress.
 */

const EVENT_ID = /^(\d+)-(\d+)$/;
const DIGITS = /^\d+$/;

function cursorKey(cursor: string): [bigint, bigint] | undefined {
  if (DIGITS.test(cursor)) return [BigInt(cursor), 0n];
  const event = EVENT_ID.exec(cursor);
  return event ? [BigInt(event[1] as string), BigInt(event[2] as string)] : undefined;
}

/** Whether `next` is past `previous`: numerically for TOID and event-id cursors, by inequality otherwise. */
export function cursorAdvanced(previous: string | undefined, next: string): boolean {
  if (previous === undefined) return true;
  if (previous === next) return false;
  const a = cursorKey(previous);
  const b = cursorKey(next);
  if (a === undefined || b === undefined || DIGITS.test(previous) !== DIGITS.test(next)) return true;
  return b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]);
}

/** The ledger a TOID or event-id cursor points into, when it reads as one. */
export function cursorLedger(cursor: string): number | undefined {
  const key = cursorKey(cursor);
  if (key === undefined || key[0] < 1n << 32n) return undefined;
  const ledger = key[0] >> 32n;
  return ledger <= 0xffffffffn ? Number(ledger) : undefined;
}

/** A cursor strictly before every transaction (or event) cursor of `ledger`: the TOID before `ledger << 32`. */
function ledgerStartCursor(ledger: number, events: boolean): string {
  const toid = ((BigInt(ledger) << 32n) - 1n).toString();
  return events ? `${toid.padStart(19, "0")}-9999999999` : toid;
}

function assertRange(from: number, to: number): void {
  assertLedgerSequence(from, "from");
  assertLedgerSequence(to, "to");
  if (to < from) throw new StellarInvalidArgumentError(`The ledger range ends (${to}) before it starts (${from}).`);
}

export interface PagedReadOptions extends StellarRequestOptions {
  /**
   * Keep only items of the range and stop at the first item past it (the normal mode). `false` takes every item the
   * RPC returns until the cursor runs out, whatever its `ledger`: OZ's conformance fake serves all fixture
   * transactions for the ledger under test.
   * @default true
   */
  filterByLedger?: boolean;
}

/**
 * Ledgers `from`…`to`, contiguous and in order. The first page asks for `startLedger: from`, later pages follow the
 * cursor; page sizes never exceed what is still needed or `STELLAR_PAGE_CAPS.ledgers`.
 *
 * @throws StellarLedgerNotFoundError when the RPC does not have a ledger of the range (yet).
 * @throws StellarOutsideRetentionError when `from` is older than the RPC keeps.
 */
export async function getLedgerRange(
  client: StellarClient,
  from: number,
  to: number,
  options: StellarRequestOptions = {},
): Promise<StellarRpcLedger[]> {
  assertRange(from, to);
  const ledgers: StellarRpcLedger[] = [];
  let next = from;
  let cursor: string | undefined;
  for (let pages = 0; next <= to; pages++) {
    if (pages >= client.maxPages) throw new StellarPagingLimitError("getLedgers", pages);
    const limit = Math.min(client.pageLimits.ledgers, to - next + 1);
    const page = await getLedgers(
      client,
      cursor === undefined ? { startLedger: from } : { cursor },
      { limit, ledger: next },
      options,
    );
    for (const [i, ledger] of page.ledgers.entries()) {
      if (next > to) break;
      if (ledger.sequence < next) {
        throw new StellarMalformedResponseError(
          "getLedgers",
          `ledger ${ledger.sequence} came after ledger ${next - 1} (out of order or repeated)`,
          ["ledgers", i, "sequence"],
        );
      }
      if (ledger.sequence > next) {
        throw new StellarLedgerNotFoundError(
          next,
          `getLedgers skipped it (returned ledger ${ledger.sequence} instead)`,
        );
      }
      ledgers.push(ledger);
      next++;
    }
    if (next > to) break;
    if (page.cursor === undefined || !cursorAdvanced(cursor, page.cursor)) {
      if (page.oldestLedger > next) {
        throw new StellarOutsideRetentionError({
          method: "getLedgers",
          ledger: next,
          oldestLedger: page.oldestLedger,
          latestLedger: page.latestLedger,
          rpcMessage: `its oldest ledger is now ${page.oldestLedger}`,
        });
      }
      throw new StellarLedgerNotFoundError(
        next,
        page.latestLedger < next
          ? `the RPC's latest ledger is ${page.latestLedger}`
          : "getLedgers returned no further ledger and no cursor to continue",
        page.latestLedger,
      );
    }
    cursor = page.cursor;
  }
  return ledgers;
}

interface PagedItem {
  ledger: number;
}

interface Page<T> {
  items: T[];
  oldestLedger: number | undefined;
  latestLedger: number;
  cursor: string | undefined;
}

async function pagedByLedger<T extends PagedItem>(
  client: StellarClient,
  method: "getTransactions" | "getEvents",
  from: number,
  to: number,
  options: PagedReadOptions,
  /** `ledger` is the ledger the read has reached, named in range errors. */
  fetchPage: (start: { startLedger: number } | { cursor: string }, ledger: number) => Promise<Page<T>>,
): Promise<T[]> {
  assertRange(from, to);
  const strict = options.filterByLedger !== false;
  const items: T[] = [];
  let position = from;
  // In strict mode a first page whose cursor does not point past the range start holds nothing more to follow.
  let cursor: string | undefined = strict ? ledgerStartCursor(from, method === "getEvents") : undefined;
  let first = true;
  for (let pages = 0; ; pages++) {
    if (pages >= client.maxPages) throw new StellarPagingLimitError(method, pages);
    const page = await fetchPage(first ? { startLedger: from } : { cursor: cursor as string }, position);
    first = false;
    if (strict && page.oldestLedger !== undefined && page.oldestLedger > position) {
      throw new StellarOutsideRetentionError({
        method,
        ledger: position,
        oldestLedger: page.oldestLedger,
        latestLedger: page.latestLedger,
        rpcMessage: `its oldest ledger is now ${page.oldestLedger}`,
      });
    }
    let done = false;
    for (const [i, item] of page.items.entries()) {
      if (strict) {
        if (item.ledger > to) {
          done = true;
          break;
        }
        if (item.ledger < position) {
          throw new StellarMalformedResponseError(
            method,
            `an item of ledger ${item.ledger} came after ledger ${position} (asked from ledger ${from})`,
            [method === "getEvents" ? "events" : "transactions", i, "ledger"],
          );
        }
        position = item.ledger;
      }
      items.push(item);
    }
    if (done || page.cursor === undefined || !cursorAdvanced(cursor, page.cursor)) break;
    if (strict) {
      const at = cursorLedger(page.cursor);
      if (at !== undefined && at > to) break;
    }
    cursor = page.cursor;
  }
  return items;
}

/**
 * The transactions of ledgers `from`…`to` in RPC order: `startLedger: from`, then cursor pages of
 * `client.pageLimits.transactions` (≤ 200), stopping at the first transaction of a later ledger.
 *
 * @throws StellarOutsideRetentionError when a ledger of the range is (or falls) outside the RPC's window.
 */
export async function getTransactionsInRange(
  client: StellarClient,
  from: number,
  to: number,
  options: PagedReadOptions = {},
): Promise<StellarRpcTransaction[]> {
  return pagedByLedger(client, "getTransactions", from, to, options, async (start, ledger) => {
    const page = await getTransactions(client, start, { ledger }, options);
    return { ...page, items: page.transactions };
  });
}

export interface EventsReadOptions extends PagedReadOptions {
  /** @default [{ type: "contract" }] */
  filters?: readonly StellarEventFilter[];
}

/**
 * The events of ledgers `from`…`to` in event-id order: `startLedger: from` with `filters` (contract events by
 * default), then cursor pages of `client.pageLimits.events` (≤ 10,000), stopping at the first event of a later
 * ledger or a cursor past the range. Empty pages with an advancing cursor are followed.
 */
export async function getEventsInRange(
  client: StellarClient,
  from: number,
  to: number,
  options: EventsReadOptions = {},
): Promise<StellarRpcEvent[]> {
  return pagedByLedger(client, "getEvents", from, to, options, async (start, ledger) => {
    const page = await getEvents(client, start, { ledger, filters: options.filters }, options);
    return { ...page, items: page.events };
  });
}
