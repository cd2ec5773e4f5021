import type {
  BlockSource,
  ChainHead,
  LinkedBlockRef,
  SourceBlock,
  SourceRequestOptions,
} from "../../../src/ingest/index.js";
import { BlockSourceError } from "../../../src/ingest/index.js";

/** A block of the scripted chain: its payload says which fork produced it. */
export interface ScriptedBlock {
  number: bigint;
  hash: string;
  parentHash: string | null;
  fork: number;
}

type Method = "head" | "fetchBlock" | "fetchRef" | "fetchRange";

interface Fault {
  method: Method;
  /** Only for this block number (fetchBlock/fetchRef); any when absent. */
  number?: bigint;
  remaining: number;
  error: () => Error;
}

/** A transient failure, as the chains/rpc transport raises them (retryable ArgusError). */
export function transientError(detail = "connection reset"): Error {
  return new BlockSourceError(`scripted transient failure: ${detail}`);
}

/**
 * An in-memory chain behind the `BlockSource` interface, for the watcher's pure logic: blocks are mined and reorged
 * by script, faults are injected per method and block, and every call is recorded. Hashes are `0x` + fork id +
 * number, so a test can tell forks apart by reading them.
 */
export class ScriptedChain implements BlockSource<ScriptedBlock> {
  readonly chain = "Scripted";
  readonly firstNumber: bigint;
  /** The canonical chain, index = number − firstNumber. */
  blocks: ScriptedBlock[] = [];
  private fork = 0;
  private faults: Fault[] = [];
  readonly calls: Array<{ method: Method; number?: bigint }> = [];
  /** fetchBlock calls running right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Delay of every fetchBlock, to make concurrency observable. */
  fetchDelayMs = 0;
  /** When set, `head()` reports this instead of the tip (a lagging or lying node). */
  headOverride: ChainHead | undefined;

  constructor(options: { length: number; firstNumber?: bigint }) {
    this.firstNumber = options.firstNumber ?? 0n;
    this.mine(options.length);
  }

  static hashOf(fork: number, number: bigint): string {
    return `0x${fork.toString(16).padStart(8, "0")}${number.toString(16).padStart(56, "0")}`;
  }

  get tip(): ScriptedBlock {
    const tip = this.blocks.at(-1);
    if (!tip) throw new Error("empty chain");
    return tip;
  }

  block(number: bigint): ScriptedBlock | undefined {
    return this.blocks[Number(number - this.firstNumber)];
  }

  mine(count = 1): ScriptedBlock[] {
    const mined: ScriptedBlock[] = [];
    for (let i = 0; i < count; i++) {
      const parent = this.blocks.at(-1);
      const number = parent ? parent.number + 1n : this.firstNumber;
      const block = {
        number,
        hash: ScriptedChain.hashOf(this.fork, number),
        parentHash: parent ? parent.hash : null,
        fork: this.fork,
      };
      this.blocks.push(block);
      mined.push(block);
    }
    return mined;
  }

  /** Drops the newest `depth` blocks and mines `replacement` blocks on a new fork in their place. */
  reorg(depth: number, replacement: number): { orphaned: ScriptedBlock[]; mined: ScriptedBlock[] } {
    const orphaned = this.blocks.splice(this.blocks.length - depth, depth);
    this.fork++;
    return { orphaned, mined: this.mine(replacement) };
  }

  /** The next `times` calls of `method` (for block `number`, if given) fail with a transient error. */
  failNext(method: Method, times: number, options: { number?: bigint; error?: () => Error } = {}): void {
    this.faults.push({
      method,
      number: options.number,
      remaining: times,
      error: options.error ?? (() => transientError(`${method} #${times}`)),
    });
  }

  count(method: Method, number?: bigint): number {
    return this.calls.filter((c) => c.method === method && (number === undefined || c.number === number)).length;
  }

  private enter(method: Method, signal: AbortSignal | undefined, number?: bigint): void {
    this.calls.push({ method, number });
    if (signal?.aborted) throw signal.reason;
    const fault = this.faults.find(
      (f) => f.method === method && f.remaining > 0 && (f.number === undefined || f.number === number),
    );
    if (fault) {
      fault.remaining--;
      throw fault.error();
    }
  }

  async head(options: SourceRequestOptions = {}): Promise<ChainHead> {
    this.enter("head", options.signal);
    if (this.headOverride) return this.headOverride;
    return { number: this.tip.number, hash: this.tip.hash };
  }

  async fetchBlock(number: bigint, options: SourceRequestOptions = {}): Promise<SourceBlock<ScriptedBlock>> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.fetchDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.fetchDelayMs));
      this.enter("fetchBlock", options.signal, number);
      const block = this.block(number);
      if (!block) throw new BlockSourceError(`scripted: block ${number} not found`);
      return { number: block.number, hash: block.hash, parentHash: block.parentHash, block: { ...block } };
    } finally {
      this.inFlight--;
    }
  }

  async fetchRef(number: bigint, options: SourceRequestOptions = {}): Promise<LinkedBlockRef | null> {
    this.enter("fetchRef", options.signal, number);
    const block = this.block(number);
    return block ? { number: block.number, hash: block.hash, parentHash: block.parentHash } : null;
  }
}
