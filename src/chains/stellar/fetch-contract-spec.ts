import { StrKey, xdr } from "@stellar/stellar-sdk";
import type { StellarContractSpecEntry } from "../../engine/stellar-ledger.js";
import { parseContractSpecWasm } from "./contract-spec.js";
import { StellarContractSpecError, StellarInvalidArgumentError } from "./errors.js";
import type { StellarLedgerEntryResult } from "./responses.js";
import { getLedgerEntries, type StellarClient, type StellarRequestOptions } from "./rpc.js";
import { base64Bytes } from "./xdr.js";

/** Base64 `LedgerKey` of a contract's instance: `ContractData(contract, LedgerKeyContractInstance, persistent)`. */
export function contractInstanceLedgerKey(contractId: string): string {
  assertContractId(contractId);
  return xdr.LedgerKey.contractData(
    new xdr.LedgerKeyContractData({
      contract: xdr.ScAddress.scAddressTypeContract(StrKey.decodeContract(contractId) as unknown as xdr.ContractId),
      key: xdr.ScVal.scvLedgerKeyContractInstance(),
      durability: xdr.ContractDataDurability.persistent(),
    }),
  ).toXDR("base64");
}

/** Base64 `LedgerKey` of uploaded contract code: `ContractCode(hash)`. */
export function contractCodeLedgerKey(wasmHash: Uint8Array): string {
  return xdr.LedgerKey.contractCode(new xdr.LedgerKeyContractCode({ hash: Buffer.from(wasmHash) })).toXDR("base64");
}

function assertContractId(contractId: string): void {
  if (typeof contractId !== "string" || !StrKey.isValidContract(contractId)) {
    throw new StellarInvalidArgumentError(
      `${JSON.stringify(contractId)} is not a contract id (a C… strkey with a valid checksum).`,
    );
  }
}

function pick(entries: readonly StellarLedgerEntryResult[], key: string): StellarLedgerEntryResult | undefined {
  return entries.find((entry) => entry.key === key) ?? (entries.length === 1 ? entries[0] : undefined);
}

function entryData(contractId: string, entry: StellarLedgerEntryResult, what: string): xdr.LedgerEntryData {
  const bytes = base64Bytes(entry.xdr);
  try {
    if (bytes === undefined) throw new Error("the text is not base64");
    return xdr.LedgerEntryData.fromXDR(bytes);
  } catch (error) {
    throw new StellarContractSpecError(
      "STELLAR_CONTRACT_SPEC_INVALID",
      contractId,
      `the ${what} entry is not valid LedgerEntryData XDR (${error instanceof Error ? error.message : String(error)})`,
      error,
    );
  }
}

async function fetchSpec(
  client: StellarClient,
  contractId: string,
  options: StellarRequestOptions,
): Promise<StellarContractSpecEntry[]> {
  const instanceKey = contractInstanceLedgerKey(contractId);
  const instanceEntry = pick((await getLedgerEntries(client, [instanceKey], options)).entries, instanceKey);
  if (instanceEntry === undefined) {
    throw new StellarContractSpecError(
      "STELLAR_CONTRACT_NOT_FOUND",
      contractId,
      "the RPC has no instance entry for the contract",
    );
  }
  const instanceData = entryData(contractId, instanceEntry, "contract instance");
  if (
    instanceData.switch().name !== "contractData" ||
    instanceData.contractData().val().switch().name !== "scvContractInstance"
  ) {
    throw new StellarContractSpecError(
      "STELLAR_CONTRACT_SPEC_INVALID",
      contractId,
      `the instance key holds ${instanceData.switch().name} data, not a contract instance`,
    );
  }
  const executable = instanceData.contractData().val().instance().executable();
  if (executable.switch().name !== "contractExecutableWasm") {
    throw new StellarContractSpecError(
      "STELLAR_CONTRACT_SPEC_UNAVAILABLE",
      contractId,
      "it is a Stellar Asset Contract, which has no WASM and so no contractspecv0 section",
    );
  }
  const wasmHash = executable.wasmHash();
  const codeKey = contractCodeLedgerKey(wasmHash);
  const codeEntry = pick((await getLedgerEntries(client, [codeKey], options)).entries, codeKey);
  if (codeEntry === undefined) {
    throw new StellarContractSpecError(
      "STELLAR_CONTRACT_SPEC_UNAVAILABLE",
      contractId,
      `the RPC has no code entry for WASM hash ${wasmHash.toString("hex")} (archived or never uploaded)`,
    );
  }
  const codeData = entryData(contractId, codeEntry, "contract code");
  if (codeData.switch().name !== "contractCode") {
    throw new StellarContractSpecError(
      "STELLAR_CONTRACT_SPEC_INVALID",
      contractId,
      `the code key holds ${codeData.switch().name} data, not contract code`,
    );
  }
  try {
    return parseContractSpecWasm(codeData.contractCode().code());
  } catch (error) {
    throw new StellarContractSpecError(
      "STELLAR_CONTRACT_SPEC_INVALID",
      contractId,
      `its WASM (hash ${wasmHash.toString("hex")}) has no readable spec: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
}

/**
 * The SEP-48 spec of a deployed contract, from the chain (spec §4.1): `getLedgerEntries` for the contract instance
 * → WASM hash → `getLedgerEntries` for the code → the WASM's `contractspecv0` section, as stellar-xdr JSON (the same
 * form as an OZ config `contract_spec`). Cached per client: a contract's spec is fetched once and concurrent callers
 * share the fetch in flight (and so the first caller's `signal`); a failed fetch is not cached, so a later call tries
 * again.
 *
 * @throws StellarContractSpecError (`STELLAR_CONTRACT_NOT_FOUND`, `STELLAR_CONTRACT_SPEC_UNAVAILABLE` for Stellar
 *   Asset Contracts and archived code, `STELLAR_CONTRACT_SPEC_INVALID`); transport errors as `chains/rpc` raises them.
 *
 * @example const spec = await fetchContractSpec(client, "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA");
 */
export function fetchContractSpec(
  client: StellarClient,
  contractId: string,
  options: StellarRequestOptions = {},
): Promise<StellarContractSpecEntry[]> {
  try {
    assertContractId(contractId);
  } catch (error) {
    return Promise.reject(error);
  }
  const cached = client.contractSpecs.get(contractId);
  if (cached) return cached;
  const pending = fetchSpec(client, contractId, options);
  client.contractSpecs.set(contractId, pending);
  pending.catch(() => {
    if (client.contractSpecs.get(contractId) === pending) client.contractSpecs.delete(contractId);
  });
  return pending;
}
