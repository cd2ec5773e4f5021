/**
 * In-process membership: the embedded default. Registries with the same `prefix` in one process share members, as
 * Redis registries with the same prefix do across processes.
 */
import { ShardCode, ShardError } from "../errors.js";
import { ChangeWatcher, checkMemberId, Heartbeats, resolveMembershipOptions } from "./registry.js";
import type { Member, MemberInfo, MemberMeta, Membership, MembershipOptions } from "./types.js";

export interface MemoryMembershipOptions extends MembershipOptions {
  /** @default "argus:" */
  prefix?: string;
  /** The clock (ms); tests pass a controllable one. @default Date.now */
  clock?: () => number;
}

interface Space {
  members: Map<string, Member>;
  /** Refresh functions of every registry on this prefix: pushes on join/leave. */
  watchers: Set<() => void>;
}

const spaces = new Map<string, Space>();

function spaceFor(prefix: string): Space {
  let space = spaces.get(prefix);
  if (space === undefined) {
    space = { members: new Map(), watchers: new Set() };
    spaces.set(prefix, space);
  }
  return space;
}

export function createMemoryMembership(options: MemoryMembershipOptions = {}): Membership {
  const resolved = resolveMembershipOptions(options);
  const clock = options.clock ?? Date.now;
  const space = spaceFor(options.prefix ?? "argus:");
  const joinedHere = new Map<string, MemberMeta>();
  let closed = false;

  function notifyAll(): void {
    for (const refresh of space.watchers) refresh();
  }

  function live(): Member[] {
    const now = clock();
    let expired = false;
    for (const [id, member] of space.members) {
      if (member.expiresAt <= now) {
        space.members.delete(id);
        expired = true;
      }
    }
    if (expired) queueMicrotask(notifyAll);
    return [...space.members.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((m) => ({ ...m }));
  }

  function assertOpen(): void {
    if (closed) throw new ShardError(ShardCode.MembershipClosed, "The membership registry is closed.");
  }

  /** Adds or renews; true when it was already a live member. */
  function upsert(id: string, meta: MemberMeta): boolean {
    const now = clock();
    const existing = space.members.get(id);
    const alive = existing !== undefined && existing.expiresAt > now;
    space.members.set(id, {
      id,
      meta: alive ? existing.meta : meta,
      joinedAt: alive ? existing.joinedAt : now,
      expiresAt: now + resolved.ttlMs,
    });
    if (!alive) notifyAll();
    return alive;
  }

  const watcher = new ChangeWatcher(async () => live(), resolved.pollMs, resolved.onError);
  const refresh = (): void => void watcher.refresh();
  space.watchers.add(refresh);
  const heartbeats = new Heartbeats(async (id) => registry.heartbeat(id), resolved.heartbeatMs, resolved.onError);

  const registry: Membership = {
    async join(member: MemberInfo) {
      assertOpen();
      const id = checkMemberId(member);
      const meta = { ...(member.meta ?? {}) };
      joinedHere.set(id, meta);
      upsert(id, meta);
      if (resolved.autoHeartbeat) heartbeats.start(id);
    },
    async heartbeat(id) {
      assertOpen();
      checkMemberId(id);
      return upsert(id, joinedHere.get(id) ?? space.members.get(id)?.meta ?? {});
    },
    async leave(id) {
      assertOpen();
      checkMemberId(id);
      heartbeats.stop(id);
      joinedHere.delete(id);
      if (space.members.delete(id)) notifyAll();
    },
    async members() {
      assertOpen();
      return live();
    },
    onChange(listener) {
      assertOpen();
      return watcher.add(listener);
    },
    async close(closeOptions = {}) {
      if (closed) return;
      heartbeats.stopAll();
      if (closeOptions.leave !== false) {
        for (const id of joinedHere.keys()) space.members.delete(id);
        notifyAll();
      }
      joinedHere.clear();
      closed = true;
      space.watchers.delete(refresh);
      await watcher.close();
    },
  };
  return registry;
}
