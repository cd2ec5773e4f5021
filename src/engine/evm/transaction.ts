/**
 * Per-transaction facts used by transaction conditions (§3.2): the status and the expression parameters.
 */
import type { EvmBlockTransaction, RpcReceipt } from "../evm-block.js";
import type { TransactionStatus } from "../types.js";

export interface EvmParam {
  readonly name: string;
  readonly value: string;
  readonly kind: string;
}

/**
 * Argus decision (spec §15, OZ quirk 5 fixed): the status always comes from the receipt. `0x1` is Success, any
 * other status Failure; no receipt means the status is unknown and, as in OZ, the transaction is assumed
 * successful. A receipt without `status` (pre-Byzantium, state root instead) counts as Success, as alloy does.
 */
export function transactionStatus(receipt: RpcReceipt | null): TransactionStatus {
  if (receipt === null || receipt.status === undefined) return "Success";
  return quantity(receipt.status) === 1n ? "Success" : "Failure";
}

/** The parameters of §3.2's table, in its order. */
export function transactionParams(entry: EvmBlockTransaction): EvmParam[] {
  const tx = entry.transaction;
  const gasUsed = entry.receipt?.gasUsed;
  return [
    { name: "value", kind: "uint256", value: decimal(tx.value) },
    { name: "from", kind: "address", value: tx.from ? tx.from.toLowerCase() : "" },
    { name: "to", kind: "address", value: tx.to ? tx.to.toLowerCase() : "" },
    { name: "hash", kind: "string", value: tx.hash.toLowerCase() },
    { name: "gas_price", kind: "uint256", value: decimal(tx.gasPrice) },
    { name: "max_fee_per_gas", kind: "uint256", value: decimal(tx.maxFeePerGas) },
    { name: "max_priority_fee_per_gas", kind: "uint256", value: decimal(tx.maxPriorityFeePerGas) },
    { name: "gas_limit", kind: "uint256", value: decimal(tx.gas) },
    { name: "nonce", kind: "uint256", value: decimal(tx.nonce) },
    { name: "input", kind: "string", value: tx.input ? tx.input.toLowerCase() : "0x" },
    // No receipt → "" (an expression on gas_used then fails to parse the number: no match, like OZ).
    { name: "gas_used", kind: "uint256", value: gasUsed === undefined ? "" : decimal(gasUsed) },
    { name: "transaction_index", kind: "uint64", value: decimal(tx.transactionIndex) },
  ];
}

/** Hex quantity → decimal text; absent or malformed → "0". */
function decimal(hex: string | undefined): string {
  return (quantity(hex) ?? 0n).toString();
}

function quantity(hex: string | undefined): bigint | undefined {
  if (hex === undefined || hex === null) return undefined;
  if (hex === "0x" || hex === "0X") return 0n;
  try {
    return BigInt(hex);
  } catch {
    return undefined;
  }
}
