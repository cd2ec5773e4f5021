import { describe, expect, it } from "vitest";
import * as stellar from "../../../../src/chains/stellar/index.js";

describe("chains/stellar public surface", () => {
  it("exports exactly these names", () => {
    expect(Object.keys(stellar).sort()).toMatchInlineSnapshot(`
      [
        "CONTRACT_SPEC_SECTION",
        "STELLAR_DEFAULT_CONFIRMATIONS",
        "STELLAR_PAGE_CAPS",
        "StellarContractSpecError",
        "StellarInconsistentLedgerError",
        "StellarInvalidArgumentError",
        "StellarLedgerNotFoundError",
        "StellarMalformedResponseError",
        "StellarOutsideRetentionError",
        "StellarPagingLimitError",
        "StellarXdrError",
        "WasmSectionError",
        "assembleStellarLedger",
        "buildContractSpecWasm",
        "contractCodeLedgerKey",
        "contractInstanceLedgerKey",
        "contractSpecFromXdr",
        "contractSpecToXdr",
        "createStellarClient",
        "cursorAdvanced",
        "cursorLedger",
        "decodeStellarEvent",
        "decodeStellarTransaction",
        "fetchContractSpec",
        "fetchStellarLedger",
        "fetchStellarLedgers",
        "getEvents",
        "getEventsInRange",
        "getLatestLedger",
        "getLedgerEntries",
        "getLedgerRange",
        "getLedgers",
        "getNetwork",
        "getTransactions",
        "getTransactionsInRange",
        "ledgerTransactionCount",
        "parseContractSpecWasm",
        "parseLedgerRangeError",
        "scValueFromXdr",
        "xdrFromJson",
        "xdrToJson",
      ]
    `);
  });
});
