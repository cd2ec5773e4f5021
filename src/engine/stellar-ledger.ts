/**
 * The Stellar ledger the engine evaluates: what `chains/stellar` produces after fetching a ledger with its
 * transactions and contract events and decoding their XDR. Plain data only (no SDK objects, no bigint), so a ledger
 * survives `JSON.stringify` unchanged on its way through the block log.
 *
 * Invariants guaranteed by `chains/stellar` (the engine trusts them):
 * - every XDR field was decoded successfully; a ledger with malformed XDR is an error, never a partial ledger;
 * - `transactions` are in the RPC's order (application order for a real RPC), `events` in event-id order;
 * - `hash` of a transaction is the RPC's `txHash`, verbatim (never recomputed: fixtures carry synthetic hashes);
 * - integers of 64 bits and more are exact decimal strings.
 */

/** JSON as stellar-xdr's serde form renders decoded XDR (used for `decoded.envelope/result/meta`). */
export type StellarXdrJson = null | boolean | number | string | StellarXdrJson[] | { [field: string]: StellarXdrJson };

/** Address kinds an `ScAddress` can hold. Only `account` (G…) and `contract` (C…) are supported by OZ's matcher. */
export type StellarAddressType = "account" | "contract" | "muxed_account" | "claimable_balance" | "liquidity_pool";

/** ScVal kinds OZ renders as `null` / `Void` (spec §4.3). */
export type StellarUnsupportedScType =
  | "error"
  | "contract_instance"
  | "ledger_key_contract_instance"
  | "ledger_key_nonce"
  /** `ScVal::Vec(None)` */
  | "vec_none"
  /** `ScVal::Map(None)` */
  | "map_none";

export interface ScMapEntryValue {
  key: ScValue;
  value: ScValue;
}

/**
 * A decoded Soroban `ScVal`, exact: 64-bit and wider integers are decimal strings, bytes are lowercase hex.
 * Display, kind and JSON forms (spec §4.3) come from `engine/stellar-values.ts`.
 */
export type ScValue =
  | { type: "bool"; value: boolean }
  | { type: "void" }
  | { type: "u32"; value: number }
  | { type: "i32"; value: number }
  | { type: "u64"; value: string }
  | { type: "i64"; value: string }
  | { type: "timepoint"; value: string }
  | { type: "duration"; value: string }
  | { type: "u128"; value: string }
  | { type: "i128"; value: string }
  | { type: "u256"; value: string }
  | { type: "i256"; value: string }
  /** Lowercase hex without `0x`. */
  | { type: "bytes"; hex: string }
  /** UTF-8 text (invalid sequences replaced by U+FFFD). */
  | { type: "string"; value: string }
  | { type: "symbol"; value: string }
  | { type: "vec"; items: ScValue[] }
  /** Entries in their on-chain order (the engine sorts where the spec says so). */
  | { type: "map"; entries: ScMapEntryValue[] }
  /** `strkey` is `G…` or `C…`; `null` for muxed, claimable-balance and liquidity-pool addresses (OZ: unsupported). */
  | { type: "address"; addressType: StellarAddressType; strkey: string | null }
  | { type: "unsupported"; scType: StellarUnsupportedScType };

/** `getLedgers` entry as received (unknown fields kept). */
export interface StellarRpcLedger {
  hash: string;
  sequence: number;
  /** Unix seconds; a string in Stellar-RPC's JSON. */
  ledgerCloseTime: string | number;
  headerXdr: string;
  metadataXdr: string;
  [field: string]: unknown;
}

/** `getTransactions` entry as received (unknown fields kept, `diagnosticEventsXdr` included verbatim). */
export interface StellarRpcTransaction {
  status: string;
  txHash: string;
  applicationOrder: number;
  feeBump: boolean;
  envelopeXdr: string;
  resultXdr: string;
  resultMetaXdr: string;
  ledger: number;
  createdAt: number | string;
  [field: string]: unknown;
}

/** `getEvents` entry as received (unknown fields kept). */
export interface StellarRpcEvent {
  type: string;
  ledger: number;
  ledgerClosedAt?: string;
  contractId: string;
  id: string;
  pagingToken?: string;
  inSuccessfulContractCall?: boolean;
  txHash: string;
  /** Base64 `ScVal` XDR per topic. */
  topic: string[];
  /** Base64 `ScVal` XDR. */
  value: string;
  [field: string]: unknown;
}

export interface StellarPaymentOperation {
  type: "payment";
  /** Index of the operation in its transaction. */
  index: number;
  /** The transaction's source account (spec §4.4: not the operation's source). */
  from: string;
  /** Destination strkey (`G…`, or `M…` for a muxed destination). */
  to: string;
  /** Stroops, exact decimal. */
  amount: string;
  /** `native` or `CODE:ISSUER`. */
  asset: string;
  /** The operation's own source account, when set. */
  sourceAccount: string | null;
}

export interface StellarInvokeContractOperation {
  type: "invoke_contract";
  index: number;
  /** The transaction's source account (spec §4.4). */
  from: string;
  /** `C…` strkey of the invoked contract. */
  contract: string;
  function: string;
  args: ScValue[];
  sourceAccount: string | null;
  /** True when the operation belongs to the inner transaction of a fee-bump envelope. */
  feeBumpInner: boolean;
}

export interface StellarOtherOperation {
  type: "other";
  index: number;
  /** snake_case operation type (`create_account`, `change_trust`, `invoke_host_function` for non-invoke host calls…). */
  opType: string;
  sourceAccount: string | null;
}

export type StellarOperation = StellarPaymentOperation | StellarInvokeContractOperation | StellarOtherOperation;

export type StellarEnvelopeKind = "tx" | "tx_v0" | "fee_bump";

export interface StellarTransaction {
  /** The `getTransactions` entry as received. */
  rpc: StellarRpcTransaction;
  /** The envelope, result and meta XDR as stellar-xdr-style JSON (field names snake_case; not byte-exact serde). */
  decoded: { envelope: StellarXdrJson; result: StellarXdrJson; meta: StellarXdrJson };
  /** `rpc.txHash` verbatim. */
  hash: string;
  /** `rpc.status` verbatim (`SUCCESS`, `FAILED`, `NOT FOUND`, …). */
  status: string;
  ledger: number;
  applicationOrder: number;
  envelopeKind: StellarEnvelopeKind;
  /** Source account of the transaction (of the inner transaction for a fee bump). */
  sourceAccount: string;
  /** Fee source of a fee-bump envelope. */
  feeSource: string | null;
  /**
   * Operations for transaction conditions (spec §4.4): only plain `Tx` envelopes contribute; V0 and fee-bump
   * envelopes give `[]`.
   */
  operations: StellarOperation[];
  /** Contract invocations for function matching (spec §4.5): from a `Tx` envelope or a fee bump's inner `Tx`. */
  invocations: StellarInvokeContractOperation[];
}

export interface StellarEvent {
  /** The `getEvents` entry as received. */
  rpc: StellarRpcEvent;
  id: string;
  type: string;
  ledger: number;
  txHash: string;
  contractId: string;
  inSuccessfulContractCall: boolean;
  /** Base64 topic XDR as received (spec §4.6 step 1 reads the raw bytes). */
  topicsXdr: string[];
  topics: ScValue[];
  valueXdr: string;
  value: ScValue;
}

export interface StellarLedger {
  chain: "Stellar";
  sequence: number;
  hash: string;
  /** From the ledger header; `null` only when the header does not say. */
  previousHash: string | null;
  /** Unix seconds. */
  closeTime: number;
  /** The `getLedgers` entry as received. */
  ledger: StellarRpcLedger;
  transactions: StellarTransaction[];
  events: StellarEvent[];
}

// ---------------------------------------------------------------------------------------------------------------
// SEP-48 contract specs in stellar-xdr's serde JSON (OZ `contract_spec` for Stellar, spec §4.2).
// `doc` and `lib` are optional because hand-written config specs often omit them; chain-fetched specs carry them.

export type StellarSpecScalarType =
  | "val"
  | "bool"
  | "void"
  | "error"
  | "u32"
  | "i32"
  | "u64"
  | "i64"
  | "timepoint"
  | "duration"
  | "u128"
  | "i128"
  | "u256"
  | "i256"
  | "bytes"
  | "string"
  | "symbol"
  | "address"
  | "muxed_address";

export type StellarSpecTypeDef =
  | StellarSpecScalarType
  | { option: { value_type: StellarSpecTypeDef } }
  | { result: { ok_type: StellarSpecTypeDef; error_type: StellarSpecTypeDef } }
  | { vec: { element_type: StellarSpecTypeDef } }
  | { map: { key_type: StellarSpecTypeDef; value_type: StellarSpecTypeDef } }
  | { tuple: { value_types: StellarSpecTypeDef[] } }
  | { bytes_n: { n: number } }
  | { udt: { name: string } };

export interface StellarSpecFunctionInputV0 {
  doc?: string;
  name: string;
  type_: StellarSpecTypeDef;
}

export interface StellarSpecFunctionV0 {
  doc?: string;
  name: string;
  inputs: StellarSpecFunctionInputV0[];
  outputs: StellarSpecTypeDef[];
}

export interface StellarSpecUdtStructFieldV0 {
  doc?: string;
  name: string;
  type_: StellarSpecTypeDef;
}

export interface StellarSpecUdtStructV0 {
  doc?: string;
  lib?: string;
  name: string;
  fields: StellarSpecUdtStructFieldV0[];
}

export type StellarSpecUdtUnionCaseV0 =
  | { void_v0: { doc?: string; name: string } }
  | { tuple_v0: { doc?: string; name: string; type_: StellarSpecTypeDef[] } };

export interface StellarSpecUdtUnionV0 {
  doc?: string;
  lib?: string;
  name: string;
  cases: StellarSpecUdtUnionCaseV0[];
}

export interface StellarSpecUdtEnumCaseV0 {
  doc?: string;
  name: string;
  value: number;
}

export interface StellarSpecUdtEnumV0 {
  doc?: string;
  lib?: string;
  name: string;
  cases: StellarSpecUdtEnumCaseV0[];
}

export interface StellarSpecEventParamV0 {
  doc?: string;
  name: string;
  type_: StellarSpecTypeDef;
  location: "data" | "topic_list";
}

export interface StellarSpecEventV0 {
  doc?: string;
  lib?: string;
  name: string;
  prefix_topics: string[];
  params: StellarSpecEventParamV0[];
  data_format: "single_value" | "vec" | "map";
}

/** One SEP-48 `ScSpecEntry`, externally tagged as stellar-xdr serialises it. */
export type StellarContractSpecEntry =
  | { function_v0: StellarSpecFunctionV0 }
  | { udt_struct_v0: StellarSpecUdtStructV0 }
  | { udt_union_v0: StellarSpecUdtUnionV0 }
  | { udt_enum_v0: StellarSpecUdtEnumV0 }
  | { udt_error_enum_v0: StellarSpecUdtEnumV0 }
  | { event_v0: StellarSpecEventV0 };
