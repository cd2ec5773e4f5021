import { xdr } from "@stellar/stellar-sdk";
import { describe, expect, it } from "vitest";
import {
  assembleStellarLedger,
  decodeStellarEvent,
  decodeStellarTransaction,
  StellarInconsistentLedgerError,
  StellarXdrError,
  xdrFromJson,
} from "../../../../src/chains/stellar/index.js";
import type {
  StellarInvokeContractOperation,
  StellarRpcTransaction,
  StellarTransaction,
} from "../../../../src/engine/stellar-ledger.js";
import { scValueDisplay, scValueKind } from "../../../../src/engine/stellar-values.js";
import { buildSyntheticStellarLedger, fakeAccount, loadStellarFixtures } from "../../../support/stellar-fixture-rpc.js";

const fixtures = loadStellarFixtures();
const decoded = fixtures.transactions.map((entry, i) => decodeStellarTransaction(entry, ["transactions", i]));

function tx(prefix: string, suffix = ""): StellarTransaction {
  const found = decoded.filter((t) => t.hash.startsWith(prefix) && t.hash.endsWith(suffix));
  expect(found, `transaction ${prefix}…${suffix}`).toHaveLength(1);
  return found[0] as StellarTransaction;
}

/** `contract.function(Kind display, …)` of an invocation. */
function call(invocation: StellarInvokeContractOperation | undefined): string {
  if (!invocation) return "none";
  const args = invocation.args.map((arg) => `${scValueKind(arg)} ${scValueDisplay(arg)}`).join(", ");
  return `${invocation.contract}.${invocation.function}(${args})`;
}

const G_SRC = "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY";

describe("decodeStellarTransaction() on OZ's 29 fixture transactions", () => {
  it("decodes every transaction, keeping the RPC hash and status verbatim", () => {
    expect(decoded).toHaveLength(29);
    decoded.forEach((t, i) => {
      const entry = fixtures.transactions[i] as StellarRpcTransaction;
      expect(t.hash).toBe(entry.txHash);
      expect(t.status).toBe(entry.status);
      expect(t.rpc).toBe(entry);
      expect(t.envelopeKind).toBe("tx");
      expect(t.decoded.envelope).toHaveProperty("tx");
      expect(t.decoded.result).toHaveProperty("fee_charged");
      expect(t.decoded.meta).toHaveProperty("v3");
    });
    expect(decoded.filter((t) => t.status === "FAILED")).toHaveLength(16);
    expect(decoded.filter((t) => t.hash.startsWith("FAKE"))).toHaveLength(1);
  });

  it("2c89…1503 invokes CBIELTK6…DAMA.transfer(Address, Address, I128 2240) from GDF32CQ…", () => {
    const t = tx("2c89fc33", "1503");
    expect(t.sourceAccount).toBe(G_SRC);
    expect(t.invocations).toHaveLength(1);
    expect(call(t.invocations[0])).toBe(
      `CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA.transfer(Address ${G_SRC}, Address CC7YMFMYZM2HE6O3JT5CNTFBHVXCZTV7CEYT56IGBHR4XFNTGTN62CPT, I128 2240)`,
    );
    expect(t.operations).toEqual([{ ...t.invocations[0], type: "invoke_contract", from: G_SRC }]);
  });

  it("FAKE5a3a… invokes CBWRWC2I…OQG6.upsert_data(Map{myKey1: U32 1234, myKey2: String})", () => {
    expect(call(tx("FAKE5a3a").invocations[0])).toBe(
      "CBWRWC2IFNRXKAW2HG5473V5U25OMUKVIE3BFZBIWOOD3VLEIBUIOQG6.upsert_data(Map<String,U32,String> {myKey1:1234,myKey2:Hello, world!})",
    );
  });

  it("80fec04b… invokes CDMZ6LU6…OHTX.increment()", () => {
    expect(call(tx("80fec04b").invocations[0])).toBe(
      "CDMZ6LU66KEMLKI3EJBIGXTZ4KZ2CRTSHZETMY3QQZBWRKVKB5EIOHTX.increment()",
    );
  });

  it("e5472ed0… invokes submit(Address×3, Vec[Map{address, amount: I128, request_type: U32}])", () => {
    const from = "GBXZIT7UWJ5ENMUZZAU2DNC7DYMU6YSVPTHVRPJIBCAFBHBNZVWW7FMJ";
    expect(call(tx("e5472ed0").invocations[0])).toBe(
      `CAJJZSGMMM3PD7N33TAPHGBUGTB43OC73HVIK2L2G6BNGGGYOSSYBXBD.submit(Address ${from}, Address ${from}, Address ${from}, Vec<Map<String,Address,I128,U32>> [{address:CAS3J7GYLGXMF6TDJBBYYSE3HQ6BBSMLNUQ34T6TZMYMW2EVH34XOWMA,amount:699998999,request_type:3}])`,
    );
  });

  it("77b923f3… invokes CAVLP5DH…6HLP.set_price(Vec<I128> of 7, U64)", () => {
    const invocation = tx("77b923f3").invocations[0];
    expect(invocation?.contract).toBe("CAVLP5DH2GJPZMVO7IJY4CVOD5MWEFTJFVPD2YY2FQXOQHRGHK4D6HLP");
    expect(invocation?.function).toBe("set_price");
    expect(invocation?.args.map(scValueKind)).toEqual(["Vec<I128>", "U64"]);
    expect(invocation?.args[0]).toMatchObject({ type: "vec" });
    expect((invocation?.args[0] as { items: unknown[] } | undefined)?.items).toHaveLength(7);
    expect(scValueDisplay(invocation?.args[1] as never)).toBe("1737741300000");
  });

  it("5a7bf196… invokes CC5WP4L2….call_contract", () => {
    const invocation = tx("5a7bf196").invocations[0];
    expect(invocation?.contract).toBe("CC5WP4L2CXUBZXZY3ZHK2XURV4H7VS6GKYF7K7WIHQSMEUDJYQ2E5TLK");
    expect(invocation?.function).toBe("call_contract");
  });

  it("2c89…1501 carries sponsorship operations only (no payment, no invocation)", () => {
    const t = tx("2c89fc33", "1501");
    expect(t.invocations).toEqual([]);
    expect(t.operations.map((op) => (op.type === "other" ? op.opType : op.type))).toEqual([
      "begin_sponsoring_future_reserves",
      "create_account",
      "change_trust",
      "end_sponsoring_future_reserves",
    ]);
  });

  it("reads payments with the transaction's source as from, the destination as to, stroops as amount", () => {
    const toGbza = decoded
      .filter((t) =>
        t.operations.some(
          (op) => op.type === "payment" && op.to === "GBZA3UPYFIFXXPH4QPQSFL73TZND7MEN744BLU4DPBR4T2XS526PRRN2",
        ),
      )
      .map((t) => t.hash.slice(0, 8));
    expect(toGbza).toEqual(["9e58b4f3", "58cf5120", "0dc6f24d", "10d6ffcf", "50ae909d", "55cc5a3a"]);
    const payment = tx("9e58b4f3").operations[0];
    expect(payment).toEqual({
      type: "payment",
      index: 0,
      from: tx("9e58b4f3").sourceAccount,
      to: "GBZA3UPYFIFXXPH4QPQSFL73TZND7MEN744BLU4DPBR4T2XS526PRRN2",
      amount: "2916135120",
      asset: "native",
      sourceAccount: null,
    });
    expect(tx("5dc68f8a").operations.map((op) => op.type === "payment" && op.asset)).toEqual([
      "ATSBPIUSD:GC6ICL6XLKEYWWQAHTOGIDZC3VG3ZO7XPEUV3AV3O4EUZTLBMNJUB4AY",
      "ATSBPIUSD:GC6ICL6XLKEYWWQAHTOGIDZC3VG3ZO7XPEUV3AV3O4EUZTLBMNJUB4AY",
    ]);
  });

  it("renders decoded XDR as stellar-xdr-style JSON (snake_case, strkeys, decimal strings)", () => {
    const envelope = tx("2c89fc33", "1503").decoded.envelope as {
      tx: { tx: { source_account: string; seq_num: string; operations: Array<{ body: unknown }> } };
    };
    expect(envelope.tx.tx.source_account).toBe(G_SRC);
    expect(envelope.tx.tx.seq_num).toBe("8671538971282");
    expect(envelope.tx.tx.operations[0]?.body).toMatchObject({
      invoke_host_function: {
        host_function: {
          invoke_contract: {
            contract_address: "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA",
            function_name: "transfer",
            args: [
              { address: G_SRC },
              { address: "CC7YMFMYZM2HE6O3JT5CNTFBHVXCZTV7CEYT56IGBHR4XFNTGTN62CPT" },
              { i128: "2240" },
            ],
          },
        },
      },
    });
    expect(tx("9e58b4f3").decoded.result).toEqual({
      fee_charged: "100",
      result: { failed: [{ inner: { payment: "no_destination" } }] },
      ext: "v0",
    });
  });
});

describe("decodeStellarTransaction() on other envelope kinds", () => {
  const source = fakeAccount("source");
  const invoke = {
    source_account: null,
    body: {
      invoke_host_function: {
        host_function: {
          invoke_contract: {
            contract_address: "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA",
            function_name: "transfer",
            args: [{ u32: 1 }],
          },
        },
        auth: [],
      },
    },
  };
  const innerTx = {
    source_account: source,
    fee: 100,
    seq_num: "1",
    cond: "none",
    memo: "none",
    operations: [
      invoke,
      { source_account: source, body: { payment: { destination: source, asset: "native", amount: "5" } } },
    ],
    ext: "v0",
  };
  const base = fixtures.transactions[4] as StellarRpcTransaction;
  const withEnvelope = (json: unknown): StellarRpcTransaction => ({
    ...base,
    envelopeXdr: (xdrFromJson(xdr.TransactionEnvelope, json) as xdr.TransactionEnvelope).toXDR("base64"),
  });

  it("a fee bump contributes no operations (§4.4) but its inner invocations (§4.5)", () => {
    const feeSource = fakeAccount("fee");
    const t = decodeStellarTransaction(
      withEnvelope({
        tx_fee_bump: {
          tx: { fee_source: feeSource, fee: "200", inner_tx: { tx: { tx: innerTx, signatures: [] } }, ext: "v0" },
          signatures: [],
        },
      }),
    );
    expect(t.envelopeKind).toBe("fee_bump");
    expect(t.sourceAccount).toBe(source);
    expect(t.feeSource).toBe(feeSource);
    expect(t.operations).toEqual([]);
    expect(t.invocations).toHaveLength(1);
    expect(t.invocations[0]).toMatchObject({ function: "transfer", feeBumpInner: true, from: source, index: 0 });
  });

  it("a V0 envelope contributes neither operations nor invocations", () => {
    const { source_account: _ignored, ...rest } = innerTx;
    const t = decodeStellarTransaction(
      withEnvelope({
        tx_v0: {
          tx: { source_account_ed25519: xdrFromJsonKeyHex(source), ...rest, time_bounds: null, ext: "v0" },
          signatures: [],
        },
      }),
    );
    expect(t.envelopeKind).toBe("tx_v0");
    expect(t.sourceAccount).toBe(source);
    expect(t.operations).toEqual([]);
    expect(t.invocations).toEqual([]);
  });

  it("a plain Tx lists payments and invocations in operation order, with operation sources", () => {
    const t = decodeStellarTransaction(withEnvelope({ tx: { tx: innerTx, signatures: [] } }));
    expect(t.operations.map((op) => [op.type, op.index, op.sourceAccount])).toEqual([
      ["invoke_contract", 0, null],
      ["payment", 1, source],
    ]);
    expect(t.invocations.map((op) => op.feeBumpInner)).toEqual([false]);
  });
});

function xdrFromJsonKeyHex(account: string): string {
  return (xdrFromJson(xdr.PublicKey, account) as xdr.PublicKey).ed25519().toString("hex");
}

describe("decodeStellarTransaction() with malformed XDR", () => {
  const entry = fixtures.transactions[3] as StellarRpcTransaction;

  function xdrError(patch: Partial<StellarRpcTransaction>): StellarXdrError {
    try {
      decodeStellarTransaction({ ...entry, ...patch }, ["transactions", 3]);
    } catch (error) {
      expect(error).toBeInstanceOf(StellarXdrError);
      return error as StellarXdrError;
    }
    throw new Error("expected a StellarXdrError");
  }

  it("names the field path and the transaction hash for a truncated envelope", () => {
    const error = xdrError({ envelopeXdr: entry.envelopeXdr.slice(0, 40) });
    expect(error.code).toBe("STELLAR_XDR_INVALID");
    expect(error.path).toEqual(["transactions", 3, "envelopeXdr"]);
    expect(error.txHash).toBe(entry.txHash);
    expect(error.message).toContain(`$.transactions[3].envelopeXdr of transaction ${entry.txHash}`);
    expect(error.message).toContain("TransactionEnvelope");
    expect(error.retryable).toBe(false);
  });

  it("rejects text that is not base64 instead of decoding what Node would salvage", () => {
    const error = xdrError({ resultXdr: "not base64 at all!" });
    expect(error.path).toEqual(["transactions", 3, "resultXdr"]);
    expect(error.message).toContain("not base64");
  });

  it("rejects trailing bytes and unknown union arms", () => {
    const bytes = Buffer.from(entry.resultMetaXdr, "base64");
    expect(xdrError({ resultMetaXdr: Buffer.concat([bytes, Buffer.alloc(4)]).toString("base64") }).path).toEqual([
      "transactions",
      3,
      "resultMetaXdr",
    ]);
    const badArm = Buffer.from(entry.envelopeXdr, "base64");
    badArm.writeUInt32BE(99, 0);
    expect(xdrError({ envelopeXdr: badArm.toString("base64") }).message).toMatch(/TransactionEnvelope/);
  });

  it("rejects a field that is not a string", () => {
    expect(xdrError({ envelopeXdr: 42 as unknown as string }).message).toContain("expected a base64 string");
  });
});

describe("decodeStellarEvent() on OZ's 2 fixture events", () => {
  const events = fixtures.events.map((event, i) => decodeStellarEvent(event, ["events", i]));

  it("decodes both events, keeping the base64 topics as received", () => {
    expect(events.map((e) => [e.id, e.txHash.slice(0, 8), e.contractId.slice(0, 8), e.topics.length])).toEqual([
      ["0001364073023291392-0000000001", "5a7bf196", "CC5WP4L2", 5],
      ["0001364073023295488-0000000001", "2c89fc33", "CBIELTK6", 4],
    ]);
    expect(events[1]?.topicsXdr).toEqual(fixtures.events[1]?.topic);
    expect(events[1]?.valueXdr).toBe(fixtures.events[1]?.value);
  });

  it("decodes the SEP-41 transfer event: Symbol, Address, Address, String topics and an I128 value", () => {
    const transfer = events[1];
    expect(transfer?.topics.map((t) => `${scValueKind(t)} ${scValueDisplay(t)}`)).toEqual([
      "Symbol transfer",
      `Address ${G_SRC}`,
      "Address CC7YMFMYZM2HE6O3JT5CNTFBHVXCZTV7CEYT56IGBHR4XFNTGTN62CPT",
      "String USDC:GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5",
    ]);
    expect(transfer?.value).toEqual({ type: "i128", value: "2240" });
    expect(transfer?.inSuccessfulContractCall).toBe(true);
  });

  it("names the event topic that does not decode", () => {
    const event = {
      ...(fixtures.events[1] as never as Record<string, unknown>),
      topic: ["AAAADwAAAAh0cmFuc2Zlcg==", "AAAA"],
    };
    expect(() => decodeStellarEvent(event as never, ["events", 1])).toThrowError(
      expect.objectContaining({ code: "STELLAR_XDR_INVALID", path: ["events", 1, "topic", 1] }),
    );
  });
});

describe("assembleStellarLedger()", () => {
  const synthetic = buildSyntheticStellarLedger({ sequence: 500, txCount: 4, failed: [4] });

  it("builds the engine's ledger with header data, transactions and events", () => {
    const ledger = assembleStellarLedger(synthetic.ledger, synthetic.transactions, synthetic.events);
    expect(ledger).toMatchObject({ chain: "Stellar", sequence: 500, hash: synthetic.ledger.hash });
    expect(ledger.previousHash).toMatch(/^[0-9a-f]{64}$/);
    expect(ledger.closeTime).toBe(Number(synthetic.ledger.ledgerCloseTime));
    expect(ledger.transactions.map((t) => [t.status, t.operations[0]?.type])).toEqual([
      ["SUCCESS", "payment"],
      ["SUCCESS", "invoke_contract"],
      ["SUCCESS", "payment"],
      ["FAILED", "invoke_contract"],
    ]);
    expect(ledger.events).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(ledger))).toEqual(ledger);
  });

  it("rejects a transaction of another ledger, an event of an unknown transaction, a foreign header", () => {
    const [first, ...rest] = synthetic.transactions;
    expect(() =>
      assembleStellarLedger(synthetic.ledger, [{ ...(first as StellarRpcTransaction), ledger: 501 }, ...rest], []),
    ).toThrowError(StellarInconsistentLedgerError);
    expect(() => assembleStellarLedger(synthetic.ledger, [], synthetic.events)).toThrowError(
      expect.objectContaining({ code: "STELLAR_INCONSISTENT_LEDGER", path: ["events", 0, "txHash"] }),
    );
    const other = buildSyntheticStellarLedger({ sequence: 501, txCount: 0 }).ledger;
    expect(() => assembleStellarLedger({ ...synthetic.ledger, headerXdr: other.headerXdr }, [], [])).toThrowError(
      expect.objectContaining({ code: "STELLAR_INCONSISTENT_LEDGER", path: ["ledger", "headerXdr"] }),
    );
  });

  it("takes parts as given when not strict (OZ's conformance fake)", () => {
    const ledger = fixtures.ledgers[0];
    if (!ledger) throw new Error("fixture ledger missing");
    const assembled = assembleStellarLedger(ledger, fixtures.transactions, fixtures.events, { strict: false });
    expect(assembled.sequence).toBe(172627);
    expect(assembled.hash).toBe("40f8b17b5aae8c09e034dea3ba4e0553359544bb5662ad63e897eb587b59ae06");
    expect(assembled.closeTime).toBe(1734715046);
    expect(assembled.transactions).toHaveLength(29);
    expect(assembled.events).toHaveLength(2);
  });
});
