// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OZ notification templates use ${…} placeholders in plain strings
import { describe, expect, it } from "vitest";
import { compileMonitors, evaluateBlock, toMatchJson } from "../../../src/engine/index.js";
import { buildTemplateVariables, formatMatchReasons, formatTemplate } from "../../../src/notify/index.js";
import { block, define, loadMonitor } from "../engine/fixtures.js";

/** A synthetic EVM match JSON with only the fields templates read. */
function evmMatch(parts: {
  name?: string;
  transaction?: Record<string, unknown>;
  functions?: Array<{ signature: string; args?: Array<[string, string]> | null }>;
  events?: Array<{ signature: string; args?: Array<[string, string]> | null }>;
}): object {
  const entries = (list: typeof parts.functions) =>
    list === undefined
      ? null
      : list.map((f) => ({
          signature: f.signature,
          args: (f.args ?? []).map(([name, value]) => ({ name, value, indexed: false, kind: "uint256" })),
          hex_signature: "0x00000000",
        }));
  return {
    EVM: {
      monitor: { name: parts.name ?? "Test Monitor" },
      transaction: parts.transaction ?? {
        hash: "0xABCDEF",
        from: "0xAAAA000000000000000000000000000000000001",
        to: "0xBBBB000000000000000000000000000000000002",
        value: "0x1bc16d674ec80000",
      },
      receipt: null,
      logs: [],
      network_slug: "ethereum_mainnet",
      matched_on: {
        functions: (parts.functions ?? []).map((f) => ({ signature: f.signature, expression: null })),
        events: (parts.events ?? []).map((e) => ({ signature: e.signature, expression: null })),
        transactions: [],
      },
      matched_on_args: { functions: entries(parts.functions), events: entries(parts.events) },
    },
  };
}

describe("buildTemplateVariables()", () => {
  it("offers monitor, transaction, function and event variables of a real EVM match (USDC transfer fixture)", () => {
    const { compiled } = compileMonitors([define(loadMonitor("monitor.json"))]);
    const { matches } = evaluateBlock(compiled, "ethereum_mainnet", block("0x1451aca"));
    expect(matches).toHaveLength(1);
    const match = matches[0] as (typeof matches)[number];
    const vars = buildTemplateVariables(toMatchJson(match));
    expect(buildTemplateVariables(match)).toEqual(vars);
    expect(Object.fromEntries(vars)).toEqual({
      "monitor.name": "Mint USDC Token",
      "transaction.hash": "0xd5069b22a3a89a36d592d5a1f72a281bc5d11d6d0bac6f0a878c13abb764b6d8",
      "transaction.from": "0x58b704065b7aff3ed351052f8560019e05925023",
      "transaction.value": "0",
      "transaction.to": "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
      "functions.0.signature": "transfer(address,uint256)",
      "functions.0.args.to": "0xf423d9c1ffeb6386639d024f3b241dab2331b635",
      "functions.0.args.value": "8181710000",
      "events.0.signature": "Transfer(address,address,uint256)",
      "events.0.args.from": "0x58b704065b7aff3ed351052f8560019e05925023",
      "events.0.args.to": "0xf423d9c1ffeb6386639d024f3b241dab2331b635",
      "events.0.args.value": "8181710000",
    });
  });

  it("renders EVM hash and addresses lowercase and the value in decimal wei", () => {
    const vars = buildTemplateVariables(evmMatch({}));
    expect(vars.get("transaction.hash")).toBe("0xabcdef");
    expect(vars.get("transaction.from")).toBe("0xaaaa000000000000000000000000000000000001");
    expect(vars.get("transaction.to")).toBe("0xbbbb000000000000000000000000000000000002");
    expect(vars.get("transaction.value")).toBe("2000000000000000000");
  });

  it("omits transaction.to for a contract creation and uses the zero address for a missing sender", () => {
    const vars = buildTemplateVariables(evmMatch({ transaction: { hash: "0x01", to: null, value: "0x0" } }));
    expect(vars.has("transaction.to")).toBe(false);
    expect(vars.get("transaction.from")).toBe("0x0000000000000000000000000000000000000000");
    expect(formatTemplate("to ${transaction.to}", vars)).toBe("to ${transaction.to}");
  });

  it("EVM-16: keeps functions.0.signature and an argument named signature apart", () => {
    const vars = buildTemplateVariables(
      evmMatch({
        functions: [
          {
            signature: "dangerousFunc(bytes32 signature, uint256 value)",
            args: [
              ["signature", "0xabcdef1234567890"],
              ["value", "123456789"],
            ],
          },
        ],
      }),
    );
    expect(vars.get("functions.0.signature")).toBe("dangerousFunc(bytes32 signature, uint256 value)");
    expect(vars.get("functions.0.args.signature")).toBe("0xabcdef1234567890");
    expect(vars.get("functions.0.args.value")).toBe("123456789");
  });

  it("ST-15: a Stellar function argument named signature does not overwrite the signature", () => {
    const vars = buildTemplateVariables({
      Stellar: {
        monitor: { name: "Stellar Monitor" },
        transaction: { status: "SUCCESS", txHash: "2c89fc33aa1503", applicationOrder: 1 },
        ledger: { sequence: 172627 },
        network_slug: "stellar_testnet",
        matched_on: {
          functions: [{ signature: "riskyFunction(String,I128)", expression: null }],
          events: [],
          transactions: [],
        },
        matched_on_args: {
          functions: [
            {
              signature: "riskyFunction(String,I128)",
              args: [
                { name: "signature", value: "test_signature_value", kind: "String", indexed: false },
                { name: "amount", value: "500000", kind: "I128", indexed: false },
              ],
            },
          ],
          events: null,
        },
      },
    });
    expect(Object.fromEntries(vars)).toEqual({
      "monitor.name": "Stellar Monitor",
      "transaction.hash": "2c89fc33aa1503",
      "functions.0.signature": "riskyFunction(String,I128)",
      "functions.0.args.signature": "test_signature_value",
      "functions.0.args.amount": "500000",
    });
  });

  it("takes args from matched_on_args at the same index; a missing entry adds no args", () => {
    const match = evmMatch({
      functions: [
        { signature: "a(uint256)", args: [["x", "1"]] },
        { signature: "b(uint256)", args: [["y", "2"]] },
      ],
    }) as { EVM: { matched_on_args: { functions: unknown[] } } };
    match.EVM.matched_on_args.functions = match.EVM.matched_on_args.functions.slice(0, 1);
    const vars = buildTemplateVariables(match);
    expect(vars.get("functions.0.args.x")).toBe("1");
    expect(vars.get("functions.1.signature")).toBe("b(uint256)");
    expect([...vars.keys()].filter((k) => k.startsWith("functions.1.args."))).toEqual([]);
  });

  it("keeps the last of duplicate argument names", () => {
    const vars = buildTemplateVariables(
      evmMatch({
        functions: [
          {
            signature: "f(uint256,uint256)",
            args: [
              ["amount", "1"],
              ["amount", "2"],
            ],
          },
        ],
      }),
    );
    expect(vars.get("functions.0.args.amount")).toBe("2");
  });

  it("names Solana transactions by signature", () => {
    const vars = buildTemplateVariables({
      Solana: {
        monitor: { name: "Sol" },
        transaction: { signature: "5wHu1qwD7q5ifaN5nwdcDqNFF53GJqa7nLp2BLPASe7FPYoWZL3YBrJmVL6nrMtwKjNFin1F" },
        matched_on: { functions: [], events: [], transactions: [] },
        matched_on_args: { functions: null, events: null },
      },
    });
    expect(vars.get("transaction.signature")).toBe(
      "5wHu1qwD7q5ifaN5nwdcDqNFF53GJqa7nLp2BLPASe7FPYoWZL3YBrJmVL6nrMtwKjNFin1F",
    );
    expect(vars.has("transaction.hash")).toBe(false);
  });
});

describe("formatTemplate()", () => {
  const transferVars = new Map([
    ["functions.0.signature", "transfer(address,uint256)"],
    ["functions.0.args.to", "0x1234"],
    ["functions.0.args.amount", "1000000"],
  ]);

  it("N02: ${functions} lists the reason with params sorted by name", () => {
    expect(formatTemplate("Reasons:${functions}", transferVars)).toBe(
      "Reasons:\n\n*Matched Functions:*\n\n*Reason 1*\n\n*Signature:* `transfer(address,uint256)`\n\n*Params:*\n\namount: `1000000`\nto: `0x1234`",
    );
  });

  it("N04: ${events} without event variables becomes the empty string", () => {
    expect(formatTemplate("Events:${events}!", transferVars)).toBe("Events:!");
    expect(formatTemplate("${functions}", new Map())).toBe("");
  });

  it("N05: unknown placeholders stay as written", () => {
    expect(formatTemplate("Hello ${foo} and ${transaction.status}", new Map())).toBe(
      "Hello ${foo} and ${transaction.status}",
    );
    expect(formatTemplate("${unclosed and $ and {} and ${}", new Map())).toBe("${unclosed and $ and {} and ${}");
  });

  it("replaces every occurrence of a variable and accepts a plain record", () => {
    expect(formatTemplate("${a}-${a}-${b}", { a: "1", b: "2" })).toBe("1-1-2");
    expect(formatTemplate("$${a}}", { a: "x" })).toBe("$x}");
  });

  it("finds a variable placeholder inside an unknown one", () => {
    expect(formatTemplate("${x${a}}", { a: "1" })).toBe("${x1}");
  });

  it("never expands placeholders that substituted values contain", () => {
    const vars = new Map([
      ["functions.0.args.name", "${monitor.name} ${functions}"],
      ["monitor.name", "M"],
    ]);
    expect(formatTemplate("${functions.0.args.name}", vars)).toBe("${monitor.name} ${functions}");
  });

  it("orders reasons by numeric index and separates them with a blank line", () => {
    const vars = new Map<string, string>();
    for (const i of [10, 2, 0]) {
      vars.set(`events.${i}.signature`, `E${i}()`);
      vars.set(`events.${i}.args.v`, String(i));
    }
    expect(formatMatchReasons(vars, "events")).toBe(
      "\n\n*Matched Events:*\n" +
        "\n*Reason 1*\n\n*Signature:* `E0()`\n\n*Params:*\n\nv: `0`\n" +
        "\n*Reason 2*\n\n*Signature:* `E2()`\n\n*Params:*\n\nv: `2`\n" +
        "\n*Reason 3*\n\n*Signature:* `E10()`\n\n*Params:*\n\nv: `10`",
    );
  });

  it("sorts param names in byte order (uppercase before lowercase, 10 before 2)", () => {
    const vars = new Map([
      ["functions.0.signature", "f()"],
      ["functions.0.args.b", "1"],
      ["functions.0.args.B", "2"],
      ["functions.0.args.2", "3"],
      ["functions.0.args.10", "4"],
      ["functions.0.args.é", "5"],
      ["functions.0.args.z", "6"],
    ]);
    expect(formatMatchReasons(vars, "functions")).toBe(
      "\n\n*Matched Functions:*\n\n*Reason 1*\n\n*Signature:* `f()`\n\n*Params:*\n\n10: `4`\n2: `3`\nB: `2`\nb: `1`\nz: `6`\né: `5`",
    );
  });

  it("a reason without args has an empty params section", () => {
    expect(formatTemplate("${functions}", new Map([["functions.0.signature", "increment()"]]))).toBe(
      "\n\n*Matched Functions:*\n\n*Reason 1*\n\n*Signature:* `increment()`\n\n*Params:*\n",
    );
  });

  it("expands functions then events blocks and the other variables in one template", () => {
    const vars = new Map([
      ["monitor.name", "Mon"],
      ["functions.0.signature", "f()"],
      ["events.0.signature", "E()"],
      ["events.0.args.x", "1"],
    ]);
    expect(formatTemplate("${monitor.name}:${events}|${functions}", vars)).toBe(
      "Mon:\n\n*Matched Events:*\n\n*Reason 1*\n\n*Signature:* `E()`\n\n*Params:*\n\nx: `1`|\n\n*Matched Functions:*\n\n*Reason 1*\n\n*Signature:* `f()`\n\n*Params:*\n",
    );
  });
});
