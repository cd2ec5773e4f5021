import { describe, expect, it } from "vitest";
import * as net from "../../../src/net/index.js";

describe("net public surface", () => {
  it("exports exactly these names", () => {
    expect(Object.keys(net).sort()).toMatchInlineSnapshot(`
      [
        "NetAddressForbiddenError",
        "NetHostNotFoundError",
        "assertAddressAllowed",
        "bareHost",
        "classifyAddress",
        "createGuardedLookup",
        "resolveAllowedAddresses",
      ]
    `);
  });
});
