import type { Logger } from "../ops/index.js";
import type { DesiredNetwork, DesiredState } from "./desired.js";
import type { NetworkPipeline, NetworkState } from "./pipeline.js";

export interface SupervisorOptions {
  /** Reads the desired state from the store. */
  load(): Promise<DesiredState>;
  /** Starts a network's pipeline. */
  start(desired: DesiredNetwork, setState: (state: NetworkState) => void): NetworkPipeline;
  /** Called after each applied state (new scripts, for instance). */
  applied?(state: DesiredState): void;
  logger: Logger;
}

export interface Supervisor {
  /**
   * Brings the running pipelines in line with the store: starts watchers for networks that gained an active
   * monitor, stops those that lost their last one, restarts a network whose config changed (from its cursor) and
   * swaps the engine of the others when their monitors changed. Calls made while one runs are coalesced into one
   * more run after it; the promise settles when a run that started after the call has finished.
   */
  reconcile(): Promise<void>;
  /** Network states by label, for `/readyz`. */
  states(): Record<string, NetworkState>;
  /** Stops every pipeline (each finishes its block in progress). */
  stop(): Promise<void>;
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { logger } = options;
  const running = new Map<string, NetworkPipeline>();
  const states = new Map<string, { label: string; state: NetworkState }>();
  let active: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let stopped = false;

  const startPipeline = (desired: DesiredNetwork) => {
    const entry = { label: desired.label, state: "starting" as NetworkState };
    states.set(desired.id, entry);
    const pipeline = options.start(desired, (state) => {
      entry.state = state;
    });
    running.set(desired.id, pipeline);
  };

  const stopPipeline = async (id: string) => {
    const pipeline = running.get(id);
    running.delete(id);
    states.delete(id);
    await pipeline?.stop();
  };

  const apply = async (): Promise<void> => {
    if (stopped) return;
    const desired = await options.load();
    if (stopped) return;
    const work: Promise<void>[] = [];
    for (const id of [...running.keys()]) {
      if (!desired.networks.has(id)) {
        logger.info({ network: running.get(id)?.desired.label }, "No active monitor left: stopping the watcher");
        work.push(stopPipeline(id));
      }
    }
    for (const [id, next] of desired.networks) {
      const current = running.get(id);
      if (current === undefined) {
        logger.info({ network: next.label, monitors: next.definitions.length }, "Watching network");
        startPipeline(next);
      } else if (current.desired.version !== next.version) {
        logger.info({ network: next.label }, "Network configuration changed: restarting its watcher from the cursor");
        work.push(stopPipeline(id).then(() => startPipeline(next)));
      } else {
        work.push(current.update(next));
      }
    }
    options.applied?.(desired);
    await Promise.all(work);
  };

  const runOnce = (): Promise<void> => {
    const run = apply().catch((error: unknown) => {
      logger.error({ error: (error as Error).message }, "Reconciling the runtime with the store failed");
    });
    active = run.finally(() => {
      active = undefined;
    });
    return active;
  };

  return {
    reconcile() {
      if (active === undefined) return runOnce();
      // One run is enough for every call made while another runs: it reads the store after all of them.
      queued ??= active.then(() => {
        queued = undefined;
        return runOnce();
      });
      return queued;
    },
    states() {
      return Object.fromEntries([...states.values()].map(({ label, state }) => [label, state]));
    },
    async stop() {
      stopped = true;
      await active;
      await Promise.all([...running.keys()].map(stopPipeline));
    },
  };
}
