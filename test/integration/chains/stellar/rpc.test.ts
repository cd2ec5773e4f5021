import { describe, expect, it } from "vitest";
import {
  getEvents,
  getLatestLedger,
  getLedgerEntries,
  getLedgers,
  getNetwork,
  getTransactions,
  StellarMalformedResponseError,
} from "../../../../src/chains/stellar/index.js";
import { loadStellarFixtures } from "../../../support/stellar-fixture-rpc.js";
import { rejection, setup } from "./support.js";

const fixtures = loadStellarFixtures();

describe("Stellar-RPC wire wrappers", () => {
  it("getNetwork() returns the passphrase and protocol version", async () => {
    const { client } = await setup({
      passphrase: "Public Global Stellar Network ; September 2015",
      friendbotUrl: null,
    });
    expect(await getNetwork(client)).toEqual({
      passphrase: "Public Global Stellar Network ; September 2015",
      protocolVersion: 22,
    });
  });

  it("getLatestLedger() returns the head of the retention window", async () => {
    const { rpc, client } = await setup({ retention: { latestLedger: 808663 } });
    expect(await getLatestLedger(client)).toEqual({
      id: "b4d3115b00576098fcc0acf5b5ab20c28e0c89455edc5ec52eacc1a61a201c06",
      protocolVersion: 22,
      sequence: 808663,
    });
    expect(rpc.window).toEqual({ oldestLedger: 172627, latestLedger: 808663 });
  });

  it("getLedgers() returns recorded ledgers as received, with the window and the cursor", async () => {
    const { client } = await setup();
    const page = await getLedgers(client, { startLedger: 172627 }, { limit: 2 });
    expect(page.ledgers).toEqual(fixtures.ledgers.slice(0, 2));
    expect(page).toMatchObject({ oldestLedger: 172627, latestLedger: 56962889, cursor: "172628" });
    expect(typeof page.latestLedgerCloseTime).toBe("number");
  });

  it("getTransactions() and getEvents() send cursors without a start ledger", async () => {
    const { rpc, client } = await setup();
    const first = await getTransactions(client, { startLedger: 317598 }, { limit: 3 });
    expect(first.transactions.map((t) => t.applicationOrder)).toEqual([1, 2, 3]);
    const second = await getTransactions(client, { cursor: first.cursor as string }, { limit: 3 });
    expect(second.transactions.map((t) => t.applicationOrder)).toEqual([4, 5, 2]);
    expect(rpc.callsOf("getTransactions")[1]).toEqual({ pagination: { cursor: first.cursor, limit: 3 } });

    const events = await getEvents(
      client,
      { startLedger: 317598 },
      { filters: [{ type: "contract", contractIds: [fixtures.events[1]?.contractId as string] }] },
    );
    expect(events.events.map((e) => e.id)).toEqual([fixtures.events[1]?.id]);
    expect(events.oldestLedger).toBe(172627);
  });

  it("the test server refuses what Stellar-RPC refuses: a start ledger with a cursor, a limit over the cap", async () => {
    const { client, transport } = await setup();
    const both = await rejection(
      transport.request("getTransactions", { startLedger: 317598, pagination: { cursor: "1", limit: 1 } }),
    );
    expect(String(both)).toContain("startLedger and cursor cannot both be set");
    const over = await rejection(
      transport.request("getEvents", { startLedger: 317598, pagination: { limit: 10_001 } }),
    );
    expect(String(over)).toContain("limit must not exceed 10000");
    // The wrappers cap limits themselves, so the same request through them succeeds.
    expect((await getEvents(client, { startLedger: 317598 }, { limit: 10_001 })).events.length).toBeGreaterThan(0);
  });

  it("getLedgerEntries() omits keys the RPC does not have and needs at least one key", async () => {
    const { client } = await setup();
    expect(
      (await getLedgerEntries(client, ["AAAABgAAAAHpU7yuKsdn+5P+ok+y3PGL9gnbJo6anq4IjpyOCGlyAAAAABQAAAAB"])).entries,
    ).toEqual([]);
    expect(await rejection(getLedgerEntries(client, []))).toMatchObject({ code: "STELLAR_INVALID_ARGUMENT" });
  });

  it("a 200 answer of the wrong shape is a STELLAR_MALFORMED_RESPONSE", async () => {
    const { rpc, client } = await setup();
    rpc.setFault({ kind: "result", result: { sequence: "latest" } }, { methods: ["getLatestLedger"] });
    const error = await rejection(getLatestLedger(client));
    expect(error).toBeInstanceOf(StellarMalformedResponseError);
    expect((error as Error).message).toMatchInlineSnapshot(
      `"Stellar RPC getLatestLedger returned an unexpected value at $.id: expected a non-empty string, got nothing"`,
    );
  });
});
