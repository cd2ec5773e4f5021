import { describe, expect, it } from "vitest";
import {
  createGuardedLookup,
  type HostResolver,
  NetAddressForbiddenError,
  NetHostNotFoundError,
  resolveAllowedAddresses,
} from "../../../src/net/index.js";

const fakeDns =
  (table: Record<string, string[]>): HostResolver =>
  async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("resolveAllowedAddresses()", () => {
  it("refuses localhost, which resolves to a loopback address (real DNS)", async () => {
    const error = await rejection(resolveAllowedAddresses("localhost"));
    expect(error).toBeInstanceOf(NetAddressForbiddenError);
    expect((error as NetAddressForbiddenError).code).toBe("NET_ADDRESS_FORBIDDEN");
    expect((error as NetAddressForbiddenError).kind).toBe("loopback");
    expect((error as Error).message).toMatch(
      /^Refused to connect to localhost: it resolves to (127\.0\.0\.1|::1), which is a loopback address\.$/,
    );
  });

  it("allows localhost when private networks are allowed", async () => {
    const addresses = await resolveAllowedAddresses("localhost", { allowPrivateNetworks: true });
    expect(addresses.map((a) => a.address)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(127\.0\.0\.1|::1)$/)]),
    );
  });

  it("refuses IP literals without DNS, brackets included", async () => {
    const resolve: HostResolver = async () => {
      throw new Error("must not resolve literals");
    };
    for (const literal of ["127.0.0.1", "[::1]", "::ffff:127.0.0.1", "169.254.169.254", "10.0.0.7"]) {
      const error = await rejection(resolveAllowedAddresses(literal, { resolve }));
      expect(error).toBeInstanceOf(NetAddressForbiddenError);
    }
    expect(await resolveAllowedAddresses("8.8.8.8", { resolve })).toEqual([{ address: "8.8.8.8", family: 4 }]);
  });

  it("refuses a hostname when any of its addresses is restricted", async () => {
    const resolve = fakeDns({ "mixed.example": ["93.184.216.34", "10.0.0.1"], "public.example": ["93.184.216.34"] });
    const error = (await rejection(resolveAllowedAddresses("mixed.example", { resolve }))) as NetAddressForbiddenError;
    expect(error).toBeInstanceOf(NetAddressForbiddenError);
    expect(error.message).toBe(
      "Refused to connect to mixed.example: it resolves to 10.0.0.1, which is a private-network address.",
    );
    expect(await resolveAllowedAddresses("public.example", { resolve })).toEqual([
      { address: "93.184.216.34", family: 4 },
    ]);
  });

  it("reports an unknown host as permanent and other DNS failures as retryable", async () => {
    const unknown = (await rejection(
      resolveAllowedAddresses("nope.example", { resolve: fakeDns({}) }),
    )) as NetHostNotFoundError;
    expect(unknown).toBeInstanceOf(NetHostNotFoundError);
    expect(unknown.retryable).toBe(false);
    const flaky: HostResolver = async () => {
      throw Object.assign(new Error("temporary"), { code: "EAI_AGAIN" });
    };
    const again = (await rejection(
      resolveAllowedAddresses("flaky.example", { resolve: flaky }),
    )) as NetHostNotFoundError;
    expect(again.retryable).toBe(true);
  });
});

describe("createGuardedLookup()", () => {
  const lookupOnce = (
    options: Parameters<typeof createGuardedLookup>[0],
    host: string,
    all: boolean,
  ): Promise<{ error: Error | null; address: unknown; family: unknown }> =>
    new Promise((resolve) => {
      createGuardedLookup(options)(host, { all }, (error, address, family) => resolve({ error, address, family }));
    });

  it("answers with the checked addresses (all: true) or the first one", async () => {
    const resolve = fakeDns({ "api.example": ["93.184.216.34", "2606:4700:4700::1111"] });
    const all = await lookupOnce({ resolve }, "api.example", true);
    expect(all.error).toBeNull();
    expect(all.address).toEqual([
      { address: "93.184.216.34", family: 4 },
      { address: "2606:4700:4700::1111", family: 6 },
    ]);
    const one = await lookupOnce({ resolve }, "api.example", false);
    expect([one.address, one.family]).toEqual(["93.184.216.34", 4]);
  });

  it("fails the lookup with NetAddressForbiddenError for a rebinding answer", async () => {
    const resolve = fakeDns({ "rebind.example": ["169.254.169.254"] });
    const result = await lookupOnce({ resolve }, "rebind.example", true);
    expect(result.error).toBeInstanceOf(NetAddressForbiddenError);
    expect((result.error as NetAddressForbiddenError).kind).toBe("metadata");
  });
});
