import { type Delivery, deliveries, type Store, StoreCode, StoreError } from "../store/index.js";

export interface ReplayOptions {
  /** The store's clock: replayed deliveries are due at this time. @default new Date() */
  now?: Date;
  /** Called after something was replayed, e.g. `dispatcher.wake`. */
  wake?: () => void;
}

/**
 * Sends a dead delivery again: it becomes `pending`, due now, with a fresh run of `maxAttempts` attempts. Its id (the
 * `webhook-id` receivers deduplicate on) and its attempt history stay; new attempts continue the numbering.
 *
 * Throws `STORE_NOT_FOUND` for an unknown id (or another tenant's), `STORE_INVALID_STATE` for a delivery that is not
 * dead or whose match a reorg orphaned.
 *
 * @example
 * await replayDelivery(store, tenantId, deliveryId, { wake: dispatcher.wake });
 */
export async function replayDelivery(
  store: Store,
  tenantId: string,
  deliveryId: string,
  options: ReplayOptions = {},
): Promise<Delivery> {
  const replayed = await deliveries.replay(store, tenantId, deliveryId, options.now ?? new Date());
  options.wake?.();
  return replayed;
}

export interface ReplayDeadFilter {
  tenantId: string;
  monitorId?: string;
  matchId?: string;
  triggerKey?: string;
  /** Only deliveries that died at or after this time (their last update). */
  deadSince?: Date;
  /**
   * Replay at most this many.
   * @default 1_000
   */
  limit?: number;
}

export interface ReplayDeadResult {
  /** Deliveries now pending again. */
  replayed: Delivery[];
  /** Dead deliveries that could not be replayed (e.g. their match was orphaned by a reorg), with the reason. */
  skipped: Array<{ deliveryId: string; code: string; message: string }>;
}

/**
 * Replays a tenant's dead deliveries matching `filter` (newest first), one transaction each: a failure on one (an
 * orphaned match, or a concurrent replay) is reported in `skipped` and does not stop the others.
 *
 * @example
 * const { replayed } = await replayDead(store, { tenantId, monitorId }, { wake: dispatcher.wake });
 */
export async function replayDead(
  store: Store,
  filter: ReplayDeadFilter,
  options: ReplayOptions = {},
): Promise<ReplayDeadResult> {
  const limit = filter.limit ?? 1_000;
  const now = options.now ?? new Date();
  const result: ReplayDeadResult = { replayed: [], skipped: [] };
  const candidates: Delivery[] = [];
  let cursor: string | undefined;
  // Collect first, then replay: replayed rows leave the `dead` listing, which would shift the pages.
  do {
    const page = await deliveries.list(store, {
      tenantId: filter.tenantId,
      status: "dead",
      limit: 500,
      ...(filter.monitorId === undefined ? {} : { monitorId: filter.monitorId }),
      ...(filter.matchId === undefined ? {} : { matchId: filter.matchId }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const delivery of page.items) {
      if (filter.triggerKey !== undefined && delivery.triggerKey !== filter.triggerKey) continue;
      if (filter.deadSince !== undefined && delivery.updatedAt < filter.deadSince) continue;
      candidates.push(delivery);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && candidates.length < limit);

  for (const delivery of candidates.slice(0, limit)) {
    try {
      result.replayed.push(await deliveries.replay(store, filter.tenantId, delivery.id, now));
    } catch (error) {
      // Only per-row verdicts are skipped; an unavailable or closed store stops the batch.
      if (!(error instanceof StoreError) || error.retryable || error.code === StoreCode.Closed) throw error;
      result.skipped.push({ deliveryId: delivery.id, code: error.code, message: error.message });
    }
  }
  if (result.replayed.length > 0) options.wake?.();
  return result;
}
