/**
 * The running platform in one process (`argus start`): config import into the store, one block watcher per network,
 * the engine, trigger conditions, the outbox and its dispatcher, and the health/metrics endpoint, wired together and
 * stopped in order. Later roles (separate ingest, worker, dispatch processes) reuse these pieces over a bus.
 */
export { type NetworkState, type RunningArgus, type StartOptions, startArgus } from "./start.js";
