/**
 * Compact forms of chain blocks.
 *
 * EVM: a transaction's `logs` are, in nearly every block, its receipt's `logs` (the same array): they are written
 * once and shared again on decode, which takes a third off a block's JSON.
 *
 * Stellar: a decoded ledger is about twice its RPC responses (the XDR plus its JSON rendering); the frame carries only
 * what Stellar-RPC returned (`getLedgers` entry, `getTransactions` entries, `getEvents` entries) and decoding
 * re-assembles the ledger with `chains/stellar`, the same code the ingester ran. The price is the XDR decode on every
 * read (tens of milliseconds for a busy mainnet ledger, every ~5 s); the gain is a ledger that fits a NATS message.
 */
import { assembleStellarLedger } from "../chains/stellar/index.js";
import type {
  EvmBlock,
  EvmBlockTransaction,
  Hex,
  RpcBlockHeader,
  RpcLog,
  RpcReceipt,
  RpcTransaction,
  StellarLedger,
  StellarRpcEvent,
  StellarRpcLedger,
  StellarRpcTransaction,
} from "../engine/index.js";
import type { ErrorPath } from "../errors/index.js";
import { CodecCode, CodecError } from "./errors.js";
import { asArray, asObject, asString, type JsonObject, parseBigint } from "./read.js";
import type { ChainBlock } from "./types.js";

/** `logs` is the receipt's own `logs` array. */
const RECEIPT_LOGS = 1;

type EncodedEvmTransaction = [RpcTransaction, RpcReceipt | null, RpcLog[] | typeof RECEIPT_LOGS];

export function encodeChainBlock(block: ChainBlock): JsonObject {
  if (block.chain === "Stellar") {
    return {
      c: "Stellar",
      ledger: block.ledger,
      transactions: block.transactions.map((tx) => tx.rpc),
      events: block.events.map((event) => event.rpc),
    } as unknown as JsonObject;
  }
  const txs: EncodedEvmTransaction[] = block.transactions.map(({ transaction, receipt, logs }) => [
    transaction,
    receipt,
    receipt !== null && sameLogs(logs, receipt.logs) ? RECEIPT_LOGS : logs,
  ]);
  return {
    c: "EVM",
    number: block.number.toString(),
    hash: block.hash,
    parentHash: block.parentHash,
    header: block.header,
    txs,
  } as unknown as JsonObject;
}

function sameLogs(a: RpcLog[], b: RpcLog[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((log, i) => log === b[i]) || JSON.stringify(a) === JSON.stringify(b);
}

export function decodeChainBlock(value: unknown, path: ErrorPath): ChainBlock {
  const object = asObject(value, path);
  if (object.c === "EVM") return decodeEvmBlock(object, path);
  if (object.c === "Stellar") return decodeStellarLedger(object, path);
  throw new CodecError(
    CodecCode.Invalid,
    `Unknown chain family ${JSON.stringify(object.c)}; expected EVM or Stellar.`,
    {
      path: [...path, "c"],
    },
  );
}

function decodeEvmBlock(object: JsonObject, path: ErrorPath): EvmBlock {
  const transactions = asArray(object.txs, [...path, "txs"]).map((entry, i): EvmBlockTransaction => {
    const at = [...path, "txs", i];
    const tuple = asArray(entry, at);
    const transaction = asObject(tuple[0], [...at, 0]) as unknown as RpcTransaction;
    const receipt = tuple[1] === null ? null : (asObject(tuple[1], [...at, 1]) as unknown as RpcReceipt);
    if (tuple[2] === RECEIPT_LOGS) {
      if (receipt === null) {
        throw new CodecError(CodecCode.Invalid, "A transaction without a receipt refers to its receipt's logs.", {
          path: [...at, 2],
        });
      }
      return { transaction, receipt, logs: asArray(receipt.logs, [...at, 1, "logs"]) as RpcLog[] };
    }
    return { transaction, receipt, logs: asArray(tuple[2], [...at, 2]) as RpcLog[] };
  });
  return {
    chain: "EVM",
    number: parseBigint(object.number, [...path, "number"]),
    hash: asString(object.hash, [...path, "hash"]) as Hex,
    parentHash: asString(object.parentHash, [...path, "parentHash"]) as Hex,
    header: asObject(object.header, [...path, "header"]) as unknown as RpcBlockHeader,
    transactions,
  };
}

function decodeStellarLedger(object: JsonObject, path: ErrorPath): StellarLedger {
  const ledger = asObject(object.ledger, [...path, "ledger"]) as unknown as StellarRpcLedger;
  const transactions = asArray(object.transactions, [...path, "transactions"]) as StellarRpcTransaction[];
  const events = asArray(object.events, [...path, "events"]) as StellarRpcEvent[];
  try {
    // Not strict: the ingester checked that the parts belong together before it published them.
    return assembleStellarLedger(ledger, transactions, events, { strict: false });
  } catch (cause) {
    throw new CodecError(CodecCode.Invalid, `The Stellar ledger does not decode: ${(cause as Error).message}`, {
      cause,
      path,
    });
  }
}
