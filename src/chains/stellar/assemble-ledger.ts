import { xdr } from "@stellar/stellar-sdk";
import type {
  StellarEvent,
  StellarLedger,
  StellarRpcEvent,
  StellarRpcLedger,
  StellarRpcTransaction,
  StellarTransaction,
} from "../../engine/stellar-ledger.js";
import type { ErrorPath } from "../../errors/index.js";
import { decodeEnvelope, scValueFromXdr } from "./decode.js";
import { StellarInconsistentLedgerError } from "./errors.js";
import { convertXdr, decodeXdr } from "./xdr.js";
import { xdrToJson } from "./xdr-json.js";

/**
 * Decodes RPC entries into the engine's `StellarLedger`. Pure apart from CPU: no I/O. Every XDR failure is a
 * `StellarXdrError` naming the field (`transactions[3].envelopeXdr`) and the transaction hash.
 */

/**
 * Decodes one `getTransactions` entry: envelope, result and meta to JSON, the envelope to operations and contract
 * invocations. `path` locates the entry in errors (e.g. `["transactions", 3]`).
 */
export function decodeStellarTransaction(entry: StellarRpcTransaction, path: ErrorPath = []): StellarTransaction {
  const txHash = entry.txHash;
  const at = (field: string) => ({ path: [...path, field], txHash });
  const envelope = decodeXdr(xdr.TransactionEnvelope, "TransactionEnvelope", entry.envelopeXdr, at("envelopeXdr"));
  const result = decodeXdr(xdr.TransactionResult, "TransactionResult", entry.resultXdr, at("resultXdr"));
  const meta = decodeXdr(xdr.TransactionMeta, "TransactionMeta", entry.resultMetaXdr, at("resultMetaXdr"));
  const operations = convertXdr("TransactionEnvelope", at("envelopeXdr"), () => decodeEnvelope(envelope));
  return {
    rpc: entry,
    decoded: {
      envelope: convertXdr("TransactionEnvelope", at("envelopeXdr"), () =>
        xdrToJson(xdr.TransactionEnvelope, envelope),
      ),
      result: convertXdr("TransactionResult", at("resultXdr"), () => xdrToJson(xdr.TransactionResult, result)),
      meta: convertXdr("TransactionMeta", at("resultMetaXdr"), () => xdrToJson(xdr.TransactionMeta, meta)),
    },
    hash: txHash,
    status: entry.status,
    ledger: entry.ledger,
    applicationOrder: entry.applicationOrder,
    ...operations,
  };
}

/** Decodes one `getEvents` entry: each topic and the value as `ScValue`; the base64 topics are kept as received. */
export function decodeStellarEvent(entry: StellarRpcEvent, path: ErrorPath = []): StellarEvent {
  const txHash = entry.txHash;
  const topicsXdr = entry.topic ?? [];
  const topics = topicsXdr.map((topic, j) => {
    const context = { path: [...path, "topic", j], txHash };
    const val = decodeXdr(xdr.ScVal, "ScVal", topic, context);
    return convertXdr("ScVal", context, () => scValueFromXdr(val));
  });
  const valueContext = { path: [...path, "value"], txHash };
  const val = decodeXdr(xdr.ScVal, "ScVal", entry.value, valueContext);
  return {
    rpc: entry,
    id: entry.id,
    type: entry.type,
    ledger: entry.ledger,
    txHash,
    contractId: entry.contractId,
    inSuccessfulContractCall: entry.inSuccessfulContractCall ?? true,
    topicsXdr: [...topicsXdr],
    topics,
    valueXdr: entry.value,
    value: convertXdr("ScVal", valueContext, () => scValueFromXdr(val)),
  };
}

export interface AssembleStellarLedgerOptions {
  /**
   * Cross-check the parts: the header is the ledger's, every transaction and event has the ledger's sequence, every
   * event belongs to one of the transactions. `false` takes the parts as given (OZ's conformance fake serves
   * fixture transactions of other ledgers for the ledger under test).
   * @default true
   */
  strict?: boolean;
}

/**
 * Builds the engine's `StellarLedger` from a `getLedgers` entry and that ledger's `getTransactions` and `getEvents`
 * entries (in RPC order).
 *
 * @throws StellarXdrError for any field that does not decode (naming field and transaction).
 * @throws StellarInconsistentLedgerError when strict and the parts do not belong together (retryable).
 */
export function assembleStellarLedger(
  ledger: StellarRpcLedger,
  transactions: readonly StellarRpcTransaction[],
  events: readonly StellarRpcEvent[],
  options: AssembleStellarLedgerOptions = {},
): StellarLedger {
  const strict = options.strict !== false;
  const sequence = ledger.sequence;
  const header = decodeXdr(xdr.LedgerHeaderHistoryEntry, "LedgerHeaderHistoryEntry", ledger.headerXdr, {
    path: ["ledger", "headerXdr"],
  });
  const headerHash = header.hash().toString("hex");
  const headerSequence = header.header().ledgerSeq();
  if (strict && headerHash !== ledger.hash.toLowerCase()) {
    throw new StellarInconsistentLedgerError(sequence, `its header hashes to ${headerHash}, not ${ledger.hash}`, [
      "ledger",
      "headerXdr",
    ]);
  }
  if (strict && headerSequence !== sequence) {
    throw new StellarInconsistentLedgerError(sequence, `its header is the header of ledger ${headerSequence}`, [
      "ledger",
      "headerXdr",
    ]);
  }

  const decodedTransactions = transactions.map((entry, i) => {
    if (strict && entry.ledger !== sequence) {
      throw new StellarInconsistentLedgerError(
        sequence,
        `transaction ${entry.txHash} belongs to ledger ${entry.ledger}`,
        ["transactions", i, "ledger"],
      );
    }
    return decodeStellarTransaction(entry, ["transactions", i]);
  });
  const hashes = new Set(decodedTransactions.map((tx) => tx.hash));
  const decodedEvents = events.map((entry, i) => {
    if (strict && entry.ledger !== sequence) {
      throw new StellarInconsistentLedgerError(sequence, `event ${entry.id} belongs to ledger ${entry.ledger}`, [
        "events",
        i,
        "ledger",
      ]);
    }
    if (strict && !hashes.has(entry.txHash)) {
      throw new StellarInconsistentLedgerError(
        sequence,
        `event ${entry.id} names transaction ${entry.txHash}, which is not in the ledger`,
        ["events", i, "txHash"],
      );
    }
    return decodeStellarEvent(entry, ["events", i]);
  });

  return {
    chain: "Stellar",
    sequence,
    hash: ledger.hash,
    previousHash: header.header().previousLedgerHash().toString("hex"),
    closeTime: Number(ledger.ledgerCloseTime),
    ledger,
    transactions: decodedTransactions,
    events: decodedEvents,
  };
}
