/**
 * The block log / match log contract (`src/bus/types.ts`), run against every implementation. Each test gets a fresh
 * bus from the factory (isolated streams or memory) and short ack waits.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type Bus, BusCode, BusError, blockDedupId, type LogConsumer } from "../../../src/bus/index.js";
import type { BlockLogEntry, ChainBlock } from "../../../src/codec/index.js";
import { blockEntry, fixtureEvmBlocks, fixtureMatches, fixtureStellarLedger } from "../../unit/codec/samples.js";

export interface BusFactoryOptions {
  maxMessages?: number;
}

export type BusFactory = (options?: BusFactoryOptions) => Promise<Bus>;

const ACK_WAIT = 1_000;
/** Long enough for a JetStream pull (≥ 1 s) to come back empty. */
const EMPTY_WAIT = 1_200;

const evmBlocks = fixtureEvmBlocks();

/** Small synthetic entries: block `i` of network `network`. */
function entry(network: string, i: number, block: ChainBlock = evmBlocks[i % evmBlocks.length]!): BlockLogEntry {
  return { ...blockEntry(network, block), number: BigInt(i), hash: `0x${network}${i}` };
}

async function publishAll(bus: Bus, entries: BlockLogEntry[]): Promise<number[]> {
  const sequences: number[] = [];
  for (const e of entries) {
    sequences.push((await bus.blocks.publish(e.network, e, { dedupId: blockDedupId(e) })).sequence);
  }
  return sequences;
}

async function numbersOf(consumer: LogConsumer<BlockLogEntry>, count: number, ack = true): Promise<number[]> {
  const out: number[] = [];
  while (out.length < count) {
    const message = await consumer.next({ expiresMs: 5_000 });
    if (!message) throw new Error(`expected ${count} messages, got ${out.length}`);
    if (message.payload.type === "block") out.push(Number(message.payload.number));
    if (ack) await message.ack();
  }
  return out;
}

async function errorOf(promise: Promise<unknown>): Promise<BusError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BusError);
    return error as BusError;
  }
  throw new Error("did not reject");
}

export function describeLogContract(name: string, factory: BusFactory): void {
  describe(`${name} bus: the block log / match log contract`, () => {
    const open: Bus[] = [];
    async function bus(options?: BusFactoryOptions): Promise<Bus> {
      const created = await factory(options);
      open.push(created);
      return created;
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    it("publish() numbers messages and deduplicates by id, returning the first message's sequence", async () => {
      const b = await bus();
      const [first, second] = [entry("eth", 1), entry("eth", 2)];
      const a1 = await b.blocks.publish("eth", first, { dedupId: "eth:1" });
      const a2 = await b.blocks.publish("eth", second, { dedupId: "eth:2" });
      expect(a2.sequence).toBe(a1.sequence + 1);
      expect(a1.duplicate).toBe(false);
      expect(await b.blocks.publish("eth", second, { dedupId: "eth:1" })).toEqual({
        sequence: a1.sequence,
        duplicate: true,
      });
      const stats = await b.blocks.stats();
      expect(stats.messages).toBe(2);
      expect(stats.lastSequence).toBe(a2.sequence);
      expect(stats.bytes).toBeGreaterThan(0);
    });

    it("delivers real blocks of both chains and matches intact, in publish order, filtered by key", async () => {
      const b = await bus();
      const stellar = { ...blockEntry("stellar", fixtureStellarLedger()) };
      const entries = [entry("eth", 1), entry("base", 2), entry("eth", 3), stellar];
      await publishAll(b, entries);
      const all = await b.blocks.consumer("all");
      const received: BlockLogEntry[] = [];
      for (let i = 0; i < entries.length; i++) {
        const message = await all.next({ expiresMs: 5_000 });
        expect(message?.deliveryCount).toBe(1);
        received.push(message!.payload);
        await message!.ack();
      }
      expect(received).toEqual(entries);
      const eth = await b.blocks.consumer("eth-only", { key: "eth" });
      expect(await numbersOf(eth, 2)).toEqual([1, 3]);
      expect(await eth.next({ expiresMs: EMPTY_WAIT })).toBeNull();

      const matches = fixtureMatches();
      for (const match of matches) await b.matches.publish(match.networkSlug, match, { dedupId: match.id });
      const dispatch = await b.matches.consumer("dispatch");
      const got = await dispatch.fetch({ max: matches.length, expiresMs: 5_000 });
      expect(got.map((m) => m.payload)).toEqual(matches);
      expect(got.map((m) => m.key)).toEqual(matches.map((m) => m.networkSlug));
    });

    it("an acknowledged message is not delivered again; an unacknowledged one is, after the ack wait, to a new handle", async () => {
      const b = await bus();
      await publishAll(b, [entry("eth", 1), entry("eth", 2)]);
      const first = await b.blocks.consumer("w", { ackWaitMs: ACK_WAIT });
      const m1 = await first.next({ expiresMs: 5_000 });
      await m1!.ack();
      const m2 = await first.next({ expiresMs: 5_000 });
      expect(m2?.sequence).toBe(m1!.sequence + 1);
      const deliveredAt = Date.now();
      // The worker holding m2 dies; a new instance binds the same durable consumer.
      const second = await b.blocks.consumer("w", { ackWaitMs: ACK_WAIT });
      const again = await second.next({ expiresMs: 5_000 });
      expect(Date.now() - deliveredAt).toBeGreaterThanOrEqual(ACK_WAIT - 100);
      expect(again?.sequence).toBe(m2!.sequence);
      expect(again?.deliveryCount).toBe(2);
      const lag = await second.lag();
      expect(lag.redelivered).toBeGreaterThanOrEqual(1);
      await again!.ack();
      expect(await second.next({ expiresMs: EMPTY_WAIT })).toBeNull();
      expect(await second.lag()).toMatchObject({ name: "w", pending: 0, ackPending: 0, ackFloor: m2!.sequence });
    });

    it("nak(delay) redelivers after the delay, and with maxAckPending 1 nothing overtakes it", async () => {
      const b = await bus();
      await publishAll(b, [entry("eth", 1), entry("eth", 2)]);
      const c = await b.blocks.consumer("strict", { ackWaitMs: 10_000, maxAckPending: 1 });
      const m1 = await c.next({ expiresMs: 5_000 });
      const nakedAt = Date.now();
      m1!.nak(1_500);
      const next = await c.next({ expiresMs: 5_000 });
      expect(next?.sequence).toBe(m1!.sequence);
      expect(next?.deliveryCount).toBe(2);
      expect(Date.now() - nakedAt).toBeGreaterThanOrEqual(1_400);
      await next!.ack();
      expect(await numbersOf(c, 1)).toEqual([2]);
    });

    it("after maxDeliver deliveries an unacknowledged message is dropped and the consumer moves on", async () => {
      const b = await bus();
      await publishAll(b, [entry("eth", 1), entry("eth", 2)]);
      const c = await b.blocks.consumer("poison", { ackWaitMs: ACK_WAIT, maxDeliver: 2, maxAckPending: 1 });
      const counts: Array<[number, number]> = [];
      for (let i = 0; i < 3; i++) {
        const m = await c.next({ expiresMs: 5_000 });
        if (!m) throw new Error("expected a delivery");
        counts.push([Number((m.payload as { number: bigint }).number), m.deliveryCount]);
        if (Number((m.payload as { number: bigint }).number) === 1) m.nak();
        else await m.ack();
      }
      expect(counts).toEqual([
        [1, 1],
        [1, 2],
        [2, 1],
      ]);
      expect(await c.lag()).toMatchObject({ pending: 0, ackPending: 0 });
    });

    it("term() drops a message for good; inProgress() holds it past the ack wait", async () => {
      const b = await bus();
      await publishAll(b, [entry("eth", 1), entry("eth", 2)]);
      const c = await b.blocks.consumer("t", { ackWaitMs: ACK_WAIT });
      const [m1, m2] = await c.fetch({ max: 2, expiresMs: 5_000 });
      m1!.term();
      const held = setInterval(() => m2!.inProgress(), 300);
      try {
        expect(await c.next({ expiresMs: 1_800 })).toBeNull();
      } finally {
        clearInterval(held);
      }
      await m2!.ack();
      expect(await c.next({ expiresMs: EMPTY_WAIT })).toBeNull();
    });

    it("handles of one durable consumer share its messages: each is delivered to one of them", async () => {
      const b = await bus();
      await publishAll(
        b,
        [1, 2, 3, 4, 5, 6].map((i) => entry("eth", i)),
      );
      const [h1, h2] = [await b.blocks.consumer("group"), await b.blocks.consumer("group")];
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        seen.push(...(await numbersOf(h1!, 1)), ...(await numbersOf(h2!, 1)));
      }
      expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it("a fetch's decode replaces the codec, with the message's origin; what it returns is delivered as is", async () => {
      const b = await bus();
      const sequences = await publishAll(b, [entry("eth", 1), entry("eth", 2)]);
      const seen: Array<{ key: string; sequence: number }> = [];
      const shared = new Map<number, BlockLogEntry>();
      const decode = (
        data: Uint8Array,
        origin: { key: string; sequence: number; publishedAt: number },
        codec: (data: Uint8Array) => BlockLogEntry,
      ) => {
        seen.push({ key: origin.key, sequence: origin.sequence });
        expect(origin.publishedAt).toBeGreaterThan(0);
        const value = shared.get(origin.sequence) ?? codec(data);
        shared.set(origin.sequence, value);
        return value;
      };
      const [c1, c2] = [await b.blocks.consumer("one"), await b.blocks.consumer("two")];
      const first = await c1!.fetch({ max: 2, expiresMs: 5_000, decode });
      const second = await c2!.fetch({ max: 2, expiresMs: 5_000, decode });
      expect(seen).toEqual([...sequences, ...sequences].map((sequence) => ({ key: "eth", sequence })));
      expect(second.map((m) => m.payload)).toEqual(first.map((m) => m.payload));
      expect(second[0]?.payload).toBe(first[0]?.payload); // one decoded value for both consumers
      // A decode that throws makes the message undecodable: terminated, the next one delivered.
      const failing = await b.blocks.consumer("three");
      let calls = 0;
      const next = await failing.next({
        expiresMs: 5_000,
        decode: (data, _origin, codec) => {
          if (calls++ === 0) throw new Error("undecodable");
          return codec(data);
        },
      });
      expect(next?.sequence).toBe(sequences[1]);
    });

    it("lag reports undelivered and unacknowledged messages per consumer", async () => {
      const b = await bus();
      const sequences = await publishAll(b, [entry("eth", 1), entry("eth", 2), entry("base", 3), entry("eth", 4)]);
      const c = await b.blocks.consumer("lagging", { key: "eth" });
      expect(await c.lag()).toMatchObject({ pending: 3, ackPending: 0, deliveredSequence: 0, ackFloor: 0 });
      const [m1, m2] = await c.fetch({ max: 2, expiresMs: 5_000 });
      await m2!.ack();
      expect(await c.lag()).toMatchObject({
        pending: 1,
        ackPending: 1,
        deliveredSequence: sequences[1],
        ackFloor: sequences[0]! - 1,
      });
      await m1!.ack();
      await b.blocks.consumer("other", { deliverPolicy: "new" });
      const lags = await b.blocks.lags();
      expect(lags.map((l) => l.name).sort()).toEqual(["lagging", "other"]);
      expect(lags.find((l) => l.name === "lagging")).toMatchObject({ pending: 1, ackPending: 0 });
      expect(lags.find((l) => l.name === "other")).toMatchObject({ pending: 0 });
    });

    it("deliverPolicy 'new' and a start sequence choose where a new consumer begins", async () => {
      const b = await bus();
      const sequences = await publishAll(b, [entry("eth", 1), entry("eth", 2), entry("eth", 3)]);
      const fresh = await b.blocks.consumer("fresh", { deliverPolicy: "new" });
      const from = await b.blocks.consumer("from2", { deliverPolicy: { startSequence: sequences[1]! } });
      await publishAll(b, [entry("eth", 4)]);
      expect(await numbersOf(fresh, 1)).toEqual([4]);
      expect(await numbersOf(from, 3)).toEqual([2, 3, 4]);
    });

    it("retention keeps the newest maxMessages; a consumer behind starts at the oldest kept", async () => {
      const b = await bus({ maxMessages: 3 });
      const sequences = await publishAll(
        b,
        [1, 2, 3, 4, 5].map((i) => entry("eth", i)),
      );
      expect(await b.blocks.stats()).toMatchObject({
        messages: 3,
        firstSequence: sequences[2],
        lastSequence: sequences[4],
      });
      const c = await b.blocks.consumer("late");
      expect(await numbersOf(c, 3)).toEqual([3, 4, 5]);
    });

    it("consumers are durable until deleted; a name cannot change its key filter", async () => {
      const b = await bus();
      await b.blocks.consumer("d", { key: "eth" });
      const conflict = await errorOf(b.blocks.consumer("d", { key: "base" }));
      expect(conflict.code).toBe(BusCode.ConsumerConflict);
      expect(conflict.message).toBe('Consumer "d" of the blocks log reads "eth", not "base".');
      expect(await b.blocks.deleteConsumer("d")).toBe(true);
      expect(await b.blocks.deleteConsumer("d")).toBe(false);
      await b.blocks.consumer("d", { key: "base" });
    });

    it("rejects names the log cannot carry, payloads over the limit, options out of range, and use after close", async () => {
      const b = await bus();
      const e = entry("eth", 1);
      expect((await errorOf(b.blocks.publish("eth.main", e, { dedupId: "x" }))).code).toBe(BusCode.InvalidName);
      expect((await errorOf(b.blocks.publish("*", e, { dedupId: "x" }))).code).toBe(BusCode.InvalidName);
      expect((await errorOf(b.blocks.consumer("a b"))).code).toBe(BusCode.InvalidName);
      expect((await errorOf(b.blocks.consumer("c", { ackWaitMs: 0 }))).code).toBe(BusCode.InvalidOption);
      // Random hex compresses only to its bytes: 1.2 MiB of them exceed NATS's default 1 MiB max_payload.
      const block = evmBlocks[0]!;
      const huge = {
        ...block,
        header: { ...block.header, extraData: `0x${randomBytes(1200 * 1024).toString("hex")}` },
      };
      const tooLarge = await errorOf(b.blocks.publish("eth", entry("eth", 9, huge), { dedupId: "huge" }));
      expect(tooLarge.code).toBe(BusCode.PayloadTooLarge);
      expect(tooLarge.message).toMatch(/^A blocks payload of \d+ bytes exceeds the log's limit of \d+ bytes\.$/);
      await b.close();
      expect((await errorOf(b.blocks.publish("eth", e, { dedupId: "y" }))).code).toBe(BusCode.Closed);
      expect((await errorOf(b.matches.stats())).code).toBe(BusCode.Closed);
    });

    it("a pending fetch ends early when its signal aborts", async () => {
      const b = await bus();
      const c = await b.blocks.consumer("abort");
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 200);
      expect(await c.fetch({ max: 5, expiresMs: 10_000, signal: controller.signal })).toEqual([]);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
}
