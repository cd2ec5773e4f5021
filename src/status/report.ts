/**
 * The operator view's report: one zod schema, the type of `collectStatus`'s result, the response schema of
 * `GET /api/v1/platform/status` and the shape `argus status --json` prints. JSON-safe throughout: block numbers are
 * decimal strings (they exceed 2^53 on some chains), times ISO-8601 strings, lags plain numbers.
 */
import { z } from "zod";

/** Why one part of the report is missing; the other parts are still reported. */
export const SectionErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
});
export type SectionError = z.infer<typeof SectionErrorSchema>;

const BlockNumber = z.string().regex(/^\d+$/).describe("A block number (ledger sequence on Stellar), in decimal.");
const Timestamp = z.string().describe("ISO-8601 time.");

export const NetworkStatusSchema = z.object({
  id: z.string(),
  slug: z.string(),
  /** `null`: a platform network every tenant may monitor. */
  tenantId: z.string().nullable(),
  type: z.string(),
  head: BlockNumber.nullable().describe("The chain's latest block; null when neither the cache nor the RPC told."),
  headSource: z.enum(["cache", "rpc"]).nullable(),
  headError: SectionErrorSchema.optional(),
  cursor: BlockNumber.nullable().describe("The last block ingest fully processed; null before the first."),
  lag: z.number().int().nullable().describe("head − cursor, in blocks; null when either is unknown."),
  cursorUpdatedAt: Timestamp.nullable(),
  /** Seconds since the cursor last moved, at the report's time. */
  cursorAgeSeconds: z.number().nullable(),
});
export type NetworkStatus = z.infer<typeof NetworkStatusSchema>;

export const LeaseHolderSchema = z.object({
  /** The PostgreSQL backend (`pg:<pid>`) or the in-process manager's holder id. */
  id: z.string(),
  pid: z.number().int().optional(),
  application: z.string().optional(),
  client: z.string().nullable().optional(),
  since: Timestamp.nullable().optional(),
});
export type LeaseHolder = z.infer<typeof LeaseHolderSchema>;

export const IngestLeaderSchema = z.object({
  networkId: z.string(),
  slug: z.string(),
  lease: z.string().describe("The lease name, `ingest:<network id>`."),
  holder: LeaseHolderSchema.nullable().describe("null: no ingester leads this network now."),
});
export type IngestLeader = z.infer<typeof IngestLeaderSchema>;

export const WorkerStatusSchema = z.object({
  id: z.string(),
  joinedAt: Timestamp,
  expiresAt: Timestamp,
  host: z.string().nullable(),
  pid: z.number().int().nullable(),
  shards: z
    .array(z.number().int())
    .nullable()
    .describe("The worker's shards; null when neither announced nor computable."),
  shardsSource: z
    .enum(["announced", "computed"])
    .nullable()
    .describe("announced: from the worker's membership metadata; computed: the assignment the workers compute."),
  tenants: z.number().int().nullable(),
  monitors: z.number().int().nullable(),
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

export const ConsumerLagSchema = z.object({
  name: z.string(),
  pending: z.number().int(),
  ackPending: z.number().int(),
  redelivered: z.number().int(),
  deliveredSequence: z.number().int(),
  ackFloor: z.number().int(),
});

export const StreamStatusSchema = z.object({
  log: z.enum(["blocks", "matches"]),
  messages: z.number().int().nullable(),
  lastSequence: z.number().int().nullable(),
  consumers: z.array(ConsumerLagSchema),
  error: SectionErrorSchema.optional(),
});
export type StreamStatus = z.infer<typeof StreamStatusSchema>;

export const DeliveryStatusCountsSchema = z.object({
  pending: z.number().int(),
  in_flight: z.number().int(),
  delivered: z.number().int(),
  dead: z.number().int(),
  suppressed: z.number().int(),
});

export const DeliveriesStatusSchema = z.object({
  byStatus: DeliveryStatusCountsSchema,
  total: z.number().int(),
  deadLetters: z.number().int().describe("Deliveries dead-lettered (retries exhausted or permanent failure)."),
  retrying: z.number().int().describe("Pending deliveries that failed at least once and wait for a retry."),
  oldestDueAt: Timestamp.nullable().describe("The oldest pending delivery already due: how far dispatch is behind."),
});
export type DeliveriesStatus = z.infer<typeof DeliveriesStatusSchema>;

/** A part of the report that may be unavailable (not configured, or its backend did not answer). */
function section<T extends z.ZodType>(items: T) {
  return z.object({
    /** `unavailable`: configured but failed (see `error`); `not_configured`: nothing to read it from. */
    state: z.enum(["ok", "unavailable", "not_configured"]),
    source: z.string().nullable().describe("Where it was read: postgres, memory, redis, jetstream, …"),
    items: z.array(items),
    error: SectionErrorSchema.optional(),
  });
}

export const StatusReportSchema = z
  .object({
    generatedAt: Timestamp,
    store: z.object({ driver: z.enum(["pglite", "postgres"]), location: z.string() }),
    networks: section(NetworkStatusSchema),
    ingestLeaders: section(IngestLeaderSchema),
    workers: section(WorkerStatusSchema).extend({
      shardCount: z.number().int().nullable(),
      /** Shards no live worker owns (known when every worker's shards are). */
      unownedShards: z.number().int().nullable(),
    }),
    streams: section(StreamStatusSchema),
    deliveries: z.object({
      state: z.enum(["ok", "unavailable"]),
      counts: DeliveriesStatusSchema.nullable(),
      error: SectionErrorSchema.optional(),
    }),
  })
  .meta({ id: "PlatformStatus" });

export type StatusReport = z.infer<typeof StatusReportSchema>;
