import { ArgusError, type ErrorPath } from "../../errors/index.js";

/** The node does not have the block (not produced yet, or behind a load balancer that lags). */
export class BlockNotFoundError extends ArgusError {
  override name = "BlockNotFoundError";
  readonly blockNumber: bigint;

  constructor(blockNumber: bigint) {
    super(
      "EVM_BLOCK_NOT_FOUND",
      `Block ${blockNumber} (0x${blockNumber.toString(16)}) was not found on the RPC node.`,
      {
        retryable: true,
        hint: "The block may not be produced yet, or the endpoint lags behind the chain head; retry later.",
      },
    );
    this.blockNumber = blockNumber;
  }
}

/**
 * The node's answers do not fit together: a receipt or log of another block, receipts that do not pair one-to-one
 * with the transactions, log indexes out of order or repeated. Usually a reorg between two calls, or two endpoints
 * behind a load balancer that disagree; fetching again resolves it.
 */
export class InconsistentBlockError extends ArgusError {
  override name = "InconsistentBlockError";
  readonly blockNumber: bigint;

  constructor(blockNumber: bigint, detail: string, path: ErrorPath = []) {
    super("EVM_INCONSISTENT_BLOCK", `Block ${blockNumber} is inconsistent: ${detail}`, {
      path,
      retryable: true,
      hint: "The chain may have reorganised between calls, or load-balanced endpoints disagree; fetch the block again.",
    });
    this.blockNumber = blockNumber;
  }
}

/** A node answer that is not the JSON shape the method returns (a missing hash, a non-hex quantity, …). */
export class EvmInvalidResponseError extends ArgusError {
  override name = "EvmInvalidResponseError";

  constructor(method: string, detail: string, path: ErrorPath = []) {
    super("EVM_INVALID_RESPONSE", `${method} returned an unexpected value: ${detail}`, {
      path,
      retryable: true,
      hint: "Check that the endpoint is an Ethereum JSON-RPC node for the configured network.",
    });
  }
}
