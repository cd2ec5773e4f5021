/**
 * @module bus
 *
 * The block log (ingest → workers) and the match log (workers → dispatch): one contract (`types.ts`), two
 * implementations — in-process (`createMemoryBus`, the embedded default) and NATS JetStream (`createJetStreamBus`).
 * Subjects are keyed by network slug; publishes are deduplicated by id (block hash, match id); consumers are durable
 * and named, with explicit acks, redelivery after an ack wait, delayed naks, max deliveries and lag for the operator
 * view. Payloads go through `codec` (versioned frames).
 *
 * Imports `codec` and `errors`; nothing above it.
 *
 * @example
 * const bus = process.env.NATS_URL ? await createJetStreamBus({ servers: process.env.NATS_URL }) : createMemoryBus();
 * await bus.blocks.publish(entry.network, entry, { dedupId: blockDedupId(entry) });
 * const blocks = await bus.blocks.consumer("worker-shard-3", { key: "ethereum_mainnet", maxAckPending: 1 });
 * for (;;) {
 *   const message = await blocks.next({ expiresMs: 5_000, signal });
 *   if (!message) continue;
 *   await evaluate(message.payload);
 *   await message.ack();
 * }
 */

export { blockDedupId } from "./dedup.js";
export { BusCode, BusError } from "./errors.js";
export { createJetStreamBus, type JetStreamBusOptions } from "./jetstream.js";
export { createMemoryBus, type MemoryBusOptions } from "./memory.js";
export { type BlockLog, type Bus, type MatchLog, RETENTION_DEFAULTS, type UndecodableMessage } from "./shared.js";
export type {
  ConsumerLag,
  ConsumerOptions,
  DeliverPolicy,
  FetchOptions,
  Log,
  LogConsumer,
  LogMessage,
  LogOptions,
  LogStats,
  PayloadDecoder,
  PayloadOrigin,
  PublishAck,
  PublishOptions,
  RetentionOptions,
} from "./types.js";
