import { StrKey, xdr } from "@stellar/stellar-sdk";
import { describe, expect, it } from "vitest";
import {
  contractInstanceLedgerKey,
  fetchContractSpec,
  StellarContractSpecError,
} from "../../../../src/chains/stellar/index.js";
import { fakeContract, loadStellarFixtures } from "../../../support/stellar-fixture-rpc.js";
import { rejection, setup } from "./support.js";

const fixtures = loadStellarFixtures();
const USDC = "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA";

describe("fetchContractSpec() over getLedgerEntries", () => {
  it("returns the spec the fixture JSON describes, through instance → WASM hash → code → contractspecv0", async () => {
    const { rpc, client } = await setup();
    const spec = await fetchContractSpec(client, USDC);
    expect(spec).toEqual(fixtures.specs.contract_spec);

    const calls = rpc.callsOf("getLedgerEntries") as Array<{ keys: string[]; xdrFormat: string }>;
    expect(calls).toHaveLength(2);
    expect(calls[0]?.xdrFormat).toBe("base64");
    const instanceKey = xdr.LedgerKey.fromXDR(calls[0]?.keys[0] as string, "base64").contractData();
    expect(StrKey.encodeContract(instanceKey.contract().contractId() as unknown as Buffer)).toBe(USDC);
    expect(instanceKey.key().switch().name).toBe("scvLedgerKeyContractInstance");
    expect(instanceKey.durability().name).toBe("persistent");
    expect(xdr.LedgerKey.fromXDR(calls[1]?.keys[0] as string, "base64").switch().name).toBe("contractCode");
  });

  it("caches the spec per client: a second call (or a concurrent one) does not fetch again", async () => {
    const { rpc, client } = await setup();
    const [a, b] = await Promise.all([fetchContractSpec(client, USDC), fetchContractSpec(client, USDC)]);
    const c = await fetchContractSpec(client, USDC);
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(rpc.callsOf("getLedgerEntries")).toHaveLength(2);
  });

  it("serves event specs too (Protocol 23 event_v0 entries survive the round trip)", async () => {
    const contractId = fakeContract("users");
    const { client } = await setup({ contractSpecs: { [contractId]: fixtures.specs.contract_spec_with_events ?? [] } });
    expect(await fetchContractSpec(client, contractId)).toEqual(fixtures.specs.contract_spec_with_events);
  });

  it("a contract without an instance entry → STELLAR_CONTRACT_NOT_FOUND, not cached", async () => {
    const { rpc, client } = await setup();
    const unknown = fakeContract("nobody");
    const error = await rejection(fetchContractSpec(client, unknown));
    expect(error).toBeInstanceOf(StellarContractSpecError);
    expect(error).toMatchObject({ code: "STELLAR_CONTRACT_NOT_FOUND", contractId: unknown });
    await rejection(fetchContractSpec(client, unknown));
    expect(rpc.callsOf("getLedgerEntries")).toHaveLength(2);
    expect(client.contractSpecs.has(unknown)).toBe(false);
  });

  it("a Stellar Asset Contract → STELLAR_CONTRACT_SPEC_UNAVAILABLE", async () => {
    const sac = fakeContract("sac");
    const { client } = await setup({ stellarAssetContracts: [sac] });
    const error = await rejection(fetchContractSpec(client, sac));
    expect(error).toMatchObject({ code: "STELLAR_CONTRACT_SPEC_UNAVAILABLE" });
    expect((error as Error).message).toContain("Stellar Asset Contract");
  });

  it("code that is not a readable WASM spec → STELLAR_CONTRACT_SPEC_INVALID", async () => {
    const { rpc, client } = await setup();
    rpc.setTransform((method, result, params) => {
      const keys = (params as { keys: string[] }).keys;
      if (method !== "getLedgerEntries" || keys[0] === contractInstanceLedgerKey(USDC)) return result;
      const page = result as { entries: Array<Record<string, unknown>> };
      const bogus = xdr.LedgerEntryData.contractCode(
        new xdr.ContractCodeEntry({
          ext: new xdr.ContractCodeEntryExt(0),
          hash: Buffer.alloc(32),
          code: Buffer.from("\0asm\x01\0\0\0garbage"),
        }),
      ).toXDR("base64");
      return { ...page, entries: page.entries.map((entry) => ({ ...entry, xdr: bogus })) };
    });
    expect(await rejection(fetchContractSpec(client, USDC))).toMatchObject({
      code: "STELLAR_CONTRACT_SPEC_INVALID",
    });
    rpc.setTransform((method, result) =>
      method === "getLedgerEntries"
        ? { ...(result as object), entries: [{ key: "AAAA", xdr: "%%%", lastModifiedLedgerSeq: 1 }] }
        : result,
    );
    expect(await rejection(fetchContractSpec(client, USDC))).toMatchObject({
      code: "STELLAR_CONTRACT_SPEC_INVALID",
    });
  });

  it("a contract id that is not a C… strkey → STELLAR_INVALID_ARGUMENT, no request", async () => {
    const { rpc, client } = await setup();
    expect(
      await rejection(fetchContractSpec(client, "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY")),
    ).toMatchObject({
      code: "STELLAR_INVALID_ARGUMENT",
    });
    expect(rpc.requests).toEqual([]);
  });
});
