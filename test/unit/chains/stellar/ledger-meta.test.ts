import { describe, expect, it } from "vitest";
import { ledgerTransactionCount } from "../../../../src/chains/stellar/index.js";
import { loadStellarFixtures } from "../../../support/stellar-fixture-rpc.js";

describe("ledgerTransactionCount()", () => {
  it("reads how many transactions a recorded ledger applied from its close meta", () => {
    const { ledgers } = loadStellarFixtures();
    expect(ledgers.map((ledger) => [ledger.sequence, ledgerTransactionCount(ledger)])).toEqual([
      [172627, 5],
      [172628, 1],
      [808663, 3],
    ]);
  });

  it("is undefined for absent or unreadable metadata", () => {
    expect(ledgerTransactionCount({ metadataXdr: "" })).toBeUndefined();
    expect(ledgerTransactionCount({ metadataXdr: "not base64 xdr" })).toBeUndefined();
  });
});
