import { xdr } from "@stellar/stellar-sdk";
import type { StellarRpcLedger } from "../../engine/stellar-ledger.js";

/**
 * How many transactions ledger `ledger` applied, read from its `metadataXdr` (LedgerCloseMeta v0/v1/v2), or
 * `undefined` when the metadata is absent or cannot be read. The truth about a ledger's size that does not depend on
 * `getTransactions`.
 */
export function ledgerTransactionCount(ledger: Pick<StellarRpcLedger, "metadataXdr">): number | undefined {
  if (typeof ledger.metadataXdr !== "string" || ledger.metadataXdr === "") return undefined;
  try {
    const meta = xdr.LedgerCloseMeta.fromXDR(ledger.metadataXdr, "base64");
    const body = meta.value() as { txProcessing(): unknown[] };
    return body.txProcessing().length;
  } catch {
    return undefined;
  }
}
