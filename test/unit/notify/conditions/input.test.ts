import { describe, expect, it } from "vitest";
import type { MonitorMatchJson } from "../../../../src/engine/index.js";
import { matchJsonText, scriptInput } from "../../../../src/notify/conditions/index.js";

const match = { EVM: { transaction: { blockNumber: "0x10" } } } as unknown as MonitorMatchJson;

describe("scriptInput() builds the stdin document of scripts (T14)", () => {
  it("is compact JSON with monitor_match first and args as configured", () => {
    const text = scriptInput(matchJsonText(match), ["--verbose", 'say "hi"']);
    expect(text).toBe(
      '{"monitor_match":{"EVM":{"transaction":{"blockNumber":"0x10"}}},"args":["--verbose","say \\"hi\\""]}',
    );
    expect(JSON.parse(text)).toEqual({ monitor_match: match, args: ["--verbose", 'say "hi"'] });
  });

  it("writes args: null when the condition has no arguments", () => {
    expect(scriptInput("{}", null)).toBe('{"monitor_match":{},"args":null}');
    expect(scriptInput("{}", undefined)).toBe('{"monitor_match":{},"args":null}');
    expect(scriptInput("{}", [])).toBe('{"monitor_match":{},"args":[]}');
  });
});

describe("matchJsonText()", () => {
  it("serialises an already tagged match as is", () => {
    expect(matchJsonText(match)).toBe('{"EVM":{"transaction":{"blockNumber":"0x10"}}}');
  });

  it("writes a stray bigint as a decimal string instead of failing", () => {
    const withBigint = { EVM: { value: 10n ** 20n } } as unknown as MonitorMatchJson;
    expect(matchJsonText(withBigint)).toBe('{"EVM":{"value":"100000000000000000000"}}');
  });
});
