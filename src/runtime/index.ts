/**
 * The running platform in one process (`argus start`): configuration from the store (optionally imported from an
 * OZ config directory first), one block watcher per network with active monitors, the engine, trigger conditions,
 * the outbox and its dispatcher, the REST API and the health/metrics endpoint, wired together and stopped in order. Committed
 * configuration changes reach the running engines through LISTEN/NOTIFY (and a periodic reconciliation). Later
 * roles (separate ingest, worker, dispatch processes) reuse these pieces over a bus.
 */
export { API_TOKEN_AUDIENCE, API_TOKEN_ISSUER, type MountApiOptions, type MountedApi, mountApi } from "./api.js";
export {
  type NetworkState,
  type RunningArgus,
  type StartOptions,
  startArgus,
} from "./start.js";
