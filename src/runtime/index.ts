/**
 * The running platform in one process (`argus start`): configuration from the store (optionally imported from an
 * OZ config directory first), one block watcher per network with active monitors, the engine, trigger conditions,
 * the outbox and its dispatcher, the REST API and the health/metrics endpoint, wired together and stopped in order. Committed
 * configuration changes reach the running engines through LISTEN/NOTIFY (and a periodic reconciliation). Later
 * roles (separate ingest, worker, dispatch processes) reuse these pieces over a bus.
 */
export {
  type ActivationIndex,
  type ActiveMonitorDefinition,
  activationIndex,
  blockTimestamp,
  keepActiveMatches,
  startLookbackBlocks,
} from "./activation.js";
export { API_TOKEN_AUDIENCE, API_TOKEN_ISSUER, type MountApiOptions, type MountedApi, mountApi } from "./api.js";
// The pieces the role processes (src/roles) assemble differently over the bus.
export { type ConfigDirOptions, importConfigDir, loadValidConfig } from "./config-dir.js";
export { type ConfigListener, listenConfigChanges } from "./config-listener.js";
export { type DesiredNetwork, type DesiredState, loadDesiredState } from "./desired.js";
export { createStoreIngestState } from "./ingest-state.js";
export type { ScriptFile } from "./scripts.js";
export {
  type NetworkState,
  type RunningArgus,
  type StartOptions,
  startArgus,
} from "./start.js";
export { createLiveTriggerRegistry, type LiveTriggerRegistry } from "./triggers.js";
