/**
 * Transaction conditions (§4.4) and the no-gate decision (§4.7, ST-16/ST-17) over OZ's Stellar fixtures.
 */
import { describe, expect, it } from "vitest";
import { resetStellarEvaluationCounters, stellarEvaluationCounters } from "../../../../src/engine/stellar/evaluate.js";
import {
  FROM_ACCOUNT,
  hashes,
  LEDGER,
  run,
  stellarMonitor,
  TX_SPONSORSHIP,
  TX_TRANSFER,
  TX_UPSERT,
  txHash,
} from "./fixtures.js";

const FAILED_PAYMENTS = LEDGER.transactions.filter((tx) => tx.status === "FAILED").map((tx) => tx.hash);
const SUCCESSFUL = LEDGER.transactions.filter((tx) => tx.status === "SUCCESS").map((tx) => tx.hash);
const PAYEE = "GBZA3UPYFIFXXPH4QPQSFL73TZND7MEN744BLU4DPBR4T2XS526PRRN2";

describe("Stellar monitors without conditions (ST-16)", () => {
  it("match every one of the 29 transactions, with no address gate", () => {
    const { matches } = run([stellarMonitor([])]);
    expect(LEDGER.transactions).toHaveLength(29);
    expect(hashes(matches)).toEqual(LEDGER.transactions.map((tx) => tx.hash));
  });

  it("carry empty matched_on lists and null matched_on_args", () => {
    const { matches } = run([stellarMonitor(["CAVLP5DH2GJPZMVO7IJY4CVOD5MWEFTJFVPD2YY2FQXOQHRGHK4D6HLP"])]);
    expect(matches).toHaveLength(29);
    for (const match of matches) {
      expect(match.payload.matched_on).toEqual({ functions: [], events: [], transactions: [] });
      expect(match.payload.matched_on_args).toEqual({ functions: null, events: null });
    }
  });
});

describe("transaction conditions (§4.4)", () => {
  it("Success with `value > 0` matches nothing: no successful payment, invocations have value 0 (ST-17)", () => {
    const { matches, diagnostics } = run([
      stellarMonitor([], { transactions: [{ status: "Success", expression: "value > 0" }] }),
    ]);
    expect(matches).toEqual([]);
    // The sponsorship-only transactions have no payment or invocation: the expression sees only hash, ledger, value.
    expect(diagnostics).toEqual([]);
  });

  it("Any with `to == <account>` matches the six payments to it, failed or not (ST-17)", () => {
    const { matches } = run([stellarMonitor([], { transactions: [{ status: "Any", expression: `to == ${PAYEE}` }] })]);
    expect(hashes(matches).map((hash) => hash.slice(0, 8))).toEqual([
      "9e58b4f3",
      "58cf5120",
      "0dc6f24d",
      "10d6ffcf",
      "50ae909d",
      "55cc5a3a",
    ]);
    expect(matches[0]?.payload.matched_on.transactions).toEqual([{ status: "Failure", expression: `to == ${PAYEE}` }]);
  });

  it("Failure without expression matches the 16 failed payments, recorded with status Failure", () => {
    const { matches } = run([stellarMonitor([], { transactions: [{ status: "Failure", expression: null }] })]);
    expect(FAILED_PAYMENTS).toHaveLength(16);
    expect(hashes(matches)).toEqual(FAILED_PAYMENTS);
    for (const match of matches) {
      expect(match.payload.matched_on).toEqual({
        functions: [],
        events: [],
        transactions: [{ status: "Failure", expression: null }],
      });
    }
  });

  it("Success without expression matches the 13 successful transactions", () => {
    const { matches } = run([stellarMonitor([], { transactions: [{ status: "Success", expression: null }] })]);
    expect(SUCCESSFUL).toHaveLength(13);
    expect(hashes(matches)).toEqual(SUCCESSFUL);
    expect(matches[0]?.payload.matched_on.transactions).toEqual([{ status: "Success", expression: null }]);
  });

  it("Any without expression matches all 29, each recorded with its actual status", () => {
    const { matches } = run([stellarMonitor([], { transactions: [{ status: "Any", expression: null }] })]);
    expect(matches).toHaveLength(29);
    expect(matches.map((match) => match.payload.matched_on.transactions[0]?.status)).toEqual(
      LEDGER.transactions.map((tx) => (tx.status === "SUCCESS" ? "Success" : "Failure")),
    );
  });

  it("evaluates once per payment with that payment's value (kind i64): `value >= 498000000` on failed payments", () => {
    const { matches } = run([
      stellarMonitor([], { transactions: [{ status: "Failure", expression: "value >= 498000000" }] }),
    ]);
    expect(hashes(matches).map((hash) => hash.slice(0, 8))).toEqual([
      "5dc68f8a",
      "9e58b4f3",
      "58cf5120",
      "0dc6f24d",
      "10d6ffcf",
      "50ae909d",
      "a7d386b9",
      "55cc5a3a",
    ]);
  });

  it("matches on a later operation when the first one fails the expression (first true wins)", () => {
    // 5dc68f8a pays 498000000 to GAUEGQOJ… and then 2000000 to GBMHKGWU…
    const { matches } = run([
      stellarMonitor([], {
        transactions: [{ status: "Any", expression: "to == GBMHKGWUZZV52MSNYX5SHZB2LFTX2N2WIFPNZBZ4GTMWUJX3TN2JWF4H" }],
      }),
    ]);
    expect(hashes(matches).map((hash) => hash.slice(0, 8))).toEqual(["5dc68f8a", "ee0c376a", "d3518958", "a7d386b9"]);
  });

  it("compares `from` (the transaction's source account) and `to` (the invoked contract) of invocations", () => {
    const { matches } = run([
      stellarMonitor([], {
        transactions: [
          {
            status: "Success",
            expression: `from == ${FROM_ACCOUNT.toLowerCase()} AND to == CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA AND value == 0`,
          },
        ],
      }),
    ]);
    expect(hashes(matches)).toEqual([TX_TRANSFER]);
  });

  it("exposes hash (string) and ledger (i64), the ledger being the transaction's own", () => {
    const byHash = run([
      stellarMonitor([], { transactions: [{ status: "Any", expression: `hash == '${TX_UPSERT}'` }] }),
    ]);
    expect(hashes(byHash.matches)).toEqual([TX_UPSERT]);
    const byLedger = run([stellarMonitor([], { transactions: [{ status: "Any", expression: "ledger > 800000" }] })]);
    expect(hashes(byLedger.matches).map((hash) => hash.slice(0, 8))).toEqual(["80fec04b", "e5472ed0", "2c89fc33"]);
  });

  it("evaluates transactions without payments or invocations once with hash, ledger and value 0 only", () => {
    const zero = run([stellarMonitor([], { transactions: [{ status: "Success", expression: "value == 0" }] })]);
    expect(hashes(zero.matches)).toContain(TX_SPONSORSHIP);
    expect(hashes(zero.matches)).toContain(txHash("7723ef4c"));

    const to = run([stellarMonitor([], { transactions: [{ status: "Success", expression: `to != ${PAYEE}` }] })]);
    expect(hashes(to.matches)).not.toContain(TX_SPONSORSHIP);
    expect(to.matches).toHaveLength(SUCCESSFUL.length - 2);
    expect(to.diagnostics.map((d) => [d.code, d.cause?.kind, d.transactionHash, d.occurrences])).toEqual([
      ["ENGINE_EXPRESSION_FAILED", "VariableNotFound", txHash("7723ef4c"), 2],
    ]);
  });

  it("records the first condition that matches and stops", () => {
    const { matches } = run([
      stellarMonitor([], {
        transactions: [
          { status: "Success", expression: null },
          { status: "Failure", expression: "value > 100000000" },
          { status: "Any", expression: null },
        ],
      }),
    ]);
    expect(matches).toHaveLength(29);
    const records = new Map(matches.map((match) => [match.transactionHash, match.payload.matched_on.transactions]));
    expect(records.get(TX_TRANSFER)).toEqual([{ status: "Success", expression: null }]);
    expect(records.get(txHash("9e58b4f3"))).toEqual([{ status: "Failure", expression: "value > 100000000" }]);
    expect(records.get(txHash("21612b8b"))).toEqual([{ status: "Failure", expression: "value > 100000000" }]);
    expect(records.get(txHash("5dc68f8a"))).toEqual([{ status: "Failure", expression: "value > 100000000" }]);
    expect(records.get(txHash("2f0a24c9"))).toEqual([{ status: "Failure", expression: "value > 100000000" }]);
  });

  it("treats a quoted number against an i64 parameter as an expression error, not a match (§2.5)", () => {
    const { matches, diagnostics } = run([
      stellarMonitor([], { transactions: [{ status: "Failure", expression: "value > '1'" }] }),
    ]);
    expect(matches).toEqual([]);
    expect(diagnostics.map((d) => [d.code, d.cause?.kind, d.occurrences])).toEqual([
      // Once per payment: 10 failed transactions have two payments, 6 have one.
      ["ENGINE_EXPRESSION_FAILED", "TypeMismatch", 26],
    ]);
  });

  it("maps an RPC status other than SUCCESS / FAILED / NOT FOUND to Any: only Any conditions match it", () => {
    const pending = {
      ...LEDGER,
      transactions: LEDGER.transactions.slice(0, 3).map((tx) => ({ ...tx, status: "PENDING" })),
    };
    const any = run([stellarMonitor([], { transactions: [{ status: "Any", expression: null }] })], { ledger: pending });
    expect(any.matches.map((match) => match.payload.matched_on.transactions)).toEqual([
      [{ status: "Any", expression: null }],
      [{ status: "Any", expression: null }],
      [{ status: "Any", expression: null }],
    ]);
    const notFound = {
      ...LEDGER,
      transactions: LEDGER.transactions.slice(0, 1).map((tx) => ({ ...tx, status: "NOT FOUND" })),
    };
    for (const [status, ledger, count] of [
      ["Success", pending, 0],
      ["Failure", pending, 0],
      ["Failure", notFound, 1],
    ] as const) {
      const { matches } = run([stellarMonitor([], { transactions: [{ status, expression: null }] })], { ledger });
      expect(matches).toHaveLength(count);
    }
  });

  it("groups monitors with identical transaction conditions yet reports each one's matches and diagnostics", () => {
    const conditions = { transactions: [{ status: "Failure" as const, expression: "value > '1'" }] };
    const { matches, diagnostics } = run([
      stellarMonitor([], { transactions: [{ status: "Failure", expression: null }] }, "a"),
      stellarMonitor([], conditions, "b"),
      stellarMonitor([], { transactions: [{ status: "Failure", expression: null }] }, "c"),
      stellarMonitor([], conditions, "d"),
    ]);
    expect(matches.map((match) => match.payload.monitor.name)).toEqual([
      ...Array<string>(16).fill("a"),
      ...Array<string>(16).fill("c"),
    ]);
    expect(diagnostics.map((d) => d.occurrences)).toEqual([26, 26]);
    expect(new Set(diagnostics.map((d) => d.monitorId)).size).toBe(2);
  });

  it("indexes leading `to ==` / `from ==` comparisons without changing matches or diagnostics", () => {
    const GDRX = "GDRX32H3FLPJSZJXW7HRYKUX5EOR7CJQKR4OBEPTTAI2PC5INIEEN5VJ";
    const SOURCE = "GCW2NGRNWISFIXSGCBXPU23GDBAMHIOQOWO52LZWEWNELRC4XDQMDWNT";
    for (const [status, variable, address] of [
      ["Any", "to", PAYEE],
      ["Failure", "to", GDRX],
      ["Success", "to", "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA"],
      ["Any", "from", SOURCE],
      ["Any", "from", FROM_ACCOUNT.toLowerCase()],
      ["Any", "to", "GNOBODY"],
    ] as const) {
      const keyed = run([
        stellarMonitor([], { transactions: [{ status, expression: `${variable} == ${address} AND value >= 0` }] }),
      ]);
      const unkeyed = run([
        stellarMonitor([], { transactions: [{ status, expression: `value >= 0 AND ${variable} == ${address}` }] }),
      ]);
      const label = `${status} ${variable} == ${address}`;
      expect(hashes(keyed.matches), label).toEqual(hashes(unkeyed.matches));
      const summary = (d: (typeof keyed.diagnostics)[number]) => [d.cause?.kind, d.transactionHash, d.occurrences];
      expect(keyed.diagnostics.map(summary), label).toEqual(unkeyed.diagnostics.map(summary));
    }
    const payee = run([stellarMonitor([], { transactions: [{ status: "Any", expression: `to == ${PAYEE}` }] })]);
    expect(payee.diagnostics.map((d) => [d.cause?.kind, d.transactionHash, d.occurrences])).toEqual([
      ["VariableNotFound", txHash("7723ef4c"), 2],
    ]);
  });

  it("evaluates monitors keyed on an address only on transactions with an operation to or from it", () => {
    const monitors = Array.from({ length: 500 }, (_, i) =>
      stellarMonitor([], { transactions: [{ status: "Any", expression: `to == GFAKE${i} AND value > 5` }] }, `k${i}`),
    );
    monitors.push(stellarMonitor([], { transactions: [{ status: "Any", expression: `to == ${PAYEE}` }] }, "payee"));
    resetStellarEvaluationCounters();
    const { matches, diagnostics } = run(monitors);
    expect(matches.map((m) => m.payload.monitor.name)).toEqual(Array<string>(6).fill("payee"));
    // 6 payments to PAYEE, plus one known failure per expression for the two transactions without operations.
    expect(stellarEvaluationCounters.expressionEvaluations).toBeLessThanOrEqual(6 + 501);
    expect(diagnostics).toHaveLength(501);
    expect(new Set(diagnostics.map((d) => d.occurrences))).toEqual(new Set([2]));
  });
});
