/**
 * One owner for everything that must be stopped: each resource registers its cleanup when it starts, and `kill()`
 * runs them in reverse order (last started, first stopped), once.
 */
export interface Shutdown {
  signal: AbortSignal;
  add(cleanup: () => unknown | Promise<unknown>): void;
  kill(): Promise<void>;
  readonly killed: boolean;
}

export function createShutdown(): Shutdown {
  const controller = new AbortController();
  const cleanups: Array<() => unknown | Promise<unknown>> = [];
  let killing: Promise<void> | undefined;
  return {
    signal: controller.signal,
    add(cleanup) {
      cleanups.push(cleanup);
    },
    get killed() {
      return controller.signal.aborted;
    },
    kill() {
      killing ??= (async () => {
        controller.abort();
        for (const cleanup of cleanups.splice(0).reverse()) {
          try {
            await cleanup();
          } catch {
            // One failing cleanup must not keep the others from running.
          }
        }
      })();
      return killing;
    },
  };
}
