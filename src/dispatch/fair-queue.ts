/**
 * Claimed deliveries waiting for a slot, per tenant. Pure bookkeeping (no timers, no I/O): the dispatcher asks it
 * which claims may start now.
 *
 * Fairness: slots go round-robin over tenants, and no tenant runs more than `maxRunningPerTenant` attempts at once,
 * so one tenant's slow or hanging receiver ties up at most that many slots. Deadlines keep the lease honest: a claim
 * is leased from the moment it was claimed, so a claim still waiting at its `startBy` starts anyway, over the caps,
 * rather than letting its lease run out unattempted (which would cost it an attempt and send it twice).
 */
export interface FairQueueLimits {
  /** Attempts running at once, over all tenants (deadline starts may exceed it). */
  maxRunning: number;
  /** Attempts running at once for one tenant (deadline starts may exceed it). */
  maxRunningPerTenant: number;
}

export interface QueuedClaim<T> {
  tenantId: string;
  value: T;
  /** Start no later than this (ms, the caller's monotonic clock), whatever the caps say. */
  startBy: number;
}

export class FairQueue<T> {
  readonly #limits: FairQueueLimits;
  readonly #queues = new Map<string, QueuedClaim<T>[]>();
  readonly #runningByTenant = new Map<string, number>();
  /** Tenants with waiting claims; the next slot goes to the first one that may run. */
  #order: string[] = [];
  #running = 0;
  #queued = 0;

  constructor(limits: FairQueueLimits) {
    this.#limits = limits;
  }

  /** Attempts started and not yet finished. */
  get running(): number {
    return this.#running;
  }

  /** Claims waiting for a slot. */
  get queued(): number {
    return this.#queued;
  }

  runningFor(tenantId: string): number {
    return this.#runningByTenant.get(tenantId) ?? 0;
  }

  push(claim: QueuedClaim<T>): void {
    let queue = this.#queues.get(claim.tenantId);
    if (queue === undefined) {
      queue = [];
      this.#queues.set(claim.tenantId, queue);
      this.#order.push(claim.tenantId);
    }
    queue.push(claim);
    this.#queued += 1;
  }

  /**
   * Takes the claims that start now and counts them as running: first every claim at or past its deadline, then
   * round-robin over tenants while the caps allow.
   */
  take(now: number): QueuedClaim<T>[] {
    const started: QueuedClaim<T>[] = [];
    for (const tenantId of [...this.#order]) {
      const queue = this.#queues.get(tenantId)!;
      // Claims queue in claim order with one lease length, so deadlines ascend within a tenant.
      while (queue.length > 0 && queue[0]!.startBy <= now) started.push(this.#start(tenantId, queue));
    }
    let progress = true;
    while (progress && this.#running < this.#limits.maxRunning) {
      progress = false;
      for (const tenantId of [...this.#order]) {
        if (this.#running >= this.#limits.maxRunning) break;
        if (this.runningFor(tenantId) >= this.#limits.maxRunningPerTenant) continue;
        const queue = this.#queues.get(tenantId);
        if (queue === undefined || queue.length === 0) continue;
        started.push(this.#start(tenantId, queue));
        progress = true;
        // The tenant just served goes to the back of the line.
        this.#order = [...this.#order.filter((t) => t !== tenantId), tenantId];
      }
    }
    for (const tenantId of [...this.#order]) {
      if (this.#queues.get(tenantId)?.length === 0) this.#forget(tenantId);
    }
    return started;
  }

  /** Marks one running attempt of `tenantId` as finished. */
  finish(tenantId: string): void {
    const count = this.runningFor(tenantId);
    if (count <= 1) this.#runningByTenant.delete(tenantId);
    else this.#runningByTenant.set(tenantId, count - 1);
    this.#running = Math.max(0, this.#running - 1);
  }

  /** The earliest deadline of a waiting claim, if any. */
  nextDeadline(): number | undefined {
    let earliest: number | undefined;
    for (const queue of this.#queues.values()) {
      const head = queue[0];
      if (head !== undefined && (earliest === undefined || head.startBy < earliest)) earliest = head.startBy;
    }
    return earliest;
  }

  /** Removes and returns every waiting claim (they are not counted as running). */
  clear(): QueuedClaim<T>[] {
    const all = [...this.#queues.values()].flat();
    this.#queues.clear();
    this.#order = [];
    this.#queued = 0;
    return all;
  }

  #start(tenantId: string, queue: QueuedClaim<T>[]): QueuedClaim<T> {
    const claim = queue.shift()!;
    this.#queued -= 1;
    this.#running += 1;
    this.#runningByTenant.set(tenantId, this.runningFor(tenantId) + 1);
    return claim;
  }

  #forget(tenantId: string): void {
    this.#queues.delete(tenantId);
    this.#order = this.#order.filter((t) => t !== tenantId);
  }
}
