import { type Network, recommendedPastBlocks } from "../config/index.js";

/** The watcher options an OZ network file decides. */
export interface NetworkWatchSettings {
  network: string;
  confirmationBlocks: number;
  maxPastBlocks: number | "unlimited";
  blockTimeMs: number;
  cronSchedule: string;
}

/**
 * Maps an OZ network config to watcher settings: `confirmation_blocks`, `block_time_ms`, `cron_schedule` as they
 * are; `max_past_blocks` absent → OZ's default, the recommended value (blocks per cron interval + confirmations + 1).
 *
 * @example
 * const watcher = createBlockWatcher({ ...blockWatcherSettings(network), source, state });
 */
export function blockWatcherSettings(network: Network, now: Date = new Date()): NetworkWatchSettings {
  return {
    network: network.slug,
    confirmationBlocks: network.confirmation_blocks,
    maxPastBlocks: network.max_past_blocks ?? recommendedPastBlocks(network, now),
    blockTimeMs: network.block_time_ms,
    cronSchedule: network.cron_schedule,
  };
}

/**
 * The URLs for live heads of an EVM network (compat spec §15): `rpc_urls` entries with a `ws://`/`wss://` URL and
 * `type_` `rpc` or `ws_rpc`, weight > 0, highest weight first (stable). Other network types: none (they poll).
 */
export function liveHeadUrls(network: Network): string[] {
  if (network.network_type !== "EVM") return [];
  return network.rpc_urls
    .map((rpc, index) => ({ rpc, index }))
    .filter(({ rpc }) => (rpc.type_ === "rpc" || rpc.type_ === "ws_rpc") && rpc.weight > 0)
    .filter(({ rpc }) => /^wss?:\/\//i.test(rpc.url.value))
    .sort((a, b) => b.rpc.weight - a.rpc.weight || a.index - b.index)
    .map(({ rpc }) => rpc.url.value);
}
