import { describe, expect, it } from "vitest";
import { RpcAllEndpointsFailedError, RpcHttpError, RpcResponseError } from "../../../../src/chains/rpc/index.js";
import {
  createStellarClient,
  cursorAdvanced,
  cursorLedger,
  parseLedgerRangeError,
  STELLAR_PAGE_CAPS,
  StellarLedgerNotFoundError,
  StellarMalformedResponseError,
  StellarOutsideRetentionError,
} from "../../../../src/chains/stellar/index.js";
import { mapLedgerRangeError } from "../../../../src/chains/stellar/range-error.js";
import {
  parseGetEvents,
  parseGetLatestLedger,
  parseGetLedgerEntries,
  parseGetLedgers,
  parseGetTransactions,
} from "../../../../src/chains/stellar/responses.js";
import { loadStellarFixtures } from "../../../support/stellar-fixture-rpc.js";

const fixtures = loadStellarFixtures();

describe("parseLedgerRangeError()", () => {
  it("reads the window from each of Stellar-RPC's range messages", () => {
    expect(
      parseLedgerRangeError(
        -32600,
        "startLedger must be between the oldest ledger: 1000 and the latest ledger: 2000 for this rpc instance.",
      ),
    ).toEqual({ oldestLedger: 1000, latestLedger: 2000 });
    expect(
      parseLedgerRangeError(
        -32600,
        "start ledger must be between the oldest ledger: 5 and the latest ledger: 9 for this rpc instance",
      ),
    ).toEqual({ oldestLedger: 5, latestLedger: 9 });
    expect(parseLedgerRangeError(-32600, "startLedger must be within the ledger range: 1000 - 2000")).toEqual({
      oldestLedger: 1000,
      latestLedger: 2000,
    });
    expect(parseLedgerRangeError(-32600, "ledger is outside the retention window")).toEqual({});
  });

  it("is not fooled by other invalid-request errors or other codes", () => {
    expect(parseLedgerRangeError(-32600, "limit must not exceed 200")).toBeUndefined();
    expect(parseLedgerRangeError(-32600, "startLedger and cursor cannot both be set")).toBeUndefined();
    expect(parseLedgerRangeError(-32000, "startLedger must be within the ledger range: 1 - 2")).toBeUndefined();
  });
});

describe("mapLedgerRangeError()", () => {
  const rangeError = (oldest: number, latest: number, endpoint = "http://a/") =>
    new RpcResponseError({
      method: "getTransactions",
      endpoint,
      code: -32600,
      message: `start ledger must be between the oldest ledger: ${oldest} and the latest ledger: ${latest} for this rpc instance`,
    });

  it("a ledger older than every endpoint's window → STELLAR_OUTSIDE_RETENTION with the window", () => {
    const error = mapLedgerRangeError(
      "getTransactions",
      new RpcAllEndpointsFailedError({
        method: "getTransactions",
        attempts: 1,
        causes: [
          { endpoint: "http://a/", error: rangeError(1000, 2000) },
          { endpoint: "http://b/", error: rangeError(900, 1990, "http://b/") },
        ],
      }),
      500,
    );
    expect(error).toBeInstanceOf(StellarOutsideRetentionError);
    expect(error).toMatchObject({
      code: "STELLAR_OUTSIDE_RETENTION",
      ledger: 500,
      oldestLedger: 900,
      latestLedger: 2000,
      retryable: false,
      recoverable: true,
    });
    expect((error as Error).message).toContain("Ledger 500 is outside the Stellar RPC's retention window");
  });

  it("a ledger after the latest → STELLAR_LEDGER_NOT_FOUND (retryable: not closed yet)", () => {
    const error = mapLedgerRangeError("getTransactions", rangeError(1000, 2000), 2001);
    expect(error).toBeInstanceOf(StellarLedgerNotFoundError);
    expect(error).toMatchObject({ code: "STELLAR_LEDGER_NOT_FOUND", retryable: true, latestLedger: 2000 });
  });

  it("leaves other failures alone, including a mix of range and transport errors", () => {
    const http = new RpcHttpError({ method: "getTransactions", endpoint: "http://b/", status: 503 });
    const mixed = new RpcAllEndpointsFailedError({
      method: "getTransactions",
      attempts: 1,
      causes: [
        { endpoint: "http://a/", error: rangeError(1000, 2000) },
        { endpoint: "http://b/", error: http },
      ],
    });
    expect(mapLedgerRangeError("getTransactions", mixed, 5)).toBe(mixed);
    expect(mapLedgerRangeError("getTransactions", http, 5)).toBe(http);
    const other = new RpcResponseError({
      method: "x",
      endpoint: "http://a/",
      code: -32600,
      message: "limit must not exceed 200",
    });
    expect(mapLedgerRangeError("getTransactions", other, 5)).toBe(other);
  });
});

describe("cursors", () => {
  it("TOID and event-id cursors advance numerically; other cursors by change", () => {
    expect(cursorAdvanced(undefined, "1")).toBe(true);
    expect(cursorAdvanced("1364073023275009", "1364073023275010")).toBe(true);
    expect(cursorAdvanced("1364073023275010", "1364073023275010")).toBe(false);
    expect(cursorAdvanced("1364073023275010", "0")).toBe(false);
    expect(cursorAdvanced("9", "10")).toBe(true);
    expect(cursorAdvanced("0001364073023291392-0000000001", "0001364073023291392-0000000002")).toBe(true);
    expect(cursorAdvanced("0001364073023291392-0000000002", "0001364073023291392-0000000001")).toBe(false);
    expect(cursorAdvanced("0001364073023291392-0000000001", "0001364073023295488-0000000000")).toBe(true);
    expect(cursorAdvanced("abc", "abd")).toBe(true);
    expect(cursorAdvanced("abc", "abc")).toBe(false);
  });

  it("reads the ledger a TOID or event-id cursor points into", () => {
    expect(cursorLedger("1364073023291392")).toBe(317598);
    expect(cursorLedger("0001364073023295488-0000000001")).toBe(317598);
    expect(cursorLedger("29")).toBeUndefined();
    expect(cursorLedger("opaque")).toBeUndefined();
  });
});

describe("createStellarClient()", () => {
  it("caps page sizes at Stellar-RPC's limits (200 ledgers, 200 transactions, 10,000 events)", () => {
    const client = createStellarClient({
      transport: {} as never,
      pageLimits: { ledgers: 1000, transactions: 201, events: 50_000 },
    });
    expect(client.pageLimits).toEqual(STELLAR_PAGE_CAPS);
    expect(STELLAR_PAGE_CAPS).toEqual({ ledgers: 200, transactions: 200, events: 10_000 });
    expect(createStellarClient({ transport: {} as never }).pageLimits).toEqual({
      ledgers: 200,
      transactions: 200,
      events: 200,
    });
    expect(() => createStellarClient({ transport: {} as never, pageLimits: { events: 0 } })).toThrowError(
      expect.objectContaining({ code: "STELLAR_INVALID_ARGUMENT" }),
    );
  });
});

function malformed(fn: () => unknown): StellarMalformedResponseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StellarMalformedResponseError);
    return error as StellarMalformedResponseError;
  }
  throw new Error("expected a StellarMalformedResponseError");
}

describe("response shape checks", () => {
  const window = {
    latestLedger: 2000,
    latestLedgerCloseTimestamp: 1,
    oldestLedger: 1000,
    oldestLedgerCloseTimestamp: 1,
  };

  it("accepts Stellar-RPC's shapes, null lists (Go nil slices) and empty cursors", () => {
    expect(
      parseGetTransactions({ transactions: fixtures.transactions, ...window, cursor: "5" }).transactions,
    ).toHaveLength(29);
    expect(parseGetTransactions({ transactions: null, ...window, cursor: "" })).toMatchObject({
      transactions: [],
      cursor: undefined,
    });
    expect(
      parseGetLedgers({
        ledgers: fixtures.ledgers,
        latestLedger: 2,
        latestLedgerCloseTime: 1,
        oldestLedger: 1,
        oldestLedgerCloseTime: "1",
        cursor: "172627",
      }).ledgers,
    ).toHaveLength(3);
    expect(parseGetEvents({ events: fixtures.events, latestLedger: 5, cursor: "x" }).oldestLedger).toBeUndefined();
    expect(parseGetLedgerEntries({ entries: null, latestLedger: 5 }).entries).toEqual([]);
    expect(parseGetLatestLedger({ id: "ab", protocolVersion: 22, sequence: 9 })).toEqual({
      id: "ab",
      protocolVersion: 22,
      sequence: 9,
    });
  });

  it("names the path of a missing or mistyped field", () => {
    const [first, ...rest] = fixtures.transactions;
    const { envelopeXdr: _dropped, ...withoutEnvelope } = first as Record<string, unknown>;
    const error = malformed(() => parseGetTransactions({ transactions: [...rest, withoutEnvelope], ...window }));
    expect(error.code).toBe("STELLAR_MALFORMED_RESPONSE");
    expect(error.path).toEqual(["transactions", 28, "envelopeXdr"]);
    expect(error.message).toBe(
      "Stellar RPC getTransactions returned an unexpected value at $.transactions[28].envelopeXdr: expected a non-empty string, got nothing",
    );
    expect(malformed(() => parseGetTransactions({ ...window })).path).toEqual(["transactions"]);
    expect(malformed(() => parseGetTransactions({ transactions: [] })).path).toEqual(["latestLedger"]);
    expect(malformed(() => parseGetTransactions("<html>")).message).toContain('expected an object, got "<html>"');
    expect(
      malformed(() =>
        parseGetLedgers({
          ledgers: [{ ...fixtures.ledgers[0], hash: "xyz" }],
          latestLedger: 1,
          latestLedgerCloseTime: 1,
          oldestLedger: 1,
          oldestLedgerCloseTime: 1,
        }),
      ).path,
    ).toEqual(["ledgers", 0, "hash"]);
    expect(
      malformed(() => parseGetEvents({ events: [{ ...fixtures.events[0], topic: ["AAAA", 5] }], latestLedger: 1 }))
        .path,
    ).toEqual(["events", 0, "topic", 1]);
    expect(malformed(() => parseGetTransactions({ transactions: [], ...window, cursor: 5 })).path).toEqual(["cursor"]);
  });
});
