import { describe, expect, it } from "vitest";
import { createRpcTransport, RpcAllEndpointsFailedError } from "../../../../src/chains/rpc/index.js";
import {
  createStellarClient,
  fetchStellarLedger,
  fetchStellarLedgers,
  StellarLedgerNotFoundError,
  StellarMalformedResponseError,
  StellarOutsideRetentionError,
  StellarPagingLimitError,
  StellarXdrError,
} from "../../../../src/chains/stellar/index.js";
import type { StellarLedger, StellarRpcTransaction } from "../../../../src/engine/stellar-ledger.js";
import { buildSyntheticStellarLedger, fakeContract } from "../../../support/stellar-fixture-rpc.js";
import { pagination, rejection, setup, startServer } from "./support.js";

const TX_317598 = ["7723ef4c", "5dc68f8a", "9e58b4f3", "5a7bf196", "2c89fc33"];
const EVENTS_317598 = ["0001364073023291392-0000000001", "0001364073023295488-0000000001"];

function summary(ledger: StellarLedger): { txs: string[]; events: string[] } {
  return { txs: ledger.transactions.map((t) => t.hash.slice(0, 8)), events: ledger.events.map((e) => e.id) };
}

describe("fetchStellarLedger() against a Stellar-RPC test server", () => {
  it("fetches ledger 317598 with its 5 transactions in application order and its 2 contract events", async () => {
    const { rpc, client } = await setup();
    const ledger = await fetchStellarLedger(client, 317598);

    expect(ledger.chain).toBe("Stellar");
    expect(ledger.sequence).toBe(317598);
    expect(summary(ledger)).toEqual({ txs: TX_317598, events: EVENTS_317598 });
    expect(ledger.transactions.map((t) => t.applicationOrder)).toEqual([1, 2, 3, 4, 5]);
    expect(ledger.transactions[4]?.invocations[0]?.function).toBe("transfer");
    expect(ledger.events[1]?.value).toEqual({ type: "i128", value: "2240" });
    // Fields the client does not read are kept verbatim.
    expect(ledger.transactions[3]?.rpc.diagnosticEventsXdr).toHaveLength(22);
    expect(ledger.transactions[3]?.rpc.diagnosticEventsXdr).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AAAA/)]),
    );

    expect(pagination(rpc, "getLedgers")).toEqual([{ startLedger: 317598, cursor: undefined, limit: 1 }]);
    expect(pagination(rpc, "getTransactions")).toEqual([{ startLedger: 317598, cursor: undefined, limit: 200 }]);
    expect(pagination(rpc, "getEvents")).toEqual([{ startLedger: 317598, cursor: undefined, limit: 200 }]);
    expect((rpc.callsOf("getEvents")[0] as { filters: unknown }).filters).toEqual([{ type: "contract" }]);
  });

  it("fetches a recorded ledger (808663) with its real header", async () => {
    const { client } = await setup();
    const ledger = await fetchStellarLedger(client, 808663);
    expect(ledger.hash).toBe("b4d3115b00576098fcc0acf5b5ab20c28e0c89455edc5ec52eacc1a61a201c06");
    expect(ledger.closeTime).toBe(1746452647);
    expect(ledger.previousHash?.slice(0, 8)).toBe("457c6c64");
    expect(summary(ledger).txs).toEqual(["2c89fc33", "80fec04b"]);
    expect(ledger.ledger.metadataXdr).toMatch(/^AAAAAQ/);
  });

  it("conformance mode: all 29 fixture transactions and both events for ledger 172627", async () => {
    const { client } = await setup({ mode: "conformance", pageSize: { transactions: 7 } });
    const ledger = await fetchStellarLedger(client, 172627, { filterByLedger: false });
    expect(ledger.hash).toBe("40f8b17b5aae8c09e034dea3ba4e0553359544bb5662ad63e897eb587b59ae06");
    expect(ledger.transactions).toHaveLength(29);
    expect(ledger.events).toHaveLength(2);
    expect(ledger.transactions.map((t) => t.hash)).toEqual(
      (await import("../../../support/stellar-fixture-rpc.js")).loadStellarFixtures().transactions.map((t) => t.txHash),
    );
    expect(ledger.transactions[0]?.ledger).toBe(317598);
  });

  it("follows cursors across empty pages and tiny pages to the same result", async () => {
    const { rpc, client } = await setup({
      pageSize: { transactions: 1, events: 1 },
      emptyPages: { transactions: 3, events: 3 },
      eventScanWindow: 1,
    });
    const ledger = await fetchStellarLedger(client, 317598);
    expect(summary(ledger)).toEqual({ txs: TX_317598, events: EVENTS_317598 });

    const txPages = pagination(rpc, "getTransactions");
    expect(txPages.slice(0, 4).map((p) => p.cursor)).toEqual([
      undefined,
      "1364073023275009",
      "1364073023275010",
      "1364073023275011",
    ]);
    expect(txPages).toHaveLength(3 + 5 + 1); // 3 empty pages, one per transaction, one that shows the next ledger
    expect(txPages.slice(1).every((p) => p.startLedger === undefined)).toBe(true);
    expect(pagination(rpc, "getEvents").length).toBeGreaterThanOrEqual(3 + 2);
  });

  it("keeps following an empty events page whose cursor advanced within the range (OZ #265)", async () => {
    const { rpc, client } = await setup({ eventScanWindow: 1, pageSize: { events: 1 } });
    const [first, last] = await fetchStellarLedgers(client, 317597, 317598);
    expect(first?.events).toEqual([]);
    expect(summary(last as StellarLedger).events).toEqual(EVENTS_317598);
    const pages = pagination(rpc, "getEvents");
    expect(pages[0]).toEqual({ startLedger: 317597, cursor: undefined, limit: 200 });
    expect(pages[1]?.cursor).toBe("0001364073023275008-0000000000"); // the empty window 317597 ended here
  });

  it("never asks for more than the page caps (200 ledgers, 200 transactions, 10,000 events)", async () => {
    const { rpc, client } = await setup({}, { pageLimits: { ledgers: 5000, transactions: 1000, events: 50_000 } });
    const range = await fetchStellarLedgers(client, 777822, 777826);
    expect(range.map((l) => [l.sequence, l.transactions.length])).toEqual([
      [777822, 2],
      [777823, 4],
      [777824, 2],
      [777825, 5],
      [777826, 4],
    ]);
    expect(pagination(rpc, "getLedgers")[0]?.limit).toBe(5);
    expect(pagination(rpc, "getTransactions").every((p) => (p.limit as number) <= 200)).toBe(true);
    expect(pagination(rpc, "getEvents").every((p) => (p.limit as number) === 10_000)).toBe(true);
  });

  it("pages a 450-transaction ledger in pages of 200", async () => {
    const synthetic = buildSyntheticStellarLedger({
      sequence: 60_000_000,
      txCount: 450,
      contractId: fakeContract("t"),
    });
    const { rpc, client } = await setup();
    rpc.addData({ ledgers: [synthetic.ledger], transactions: synthetic.transactions, events: synthetic.events });
    const ledger = await fetchStellarLedger(client, 60_000_000);
    expect(ledger.transactions).toHaveLength(450);
    expect(ledger.events).toHaveLength(225);
    expect(ledger.transactions.map((t) => t.applicationOrder)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    // The last page is short; one more call (answered empty, cursor "0") ends the read: a short page alone does not,
    // as a provider may cap pages below the limit asked for.
    expect(pagination(rpc, "getTransactions").map((p) => p.limit)).toEqual([200, 200, 200, 200]);
    expect(pagination(rpc, "getEvents").map((p) => p.limit)).toEqual([200, 200]);
  });

  it("fetches a range of ledgers as several pages of getLedgers", async () => {
    const { rpc, client } = await setup({}, { pageLimits: { ledgers: 2 } });
    const range = await fetchStellarLedgers(client, 317596, 317600);
    expect(range.map((l) => l.sequence)).toEqual([317596, 317597, 317598, 317599, 317600]);
    expect(pagination(rpc, "getLedgers")).toEqual([
      { startLedger: 317596, cursor: undefined, limit: 2 },
      { startLedger: undefined, cursor: "317597", limit: 2 },
      { startLedger: undefined, cursor: "317599", limit: 1 },
    ]);
    expect(range[2]?.transactions).toHaveLength(5);
  });
});

describe("fetchStellarLedger() and the retention window", () => {
  it("a ledger below the window → STELLAR_OUTSIDE_RETENTION naming the window", async () => {
    const { rpc, client } = await setup({ retention: { oldestLedger: 317000, latestLedger: 320000 } });
    const error = await rejection(fetchStellarLedger(client, 172627));
    expect(error).toBeInstanceOf(StellarOutsideRetentionError);
    expect(error).toMatchObject({
      code: "STELLAR_OUTSIDE_RETENTION",
      ledger: 172627,
      oldestLedger: 317000,
      latestLedger: 320000,
      retryable: false,
      recoverable: true,
    });
    expect((error as Error).message).toContain(
      "startLedger must be between the oldest ledger: 317000 and the latest ledger: 320000 for this rpc instance.",
    );
    expect(rpc.callsOf("getTransactions")).toEqual([]);
  });

  it("a ledger above the latest → STELLAR_LEDGER_NOT_FOUND (retryable)", async () => {
    const { client } = await setup({ retention: { oldestLedger: 317000, latestLedger: 320000 } });
    const error = await rejection(fetchStellarLedger(client, 320001));
    expect(error).toBeInstanceOf(StellarLedgerNotFoundError);
    expect(error).toMatchObject({ ledger: 320001, latestLedger: 320000, retryable: true });
  });

  it("a ledger that falls out of the window between calls is an error, not a silent gap (OZ #242)", async () => {
    const { rpc, client } = await setup({ pageSize: { transactions: 2 } });
    let pages = 0;
    rpc.setTransform((method, result) => {
      if (method === "getTransactions" && ++pages === 1) rpc.setRetention({ oldestLedger: 317599 });
      return result;
    });
    const error = await rejection(fetchStellarLedger(client, 317598));
    expect(error).toBeInstanceOf(StellarOutsideRetentionError);
    expect(error).toMatchObject({ ledger: 317598, oldestLedger: 317599 });
  });

  it("a page that reports an oldest ledger past the read's position is an error too", async () => {
    const { rpc, client } = await setup();
    rpc.setTransform((method, result) =>
      method === "getEvents" ? { ...(result as object), oldestLedger: 317599 } : result,
    );
    const error = await rejection(fetchStellarLedger(client, 317598));
    expect(error).toMatchObject({ code: "STELLAR_OUTSIDE_RETENTION", method: "getEvents", oldestLedger: 317599 });
  });

  it("an endpoint with a longer retention answers when the primary's window is too short", async () => {
    const short = await startServer({ retention: { oldestLedger: 700000 } });
    const long = await startServer();
    const transport = createRpcTransport({
      endpoints: [
        { url: short.url, weight: 100 },
        { url: long.url, weight: 50 },
      ],
      retry: { retries: 0 },
    });
    try {
      const ledger = await fetchStellarLedger(createStellarClient({ transport }), 317598);
      expect(summary(ledger).txs).toEqual(TX_317598);
      expect(short.callsOf("getLedgers")).toHaveLength(1);
    } finally {
      transport.close();
    }
  });
});

describe("fetchStellarLedger() with a failing or misbehaving RPC", () => {
  it("rotates to the fallback endpoint when the primary fails (chains/rpc transport)", async () => {
    const primary = await startServer();
    const fallback = await startServer();
    primary.setFault({ kind: "http", status: 503 });
    const events: string[] = [];
    const transport = createRpcTransport({
      endpoints: [
        { url: primary.url, weight: 100 },
        { url: fallback.url, weight: 10 },
      ],
      retry: { retries: 0 },
      onEvent: (event) => {
        if (event.type === "rotate") events.push(`${event.method}:${event.reason}`);
      },
    });
    try {
      const ledger = await fetchStellarLedger(createStellarClient({ transport }), 317598);
      expect(summary(ledger)).toEqual({ txs: TX_317598, events: EVENTS_317598 });
      expect(events[0]).toBe("getLedgers:http_error");
      expect(fallback.callsOf("getTransactions").length).toBeGreaterThan(0);
    } finally {
      transport.close();
    }
  });

  it("surfaces garbage bodies as transport errors, after retries", async () => {
    const { rpc, client } = await setup();
    rpc.setFault({ kind: "garbage" }, { methods: ["getTransactions"] });
    const error = await rejection(fetchStellarLedger(client, 317598));
    expect(error).toBeInstanceOf(RpcAllEndpointsFailedError);
    expect((error as RpcAllEndpointsFailedError).causes[0]?.error.code).toBe("RPC_MALFORMED_RESPONSE");
  });

  it("a result of the wrong shape → STELLAR_MALFORMED_RESPONSE with the field path", async () => {
    const { rpc, client } = await setup();
    rpc.setTransform((method, result) => {
      if (method !== "getTransactions") return result;
      const page = result as { transactions: Array<Record<string, unknown>> };
      const [first, ...rest] = page.transactions;
      return { ...page, transactions: [{ ...first, applicationOrder: "one" }, ...rest] };
    });
    const error = await rejection(fetchStellarLedger(client, 317598));
    expect(error).toBeInstanceOf(StellarMalformedResponseError);
    expect(error).toMatchObject({
      code: "STELLAR_MALFORMED_RESPONSE",
      path: ["transactions", 0, "applicationOrder"],
    });
    rpc.setTransform(undefined);
    rpc.setFault({ kind: "result", result: { ledgers: "none" } }, { methods: ["getLedgers"] });
    expect(await rejection(fetchStellarLedger(client, 317598))).toMatchObject({ path: ["ledgers"] });
  });

  it("malformed XDR in one transaction → STELLAR_XDR_INVALID naming the transaction and the field", async () => {
    const { rpc, client } = await setup();
    rpc.setTransform((method, result) => {
      if (method !== "getTransactions") return result;
      const page = result as { transactions: StellarRpcTransaction[] };
      return {
        ...page,
        transactions: page.transactions.map((tx, i) => (i === 3 ? { ...tx, envelopeXdr: "AAAAAgAAAA==" } : tx)),
      };
    });
    const error = await rejection(fetchStellarLedger(client, 317598));
    expect(error).toBeInstanceOf(StellarXdrError);
    expect(error).toMatchObject({
      code: "STELLAR_XDR_INVALID",
      path: ["transactions", 3, "envelopeXdr"],
      txHash: "5a7bf196f1db3ab56089de59985bbf5a6c3e0e6a4672cd91e01680b0fff260d8",
    });
  });

  it("stops when the cursor is absent or does not advance, without looping", async () => {
    const ledger = 777823; // four failed payments, application orders 1…4, no events
    const afterSecond = ((BigInt(ledger) << 32n) | (2n << 12n)).toString();
    const { rpc, client } = await setup({ pageSize: { transactions: 2 } });
    rpc.setTransform((method, result) =>
      method === "getTransactions" ? { ...(result as object), cursor: afterSecond } : result,
    );
    // Page 1: 2 txs, cursor X. Page 2 from X: 2 more, cursor X again (no progress) → stop instead of asking forever.
    expect((await fetchStellarLedger(client, ledger)).transactions).toHaveLength(4);
    expect(rpc.callsOf("getTransactions")).toHaveLength(2);

    rpc.resetLog();
    rpc.setTransform((method, result) => {
      if (method !== "getTransactions") return result;
      const { cursor: _cursor, ...rest } = result as Record<string, unknown>;
      return rest;
    });
    expect((await fetchStellarLedger(client, ledger)).transactions).toHaveLength(2);
    expect(rpc.callsOf("getTransactions")).toHaveLength(1);
  });

  it("fails with STELLAR_PAGING_LIMIT when a server keeps advancing its cursor without end", async () => {
    const { client } = await setup({ emptyPages: { transactions: 1000 } }, { maxPages: 5 });
    const error = await rejection(fetchStellarLedger(client, 317598));
    expect(error).toBeInstanceOf(StellarPagingLimitError);
    expect(error).toMatchObject({ code: "STELLAR_PAGING_LIMIT" });
  });

  it("rejects with the abort reason when the caller aborts, leaving no request running", async () => {
    const { rpc, client } = await setup();
    rpc.setFault({ kind: "hang" }, { methods: ["getEvents"] });
    const controller = new AbortController();
    const pending = fetchStellarLedger(client, 317598, { signal: controller.signal });
    const deadline = Date.now() + 2_000;
    while (rpc.callsOf("getEvents").length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    controller.abort(new Error("shutting down"));
    expect(await rejection(pending)).toEqual(new Error("shutting down"));
  });

  it("rejects a range that ends before it starts, and filterByLedger: false over a range", async () => {
    const { client } = await setup();
    expect(await rejection(fetchStellarLedgers(client, 10, 9))).toMatchObject({ code: "STELLAR_INVALID_ARGUMENT" });
    expect(await rejection(fetchStellarLedgers(client, 9, 10, { filterByLedger: false }))).toMatchObject({
      code: "STELLAR_INVALID_ARGUMENT",
    });
    expect(await rejection(fetchStellarLedger(client, 0))).toMatchObject({ code: "STELLAR_INVALID_ARGUMENT" });
  });
});
