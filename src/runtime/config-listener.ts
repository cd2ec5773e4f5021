import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Logger } from "../ops/index.js";
import { CONFIG_CHANNEL, type ConfigChange, parseConfigChange, type Store } from "../store/index.js";
import { type RedisFanOut, type RedisFanOutOptions, startRedisFanOut } from "./config-fanout.js";

export interface ConfigListener {
  close(): Promise<void>;
}

export interface ConfigListenerOptions {
  logger: Logger;
  /** A committed configuration change. */
  onChange(change: ConfigChange): void;
  /**
   * The listener (re)connected: notifications sent while it was down are lost, so the caller reconciles in full.
   * Not called for the first connection.
   */
  onReconnect(): void;
  /** First reconnect delay; doubles up to 10 s. @default 250 */
  retryMs?: number;
  /**
   * Also fan changes out over Redis pub/sub (`REDIS_URL`): changes heard from PostgreSQL are republished on
   * `<prefix>config`, and changes published there by other processes are heard (see `config-fanout.ts`).
   */
  redis?: RedisFanOutOptions;
  /**
   * LISTEN on the store. `false` for a connection that cannot LISTEN (a transaction pooler): changes then arrive
   * over Redis only (from processes that do LISTEN) and through the caller's periodic reconciliation.
   * @default true
   */
  listenPostgres?: boolean;
}

/**
 * Listens to configuration changes (`CONFIG_CHANNEL`). PostgreSQL: a dedicated `pg` connection (a pooled one
 * would lose its LISTEN when returned), reconnected with backoff when it breaks. PGlite: the store's own instance,
 * whose NOTIFY reaches listeners in the same process on commit. With `redis`, also over Redis pub/sub, both ways.
 */
export async function listenConfigChanges(store: Store, options: ConfigListenerOptions): Promise<ConfigListener> {
  const fanOut =
    options.redis === undefined
      ? undefined
      : await startRedisFanOut(options.redis, {
          logger: options.logger,
          onChange: options.onChange,
          onReconnect: options.onReconnect,
        });
  try {
    const listener = options.listenPostgres === false ? undefined : await listenStore(store, options, fanOut);
    return {
      async close() {
        await listener?.close();
        await fanOut?.close();
      },
    };
  } catch (error) {
    await fanOut?.close();
    throw error;
  }
}

async function listenStore(
  store: Store,
  options: ConfigListenerOptions,
  fanOut: RedisFanOut | undefined,
): Promise<ConfigListener> {
  const client = (store.db as unknown as { $client: unknown }).$client;
  const handle = (payload: string | undefined) => {
    const change = payload === undefined ? null : parseConfigChange(payload);
    if (change === null) return;
    options.onChange(change);
    fanOut?.relay(change);
  };
  if (store.driver === "pglite") {
    const unlisten = await (client as PGlite).listen(CONFIG_CHANNEL, handle);
    return { close: () => unlisten().catch(() => undefined) };
  }
  const connectionString = (client as pg.Pool).options.connectionString;
  if (connectionString === undefined) throw new Error("The PostgreSQL store has no connection string to LISTEN on.");
  return listenPostgres(connectionString, handle, options);
}

async function listenPostgres(
  connectionString: string,
  handle: (payload: string | undefined) => void,
  options: ConfigListenerOptions,
): Promise<ConfigListener> {
  let closed = false;
  let current: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let delay = options.retryMs ?? 250;

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString, application_name: "argus-config-listener" });
    client.on("notification", (message) => {
      if (message.channel === CONFIG_CHANNEL) handle(message.payload);
    });
    let lost = false;
    const onLost = (reason: string) => {
      if (lost || closed) return;
      lost = true;
      options.logger.warn({ err_message: reason }, "Configuration listener lost its connection; reconnecting");
      void client.end().catch(() => undefined);
      if (current === client) current = undefined;
      schedule();
    };
    client.on("error", (error) => onLost(error.message));
    client.on("end", () => onLost("connection ended"));
    await client.connect();
    await client.query(`LISTEN ${CONFIG_CHANNEL}`);
    if (closed) {
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    delay = options.retryMs ?? 250;
  };
  const schedule = () => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(
        () => options.onReconnect(),
        (error: unknown) => {
          options.logger.warn({ err_message: (error as Error).message }, "Configuration listener cannot reconnect");
          delay = Math.min(delay * 2, 10_000);
          schedule();
        },
      );
    }, delay);
    timer.unref();
  };

  await connect();
  return {
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await current?.end().catch(() => undefined);
      current = undefined;
    },
  };
}
