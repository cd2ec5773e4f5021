/**
 * Per-transaction facts used by transaction conditions (§3.2): the status and the expression parameters.
 */
import type { EvmBlockTransaction, RpcReceipt, RpcTransaction } from "../evm-block.js";
import type { TransactionStatus } from "../types.js";
import { layoutOf, type ParamLayout } from "./predicates.js";

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

/** §3.2's table, in its order: name, kind and how the value is read from the transaction (and its receipt). */
const TRANSACTION_FIELDS: ReadonlyArray<{
  readonly name: string;
  readonly kind: string;
  readonly read: (entry: EvmBlockTransaction) => string;
}> = [
  { name: "value", kind: "uint256", read: (e) => decimal(e.transaction.value) },
  { name: "from", kind: "address", read: (e) => (e.transaction.from ? e.transaction.from.toLowerCase() : "") },
  { name: "to", kind: "address", read: (e) => (e.transaction.to ? e.transaction.to.toLowerCase() : "") },
  { name: "hash", kind: "string", read: (e) => e.transaction.hash.toLowerCase() },
  { name: "gas_price", kind: "uint256", read: (e) => decimal(e.transaction.gasPrice) },
  { name: "max_fee_per_gas", kind: "uint256", read: (e) => decimal(e.transaction.maxFeePerGas) },
  { name: "max_priority_fee_per_gas", kind: "uint256", read: (e) => decimal(e.transaction.maxPriorityFeePerGas) },
  { name: "gas_limit", kind: "uint256", read: (e) => decimal(e.transaction.gas) },
  { name: "nonce", kind: "uint256", read: (e) => decimal(e.transaction.nonce) },
  { name: "input", kind: "string", read: (e) => (e.transaction.input ? e.transaction.input.toLowerCase() : "0x") },
  // No receipt → "" (an expression on gas_used then fails to parse the number: no match, like OZ).
  {
    name: "gas_used",
    kind: "uint256",
    read: (e) => (e.receipt?.gasUsed === undefined ? "" : decimal(e.receipt.gasUsed)),
  },
  { name: "transaction_index", kind: "uint64", read: (e) => decimal(e.transaction.transactionIndex) },
];

/** The parameters of §3.2's table, in its order. */
export function transactionParams(entry: EvmBlockTransaction): EvmParam[] {
  return TRANSACTION_FIELDS.map(({ name, kind, read }) => ({ name, kind, value: read(entry) }));
}

/** The value of `transactionParams(entry)[index]`, computed alone. */
export function transactionParamValue(entry: EvmBlockTransaction, index: number): string | undefined {
  return TRANSACTION_FIELDS[index]?.read(entry);
}

/**
 * `transactionParams`, with each value computed when first read: expressions look parameters up by name and read
 * only the values of those they name (most transaction parameters are never read).
 */
export function lazyTransactionParams(entry: EvmBlockTransaction): EvmParam[] {
  return TRANSACTION_FIELDS.map((field) => new LazyParam(field.name, field.kind, field.read, entry));
}

class LazyParam implements EvmParam {
  private computed: string | undefined;

  constructor(
    readonly name: string,
    readonly kind: string,
    private readonly read: (entry: EvmBlockTransaction) => string,
    private readonly entry: EvmBlockTransaction,
  ) {}

  get value(): string {
    this.computed ??= this.read(this.entry);
    return this.computed;
  }
}

/**
 * What the predicate index may rely on about `transactionParams`: names and kinds in the same order, every value
 * well-formed for its kind (decimal text, `0x`-address or "", text) except `gas_used`, which is "" without receipt,
 * and except quantities beyond uint256 (see `transactionQuantitiesInRange`).
 */
export const TRANSACTION_LAYOUT: ParamLayout = layoutOf(
  TRANSACTION_FIELDS.map(({ name, kind }) => ({ name, kind, type: null, mayBeMalformed: name === "gas_used" })),
);

const U256_MAX = (1n << 256n) - 1n;

/**
 * Whether every integer parameter of `transactionParams` is a valid uint256 (a node could send absurd quantities;
 * the expression module then fails to read them, and the predicate index leaves such transactions to it).
 */
export function transactionQuantitiesInRange(tx: RpcTransaction): boolean {
  return (
    inRange(tx.value) &&
    inRange(tx.gasPrice) &&
    inRange(tx.maxFeePerGas) &&
    inRange(tx.maxPriorityFeePerGas) &&
    inRange(tx.gas) &&
    inRange(tx.nonce) &&
    inRange(tx.transactionIndex)
  );
}

function inRange(hex: string | undefined): boolean {
  if (typeof hex !== "string") return true;
  // The usual spelling: at most 64 hex digits cannot exceed 2^256 - 1.
  if (hex.length <= 66 && hex.charCodeAt(0) === 0x30 && (hex.charCodeAt(1) | 0x20) === 0x78) return true;
  const value = quantity(hex) ?? 0n;
  return value >= 0n && value <= U256_MAX;
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
