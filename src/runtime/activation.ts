/**
 * A monitor matches only blocks mined after it became active (created, unpaused, its tenant reactivated): a watcher
 * that catches up after a pause, a suspension or an idle spell must not notify about what happened meanwhile. The
 * engine stays pure and matches every block; the pipeline drops the matches of blocks older than the monitor's
 * activation, by the block's own timestamp, so the decision is the same in any process and on every replay.
 *
 * Chosen over keeping idle networks' cursors at the head: that would cover only the idle case, not a monitor resumed
 * while its network's watcher lags (or after a restart), nor processes that learn of a change late. The cost: a
 * network that was idle is caught up from its cursor (bounded by `max_past_blocks`) and those blocks' matches are
 * dropped. The comparison trusts the chain's clock to within a second of the server's, as block timestamps are
 * on live chains; activation times come from the store (the writer's clock).
 */
import type { EvmBlock, MonitorDefinition, MonitorMatch, StellarLedger } from "../engine/index.js";

/** The engine's monitor definition as the runtime carries it. */
export interface ActiveMonitorDefinition extends MonitorDefinition {
  /**
   * When the monitor last became active, Unix ms: its creation, its last unpause or its tenant's reactivation,
   * whichever is latest. Blocks whose timestamp lies in an earlier second are not matched for it. Absent: no limit.
   */
  activeSince?: number;
}

/** Monitor id → the first block timestamp (Unix seconds) it may match; `null` = any block. */
export type ActivationIndex = ReadonlyMap<string, number | null>;

/** Indexes the monitors a network currently runs (a match of a monitor not listed is dropped: it was removed). */
export function activationIndex(definitions: readonly ActiveMonitorDefinition[]): ActivationIndex {
  const index = new Map<string, number | null>();
  for (const definition of definitions) {
    // Block timestamps have a one-second resolution: a block of the activation's second counts as after it.
    index.set(definition.id, definition.activeSince === undefined ? null : Math.floor(definition.activeSince / 1000));
  }
  return index;
}

/** A block's timestamp in Unix seconds (`null` when the block does not carry a readable one). */
export function blockTimestamp(block: EvmBlock | StellarLedger): number | null {
  if (block.chain === "Stellar") return Number.isFinite(block.closeTime) ? block.closeTime : null;
  const raw = block.header.timestamp;
  if (typeof raw !== "string" || !/^0x[0-9a-fA-F]+$/.test(raw)) return null;
  return Number.parseInt(raw, 16);
}

/**
 * The matches of monitors that are active for this block: listed in `index` and activated no later than the block's
 * second. A block without a timestamp keeps every listed monitor's matches (nothing to compare with).
 */
export function keepActiveMatches<M extends MonitorMatch>(
  matches: readonly M[],
  blockSeconds: number | null,
  index: ActivationIndex,
): M[] {
  return matches.filter((match) => {
    if (!index.has(match.monitorId)) return false;
    const since = index.get(match.monitorId) ?? null;
    return since === null || blockSeconds === null || blockSeconds >= since;
  });
}

/** The most blocks a first start looks back (about ten minutes at one-second blocks). */
const MAX_START_LOOKBACK_BLOCKS = 600;

/**
 * How far before the head a network's first watcher starts: back to its earliest monitor activation, in blocks of
 * `blockTimeMs` (plus one), capped. Matches of blocks from before an activation are dropped anyway, so looking back
 * only ever adds what a monitor created before the watcher started would otherwise miss.
 */
export function startLookbackBlocks(
  definitions: readonly ActiveMonitorDefinition[],
  blockTimeMs: number,
  now: number,
): bigint {
  let earliest: number | undefined;
  for (const { activeSince } of definitions) {
    if (activeSince !== undefined && (earliest === undefined || activeSince < earliest)) earliest = activeSince;
  }
  if (earliest === undefined || earliest >= now) return 0n;
  const blocks = Math.ceil((now - earliest) / Math.max(blockTimeMs, 1)) + 1;
  return BigInt(Math.min(blocks, MAX_START_LOOKBACK_BLOCKS));
}
