/**
 * Thin builders over `@stellar/stellar-sdk`'s `xdr` for the ledger generator: Soroban values, accounts, assets,
 * ledger entries and keys, contract events and transaction hashes. Everything here produces real XDR objects; the
 * generator serialises them to base64 as a node would.
 */
import { createHash } from "node:crypto";
import { Address, Asset, StrKey, xdr } from "@stellar/stellar-sdk";

export function sha256(data: Buffer | string): Buffer {
  return createHash("sha256").update(data).digest();
}

export function int64(value: bigint | number): xdr.Int64 {
  return xdr.Int64.fromString(BigInt(value).toString());
}

export function uint64(value: bigint | number): xdr.Uint64 {
  return xdr.Uint64.fromString(BigInt(value).toString());
}

export function accountId(account: string): xdr.AccountId {
  return xdr.PublicKey.publicKeyTypeEd25519(StrKey.decodeEd25519PublicKey(account));
}

export function muxedAccount(account: string): xdr.MuxedAccount {
  return xdr.MuxedAccount.keyTypeEd25519(StrKey.decodeEd25519PublicKey(account));
}

const addressCache = new Map<string, xdr.ScAddress>();

/** `G…` or `C…` as an `ScAddress` (memoised: the same strkey recurs all over a ledger). */
export function scAddress(strkey: string): xdr.ScAddress {
  let address = addressCache.get(strkey);
  if (!address) {
    address = new Address(strkey).toScAddress();
    addressCache.set(strkey, address);
  }
  return address;
}

const MASK_64 = (1n << 64n) - 1n;

/** Soroban values. */
export const sc = {
  symbol: (value: string): xdr.ScVal => xdr.ScVal.scvSymbol(value),
  string: (value: string): xdr.ScVal => xdr.ScVal.scvString(value),
  address: (strkey: string): xdr.ScVal => xdr.ScVal.scvAddress(scAddress(strkey)),
  bool: (value: boolean): xdr.ScVal => xdr.ScVal.scvBool(value),
  u32: (value: number): xdr.ScVal => xdr.ScVal.scvU32(value),
  u64: (value: bigint | number): xdr.ScVal => xdr.ScVal.scvU64(uint64(value)),
  i128: (value: bigint): xdr.ScVal =>
    xdr.ScVal.scvI128(new xdr.Int128Parts({ hi: int64(BigInt.asIntN(64, value >> 64n)), lo: uint64(value & MASK_64) })),
  bytes: (value: Buffer): xdr.ScVal => xdr.ScVal.scvBytes(value),
  vec: (items: xdr.ScVal[]): xdr.ScVal => xdr.ScVal.scvVec(items),
  /** A map with symbol keys, sorted as the host requires. */
  map: (entries: Record<string, xdr.ScVal>): xdr.ScVal =>
    xdr.ScVal.scvMap(
      Object.keys(entries)
        .sort()
        .map((key) => new xdr.ScMapEntry({ key: xdr.ScVal.scvSymbol(key), val: entries[key] as xdr.ScVal })),
    ),
  void: (): xdr.ScVal => xdr.ScVal.scvVoid(),
};

export function classicAsset(asset: { code: string; issuer: string } | null): Asset {
  return asset === null ? Asset.native() : new Asset(asset.code, asset.issuer);
}

// ---------------------------------------------------------------------------------------------------------------
// Ledger entries and keys

export function accountEntry(
  account: string,
  balance: bigint,
  seqNum: bigint,
  lastModified: number,
  numSubEntries: number,
): xdr.LedgerEntry {
  return new xdr.LedgerEntry({
    lastModifiedLedgerSeq: lastModified,
    data: xdr.LedgerEntryData.account(
      new xdr.AccountEntry({
        accountId: accountId(account),
        balance: int64(balance),
        seqNum: int64(seqNum),
        numSubEntries,
        inflationDest: null,
        flags: 0,
        homeDomain: "",
        thresholds: Buffer.from([1, 0, 0, 0]),
        signers: [],
        ext: new xdr.AccountEntryExt(
          1,
          new xdr.AccountEntryExtensionV1({
            liabilities: new xdr.Liabilities({ buying: int64(0), selling: int64(0) }),
            ext: new xdr.AccountEntryExtensionV1Ext(0),
          }),
        ),
      }),
    ),
    ext: new xdr.LedgerEntryExt(0),
  });
}

export function trustlineEntry(account: string, asset: Asset, balance: bigint, lastModified: number): xdr.LedgerEntry {
  return new xdr.LedgerEntry({
    lastModifiedLedgerSeq: lastModified,
    data: xdr.LedgerEntryData.trustline(
      new xdr.TrustLineEntry({
        accountId: accountId(account),
        asset: asset.toTrustLineXDRObject(),
        balance: int64(balance),
        limit: int64(9_223_372_036_854_775_807n),
        flags: 1,
        ext: new xdr.TrustLineEntryExt(0),
      }),
    ),
    ext: new xdr.LedgerEntryExt(0),
  });
}

/** A SEP-41 balance entry: `Balance(holder) → {amount, authorized, clawback}` (persistent contract data). */
export function balanceEntry(
  contractId: string,
  holder: string,
  amount: bigint,
  lastModified: number,
): xdr.LedgerEntry {
  return new xdr.LedgerEntry({
    lastModifiedLedgerSeq: lastModified,
    data: xdr.LedgerEntryData.contractData(
      new xdr.ContractDataEntry({
        ext: new xdr.ExtensionPoint(0),
        contract: scAddress(contractId),
        key: balanceKeyVal(holder),
        durability: xdr.ContractDataDurability.persistent(),
        val: sc.map({ amount: sc.i128(amount), authorized: sc.bool(true), clawback: sc.bool(false) }),
      }),
    ),
    ext: new xdr.LedgerEntryExt(0),
  });
}

/** A contract data entry with any key and value. */
export function dataEntry(
  contractId: string,
  key: xdr.ScVal,
  val: xdr.ScVal,
  lastModified: number,
  durability: "persistent" | "temporary" = "persistent",
): xdr.LedgerEntry {
  return new xdr.LedgerEntry({
    lastModifiedLedgerSeq: lastModified,
    data: xdr.LedgerEntryData.contractData(
      new xdr.ContractDataEntry({
        ext: new xdr.ExtensionPoint(0),
        contract: scAddress(contractId),
        key,
        durability: xdr.ContractDataDurability[durability](),
        val,
      }),
    ),
    ext: new xdr.LedgerEntryExt(0),
  });
}

export function dataKey(contractId: string, key: xdr.ScVal): xdr.LedgerKey {
  return xdr.LedgerKey.contractData(
    new xdr.LedgerKeyContractData({
      contract: scAddress(contractId),
      key,
      durability: xdr.ContractDataDurability.persistent(),
    }),
  );
}

function balanceKeyVal(holder: string): xdr.ScVal {
  return sc.vec([sc.symbol("Balance"), sc.address(holder)]);
}

export function balanceKey(contractId: string, holder: string): xdr.LedgerKey {
  return xdr.LedgerKey.contractData(
    new xdr.LedgerKeyContractData({
      contract: scAddress(contractId),
      key: balanceKeyVal(holder),
      durability: xdr.ContractDataDurability.persistent(),
    }),
  );
}

export function instanceKey(contractId: string): xdr.LedgerKey {
  return xdr.LedgerKey.contractData(
    new xdr.LedgerKeyContractData({
      contract: scAddress(contractId),
      key: xdr.ScVal.scvLedgerKeyContractInstance(),
      durability: xdr.ContractDataDurability.persistent(),
    }),
  );
}

export function codeKey(contractId: string): xdr.LedgerKey {
  return xdr.LedgerKey.contractCode(new xdr.LedgerKeyContractCode({ hash: sha256(`wasm:${contractId}`) }));
}

/** `[state(before), updated(after)]`: how meta records a modified entry. */
export function modified(before: xdr.LedgerEntry, after: xdr.LedgerEntry): xdr.LedgerEntryChange[] {
  return [xdr.LedgerEntryChange.ledgerEntryState(before), xdr.LedgerEntryChange.ledgerEntryUpdated(after)];
}

// ---------------------------------------------------------------------------------------------------------------
// Events and hashes

export function contractEvent(contractId: string, topics: xdr.ScVal[], data: xdr.ScVal): xdr.ContractEvent {
  return new xdr.ContractEvent({
    ext: new xdr.ExtensionPoint(0),
    contractId: StrKey.decodeContract(contractId) as unknown as xdr.ContractId,
    type: xdr.ContractEventType.contract(),
    body: new xdr.ContractEventBody(0, new xdr.ContractEventV0({ topics, data })),
  });
}

/** The network id: sha256 of the passphrase. */
export function networkId(passphrase: string): Buffer {
  return sha256(passphrase);
}

/** Transaction hash as stellar-core computes it (sha256 of the `TransactionSignaturePayload`). */
export function transactionHash(network: Buffer, tx: xdr.Transaction): Buffer {
  const payload = new xdr.TransactionSignaturePayload({
    networkId: network,
    taggedTransaction: xdr.TransactionSignaturePayloadTaggedTransaction.envelopeTypeTx(tx),
  });
  return sha256(payload.toXDR());
}

export function feeBumpHash(network: Buffer, tx: xdr.FeeBumpTransaction): Buffer {
  const payload = new xdr.TransactionSignaturePayload({
    networkId: network,
    taggedTransaction: xdr.TransactionSignaturePayloadTaggedTransaction.envelopeTypeTxFeeBump(tx),
  });
  return sha256(payload.toXDR());
}
