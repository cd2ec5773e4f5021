import { ArgusError, type ErrorPath, formatJsonPath } from "../../errors/index.js";

/**
 * Errors of Stellar chain access. Transport failures keep the `chains/rpc` errors (`RPC_*`); these cover what a
 * Stellar RPC answer means or how it is wrong.
 */

/** An answer that is not the JSON shape the method returns (a missing field, a wrong type, a paging loop). */
export class StellarMalformedResponseError extends ArgusError {
  override name = "StellarMalformedResponseError";
  readonly method: string;

  constructor(method: string, detail: string, path: ErrorPath = []) {
    super(
      "STELLAR_MALFORMED_RESPONSE",
      `Stellar RPC ${method} returned an unexpected value${path.length > 0 ? ` at ${formatJsonPath(path)}` : ""}: ${detail}`,
      {
        path,
        retryable: true,
        hint: "Check that the endpoint is a Stellar RPC (Soroban RPC) server for the configured network.",
      },
    );
    this.method = method;
  }
}

/**
 * The ledger is older than the RPC's retention window (or fell out of it between two calls). Not retryable as is:
 * the caller decides knowingly whether to skip ahead to `oldestLedger` (a recorded gap) or use an archive endpoint.
 */
export class StellarOutsideRetentionError extends ArgusError {
  override name = "StellarOutsideRetentionError";
  readonly method: string;
  readonly ledger: number;
  /** The oldest ledger the RPC still serves, when it said so. */
  readonly oldestLedger: number | undefined;
  /** The latest ledger the RPC has, when it said so. */
  readonly latestLedger: number | undefined;
  /** Always true: skipping to `oldestLedger` or switching endpoints recovers. */
  readonly recoverable = true;

  constructor(args: {
    method: string;
    ledger: number;
    oldestLedger?: number | undefined;
    latestLedger?: number | undefined;
    rpcMessage: string;
    cause?: unknown;
  }) {
    const window =
      args.oldestLedger !== undefined && args.latestLedger !== undefined
        ? ` (the RPC serves ledgers ${args.oldestLedger} to ${args.latestLedger})`
        : "";
    super(
      "STELLAR_OUTSIDE_RETENTION",
      `Ledger ${args.ledger} is outside the Stellar RPC's retention window${window}; ${args.method} said: ${args.rpcMessage}`,
      {
        retryable: false,
        cause: args.cause,
        hint: "Add an RPC endpoint with a longer retention (history archive RPC), or skip ahead to the oldest available ledger and record the gap.",
      },
    );
    this.method = args.method;
    this.ledger = args.ledger;
    this.oldestLedger = args.oldestLedger;
    this.latestLedger = args.latestLedger;
  }
}

/** The RPC does not have the ledger yet (ahead of its latest ledger), or returned another ledger than asked. */
export class StellarLedgerNotFoundError extends ArgusError {
  override name = "StellarLedgerNotFoundError";
  readonly ledger: number;
  readonly latestLedger: number | undefined;

  constructor(ledger: number, detail: string, latestLedger?: number, cause?: unknown) {
    super("STELLAR_LEDGER_NOT_FOUND", `Ledger ${ledger} was not found on the Stellar RPC: ${detail}`, {
      retryable: true,
      cause,
      hint: "The ledger may not be closed yet, or the endpoint lags behind the network; retry later.",
    });
    this.ledger = ledger;
    this.latestLedger = latestLedger;
  }
}

/** A base64 XDR field that does not decode as the type it must hold. */
export class StellarXdrError extends ArgusError {
  override name = "StellarXdrError";
  /** The transaction the field belongs to, when it belongs to one. */
  readonly txHash: string | undefined;
  readonly xdrType: string;

  constructor(args: {
    xdrType: string;
    path: ErrorPath;
    detail: string;
    txHash?: string | undefined;
    cause?: unknown;
  }) {
    const owner = args.txHash === undefined ? "" : ` of transaction ${args.txHash}`;
    super(
      "STELLAR_XDR_INVALID",
      `${formatJsonPath(args.path)}${owner} is not valid ${args.xdrType} XDR: ${args.detail}`,
      {
        path: args.path,
        retryable: false,
        cause: args.cause,
        hint: "The RPC may serve a newer protocol than @stellar/stellar-sdk 15 understands, or a proxy altered the data.",
      },
    );
    this.txHash = args.txHash;
    this.xdrType = args.xdrType;
  }
}

/** The ledger's parts do not fit together (an event of an unknown transaction, a header of another ledger). */
export class StellarInconsistentLedgerError extends ArgusError {
  override name = "StellarInconsistentLedgerError";
  readonly ledger: number;

  constructor(ledger: number, detail: string, path: ErrorPath = []) {
    super("STELLAR_INCONSISTENT_LEDGER", `Ledger ${ledger} is inconsistent: ${detail}`, {
      path,
      retryable: true,
      hint: "Load-balanced endpoints may disagree; fetch the ledger again.",
    });
    this.ledger = ledger;
  }
}

/** Cursor paging did not end within the page budget (a server that keeps advancing its cursor forever). */
export class StellarPagingLimitError extends ArgusError {
  override name = "StellarPagingLimitError";

  constructor(method: string, pages: number) {
    super("STELLAR_PAGING_LIMIT", `Stellar RPC ${method} paging did not finish after ${pages} pages.`, {
      retryable: true,
      hint: "The endpoint keeps returning cursors; check it, or raise maxPages in the Stellar client options.",
    });
  }
}

export type StellarContractSpecErrorCode =
  /** No contract instance entry on chain (wrong id, wrong network, or expired). */
  | "STELLAR_CONTRACT_NOT_FOUND"
  /** The contract has no WASM (Stellar Asset Contract) or its code entry is missing. */
  | "STELLAR_CONTRACT_SPEC_UNAVAILABLE"
  /** The WASM or its `contractspecv0` section cannot be read. */
  | "STELLAR_CONTRACT_SPEC_INVALID";

/** The contract spec of a contract could not be fetched or read from the chain. */
export class StellarContractSpecError extends ArgusError {
  override name = "StellarContractSpecError";
  override readonly code: StellarContractSpecErrorCode;
  readonly contractId: string;

  constructor(code: StellarContractSpecErrorCode, contractId: string, detail: string, cause?: unknown) {
    super(code, `No contract spec for ${contractId}: ${detail}`, {
      retryable: code === "STELLAR_CONTRACT_NOT_FOUND",
      cause,
      hint:
        code === "STELLAR_CONTRACT_SPEC_UNAVAILABLE"
          ? "Give the spec inline as the monitor address's contract_spec."
          : code === "STELLAR_CONTRACT_NOT_FOUND"
            ? "Check the contract id and that the network's RPC is for the network the contract lives on."
            : undefined,
    });
    this.code = code;
    this.contractId = contractId;
  }
}

/** A caller argument that cannot be sent (a ledger sequence that is not a u32, a contract id that is not `C…`). */
export class StellarInvalidArgumentError extends ArgusError {
  override name = "StellarInvalidArgumentError";

  constructor(message: string) {
    super("STELLAR_INVALID_ARGUMENT", message, { retryable: false });
  }
}
