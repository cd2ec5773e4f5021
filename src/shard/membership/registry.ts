/** What both registries share: option checks, automatic heartbeats and change detection by polling + pushes. */
import { ShardCode, ShardError } from "../errors.js";
import type { Member, MemberInfo, MembershipChange, MembershipOptions } from "./types.js";

export interface ResolvedMembershipOptions {
  ttlMs: number;
  heartbeatMs: number;
  pollMs: number;
  autoHeartbeat: boolean;
  onError: (error: Error) => void;
}

export function resolveMembershipOptions(options: MembershipOptions): ResolvedMembershipOptions {
  const ttlMs = options.ttlMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(ttlMs / 3));
  const pollMs = options.pollMs ?? Math.max(1, Math.min(1_000, Math.floor(ttlMs / 2)));
  for (const [name, value] of [
    ["ttlMs", ttlMs],
    ["heartbeatMs", heartbeatMs],
    ["pollMs", pollMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new ShardError(ShardCode.OptionsInvalid, `Invalid ${name}: ${value}. Expected a positive number of ms.`, {
        path: [name],
      });
    }
  }
  if (heartbeatMs >= ttlMs) {
    throw new ShardError(
      ShardCode.OptionsInvalid,
      `Invalid heartbeatMs: ${heartbeatMs}. It must be shorter than ttlMs (${ttlMs}), or members expire between beats.`,
      { path: ["heartbeatMs"] },
    );
  }
  return {
    ttlMs,
    heartbeatMs,
    pollMs,
    autoHeartbeat: options.autoHeartbeat ?? true,
    onError: options.onError ?? (() => {}),
  };
}

export function checkMemberId(member: MemberInfo | string): string {
  const id = typeof member === "string" ? member : member.id;
  if (typeof id !== "string" || id.length === 0 || id.length > 200) {
    throw new ShardError(ShardCode.InputInvalid, "Invalid member id: expected 1 to 200 characters.", { path: ["id"] });
  }
  return id;
}

/**
 * Tracks the last member set seen and tells listeners about differences. `refresh` is called by a poll timer (only
 * while someone listens) and by the backend's pushes.
 */
export class ChangeWatcher {
  readonly #listeners = new Set<(change: MembershipChange) => void>();
  #known: Set<string> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(
    private readonly list: () => Promise<Member[]>,
    private readonly pollMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  add(listener: (change: MembershipChange) => void): () => void {
    this.#listeners.add(listener);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.refresh(), this.pollMs);
      this.#timer.unref();
      void this.refresh();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** Re-reads the members and notifies on a difference; concurrent calls coalesce into one more read. */
  refresh(): Promise<void> {
    if (this.#listeners.size === 0) return Promise.resolve();
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          this.#compare(await this.list());
        } catch (error) {
          this.onError(error as Error);
        }
      } while (this.#again && this.#listeners.size > 0);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #compare(members: Member[]): void {
    const ids = new Set(members.map((m) => m.id));
    const before = this.#known;
    this.#known = ids;
    // The first read sets the baseline; listeners hear about it as "everyone joined" so they can act on the initial set.
    const joined = members.filter((m) => !before?.has(m.id)).map((m) => m.id);
    const left = before === undefined ? [] : [...before].filter((id) => !ids.has(id)).sort();
    if (before !== undefined && joined.length === 0 && left.length === 0) return;
    const change: MembershipChange = { members, joined, left };
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.onError(error as Error);
      }
    }
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#known = undefined;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.stop();
    await this.#running;
  }
}

/** Heartbeats for the members joined through one registry. */
export class Heartbeats {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly beat: (id: string) => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  start(id: string): void {
    this.stop(id);
    const timer = setInterval(() => {
      this.beat(id).catch((error: Error) => this.onError(error));
    }, this.intervalMs);
    timer.unref();
    this.#timers.set(id, timer);
  }

  stop(id: string): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearInterval(timer);
    this.#timers.delete(id);
  }

  ids(): string[] {
    return [...this.#timers.keys()];
  }

  stopAll(): void {
    for (const id of this.ids()) this.stop(id);
  }
}
