/**
 * The fault-injecting proxy of the failover e2e, checked against the real RPC transport: in every fault mode a
 * request to the primary fails in the way the transport rotates on, the secondary answers it, and the transport then
 * stays on the secondary (OZ §11: the failed endpoint goes to the end of the list) until the secondary fails once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcTransport, type RpcTransportEvent } from "../../../src/chains/rpc/index.js";
import { type EvmFixtureRpc, startEvmFixtureRpc } from "../../support/evm-fixture-rpc.js";
import { FAULT_MODES, type FaultyRpcProxy, startFaultyRpcProxy } from "../../support/faulty-rpc-proxy.js";

const HEAD = "0x19b7a39"; // eth_blockNumber of the OZ fixtures

describe("faulty RPC proxy", () => {
  let upstream: EvmFixtureRpc;
  let primary: FaultyRpcProxy;
  let secondary: FaultyRpcProxy;

  beforeAll(async () => {
    upstream = await startEvmFixtureRpc();
    [primary, secondary] = await Promise.all([startFaultyRpcProxy(upstream.url), startFaultyRpcProxy(upstream.url)]);
  });
  afterAll(async () => {
    await Promise.all([primary?.close(), secondary?.close()]);
    await upstream?.close();
  });

  it.each(FAULT_MODES)("%s on the primary fails over to the secondary, which then stays active", async (mode) => {
    const events: RpcTransportEvent[] = [];
    const transport = createRpcTransport({
      endpoints: [
        { url: secondary.url, weight: 50 },
        { url: primary.url, weight: 100 },
      ],
      timeoutMs: 300,
      retry: { retries: 0 },
      onEvent: (event) => events.push(event),
    });
    try {
      const before = { primary: primary.stats(), secondary: secondary.stats() };
      expect(await transport.request("eth_blockNumber")).toBe(HEAD);
      expect(primary.stats().served).toBe(before.primary.served + 1);

      primary.setMode(mode);
      expect(await transport.request("eth_blockNumber")).toBe(HEAD);
      expect(primary.stats().faulted[mode]).toBe(before.primary.faulted[mode] + 1);
      expect(secondary.stats().served).toBe(before.secondary.served + 1);
      expect(events.filter((event) => event.type === "rotate")).toEqual([
        expect.objectContaining({ from: expect.stringContaining(primary.url.slice(7)) }),
      ]);

      // Healed primary: the transport stays on the secondary…
      primary.setMode("pass");
      expect(await transport.request("eth_blockNumber")).toBe(HEAD);
      expect(secondary.stats().served).toBe(before.secondary.served + 2);
      const primaryRequests = primary.stats().requests;
      // …until the secondary fails once; then the primary is active again.
      secondary.failNext("server-error");
      expect(await transport.request("eth_blockNumber")).toBe(HEAD);
      expect(await transport.request("eth_blockNumber")).toBe(HEAD);
      expect(primary.stats()).toMatchObject({ requests: primaryRequests + 2, served: before.primary.served + 3 });
      await expect.poll(() => primary.stats().pending).toBe(0);
    } finally {
      primary.setMode("pass");
      transport.close();
    }
  });
});
