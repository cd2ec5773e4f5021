/**
 * Stellar chain access: Stellar-RPC wrappers named after the wire, cursor paging over ledger ranges, XDR decoding,
 * and `fetchStellarLedger`, which produces the `StellarLedger` the engine evaluates (contract in
 * `engine/stellar-ledger.ts`). Contract specs (SEP-48) come from config or, through `fetchContractSpec`, from the
 * chain.
 *
 * Talks to RPCs only through a `chains/rpc` transport (failover, retries); holds no connection of its own. The only
 * module that imports `@stellar/stellar-sdk`; the engine sees plain data.
 *
 * @example
 * const transport = createRpcTransport({ endpoints: [{ url, weight: 100 }] });
 * const client = createStellarClient({ transport });
 * const { sequence } = await getLatestLedger(client);
 * const ledger = await fetchStellarLedger(client, sequence, { signal });
 */
export {
  type AssembleStellarLedgerOptions,
  assembleStellarLedger,
  decodeStellarEvent,
  decodeStellarTransaction,
} from "./assemble-ledger.js";
export {
  buildContractSpecWasm,
  CONTRACT_SPEC_SECTION,
  contractSpecFromXdr,
  contractSpecToXdr,
  parseContractSpecWasm,
  WasmSectionError,
} from "./contract-spec.js";
export { scValueFromXdr } from "./decode.js";
export {
  StellarContractSpecError,
  type StellarContractSpecErrorCode,
  StellarInconsistentLedgerError,
  StellarInvalidArgumentError,
  StellarLedgerNotFoundError,
  StellarMalformedResponseError,
  StellarOutsideRetentionError,
  StellarPagingLimitError,
  StellarXdrError,
} from "./errors.js";
export { contractCodeLedgerKey, contractInstanceLedgerKey, fetchContractSpec } from "./fetch-contract-spec.js";
export { type FetchStellarLedgerOptions, fetchStellarLedger, fetchStellarLedgers } from "./fetch-ledger.js";
export { ledgerTransactionCount } from "./ledger-meta.js";
export {
  cursorAdvanced,
  cursorLedger,
  type EventsReadOptions,
  getEventsInRange,
  getLedgerRange,
  getTransactionsInRange,
  type PagedReadOptions,
} from "./paging.js";
export { type LedgerRange, parseLedgerRangeError } from "./range-error.js";
export type {
  GetEventsResult,
  GetLatestLedgerResult,
  GetLedgerEntriesResult,
  GetLedgersResult,
  GetNetworkResult,
  GetTransactionsResult,
  StellarLedgerEntryResult,
} from "./responses.js";
export {
  createStellarClient,
  type GetEventsParams,
  getEvents,
  getLatestLedger,
  getLedgerEntries,
  getLedgers,
  getNetwork,
  getTransactions,
  type PageParams,
  type PageStart,
  STELLAR_DEFAULT_CONFIRMATIONS,
  STELLAR_PAGE_CAPS,
  type StellarClient,
  type StellarClientOptions,
  type StellarEventFilter,
  type StellarPageLimits,
  type StellarRequestOptions,
} from "./rpc.js";
export { xdrFromJson, xdrToJson } from "./xdr-json.js";
