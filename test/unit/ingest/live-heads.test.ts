import { afterEach, describe, expect, it } from "vitest";
import NodeWebSocket from "ws";
import {
  type ChainHead,
  createEvmLiveHeads,
  IngestOptionsError,
  type LiveHeadHandlers,
  type LiveHeadSource,
  type LiveHeadSubscription,
  LiveHeadsError,
  resolveWebSocket,
  type WebSocketEventLike,
  type WebSocketLike,
} from "../../../src/ingest/index.js";
import { blockNumbers, eventually, stopAll, watch } from "./harness.js";
import { ScriptedChain } from "./scripted-chain.js";

afterEach(stopAll);

/** A live head source driven by the test: push heads, drop the connection, refuse subscriptions. */
class ScriptedLiveHeads implements LiveHeadSource {
  readonly endpoint = "ws://scripted";
  readonly subscriptions: Array<{ handlers: LiveHeadHandlers; closed: boolean }> = [];
  refuse = 0;

  async subscribe(handlers: LiveHeadHandlers): Promise<LiveHeadSubscription> {
    if (this.refuse > 0) {
      this.refuse--;
      throw new LiveHeadsError(this.endpoint, "refused by the script");
    }
    const subscription = { handlers, closed: false };
    this.subscriptions.push(subscription);
    return {
      close: () => {
        subscription.closed = true;
      },
    };
  }

  get open(): number {
    return this.subscriptions.filter((s) => !s.closed).length;
  }

  push(head: ChainHead): void {
    for (const s of this.subscriptions) if (!s.closed) s.handlers.onHead(head);
  }

  drop(): void {
    for (const s of this.subscriptions) {
      if (s.closed) continue;
      s.closed = true;
      s.handlers.onClose(new LiveHeadsError(this.endpoint, "dropped by the script"));
    }
  }
}

const NEVER = "0 0 0 1 1 * 2099"; // a cron safety poll that does not fire during a test

describe("createBlockWatcher() with live heads", () => {
  it("fetches a pushed head at once and does not poll at the interval while live heads are up", async () => {
    const chain = new ScriptedChain({ length: 5 });
    const live = new ScriptedLiveHeads();
    const run = watch(chain, undefined, { liveHeads: live, cronSchedule: NEVER, pollIntervalMs: 5 });
    expect((await run.next()).type).toBe("block");
    const waiting = run.next();
    await eventually(() => run.watcher.status().liveHeads === "live", 15_000, "live heads connected");
    const polls = chain.count("head");

    const [block] = chain.mine(1);
    const pushedAt = Date.now();
    live.push({ number: block?.number ?? 0n, hash: block?.hash ?? null });
    const event = await waiting;
    expect(event).toMatchObject({ type: "block", number: 5n, hash: block?.hash });
    expect(Date.now() - pushedAt).toBeLessThan(1_000); // safety polls are off (cron in 2099): only the push delivers it
    // The 5 ms interval would have polled dozens of times by now; live heads replaced it.
    expect(chain.count("head") - polls).toBeLessThanOrEqual(1);
    expect(run.diagnostics).toContainEqual({
      type: "live_heads",
      network: "scripted",
      status: "connected",
      endpoint: "ws://scripted",
    });
  });

  it("polls while live heads are down and reconnects, without a gap", async () => {
    const chain = new ScriptedChain({ length: 5 });
    const live = new ScriptedLiveHeads();
    const run = watch(chain, undefined, { liveHeads: live, cronSchedule: NEVER });
    await run.next();
    const pending = run.take(3);
    await eventually(() => live.open === 1, 15_000, "subscribed");

    live.drop();
    chain.mine(3); // never pushed: only polling can find them
    expect(blockNumbers(await pending)).toEqual([5n, 6n, 7n]);
    await eventually(() => live.subscriptions.length === 2 && live.open === 1, 15_000, "resubscribed");
    expect(run.diagnostics.some((d) => d.type === "live_heads" && d.status === "disconnected")).toBe(true);
  });

  it("retries a refused subscription with backoff and polls meanwhile", async () => {
    const chain = new ScriptedChain({ length: 5 });
    const live = new ScriptedLiveHeads();
    live.refuse = 2;
    const run = watch(chain, undefined, { liveHeads: live, cronSchedule: NEVER });
    await run.next();
    const pending = run.next();
    chain.mine(1);
    expect(await pending).toMatchObject({ type: "block", number: 5n });
    await eventually(() => live.open === 1, 15_000, "subscribed after two refusals");
    const refusals = run.diagnostics.filter((d) => d.type === "live_heads" && d.status === "disconnected");
    expect(refusals).toHaveLength(2);
  });

  it("reconnects live heads when a safety poll finds blocks the subscription never announced", async () => {
    const chain = new ScriptedChain({ length: 5 });
    const live = new ScriptedLiveHeads();
    const run = watch(chain, undefined, { liveHeads: live, cronSchedule: "* * * * * *", blockTimeMs: 20 });
    await run.next();
    const pending = run.take(2);
    await eventually(() => live.open === 1, 15_000, "subscribed");
    chain.mine(2); // silently: the subscription is half-dead
    expect(blockNumbers(await pending)).toEqual([5n, 6n]);
    // Keep the (pull-based) watcher running: its next safety poll sees heads the subscription never announced.
    run.ack();
    await eventually(() => live.subscriptions.length >= 2, 15_000, "resubscribed");
    expect(run.diagnostics.some((d) => d.type === "live_heads" && d.status === "suspect")).toBe(true);
  });

  it("reconnects live heads after a stall", async () => {
    const chain = new ScriptedChain({ length: 5 });
    const live = new ScriptedLiveHeads();
    const run = watch(chain, undefined, { liveHeads: live, cronSchedule: NEVER, stallAfterMs: 150 });
    await run.next();
    const stall = run.next(15_000);
    await eventually(() => live.open === 1, 15_000, "subscribed");
    expect(await stall).toMatchObject({ type: "stall", head: 4n });
    const resumed = run.next(15_000);
    await eventually(() => live.subscriptions.length === 2 && live.open === 1, 15_000, "resubscribed");
    const [block] = chain.mine(1);
    live.push({ number: 5n, hash: block?.hash ?? null });
    expect(await resumed).toMatchObject({ type: "block", number: 5n });
  });

  it("closes the subscription when the watcher stops", async () => {
    const chain = new ScriptedChain({ length: 5 });
    const live = new ScriptedLiveHeads();
    const run = watch(chain, undefined, { liveHeads: live, cronSchedule: NEVER });
    await run.next();
    const ended = run.end(15_000);
    await eventually(() => live.open === 1, 15_000, "subscribed");
    run.watcher.stop();
    await ended;
    expect(live.open).toBe(0);
    expect(run.watcher.status().liveHeads).toBe("off");
  });
});

/** A WebSocket the test plays the server of. */
class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readonly sent: Array<Record<string, unknown>> = [];
  closed = false;
  private listeners = new Map<string, Array<(event: WebSocketEventLike) => void>>();

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  addEventListener(type: string, listener: (event: WebSocketEventLike) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(): void {
    this.closed = true;
  }
  emit(type: string, event: WebSocketEventLike = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
  reply(message: unknown): void {
    this.emit("message", { data: JSON.stringify(message) });
  }
}

function lastSocket(): FakeSocket {
  const socket = FakeSocket.instances.at(-1);
  if (!socket) throw new Error("no socket opened");
  return socket;
}

const HEADER = {
  number: "0x10",
  hash: `0x${"AB".repeat(32)}`,
  parentHash: `0x${"cd".repeat(32)}`,
  timestamp: "0x1",
};

function recorder() {
  const heads: ChainHead[] = [];
  const closes: LiveHeadsError[] = [];
  const handlers: LiveHeadHandlers = {
    onHead: (head) => heads.push(head),
    onClose: (error) => closes.push(error as LiveHeadsError),
  };
  return { heads, closes, handlers };
}

describe("createEvmLiveHeads()", () => {
  afterEach(() => {
    FakeSocket.instances = [];
  });

  it('subscribes with eth_subscribe("newHeads") once open and delivers each head (number and lowercase hash)', async () => {
    const live = createEvmLiveHeads({ urls: ["ws://node.example/ws"], WebSocket: FakeSocket });
    const { heads, closes, handlers } = recorder();
    const subscribed = live.subscribe(handlers);
    const socket = lastSocket();
    expect(socket.url).toBe("ws://node.example/ws");
    socket.emit("open");
    expect(socket.sent).toEqual([{ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }]);
    socket.reply({ jsonrpc: "2.0", id: 1, result: "0xsub" });
    const subscription = await subscribed;

    socket.reply({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0xsub", result: HEADER } });
    socket.reply({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0xother", result: HEADER } });
    expect(heads).toEqual([{ number: 16n, hash: `0x${"ab".repeat(32)}` }]);

    subscription.close();
    expect(socket.closed).toBe(true);
    socket.emit("close", { code: 1000 });
    expect(closes).toEqual([]); // closed by us: no onClose
  });

  it("reports onClose once when the server closes the connection", async () => {
    const live = createEvmLiveHeads({ urls: ["ws://node.example"], WebSocket: FakeSocket });
    const { closes, handlers } = recorder();
    const subscribed = live.subscribe(handlers);
    lastSocket().emit("open");
    lastSocket().reply({ id: 1, result: "0x1" });
    await subscribed;
    lastSocket().emit("close", { code: 1006 });
    lastSocket().emit("error", { message: "after close" });
    expect(closes).toHaveLength(1);
    expect(closes[0]?.code).toBe("INGEST_LIVE_HEADS");
    expect(closes[0]?.message).toMatch(/the connection closed \(code 1006\)/);
  });

  it("rejects a refused subscription and moves to the next URL", async () => {
    const live = createEvmLiveHeads({
      urls: ["wss://user:secret@first.example/ws", "wss://second.example/ws"],
      WebSocket: FakeSocket,
    });
    expect(live.endpoint).not.toContain("secret");
    const { handlers } = recorder();
    const subscribed = live.subscribe(handlers);
    lastSocket().emit("open");
    lastSocket().reply({ id: 1, error: { code: -32601, message: "subscriptions not supported" } });
    await expect(subscribed).rejects.toThrow(/eth_subscribe\("newHeads"\) was refused/);
    expect(lastSocket().closed).toBe(true);
    expect(live.endpoint).toContain("second.example");
  });

  it("rejects when the socket does not open or confirm within timeoutMs", async () => {
    const live = createEvmLiveHeads({ urls: ["ws://slow.example"], WebSocket: FakeSocket, timeoutMs: 30 });
    const error = await live.subscribe(recorder().handlers).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveHeadsError);
    expect((error as LiveHeadsError).message).toMatch(/no confirmed subscription within 30 ms/);
    expect(lastSocket().closed).toBe(true);
  });

  it("closes a connection whose heartbeat goes unanswered", async () => {
    const live = createEvmLiveHeads({
      urls: ["ws://node.example"],
      WebSocket: FakeSocket,
      heartbeatMs: 20,
      timeoutMs: 40,
    });
    const { closes, handlers } = recorder();
    const subscribed = live.subscribe(handlers);
    const socket = lastSocket();
    socket.emit("open");
    socket.reply({ id: 1, result: "0x1" });
    await subscribed;
    await eventually(() => socket.sent.some((m) => m.method === "net_version"), 15_000, "a heartbeat");
    const heartbeat = socket.sent.find((m) => m.method === "net_version");
    socket.reply({ id: heartbeat?.id, result: "1" }); // answered: still open
    await eventually(() => closes.length === 1, 15_000, "the unanswered heartbeat closing the subscription");
    expect(closes[0]?.message).toMatch(/no answer to a heartbeat/);
    expect(socket.closed).toBe(true);
  });

  it("closes on a malformed header rather than guess", async () => {
    const live = createEvmLiveHeads({ urls: ["ws://node.example"], WebSocket: FakeSocket });
    const { heads, closes, handlers } = recorder();
    const subscribed = live.subscribe(handlers);
    lastSocket().emit("open");
    lastSocket().reply({ id: 1, result: "0x1" });
    await subscribed;
    lastSocket().reply({ method: "eth_subscription", params: { subscription: "0x1", result: { number: "12" } } });
    expect(heads).toEqual([]);
    expect(closes[0]?.message).toMatch(/malformed newHeads header/);
  });

  it("refuses URLs that are not ws:// or wss://, and an empty list", () => {
    expect(() => createEvmLiveHeads({ urls: ["https://node.example"], WebSocket: FakeSocket })).toThrow(
      IngestOptionsError,
    );
    expect(() => createEvmLiveHeads({ urls: [], WebSocket: FakeSocket })).toThrow(/at least one ws\(s\) URL/);
  });

  it("resolveWebSocket() returns the runtime's WebSocket, else the ws package's", () => {
    const global = (globalThis as { WebSocket?: unknown }).WebSocket;
    expect(resolveWebSocket()).toBe(typeof global === "function" ? global : NodeWebSocket);
  });
});
