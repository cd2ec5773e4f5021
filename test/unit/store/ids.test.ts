import { describe, expect, it } from "vitest";
import { deliveryId } from "../../../src/store/index.js";

describe("deliveryId()", () => {
  const match = `0x${"ab".repeat(32)}`;

  it("is 0x + 64 lowercase hex characters", () => {
    expect(deliveryId(match, "slack_ops")).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("is a pure function of (match id, trigger key)", () => {
    expect(deliveryId(match, "slack_ops")).toBe(deliveryId(match, "slack_ops"));
    expect(deliveryId(match, "slack_ops")).not.toBe(deliveryId(match, "email_ops"));
    expect(deliveryId(match, "slack_ops")).not.toBe(deliveryId(`0x${"cd".repeat(32)}`, "slack_ops"));
  });

  it("cannot be confused by separators inside the parts", () => {
    expect(deliveryId("a:b", "c")).not.toBe(deliveryId("a", "b:c"));
    expect(deliveryId('a","b', "c")).not.toBe(deliveryId("a", 'b","c'));
  });

  it("is pinned: changing the derivation would re-send every replayed notification", () => {
    expect(deliveryId(match, "slack_ops")).toMatchInlineSnapshot(
      `"0xb66ce0f3ea70ade1f6842fa89843f64ed1686b10b8922223da0dfd8b7deab0fc"`,
    );
  });
});
