/**
 * @module status
 *
 * The operator view: `collectStatus` reads the store (networks, cursors, delivery counts), the block cache or the
 * chains (heads), the lease backend (ingest leaders), worker membership (shards and load) and the bus (consumer lag)
 * into one JSON report (`StatusReportSchema`), which `argus status` prints and `statusRoute` serves at
 * `GET /api/v1/platform/status`. A failing source marks only its own part `unavailable`.
 *
 * Sits at the top with `cli` and `api`: it imports their dependencies' public faces, nothing imports it but them.
 *
 * @example
 * const report = await collectStatus({ store, bus, membership, leaseBackend: { kind: "postgres" }, cache, now: new Date() });
 * process.stdout.write(formatStatus(report));
 */
export {
  type CollectStatusOptions,
  collectStatus,
  type HeadCache,
  type HeadReader,
  type LeaseBackendView,
  type StatusBus,
} from "./collect.js";
export { StatusCode, StatusError } from "./errors.js";
export { formatStatus } from "./format.js";
export {
  type DeliveriesStatus,
  type IngestLeader,
  type LeaseHolder,
  type NetworkStatus,
  type SectionError,
  type StatusReport,
  StatusReportSchema,
  type StreamStatus,
  type WorkerStatus,
} from "./report.js";
export { STATUS_PERMISSION, type StatusRouteOptions, statusRoute } from "./route.js";
export { decodeShards, encodeShards, readWorkerMeta, type WorkerAnnouncement, workerMeta } from "./worker-meta.js";
