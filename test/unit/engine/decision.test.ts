import { describe, expect, it } from "vitest";
import { decideMatch } from "../../../src/engine/decision.js";

const kind = (configured: boolean, matched: boolean) => ({ configured, matched });

describe("decideMatch() (§3.5 decision table)", () => {
  it("matches any transaction when nothing is configured", () => {
    expect(
      decideMatch({ events: kind(false, false), functions: kind(false, false), transactions: kind(false, false) }),
    ).toBe(true);
  });

  it("follows the transaction conditions alone when only they are configured", () => {
    expect(
      decideMatch({ events: kind(false, false), functions: kind(false, false), transactions: kind(true, true) }),
    ).toBe(true);
    expect(
      decideMatch({ events: kind(false, false), functions: kind(false, false), transactions: kind(true, false) }),
    ).toBe(false);
  });

  it("needs an event or function match when transactions are not configured", () => {
    for (const [e, f, expected] of [
      [kind(true, true), kind(false, false), true],
      [kind(false, false), kind(true, true), true],
      [kind(true, false), kind(true, true), true],
      [kind(true, false), kind(true, false), false],
      [kind(true, false), kind(false, false), false],
    ] as const) {
      expect(decideMatch({ events: e, functions: f, transactions: kind(false, false) })).toBe(expected);
    }
  });

  it("needs an event or function match and a transaction match when both are configured", () => {
    expect(
      decideMatch({ events: kind(true, true), functions: kind(true, false), transactions: kind(true, true) }),
    ).toBe(true);
    expect(
      decideMatch({ events: kind(true, true), functions: kind(true, true), transactions: kind(true, false) }),
    ).toBe(false);
    expect(
      decideMatch({ events: kind(true, false), functions: kind(true, false), transactions: kind(true, true) }),
    ).toBe(false);
    expect(
      decideMatch({ events: kind(false, false), functions: kind(true, true), transactions: kind(true, true) }),
    ).toBe(true);
  });

  it("ignores a 'matched' flag on a kind that is not configured", () => {
    expect(
      decideMatch({ events: kind(false, true), functions: kind(true, false), transactions: kind(false, false) }),
    ).toBe(false);
  });
});
