/**
 * The desired state (every active tenant's live monitors per network) kept current for a role process: loaded from
 * the store at start, reloaded on every committed configuration change (LISTEN/NOTIFY) and on a periodic safety
 * reconciliation. Reloads are coalesced: however many notifications arrive during a load, one more load follows it.
 */
import type { Logger } from "../ops/index.js";
import { storedScripts } from "../portable/index.js";
import { type DesiredState, listenConfigChanges, loadDesiredState, type ScriptFile } from "../runtime/index.js";
import type { Keyring } from "../secrets/index.js";
import type { ConfigChange, Store } from "../store/index.js";

export interface DesiredStateFeed {
  /** The latest loaded state (the first one is loaded before `watchDesiredState` resolves). */
  current(): DesiredState;
  /** Reloads now; resolves when a load that started after the call has been applied to every listener. */
  refresh(): Promise<void>;
  /** Called (and awaited, in registration order) after every load. Returns a function that removes it. */
  onState(listener: (state: DesiredState) => void | Promise<void>): () => void;
  close(): Promise<void>;
}

export interface WatchDesiredStateOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Full reload this often, whatever the notifications said. @default 30_000 */
  intervalMs?: number;
  /** Decrypts the secrets of stored networks (the keyring `argus start` and the API encrypt with). */
  keyring?: Keyring;
  /** Also hear (and relay) changes over Redis pub/sub, for processes that cannot LISTEN on PostgreSQL. */
  redis?: { url: string; prefix: string };
  /** Every committed change as notified (before the reload it causes), e.g. to drop a trigger cache. */
  onChange?: (change: ConfigChange | "reconnected") => void;
}

export async function watchDesiredState(store: Store, options: WatchDesiredStateOptions): Promise<DesiredStateFeed> {
  const { logger } = options;
  const listeners: Array<(state: DesiredState) => void | Promise<void>> = [];
  const load = () =>
    loadDesiredState(store, {
      env: options.env,
      logger,
      ...(options.keyring === undefined ? {} : { keyring: options.keyring }),
      scripts: (tenantId) => tenantScripts(store, tenantId),
    });
  let state = await load();
  let active: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let closed = false;

  const runOnce = (): Promise<void> => {
    const run = (async () => {
      if (closed) return;
      state = await load();
      for (const listener of [...listeners]) await listener(state);
    })().catch((error: unknown) => {
      logger.error({ error: (error as Error).message }, "Reloading the desired state from the store failed");
    });
    active = run.finally(() => {
      active = undefined;
    });
    return active;
  };
  const refresh = (): Promise<void> => {
    if (active === undefined) return runOnce();
    queued ??= active.then(() => {
      queued = undefined;
      return runOnce();
    });
    return queued;
  };

  const listener = await listenConfigChanges(store, {
    logger,
    ...(options.redis === undefined ? {} : { redis: options.redis }),
    onChange: (change) => {
      options.onChange?.(change);
      void refresh();
    },
    onReconnect: () => {
      options.onChange?.("reconnected");
      void refresh();
    },
  });
  const interval = setInterval(() => void refresh(), options.intervalMs ?? 30_000);
  interval.unref();

  return {
    current: () => state,
    refresh,
    onState(fn) {
      listeners.push(fn);
      return () => {
        const index = listeners.indexOf(fn);
        if (index >= 0) listeners.splice(index, 1);
      };
    },
    async close() {
      closed = true;
      clearInterval(interval);
      await listener.close();
      await active;
    },
  };
}

async function tenantScripts(store: Store, tenantId: string): Promise<ReadonlyMap<string, ScriptFile>> {
  const files = await storedScripts().list(store, tenantId);
  return new Map(files.map((file) => [file.path, { content: file.content }]));
}
