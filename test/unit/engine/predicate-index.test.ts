/**
 * The predicate index: which comparisons it groups (and which it must leave to the evaluator), and that the work of
 * a block follows what can match, not how many monitors watch a hot contract.
 */
import { sha256, stringToBytes } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import { generateBlock } from "../../../bench/engine/generate-block.js";
import { generateMonitors } from "../../../bench/engine/generate-monitors.js";
import { DEFAULT_POPULATION_SEED, population, type Token } from "../../../bench/engine/population.js";
import { createRng } from "../../../bench/engine/prng.js";
import { evmBlockFromPayload } from "../../../bench/engine/rpc-block.js";
import { type AbiEvent, compileAbi, createAbiInterner } from "../../../src/engine/evm/abi.js";
import {
  evmEvaluationCounters,
  evmIndexCounters,
  resetEvmEvaluationCounters,
} from "../../../src/engine/evm/evaluate.js";
import { abiLayout, type Conjunction, expressionTriggers } from "../../../src/engine/evm/predicates.js";
import { TRANSACTION_LAYOUT } from "../../../src/engine/evm/transaction.js";
import { ConjunctionTally, collectSatisfied, TriggerIndexBuilder } from "../../../src/engine/evm/trigger-index.js";
import { compileMonitors, type EvmBlock, evaluateBlock, type MonitorDefinition } from "../../../src/engine/index.js";
import { blockMatchIdPrefixes, matchIdPrefix } from "../../../src/engine/match.js";
import { Sha256WithPrefix } from "../../../src/engine/sha256.js";
import { parseExpression } from "../../../src/expr/index.js";
import { ERC20_ABI, monitorFor } from "./fixtures.js";

const NETWORK = "ethereum_mainnet";
const TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

function transferEvent(): AbiEvent {
  const { abi } = compileAbi(ERC20_ABI, createAbiInterner());
  const ev = abi.eventsByTopic0.get(TRANSFER_TOPIC);
  if (!ev) throw new Error("ERC-20 ABI without Transfer");
  return ev;
}

function triggers(text: string, layout = abiLayout(transferEvent().inputs)): Conjunction[] | null {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(`does not parse: ${text}`);
  return expressionTriggers(parsed.expression, layout);
}

describe("expressionTriggers()", () => {
  it("groups integer thresholds with the literal read as the dialect reads it (decimal, hex, quoted)", () => {
    for (const [text, threshold] of [
      ["value > 1000", 1000n],
      ["value > 0x3e8", 1000n],
      ["value > '1000'", 1000n],
      ["value > 001000", 1000n],
    ] as const) {
      expect(triggers(text)).toEqual([
        [{ group: "order", param: 2, signed: false, op: ">", threshold, trusted: true }],
      ]);
    }
    expect(triggers("value == 5")).toEqual([
      [{ group: "key", param: 2, keying: "uint", op: "==", key: "5", trusted: true }],
    ]);
  });

  it("leaves comparisons that can fail, or that it cannot read, to the evaluator", () => {
    for (const text of [
      "value > -1", // ParseError for an unsigned kind
      "value > 1.5", // not an integer
      `value > ${1n << 256n}`, // out of range
      "value > ' 1000'", // OZ trims: valid, but not a plain spelling
      "value == true", // TypeMismatch
      "amount > 1", // VariableNotFound
      "from > 5", // UnsupportedOperator for addresses
      "from == 5", // number literal for an address: TypeMismatch
      "value contains 1", // UnsupportedOperator
    ]) {
      expect(triggers(text), text).toBeNull();
    }
  });

  it("normalises address literals like the dialect (0x, 0X, bare, any case) and keeps other ones out", () => {
    const key = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
    for (const literal of [
      key,
      key.toUpperCase().replace("0X", "0x"),
      `0X${key.slice(2).toUpperCase()}`,
      key.slice(2),
      `'${key}'`,
    ]) {
      expect(triggers(`to == ${literal}`)).toEqual([
        [{ group: "key", param: 1, keying: "address", op: "==", key, trusted: true }],
      ]);
    }
    // Valid (never an error) but not an address the index can key: evaluated whenever the event occurs.
    expect(triggers("to == ''")).toBeNull();
    expect(triggers("to == 'abc'")).toBeNull();
  });

  it("needs both sides of an AND only when the left one can never fail, else the left one alone", () => {
    // Most selective first; `!=` only when nothing else is there.
    expect(triggers("value > 10 AND to == 0x0000000000000000000000000000000000000001")).toEqual([
      [expect.objectContaining({ group: "key", param: 1 }), expect.objectContaining({ group: "order", param: 2 })],
    ]);
    expect(triggers("(value > 10) AND from != 0x0000000000000000000000000000000000000000")).toEqual([
      [expect.objectContaining({ group: "order", param: 2 })],
    ]);
    expect(triggers("from != 0x0000000000000000000000000000000000000000")).toEqual([
      [expect.objectContaining({ group: "key", op: "!=" })],
    ]);
    // The left side could fail (VariableNotFound): only it can silence the expression, and it has no trigger.
    expect(triggers("amount > 1 AND value > 10")).toBeNull();
    expect(triggers("value > 10 AND amount > 1")).toEqual([[expect.objectContaining({ group: "order", param: 2 })]]);
    // A left side that is safe without a trigger lets the right side's triggers stand alone.
    expect(triggers("to == 'abc' AND value > 10")).toEqual([[expect.objectContaining({ group: "order", param: 2 })]]);
  });

  it("needs a trigger on both sides of an OR, and distributes AND over OR", () => {
    expect(triggers("value > 10 OR to == 0x0000000000000000000000000000000000000001")).toHaveLength(2);
    expect(triggers("value > 10 OR amount > 1")).toBeNull();
    expect(triggers("value > 10 OR to starts_with '0x'")).toBeNull();
    const a = "0x00000000000000000000000000000000000000aa";
    const b = "0x00000000000000000000000000000000000000bb";
    expect(triggers(`(from == ${a} OR to == ${b}) AND value > 10`)).toEqual([
      [expect.objectContaining({ param: 0, key: a }), expect.objectContaining({ param: 2 })],
      [expect.objectContaining({ param: 1, key: b }), expect.objectContaining({ param: 2 })],
    ]);
  });

  it("reads transaction fields, except gas_used (empty without a receipt)", () => {
    expect(triggers("value >= 5", TRANSACTION_LAYOUT)).toEqual([
      [{ group: "order", param: 0, signed: false, op: ">=", threshold: 5n, trusted: false }],
    ]);
    expect(triggers("gas_used > 5", TRANSACTION_LAYOUT)).toBeNull();
    expect(triggers("hash == '0xAB'", TRANSACTION_LAYOUT)).toEqual([
      [{ group: "key", param: 3, keying: "text", op: "==", key: "0xab", trusted: false }],
    ]);
  });

  it("groups `contains` of an address only on arrays and tuples whose text is always valid", () => {
    const abi = [
      {
        type: "function",
        name: "f",
        inputs: [
          { name: "path", type: "address[]" },
          { name: "names", type: "string[]" },
          {
            name: "params",
            type: "tuple",
            components: [
              { name: "a", type: "address" },
              { name: "n", type: "uint24" },
            ],
          },
          { name: "items", type: "tuple[]", components: [{ name: "a", type: "address" }] },
        ],
      },
    ];
    const fn = [...compileAbi(abi, createAbiInterner()).abi.functionsBySelector.values()][0];
    if (!fn) throw new Error("no function");
    const layout = abiLayout(fn.inputs);
    const target = "0x00000000000000000000000000000000000000aA";
    const key = target.toLowerCase();
    expect(triggers(`path contains '${target}'`, layout)).toEqual([[{ group: "contains", param: 0, key }]]);
    expect(triggers(`params contains ${target}`, layout)).toEqual([[{ group: "contains", param: 2, key }]]);
    // string[] values are not escaped (a quote breaks the JSON); tuple[] text is `[(…)]`, not JSON.
    expect(triggers(`names contains '${target}'`, layout)).toBeNull();
    expect(triggers(`items contains '${target}'`, layout)).toBeNull();
  });
});

describe("order groups", () => {
  it("report exactly the thresholds an integer satisfies, also beyond 2^53 and at the boundaries", () => {
    const rng = createRng(7);
    const base = 1n << 60n; // doubles cannot tell base, base + 1, base + 2 apart
    const thresholds = [0n, 1n, 5n, 5n, 5n, base - 1n, base, base, base + 1n, base + 2n, 10n ** 30n, -3n];
    for (const op of [">", ">=", "<", "<="] as const) {
      for (const signed of [false, true]) {
        const usable = thresholds.filter((t) => signed || t >= 0n);
        const builder = new TriggerIndexBuilder();
        usable.forEach((threshold, slot) => {
          builder.add(slot, [[{ group: "order", param: 0, signed, op, threshold, trusted: true }]]);
        });
        const index = builder.build();
        if (!index) throw new Error("empty index");
        const values = [...usable, ...usable.map((t) => t + 1n), ...usable.map((t) => t - 1n), BigInt(rng.uint32())];
        for (const v of values.filter((value) => signed || value >= 0n)) {
          const out: number[] = [];
          const tally = new ConjunctionTally();
          tally.begin(index.conjunctionSlots.length);
          for (const group of index.groups) collectSatisfied(index, group, { value: () => v.toString() }, tally, out);
          const expected = usable
            .map((t, slot) => ({ t, slot }))
            .filter(({ t }) => (op === ">" ? v > t : op === ">=" ? v >= t : op === "<" ? v < t : v <= t))
            .map(({ slot }) => slot);
          expect(
            out.sort((a, b) => a - b),
            `${v} ${op} (signed: ${signed})`,
          ).toEqual(expected);
        }
      }
    }
  });
});

describe("ABI sharing at compile time", () => {
  const item = (overrides: Record<string, unknown> = {}, input: Record<string, unknown> = {}) => ({
    type: "event",
    name: "Transfer",
    anonymous: false,
    inputs: [
      { name: "from", type: "address", indexed: true, internalType: "address" },
      { name: "value", type: "uint256", indexed: false, ...input },
    ],
    ...overrides,
  });

  it("shares the compiled ABI when only fields compiling ignores differ", () => {
    const interner = createAbiInterner();
    const first = compileAbi([item()], interner);
    const same = compileAbi([item({ anonymous: true, extra: 1 }, { internalType: "uint256" })], interner);
    expect(same).toBe(first);
  });

  it("does not share it when names, types, indexed flags, tuple components or item positions differ", () => {
    const interner = createAbiInterner();
    const first = compileAbi([item()], interner);
    const tuple = (name: string) => ({
      type: "function",
      name: "f",
      inputs: [{ name: "p", type: "tuple", components: [{ name, type: "uint256" }] }],
    });
    for (const other of [
      [item({}, { name: "amount" })],
      [item({}, { type: "uint128" })],
      [item({}, { indexed: true })],
      [item({ name: "transfer" })],
      [{ type: "constructor" }, item()],
    ]) {
      expect(compileAbi(other, interner)).not.toBe(first);
    }
    expect(compileAbi([tuple("a")], interner)).not.toBe(compileAbi([tuple("b")], interner));
    // Issues keep the index of the offending item, whatever precedes it.
    const broken = { type: "event", name: "Broken", inputs: [{ name: "x", type: "uint7" }] };
    expect(compileAbi([broken], interner).issues.map((i) => i.index)).toEqual([0]);
    expect(compileAbi([{ type: "error", name: "E" }, broken], interner).issues.map((i) => i.index)).toEqual([1]);
  });
});

describe("match-id hashing", () => {
  it("Sha256WithPrefix gives viem's SHA-256 for any split of any text", () => {
    const rng = createRng(99);
    const alphabet = ["a", "Z", "0", '"', ",", "é", "€", "😀", "\u0000"];
    for (let n = 0; n < 300; n++) {
      const length = rng.int(0, 200);
      let text = "";
      for (let i = 0; i < length; i++) text += rng.pick(alphabet);
      const cut = rng.int(0, text.length);
      const chars = [...text];
      const prefix = chars.slice(0, cut).join("");
      const tail = chars.slice(cut).join("");
      expect(`0x${new Sha256WithPrefix(prefix).hex(tail)}`).toBe(sha256(stringToBytes(text)));
    }
  });

  it("blockMatchIdPrefixes equals matchIdPrefix", () => {
    const blockHash = `0x${"Ab".repeat(32)}`;
    const prefixes = blockMatchIdPrefixes(NETWORK, blockHash);
    for (const [monitorId, monitorVersion] of [
      ["m", 1],
      ["mon-000042", 7],
      ['weird "id" ✓', 123456],
    ] as const) {
      expect(prefixes(monitorId, monitorVersion)).toBe(
        matchIdPrefix({ networkSlug: NETWORK, blockHash, monitorId, monitorVersion }),
      );
    }
  });
});

describe("work on a hot contract", () => {
  beforeEach(() => resetEvmEvaluationCounters());

  const pop = population(DEFAULT_POPULATION_SEED);
  const block: EvmBlock = evmBlockFromPayload(
    generateBlock({ seed: 4242, number: 21_000_123, transactions: 250, population: pop }).rpcPayloadText,
  );

  /** The token with the most Transfer logs in the block, and that count. */
  function hottestToken(): { token: Token; logs: number } {
    let best: { token: Token; logs: number } | undefined;
    for (const token of pop.tokens) {
      if (token.kind !== "erc20") continue;
      const logs = block.transactions
        .flatMap((t) => t.logs)
        .filter((log) => log.address === token.address && log.topics[0] === TRANSFER_TOPIC).length;
      if (!best || logs > best.logs) best = { token, logs };
    }
    if (!best) throw new Error("no token");
    return best;
  }

  function quietMonitors(token: Token, count: number): MonitorDefinition[] {
    const never = (i: number) => `0x${"ee".repeat(16)}${i.toString(16).padStart(8, "0")}`;
    const huge = (i: number) => 10n ** 60n + BigInt(i);
    const expressions = [
      (i: number) => `value > ${huge(i)}`,
      (i: number) => `value > 0x${huge(i).toString(16)}`,
      (i: number) => `value >= '${huge(i)}'`,
      (i: number) => `to == ${never(i)}`,
      (i: number) => `from == ${never(i)} OR to == ${never(i + 1)}`,
      (i: number) => `(value > ${huge(i)}) AND from != 0x0000000000000000000000000000000000000000`,
      (i: number) => `to == ${never(i)} AND value > 0`,
    ];
    return Array.from({ length: count }, (_, i) => ({
      id: `quiet-${i}`,
      tenantId: `tenant-${i % 1000}`,
      version: 1,
      monitor: monitorFor(
        [{ address: i % 3 === 0 ? token.checksumAddress : token.address, abi: ERC20_ABI }],
        {
          events: [
            {
              signature: "Transfer(address,address,uint256)",
              expression: (expressions[i % 7] as (i: number) => string)(i),
            },
          ],
          functions: i % 4 === 0 ? [{ signature: "transfer(address,uint256)", expression: `value > ${huge(i)}` }] : [],
          transactions: i % 5 === 0 ? [{ status: "Success", expression: null }] : [],
        },
        `quiet ${i}`,
      ),
    }));
  }

  function run(definitions: MonitorDefinition[]) {
    const { compiled } = compileMonitors(definitions);
    resetEvmEvaluationCounters();
    const result = evaluateBlock(compiled, NETWORK, block);
    return { ...result, counters: { ...evmEvaluationCounters }, index: { ...evmIndexCounters } };
  }

  it("adding 10,000 monitors whose conditions never hold on the hottest token adds no evaluation work", () => {
    const { token, logs } = hottestToken();
    expect(logs).toBeGreaterThan(10);
    const loud: MonitorDefinition = {
      id: "loud",
      tenantId: "t",
      version: 1,
      monitor: monitorFor([{ address: token.address, abi: ERC20_ABI }], {
        events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 0" }],
      }),
    };
    const base = [...(generateMonitors({ seed: 5, count: 300, tenants: 50 }) as MonitorDefinition[]), loud];
    const alone = run(base);
    expect(alone.matches.filter((m) => m.monitorId === "loud").length).toBeGreaterThan(5);

    const noise = quietMonitors(token, 10_000);
    const crowded = run([...noise.slice(0, 5_000), ...base, ...noise.slice(5_000)]);
    expect(crowded.matches.map((m) => [m.id, m.payload])).toEqual(alone.matches.map((m) => [m.id, m.payload]));
    expect(crowded.diagnostics).toEqual(alone.diagnostics);
    // Not one more monitor considered, expression evaluated or log decoded…
    expect(crowded.counters).toEqual(alone.counters);
    // …and at most a few more group probes per Transfer log or transfer() call of the token (one per new group:
    // `value >`, `value >=`, `to ==`, `from ==` on logs; `value >` on calls).
    const calls = block.transactions.filter((t) => t.transaction.to === token.address).length;
    expect(crowded.index.groupProbes - alone.index.groupProbes).toBeLessThanOrEqual(4 * logs + calls);
    expect(crowded.index.firedSlots).toBe(alone.index.firedSlots);
  });
});
