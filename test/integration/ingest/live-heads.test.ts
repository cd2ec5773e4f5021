import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type HardhatNode, startHardhat } from "../../../src/devchain/index.js";
import {
  type ChainHead,
  createEvmLiveHeads,
  LiveHeadsError,
  resolveWebSocket,
  type WebSocketConstructor,
  type WebSocketLike,
} from "../../../src/ingest/index.js";

// Node 20 has no global WebSocket; the test brings the `ws` package's (installed for hardhat's server).
const WebSocket: WebSocketConstructor = resolveWebSocket();

let node: HardhatNode;
beforeAll(async () => {
  node = await startHardhat();
});
afterAll(async () => {
  await node?.close();
});

async function eventually(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("createEvmLiveHeads() against hardhat's WebSocket server", () => {
  it("delivers newHeads for mined blocks and keeps the connection alive with answered heartbeats", async () => {
    let heartbeats = 0;
    const Counting: WebSocketConstructor = class extends (WebSocket as new (url: string) => WebSocketLike) {
      override send(data: string): void {
        if (data.includes('"net_version"')) heartbeats++;
        super.send(data);
      }
    };
    const live = createEvmLiveHeads({
      urls: [node.url.replace(/^http/, "ws")],
      WebSocket: Counting,
      heartbeatMs: 50,
      timeoutMs: 200,
    });
    const heads: ChainHead[] = [];
    const closes: unknown[] = [];
    const subscription = await live.subscribe({ onHead: (h) => heads.push(h), onClose: (e) => closes.push(e) });
    try {
      await node.rpc("evm_mine");
      await node.rpc("evm_mine");
      await eventually(() => heads.length >= 2, 5_000, "two heads");
      const latest = await node.rpc<{ number: string; hash: string }>("eth_getBlockByNumber", ["latest", false]);
      expect(heads.at(-1)).toEqual({ number: BigInt(latest.number), hash: latest.hash.toLowerCase() });
      expect(heads.at(-1)?.number).toBe((heads.at(-2)?.number ?? 0n) + 1n);
      // Heartbeats every 50 ms, each closing the subscription unless answered within 200 ms: after 8 of them, the
      // first ones were answered, or it would have closed.
      await eventually(() => heartbeats >= 8, 5_000, "eight heartbeats");
      expect(closes).toEqual([]);
    } finally {
      subscription.close();
    }
  });

  it("rejects with INGEST_LIVE_HEADS when nothing listens", async () => {
    const port = await freePort();
    const live = createEvmLiveHeads({ urls: [`ws://127.0.0.1:${port}`], WebSocket, timeoutMs: 5_000 });
    const error = await live.subscribe({ onHead: () => {}, onClose: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveHeadsError);
    expect((error as LiveHeadsError).code).toBe("INGEST_LIVE_HEADS");
    expect((error as LiveHeadsError).message).toMatch(new RegExp(`Live heads on ws://127\\.0\\.0\\.1:${port}/?: `));
  });
});
