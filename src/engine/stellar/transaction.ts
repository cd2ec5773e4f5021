/**
 * Transaction-level facts OZ's Stellar filter uses (§4.4): the status mapping and the parameters transaction
 * expressions see.
 */
import type { ExpressionParam } from "../../expr/index.js";
import type { StellarTransaction } from "../stellar-ledger.js";
import type { StellarTransactionStatus } from "./compile.js";

/** `SUCCESS` → Success; `FAILED` and `NOT FOUND` → Failure; anything else → Any (only `Any` conditions match it). */
export function stellarTransactionStatus(status: string): StellarTransactionStatus {
  switch (status) {
    case "SUCCESS":
      return "Success";
    case "FAILED":
    case "NOT FOUND":
      return "Failure";
    default:
      return "Any";
  }
}

/**
 * The parameter lists a transaction expression is evaluated against: one per payment or contract invocation of a
 * plain `Tx` envelope (`hash`, `ledger`, `value`, `from`, `to`), or — when there is none — a single list with only
 * `hash`, `ledger` and `value = "0"`.
 */
export function transactionParamLists(tx: StellarTransaction): ExpressionParam[][] {
  const hash: ExpressionParam = { name: "hash", value: tx.hash, kind: "string" };
  const ledger: ExpressionParam = { name: "ledger", value: String(tx.ledger), kind: "i64" };
  const lists: ExpressionParam[][] = [];
  for (const op of tx.operations) {
    if (op.type === "payment") {
      lists.push([hash, ledger, i64("value", op.amount), address("from", op.from), address("to", op.to)]);
    } else if (op.type === "invoke_contract") {
      lists.push([hash, ledger, ZERO_VALUE, address("from", op.from), address("to", op.contract)]);
    }
  }
  if (lists.length === 0) lists.push([hash, ledger, ZERO_VALUE]);
  return lists;
}

const ZERO_VALUE: ExpressionParam = Object.freeze({ name: "value", value: "0", kind: "i64" });

function i64(name: string, value: string): ExpressionParam {
  return { name, value, kind: "i64" };
}

function address(name: string, value: string): ExpressionParam {
  return { name, value, kind: "address" };
}
