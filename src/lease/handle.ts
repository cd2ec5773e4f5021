/** The `Lease` object both managers hand out; the manager decides when it ends, this keeps the end exactly-once. */
import { LeaseCode, LeaseError } from "./errors.js";
import type { Lease } from "./types.js";

export interface LeaseHandleHooks {
  /** Asks the backend whether the lease is still held (throws or returns false when not). */
  confirm(): Promise<boolean>;
  /** Frees the backend lock; called once, after the handle has ended with `LEASE_RELEASED`. */
  release(): Promise<void>;
}

export class LeaseHandle implements Lease {
  readonly acquiredAt = Date.now();
  readonly #controller = new AbortController();
  readonly #listeners = new Set<(error: LeaseError) => void>();

  constructor(
    readonly name: string,
    readonly holderId: string,
    private readonly hooks: LeaseHandleHooks,
  ) {}

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get held(): boolean {
    return !this.#controller.signal.aborted;
  }

  onLost(listener: (error: LeaseError) => void): () => void {
    const reason = this.#controller.signal.reason as LeaseError | undefined;
    if (reason !== undefined) {
      if (reason.code !== LeaseCode.Released) queueMicrotask(() => listener(reason));
      return () => {};
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async confirm(): Promise<boolean> {
    if (!this.held) return false;
    let ok: boolean;
    let cause: unknown;
    try {
      ok = await this.hooks.confirm();
    } catch (error) {
      ok = false;
      cause = error;
    }
    if (!ok) {
      this.end(
        new LeaseError(LeaseCode.Lost, `Lease '${this.name}' is no longer held: the backend check failed.`, {
          lease: this.name,
          cause,
          retryable: true,
        }),
      );
    }
    return this.held;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.end(new LeaseError(LeaseCode.Released, `Lease '${this.name}' was released.`, { lease: this.name }));
    try {
      await this.hooks.release();
    } catch {
      // A failed unlock leaves the lock to die with the session; the lease is already given up on our side.
    }
  }

  /** Ends the lease once: aborts the signal, then (for involuntary ends) runs the listeners. Returns false if already ended. */
  end(reason: LeaseError): boolean {
    if (!this.held) return false;
    this.#controller.abort(reason);
    if (reason.code !== LeaseCode.Released) {
      for (const listener of this.#listeners) {
        try {
          listener(reason);
        } catch {
          // A throwing listener must not keep the others from learning that the lease is gone.
        }
      }
    }
    this.#listeners.clear();
    return true;
  }
}

/** Rejects names that cannot be keys or would make unreadable messages. */
export function checkLeaseName(name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.length > 200) {
    throw new LeaseError(
      LeaseCode.NameInvalid,
      `Invalid lease name ${JSON.stringify(String(name).slice(0, 60))}${String(name).length > 60 ? "…" : ""}. Expected 1 to 200 characters, e.g. 'ingest:ethereum_mainnet'.`,
      { lease: typeof name === "string" ? name : undefined },
    );
  }
}

/** Sleeps `ms` or until `signal` aborts (resolves either way; the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export function jittered(ms: number): number {
  return Math.max(1, Math.round(ms * (0.8 + Math.random() * 0.4)));
}

export function abortedError(name: string, signal: AbortSignal): LeaseError {
  return new LeaseError(LeaseCode.Aborted, `Stopped waiting for lease '${name}'.`, {
    lease: name,
    cause: signal.reason,
  });
}
