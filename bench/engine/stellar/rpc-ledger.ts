/**
 * Reads the batch response text of `generateStellarLedger` (`getLedgers`, `getTransactions` pages, `getEvents`) back
 * into RPC entries, and builds the engine's `StellarLedger` from them with the ingest path's decoder
 * (`assembleStellarLedger`, strict: header hash, ledger numbers and event transactions are cross-checked).
 */
import { assembleStellarLedger } from "../../../src/chains/stellar/index.js";
import type {
  StellarLedger,
  StellarRpcEvent,
  StellarRpcLedger,
  StellarRpcTransaction,
} from "../../../src/engine/stellar-ledger.js";

export interface StellarRpcPayload {
  ledger: StellarRpcLedger;
  transactions: StellarRpcTransaction[];
  events: StellarRpcEvent[];
}

interface JsonRpcResponse {
  id: number;
  result: { ledgers?: StellarRpcLedger[]; transactions?: StellarRpcTransaction[]; events?: StellarRpcEvent[] };
}

/** Parses the payload into the ledger's RPC entries (transactions of all pages, in order). */
export function parseStellarPayload(rpcPayloadText: string): StellarRpcPayload {
  const responses = (JSON.parse(rpcPayloadText) as JsonRpcResponse[]).sort((a, b) => a.id - b.id);
  let ledger: StellarRpcLedger | undefined;
  const transactions: StellarRpcTransaction[] = [];
  const events: StellarRpcEvent[] = [];
  for (const { result } of responses) {
    if (result.ledgers) ledger = result.ledgers[0];
    if (result.transactions) transactions.push(...result.transactions);
    if (result.events) events.push(...result.events);
  }
  if (!ledger) throw new Error("payload lacks the getLedgers response");
  return { ledger, transactions, events };
}

/** Decodes parsed RPC entries into the engine's ledger (the benchmark's floor). */
export function decodeStellarPayload(payload: StellarRpcPayload): StellarLedger {
  return assembleStellarLedger(payload.ledger, payload.transactions, payload.events);
}

/** `JSON.parse` + decode. */
export function stellarLedgerFromPayload(rpcPayloadText: string): StellarLedger {
  return decodeStellarPayload(parseStellarPayload(rpcPayloadText));
}
