/**
 * The Stellar match record, field for field as OZ serialises `StellarMonitorMatch` (spec §4.7, §7).
 */
import type { Monitor } from "../../config/index.js";
import type { StellarRpcLedger, StellarRpcTransaction, StellarTransaction } from "../stellar-ledger.js";
import type { SignatureConditionRecord } from "../types.js";

/** One argument of a matched invocation or event (OZ's `StellarMatchParamEntry`, same key order). */
export interface StellarMatchArg {
  name: string;
  value: string;
  kind: string;
  indexed: boolean;
}

/** One matched invocation or event (OZ's `StellarMatchParamsMap`; unlike EVM there is no `hex_signature`). */
export interface StellarMatchArgsEntry {
  signature: string;
  args: readonly StellarMatchArg[];
}

export interface StellarMatchedOnArgs {
  functions: readonly StellarMatchArgsEntry[] | null;
  events: readonly StellarMatchArgsEntry[] | null;
}

/**
 * `matched_on.transactions[]` on Stellar: the transaction's status as OZ maps the RPC status (`SUCCESS` → Success,
 * `FAILED` / `NOT FOUND` → Failure, anything else → Any) and the matching condition's expression.
 */
export interface StellarTransactionConditionRecord {
  status: "Success" | "Failure" | "Any";
  expression: string | null;
}

export interface StellarMatchedOn {
  functions: readonly SignatureConditionRecord[];
  events: readonly SignatureConditionRecord[];
  transactions: readonly StellarTransactionConditionRecord[];
}

/** The transaction as matches carry it: the `getTransactions` entry's fields plus the decoded XDR. */
export type StellarMatchTransaction = StellarRpcTransaction & { decoded: StellarTransaction["decoded"] };

/** OZ's `StellarMonitorMatch` record (§4.7). */
export interface StellarMatchPayload {
  /** The monitor as configured, `contract_spec`s included (unlike EVM matches, which null them). */
  monitor: Monitor;
  transaction: StellarMatchTransaction;
  /** The `getLedgers` entry of the ledger. */
  ledger: StellarRpcLedger;
  network_slug: string;
  matched_on: StellarMatchedOn;
  matched_on_args: StellarMatchedOnArgs;
}
