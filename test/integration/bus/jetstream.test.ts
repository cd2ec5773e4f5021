import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { type Bus, blockDedupId, createJetStreamBus, type UndecodableMessage } from "../../../src/bus/index.js";
import { blockEntry, fixtureEvmBlocks } from "../../unit/codec/samples.js";
import { describeLogContract } from "./log-contract.js";
import { startTcpProxy } from "./tcp-proxy.js";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const prefixes: string[] = [];

/** A unique subject and stream prefix per bus, so tests never see each other's streams. */
function uniquePrefix(): string {
  const prefix = `argustest.${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  prefixes.push(prefix);
  return prefix;
}

afterAll(async () => {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const prefix of prefixes) {
    const stream = prefix.replace(/[.-]/g, "_").toUpperCase();
    for (const log of ["BLOCKS", "MATCHES"]) await jsm.streams.delete(`${stream}_${log}`).catch(() => false);
  }
  await nc.close();
});

describeLogContract("jetstream", async (options = {}) =>
  createJetStreamBus({
    servers: NATS_URL,
    subjectPrefix: uniquePrefix(),
    ...(options.maxMessages ? { blocks: { maxMessages: options.maxMessages } } : {}),
  }),
);

describe("jetstream bus on the real server", () => {
  const block = (i: number) => ({ ...blockEntry("eth", fixtureEvmBlocks()[0]!), number: BigInt(i), hash: `0x${i}` });

  it("creates one stream per log with per-network subjects, dedup window and limits", async () => {
    const subjectPrefix = uniquePrefix();
    const bus = await createJetStreamBus({
      servers: NATS_URL,
      subjectPrefix,
      blocks: { maxAgeMs: 3_600_000, maxMessages: 500, maxBytes: 10_000_000, duplicateWindowMs: 60_000 },
    });
    try {
      const nc = await connect({ servers: NATS_URL });
      const jsm = await jetstreamManager(nc);
      const stream = subjectPrefix.replace(/[.-]/g, "_").toUpperCase();
      const { config } = await jsm.streams.info(`${stream}_BLOCKS`);
      expect(config).toMatchObject({
        subjects: [`${subjectPrefix}.blocks.*`],
        max_age: 3_600_000 * 1e6,
        max_msgs: 500,
        max_bytes: 10_000_000,
        duplicate_window: 60_000 * 1e6,
      });
      expect((await jsm.streams.info(`${stream}_MATCHES`)).config.subjects).toEqual([`${subjectPrefix}.matches.*`]);
      await nc.close();
      // A restart with other limits updates the existing stream.
      const again = await createJetStreamBus({ servers: NATS_URL, subjectPrefix, blocks: { maxMessages: 700 } });
      const nc2 = await connect({ servers: NATS_URL });
      expect((await (await jetstreamManager(nc2)).streams.info(`${stream}_BLOCKS`)).config.max_msgs).toBe(700);
      await nc2.close();
      await again.close();
    } finally {
      await bus.close();
    }
  });

  it("a consumer resumes on a new connection: acked messages stay done, unacked ones come back after the ack wait", async () => {
    const subjectPrefix = uniquePrefix();
    const first = await createJetStreamBus({ servers: NATS_URL, subjectPrefix });
    for (const i of [1, 2, 3]) await first.blocks.publish("eth", block(i), { dedupId: `eth:${i}` });
    const c1 = await first.blocks.consumer("worker", { ackWaitMs: 1_000 });
    const m1 = await c1.next({ expiresMs: 5_000 });
    await m1!.ack();
    const m2 = await c1.next({ expiresMs: 5_000 });
    expect(m2?.sequence).toBe(2);
    await first.close(); // the process dies holding message 2

    const second = await createJetStreamBus({ servers: NATS_URL, subjectPrefix });
    try {
      const c2 = await second.blocks.consumer("worker", { ackWaitMs: 1_000 });
      const got = await c2.fetch({ max: 2, expiresMs: 5_000 });
      // Message 3 may come first: 2 is redelivered only once its ack wait has run out.
      expect(got.map((m) => [m.sequence, m.deliveryCount]).sort()).toEqual([
        [2, 2],
        [3, 1],
      ]);
      for (const m of got) await m.ack();
    } finally {
      await second.close();
    }
  });

  it("rides out a dropped connection: fetches fail retryably while the server is away and work again after", async () => {
    const proxy = await startTcpProxy(4222);
    const subjectPrefix = uniquePrefix();
    const bus = await createJetStreamBus({ servers: `nats://127.0.0.1:${proxy.port}`, subjectPrefix });
    try {
      await bus.blocks.publish("eth", block(1), { dedupId: "eth:1" });
      const c = await bus.blocks.consumer("survivor", { ackWaitMs: 2_000 });
      await (await c.next({ expiresMs: 5_000 }))!.ack();

      await proxy.stop(); // every connection cut, nothing listening: as if the server went down
      const outcome = await c.next({ expiresMs: 1_000 }).then(
        (message) => ({ message }),
        (error: unknown) => ({ error }),
      );
      expect(outcome).toMatchObject({ error: { code: "BUS_UNAVAILABLE", retryable: true } });
      await proxy.start(); // the server is back on the same address

      const deadline = Date.now() + 20_000;
      let acked = false;
      while (!acked && Date.now() < deadline) {
        try {
          await bus.blocks.publish("eth", block(2), { dedupId: "eth:2" });
          const message = await c.next({ expiresMs: 2_000 });
          if (message) {
            expect(message.payload).toMatchObject({ type: "block", number: 2n });
            await message.ack();
            acked = true;
          }
        } catch (error) {
          expect(error).toMatchObject({ retryable: true });
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      expect(acked).toBe(true);
      expect(proxy.connections).toBeGreaterThanOrEqual(2);
    } finally {
      await bus.close();
      await proxy.stop();
    }
  });

  it("terminates a message whose payload does not decode, reports it, and delivers the next", async () => {
    const subjectPrefix = uniquePrefix();
    const undecodable: UndecodableMessage[] = [];
    const bus: Bus = await createJetStreamBus({
      servers: NATS_URL,
      subjectPrefix,
      onUndecodable: (m) => undecodable.push(m),
    });
    try {
      const nc = await connect({ servers: NATS_URL });
      const newer = Uint8Array.from([0x41, 0x47, 9, 0, 0x7b, 0x7d]);
      const { jetstream } = await import("@nats-io/jetstream");
      await jetstream(nc).publish(`${subjectPrefix}.blocks.eth`, newer, { msgID: "future" });
      await nc.close();
      const good = block(7);
      await bus.blocks.publish("eth", good, { dedupId: blockDedupId(good) });
      const c = await bus.blocks.consumer("reader", { ackWaitMs: 1_000 });
      const message = await c.next({ expiresMs: 5_000 });
      expect(message?.payload).toEqual(good);
      await message!.ack();
      expect(undecodable).toHaveLength(1);
      expect(undecodable[0]).toMatchObject({ log: "blocks", consumer: "reader", key: "eth", sequence: 1 });
      expect(undecodable[0]!.error).toMatchObject({ code: "CODEC_UNSUPPORTED_VERSION" });
      // Terminated, so never delivered again.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(await c.next({ expiresMs: 1_000 })).toBeNull();
      expect(await c.lag()).toMatchObject({ pending: 0, ackPending: 0 });
    } finally {
      await bus.close();
    }
  });
});
