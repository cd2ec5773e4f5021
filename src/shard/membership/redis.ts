/**
 * Membership on Redis: a sorted set `<prefix>members` (member id → expiry, in Redis server time so that clocks of
 * worker hosts do not matter), a hash `<prefix>member-info` (id → `{joinedAt, meta}`), and a pub/sub channel
 * `<prefix>members:changes` on which joins, leaves and pruned expiries are announced. Every write is one Lua script,
 * so a join, renewal or prune is atomic. Expiries are found by whichever registry polls first.
 */
import { Redis } from "ioredis";
import { ShardCode, ShardError } from "../errors.js";
import { ChangeWatcher, checkMemberId, Heartbeats, resolveMembershipOptions } from "./registry.js";
import type { Member, MemberInfo, MemberMeta, Membership, MembershipOptions } from "./types.js";

export interface RedisMembershipOptions extends MembershipOptions {
  /** A Redis URL (`redis://127.0.0.1:6379`); connections are opened and closed by the registry. */
  url?: string;
  /** Or a client owned by the caller (not closed by `close`); a duplicate is opened for pub/sub. */
  redis?: Redis;
  /**
   * Prefix of every key and channel.
   * @default "argus:"
   */
  prefix?: string;
}

const NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

/** KEYS: members, info, channel. ARGV: id, ttlMs, metaJson. Returns 1 when it was already a live member. */
const UPSERT = `${NOW}
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
local alive = score and tonumber(score) > now
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if alive then return 1 end
redis.call('HSET', KEYS[2], ARGV[1], '{"joinedAt":' .. now .. ',"meta":' .. ARGV[3] .. '}')
redis.call('PUBLISH', KEYS[3], 'join')
return 0`;

/** KEYS: members, info, channel. ARGV: id. */
const LEAVE = `local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if removed == 1 then redis.call('PUBLISH', KEYS[3], 'leave') end
return removed`;

/** KEYS: members, info, channel. Prunes expired members; returns {now, id, expiry, info, id, expiry, info, …}. */
const LIST = `${NOW}
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  for _, id in ipairs(expired) do redis.call('HDEL', KEYS[2], id) end
  redis.call('PUBLISH', KEYS[3], 'expire')
end
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
local out = {tostring(now)}
for i = 1, #live, 2 do
  out[#out + 1] = live[i]
  out[#out + 1] = live[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], live[i]) or '{"joinedAt":0,"meta":{}}'
end
return out`;

function unavailable(cause: unknown): ShardError {
  if (cause instanceof ShardError) return cause;
  return new ShardError(
    ShardCode.MembershipUnavailable,
    `Redis did not answer the membership command: ${cause instanceof Error ? cause.message : String(cause)}`,
    { cause, retryable: true, hint: "Check REDIS_URL and that the server is reachable." },
  );
}

export function createRedisMembership(options: RedisMembershipOptions): Membership {
  const resolved = resolveMembershipOptions(options);
  if ((options.url === undefined) === (options.redis === undefined)) {
    throw new ShardError(ShardCode.OptionsInvalid, "Give createRedisMembership exactly one of `url` or `redis`.", {
      path: ["url"],
    });
  }
  const prefix = options.prefix ?? "argus:";
  const keys = [`${prefix}members`, `${prefix}member-info`, `${prefix}members:changes`] as const;
  const clientOptions = { maxRetriesPerRequest: 2, connectTimeout: 5_000 };
  const owned = options.redis === undefined;
  const redis = options.redis ?? new Redis(options.url as string, clientOptions);
  const subscriber = options.redis?.duplicate(clientOptions) ?? new Redis(options.url as string, clientOptions);
  // ioredis reconnects by itself; without listeners its errors would be unhandled events.
  const reportError = (error: Error): void => resolved.onError(error);
  if (owned) redis.on("error", reportError);
  subscriber.on("error", reportError);
  const joinedHere = new Map<string, MemberMeta>();
  let closed = false;

  async function run<T>(script: string, args: Array<string | number>): Promise<T> {
    if (closed) throw new ShardError(ShardCode.MembershipClosed, "The membership registry is closed.");
    try {
      return (await redis.eval(script, keys.length, ...keys, ...args)) as T;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async function list(): Promise<Member[]> {
    const out = await run<string[]>(LIST, []);
    const members: Member[] = [];
    for (let i = 1; i + 2 < out.length + 1; i += 3) {
      const info = JSON.parse(out[i + 2] as string) as { joinedAt: number; meta: MemberMeta };
      members.push({ id: out[i] as string, meta: info.meta, joinedAt: info.joinedAt, expiresAt: Number(out[i + 1]) });
    }
    return members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async function upsert(id: string): Promise<boolean> {
    const meta = JSON.stringify(joinedHere.get(id) ?? {});
    return (await run<number>(UPSERT, [id, resolved.ttlMs, meta])) === 1;
  }

  const watcher = new ChangeWatcher(list, resolved.pollMs, resolved.onError);
  let subscribed: Promise<unknown> | undefined;
  subscriber.on("message", () => void watcher.refresh());
  const heartbeats = new Heartbeats(upsert, resolved.heartbeatMs, resolved.onError);

  return {
    async join(member: MemberInfo) {
      const id = checkMemberId(member);
      joinedHere.set(id, { ...(member.meta ?? {}) });
      await upsert(id);
      if (resolved.autoHeartbeat) heartbeats.start(id);
    },
    heartbeat(id) {
      checkMemberId(id);
      return upsert(id);
    },
    async leave(id) {
      checkMemberId(id);
      heartbeats.stop(id);
      joinedHere.delete(id);
      await run(LEAVE, [id]);
    },
    members: list,
    onChange(listener) {
      if (closed) throw new ShardError(ShardCode.MembershipClosed, "The membership registry is closed.");
      subscribed ??= subscriber.subscribe(keys[2]).catch((error: Error) => {
        subscribed = undefined;
        resolved.onError(unavailable(error));
      });
      // Read the baseline only once subscribed, so that no change falls between the two.
      const remove = watcher.add(listener);
      void subscribed.then(() => watcher.refresh());
      return remove;
    },
    async close(closeOptions = {}) {
      if (closed) return;
      heartbeats.stopAll();
      if (closeOptions.leave !== false) {
        for (const id of [...joinedHere.keys()]) await run(LEAVE, [id]).catch(reportError);
      }
      joinedHere.clear();
      closed = true;
      await watcher.close();
      subscriber.disconnect();
      if (owned) redis.disconnect();
    },
  };
}
