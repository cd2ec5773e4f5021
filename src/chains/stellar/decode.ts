import { encodeMuxedAccountToAddress, StrKey, type xdr } from "@stellar/stellar-sdk";
import type {
  ScValue,
  StellarAddressType,
  StellarEnvelopeKind,
  StellarInvokeContractOperation,
  StellarOperation,
} from "../../engine/stellar-ledger.js";
import { int256, scAddressStrkey, snakeCase } from "./xdr-json.js";

/**
 * XDR → plain data: `ScVal` → `ScValue` (exact), envelopes → operations. Functions here take decoded SDK objects;
 * base64 parsing and its errors live in `xdr.ts`.
 */

const utf8Lossy = new TextDecoder("utf-8");

function text(value: Buffer | string): string {
  return typeof value === "string" ? value : utf8Lossy.decode(value);
}

const ADDRESS_TYPES: Readonly<Record<string, StellarAddressType>> = {
  scAddressTypeAccount: "account",
  scAddressTypeContract: "contract",
  scAddressTypeMuxedAccount: "muxed_account",
  scAddressTypeClaimableBalance: "claimable_balance",
  scAddressTypeLiquidityPool: "liquidity_pool",
};

/** An `ScAddress` as OZ sees it: `G…`/`C…`, or no strkey for the address types OZ does not support. */
export function scAddressValue(address: xdr.ScAddress): Extract<ScValue, { type: "address" }> {
  const addressType = ADDRESS_TYPES[address.switch().name];
  if (addressType === undefined) throw new TypeError(`unknown ScAddress type ${address.switch().name}`);
  const supported = addressType === "account" || addressType === "contract";
  return { type: "address", addressType, strkey: supported ? scAddressStrkey(address) : null };
}

/**
 * Converts an `ScVal` exactly: 64-bit and wider integers to decimal strings, bytes to lowercase hex, strings and
 * symbols to text. Error values, contract instances, ledger keys and absent vec/map bodies become `unsupported`.
 */
export function scValueFromXdr(val: xdr.ScVal): ScValue {
  switch (val.switch().name) {
    case "scvBool":
      return { type: "bool", value: val.b() };
    case "scvVoid":
      return { type: "void" };
    case "scvError":
      return { type: "unsupported", scType: "error" };
    case "scvU32":
      return { type: "u32", value: val.u32() };
    case "scvI32":
      return { type: "i32", value: val.i32() };
    case "scvU64":
      return { type: "u64", value: val.u64().toBigInt().toString() };
    case "scvI64":
      return { type: "i64", value: val.i64().toBigInt().toString() };
    case "scvTimepoint":
      return { type: "timepoint", value: val.timepoint().toBigInt().toString() };
    case "scvDuration":
      return { type: "duration", value: val.duration().toBigInt().toString() };
    case "scvU128": {
      const parts = val.u128();
      return { type: "u128", value: ((parts.hi().toBigInt() << 64n) + parts.lo().toBigInt()).toString() };
    }
    case "scvI128": {
      const parts = val.i128();
      return { type: "i128", value: ((parts.hi().toBigInt() << 64n) + parts.lo().toBigInt()).toString() };
    }
    case "scvU256":
      return { type: "u256", value: int256(val.u256()).toString() };
    case "scvI256":
      return { type: "i256", value: int256(val.i256()).toString() };
    case "scvBytes":
      return { type: "bytes", hex: Buffer.from(val.bytes()).toString("hex") };
    case "scvString":
      return { type: "string", value: text(val.str()) };
    case "scvSymbol":
      return { type: "symbol", value: text(val.sym()) };
    case "scvVec": {
      const items = val.vec();
      if (items === null || items === undefined) return { type: "unsupported", scType: "vec_none" };
      return { type: "vec", items: items.map(scValueFromXdr) };
    }
    case "scvMap": {
      const entries = val.map();
      if (entries === null || entries === undefined) return { type: "unsupported", scType: "map_none" };
      return {
        type: "map",
        entries: entries.map((entry) => ({ key: scValueFromXdr(entry.key()), value: scValueFromXdr(entry.val()) })),
      };
    }
    case "scvAddress":
      return scAddressValue(val.address());
    case "scvContractInstance":
      return { type: "unsupported", scType: "contract_instance" };
    case "scvLedgerKeyContractInstance":
      return { type: "unsupported", scType: "ledger_key_contract_instance" };
    case "scvLedgerKeyNonce":
      return { type: "unsupported", scType: "ledger_key_nonce" };
    default:
      throw new TypeError(`unknown ScVal type ${val.switch().name}`);
  }
}

function assetName(asset: xdr.Asset): string {
  switch (asset.switch().name) {
    case "assetTypeNative":
      return "native";
    case "assetTypeCreditAlphanum4": {
      const a = asset.alphaNum4();
      return `${text(a.assetCode()).replace(/\0+$/, "")}:${StrKey.encodeEd25519PublicKey(a.issuer().ed25519())}`;
    }
    case "assetTypeCreditAlphanum12": {
      const a = asset.alphaNum12();
      return `${text(a.assetCode()).replace(/\0+$/, "")}:${StrKey.encodeEd25519PublicKey(a.issuer().ed25519())}`;
    }
    default:
      return snakeCase(asset.switch().name.replace(/^assetType/, ""));
  }
}

function operationsOf(
  tx: xdr.Transaction,
  from: string,
  feeBumpInner: boolean,
): { operations: StellarOperation[]; invocations: StellarInvokeContractOperation[] } {
  const operations: StellarOperation[] = [];
  const invocations: StellarInvokeContractOperation[] = [];
  tx.operations().forEach((op, index) => {
    const source = op.sourceAccount();
    const sourceAccount = source ? encodeMuxedAccountToAddress(source, true) : null;
    const body = op.body();
    const opName = body.switch().name;
    if (opName === "payment") {
      const payment = body.paymentOp();
      operations.push({
        type: "payment",
        index,
        from,
        to: encodeMuxedAccountToAddress(payment.destination(), true),
        amount: payment.amount().toBigInt().toString(),
        asset: assetName(payment.asset()),
        sourceAccount,
      });
      return;
    }
    if (opName === "invokeHostFunction") {
      const host = body.invokeHostFunctionOp().hostFunction();
      if (host.switch().name === "hostFunctionTypeInvokeContract") {
        const call = host.invokeContract();
        const invocation: StellarInvokeContractOperation = {
          type: "invoke_contract",
          index,
          from,
          contract: scAddressStrkey(call.contractAddress()),
          function: text(call.functionName()),
          args: call.args().map(scValueFromXdr),
          sourceAccount,
          feeBumpInner,
        };
        operations.push(invocation);
        invocations.push(invocation);
        return;
      }
    }
    operations.push({ type: "other", index, opType: snakeCase(opName), sourceAccount });
  });
  return { operations, invocations };
}

export interface DecodedEnvelope {
  envelopeKind: StellarEnvelopeKind;
  sourceAccount: string;
  feeSource: string | null;
  /** Spec §4.4: operations of plain `Tx` envelopes only. */
  operations: StellarOperation[];
  /** Spec §4.5: invocations of a `Tx` envelope or of a fee bump's inner `Tx`. */
  invocations: StellarInvokeContractOperation[];
}

/** Reads the kind, accounts, operations and contract invocations of a transaction envelope. */
export function decodeEnvelope(envelope: xdr.TransactionEnvelope): DecodedEnvelope {
  switch (envelope.switch().name) {
    case "envelopeTypeTx": {
      const tx = envelope.v1().tx();
      const source = encodeMuxedAccountToAddress(tx.sourceAccount(), true);
      return { envelopeKind: "tx", sourceAccount: source, feeSource: null, ...operationsOf(tx, source, false) };
    }
    case "envelopeTypeTxV0": {
      const tx = envelope.v0().tx();
      return {
        envelopeKind: "tx_v0",
        sourceAccount: StrKey.encodeEd25519PublicKey(tx.sourceAccountEd25519()),
        feeSource: null,
        operations: [],
        invocations: [],
      };
    }
    case "envelopeTypeTxFeeBump": {
      const feeBump = envelope.feeBump().tx();
      const inner = feeBump.innerTx().v1().tx();
      const source = encodeMuxedAccountToAddress(inner.sourceAccount(), true);
      return {
        envelopeKind: "fee_bump",
        sourceAccount: source,
        feeSource: encodeMuxedAccountToAddress(feeBump.feeSource(), true),
        operations: [],
        invocations: operationsOf(inner, source, true).invocations,
      };
    }
    default:
      throw new TypeError(`envelope type ${envelope.switch().name} is not a transaction envelope`);
  }
}
