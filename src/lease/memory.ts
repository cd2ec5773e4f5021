/**
 * In-process leases: the embedded default. Managers that share a `MemoryLeaseSpace` (by default, every manager of
 * the process) contend exactly as PostgreSQL managers on one database do; a release wakes waiters at once.
 */
import { randomUUID } from "node:crypto";
import { LeaseCode, LeaseError } from "./errors.js";
import { abortedError, checkLeaseName, LeaseHandle } from "./handle.js";
import type { AcquireOptions, Lease, LeaseManager } from "./types.js";

/** Who holds which name, shared by the managers created on it. */
export interface MemoryLeaseSpace {
  /** The holder of `name`, if any. */
  holderOf(name: string): string | undefined;
  /** Takes `name` away from its holder (its lease is lost, `LEASE_LOST`), as an operator would kill a session. */
  revoke(name: string): boolean;
}

interface SpaceState {
  holders: Map<string, LeaseHandle>;
  waiters: Map<string, Set<() => void>>;
}

const spaceStates = new WeakMap<MemoryLeaseSpace, SpaceState>();

export function createMemoryLeaseSpace(): MemoryLeaseSpace {
  const state: SpaceState = { holders: new Map(), waiters: new Map() };
  const space: MemoryLeaseSpace = {
    holderOf: (name) => state.holders.get(name)?.holderId,
    revoke(name) {
      const handle = state.holders.get(name);
      if (handle === undefined) return false;
      free(state, name, handle);
      handle.end(new LeaseError(LeaseCode.Lost, `Lease '${name}' was revoked.`, { lease: name, retryable: true }));
      return true;
    },
  };
  spaceStates.set(space, state);
  return space;
}

/** The space of managers created without one. */
export const processLeaseSpace: MemoryLeaseSpace = createMemoryLeaseSpace();

function free(state: SpaceState, name: string, handle: LeaseHandle): void {
  if (state.holders.get(name) !== handle) return;
  state.holders.delete(name);
  const waiting = state.waiters.get(name);
  if (waiting !== undefined) for (const wake of [...waiting]) wake();
}

export interface MemoryLeaseOptions {
  /** @default processLeaseSpace */
  space?: MemoryLeaseSpace;
}

export function createMemoryLeaseManager(options: MemoryLeaseOptions = {}): LeaseManager {
  const state = spaceStates.get(options.space ?? processLeaseSpace);
  if (state === undefined) {
    throw new LeaseError(LeaseCode.OptionsInvalid, "The memory lease space was not made by createMemoryLeaseSpace().");
  }
  const holderId = `memory:${randomUUID()}`;
  const mine = new Map<string, LeaseHandle>();
  let closed = false;

  function closedError(name: string): LeaseError {
    return new LeaseError(LeaseCode.Closed, `The lease manager is closed; cannot acquire '${name}'.`, { lease: name });
  }

  function take(name: string): Lease | undefined {
    if (state?.holders.has(name)) return undefined;
    const handle: LeaseHandle = new LeaseHandle(name, holderId, {
      confirm: async () => state?.holders.get(name) === handle,
      release: async () => {
        mine.delete(name);
        if (state !== undefined) free(state, name, handle);
      },
    });
    state?.holders.set(name, handle);
    mine.set(name, handle);
    // A revoke ends the handle from outside; forget it here too.
    handle.signal.addEventListener("abort", () => mine.delete(name), { once: true });
    return handle;
  }

  return {
    holderId,
    async tryAcquire(name) {
      checkLeaseName(name);
      if (closed) throw closedError(name);
      return take(name);
    },
    async acquire(name, acquireOptions: AcquireOptions = {}) {
      checkLeaseName(name);
      const { signal } = acquireOptions;
      return new Promise<Lease>((resolve, reject) => {
        if (closed) return reject(closedError(name));
        if (signal?.aborted) return reject(abortedError(name, signal));
        const first = take(name);
        if (first !== undefined) return resolve(first);
        const waiters = state.waiters.get(name) ?? new Set<() => void>();
        state.waiters.set(name, waiters);
        const stop = (): void => {
          waiters.delete(attempt);
          if (waiters.size === 0) state.waiters.delete(name);
          signal?.removeEventListener("abort", onAbort);
        };
        const onAbort = (): void => {
          stop();
          reject(signal === undefined ? closedError(name) : abortedError(name, signal));
        };
        function attempt(): void {
          if (closed) {
            stop();
            reject(closedError(name));
            return;
          }
          if (signal?.aborted) {
            onAbort();
            return;
          }
          const lease = take(name);
          if (lease === undefined) return;
          stop();
          resolve(lease);
        }
        waiters.add(attempt);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    held: () => [...mine.keys()],
    async close() {
      if (closed) return;
      closed = true;
      for (const [name, handle] of [...mine]) {
        mine.delete(name);
        free(state, name, handle);
        handle.end(new LeaseError(LeaseCode.Closed, `Lease '${name}' ended: its manager closed.`, { lease: name }));
      }
      // Waiters of this manager learn it is closed on their next wake-up; wake them now.
      for (const waiting of state.waiters.values()) for (const wake of [...waiting]) wake();
    },
  };
}
