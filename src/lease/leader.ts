import { LeaseCode, LeaseError } from "./errors.js";
import type { Lease, LeaseManager } from "./types.js";

export interface RunAsLeaderOptions {
  /** Stops contending and ends the current term (its lease is released, so `work`'s signal aborts). */
  signal?: AbortSignal;
  /** @default 500 (see `AcquireOptions.retryMs`) */
  retryMs?: number;
  /** Called when a term ends because the lease was lost (before contending again), e.g. to log it. */
  onLost?: (error: LeaseError) => void;
}

/**
 * Runs `work` whenever this process holds `name`: contends, runs `work(lease)` (which must stop when `lease.signal`
 * aborts), and contends again if the lease is lost. Resolves when `signal` aborts or when `work` returns while still
 * holding the lease (it finished); rejects with `work`'s error if it throws while holding it (after releasing).
 *
 * @example
 * await runAsLeader(leases, `ingest:${network.slug}`, (lease) => ingestNetwork(network, { signal: lease.signal }), {
 *   signal: shutdown.signal,
 * });
 */
export async function runAsLeader(
  manager: LeaseManager,
  name: string,
  work: (lease: Lease) => Promise<void>,
  options: RunAsLeaderOptions = {},
): Promise<void> {
  const { signal } = options;
  const stopped = (): boolean => signal?.aborted === true;
  while (!stopped()) {
    let lease: Lease;
    try {
      lease = await manager.acquire(name, {
        ...(signal === undefined ? {} : { signal }),
        ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
      });
    } catch (error) {
      if (error instanceof LeaseError && (error.code === LeaseCode.Aborted || error.code === LeaseCode.Closed)) return;
      throw error;
    }
    if (stopped()) {
      // Won while stopping (an abort listener of someone else freed it first): hand it straight back.
      await lease.release();
      return;
    }
    const stop = (): void => void lease.release();
    signal?.addEventListener("abort", stop, { once: true });
    try {
      await work(lease);
      if (lease.held) return;
    } catch (error) {
      if (lease.held) throw error;
      // The work failed because its lease ended: that is a lost term, not a failure of the work.
    } finally {
      signal?.removeEventListener("abort", stop);
      const reason: unknown = lease.signal.reason;
      await lease.release();
      if (reason instanceof LeaseError && reason.code === LeaseCode.Lost) options.onLost?.(reason);
    }
    if ((lease.signal.reason as LeaseError | undefined)?.code === LeaseCode.Closed) return;
  }
}
