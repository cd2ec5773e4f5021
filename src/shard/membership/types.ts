/** Who is alive: the membership contract shared by the in-process and Redis registries. */

export type MemberMeta = Readonly<Record<string, string | number | boolean | null>>;

export interface MemberInfo {
  /** Unique per worker process (e.g. `hostname:pid:random`). */
  id: string;
  /** Small facts other workers may read (host, pid, version). */
  meta?: MemberMeta;
}

export interface Member {
  id: string;
  meta: MemberMeta;
  /** When this membership began (the backend's clock, ms). A member that expired and came back has a new one. */
  joinedAt: number;
  /** When it expires without a heartbeat (the backend's clock, ms). */
  expiresAt: number;
}

export interface MembershipChange {
  /** Every live member, sorted by id. */
  members: Member[];
  joined: string[];
  /** Left or expired. */
  left: string[];
}

/**
 * A registry of live workers. Members announce themselves with `join`, stay alive by heartbeats (sent automatically
 * every `heartbeatMs` for members joined through this registry) and disappear on `leave` or after `ttlMs` without a
 * heartbeat. Every registry on the same backend and prefix sees the same members and is told of changes.
 */
export interface Membership {
  join(member: MemberInfo): Promise<void>;
  /** Renews `id`'s TTL. Resolves false when it had already expired (it is then a member again, with a new `joinedAt`). */
  heartbeat(id: string): Promise<boolean>;
  leave(id: string): Promise<void>;
  /** Live members, sorted by id (expired ones are pruned on the way). */
  members(): Promise<Member[]>;
  /**
   * Calls `listener` whenever the set of live members differs from the last one this registry saw (joins at once,
   * leaves at once, expiries within `pollMs`). Returns a function that removes it.
   */
  onChange(listener: (change: MembershipChange) => void): () => void;
  /** Stops heartbeats and watching; members joined here leave unless `{ leave: false }` (a simulated crash). */
  close(options?: { leave?: boolean }): Promise<void>;
}

export interface MembershipOptions {
  /**
   * A member without a heartbeat for this long is gone.
   * @default 10000
   */
  ttlMs?: number;
  /**
   * How often members joined here heartbeat (must be < ttlMs).
   * @default ttlMs / 3
   */
  heartbeatMs?: number;
  /**
   * How often a watching registry checks for expiries.
   * @default min(1000, ttlMs / 2)
   */
  pollMs?: number;
  /**
   * Heartbeat members joined here automatically.
   * @default true
   */
  autoHeartbeat?: boolean;
  /** Background failures (a heartbeat or poll that did not reach the backend), e.g. to log them. */
  onError?: (error: Error) => void;
}
