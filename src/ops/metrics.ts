import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The process's Prometheus metrics, named `argus_<area>_<what>_<unit>`. Labels stay bounded (network, channel,
 * outcome): per-tenant numbers belong in the store and the API, not in label values.
 */
export interface Metrics {
  registry: Registry;
  blocksProcessed: Counter<"network">;
  headLag: Gauge<"network">;
  cursor: Gauge<"network">;
  blockDuration: Histogram<"network">;
  matches: Counter<"network">;
  reorgs: Counter<"network">;
  deliveryAttempts: Counter<"channel" | "outcome">;
  deliveryLatency: Histogram<"channel">;
  /** Deliveries stored as `suppressed` when enqueued (throttle, daily quota), by reason. */
  notificationsSuppressed: Counter<"reason">;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const common = { registers: [registry] };
  return {
    registry,
    blocksProcessed: new Counter({
      name: "argus_ingest_blocks_processed_total",
      help: "Blocks evaluated, per network",
      labelNames: ["network"],
      ...common,
    }),
    headLag: new Gauge({
      name: "argus_ingest_head_lag_blocks",
      help: "Chain head minus the last processed block",
      labelNames: ["network"],
      ...common,
    }),
    cursor: new Gauge({
      name: "argus_ingest_cursor_block",
      help: "Last processed block number",
      labelNames: ["network"],
      ...common,
    }),
    blockDuration: new Histogram({
      name: "argus_engine_block_duration_seconds",
      help: "Time to evaluate a block and store its matches",
      labelNames: ["network"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      ...common,
    }),
    matches: new Counter({
      name: "argus_engine_matches_total",
      help: "Matches stored, per network",
      labelNames: ["network"],
      ...common,
    }),
    reorgs: new Counter({
      name: "argus_ingest_reorgs_total",
      help: "Chain reorganisations handled",
      labelNames: ["network"],
      ...common,
    }),
    deliveryAttempts: new Counter({
      name: "argus_delivery_attempts_total",
      help: "Notification delivery attempts by channel and outcome",
      labelNames: ["channel", "outcome"],
      ...common,
    }),
    deliveryLatency: new Histogram({
      name: "argus_delivery_latency_seconds",
      help: "Duration of delivery attempts",
      labelNames: ["channel"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ...common,
    }),
    notificationsSuppressed: new Counter({
      name: "argus_notifications_suppressed_total",
      help: "Notifications stored as suppressed when enqueued, by reason (throttle_cooldown, throttle_threshold, quota_exceeded)",
      labelNames: ["reason"],
      ...common,
    }),
  };
}
