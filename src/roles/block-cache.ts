/**
 * The block cache as the ingest role uses it: every block the leader fetches, and every head it sees, goes to the
 * cache (Redis with `REDIS_URL`, in-process otherwise) under the network's store id; a block fetch reads the cache
 * first, so an ingester taking over a network (or restarting its watcher) does not fetch again what its predecessor
 * fetched, nor does the API's test-a-monitor.
 *
 * The cache only ever saves RPC calls, never decides anything: a lookup or write that fails or takes longer than
 * `timeoutMs` counts as a miss, and fetches that must see the chain as it is now — heads, and the block links
 * walked after a reorg — always go to the node. A cached block that a reorg has since replaced is no worse than
 * one fetched just before the reorg: the watcher finds the broken link at the next block and walks back as usual,
 * and the orphaned numbers are dropped from the cache when the reorg is emitted.
 */
import type { BlockCache } from "../cache/index.js";
import type { BlockRef, ChainBlock } from "../codec/index.js";
import type { BlockSource, SourceBlock } from "../ingest/index.js";

export interface CachingSourceOptions {
  cache: BlockCache;
  /** The cache's network key: the network's store id (slugs are not unique across tenants). */
  key: string;
  /** Cache operations slower than this count as misses. @default 250 */
  timeoutMs?: number;
  /** Called on every block served by the cache, and every one fetched from the node. */
  onLookup?: (outcome: "hit" | "miss") => void;
  onError?: (error: Error) => void;
}

/** `source` with its block fetches served from, and stored into, the cache. */
export function cachingBlockSource(
  source: BlockSource<ChainBlock>,
  options: CachingSourceOptions,
): BlockSource<ChainBlock> {
  const { cache, key } = options;
  const bounded = <T>(operation: () => Promise<T>): Promise<T | null> =>
    bounds(operation, options.timeoutMs ?? 250, options.onError);
  const store = async (block: SourceBlock<ChainBlock>) => {
    await bounded(() =>
      cache.setBlock(key, { number: block.number, hash: block.hash, parentHash: block.parentHash, block: block.block }),
    );
  };
  const cached = async (number: bigint): Promise<SourceBlock<ChainBlock> | null> => {
    const hit = await bounded(() => cache.getBlock(key, number));
    // A pointer set for another number would be a bug elsewhere; never serve it.
    return hit !== null && hit.number === number ? hit : null;
  };

  const wrapped: BlockSource<ChainBlock> = {
    chain: source.chain,
    firstNumber: source.firstNumber,
    async head(requestOptions) {
      const head = await source.head(requestOptions);
      // Not awaited: the head is for readers (operators, test-a-monitor), the watcher needs no confirmation.
      void bounded(() => cache.setHead(key, head));
      return head;
    },
    async fetchBlock(number, requestOptions) {
      const hit = await cached(number);
      if (hit !== null) {
        options.onLookup?.("hit");
        return hit;
      }
      options.onLookup?.("miss");
      const block = await source.fetchBlock(number, requestOptions);
      // Stored before the watcher emits it: whoever takes over after this block's publish finds it.
      await store(block);
      return block;
    },
    fetchRef: (number, requestOptions) => source.fetchRef(number, requestOptions),
  };
  const fetchRange = source.fetchRange?.bind(source);
  if (fetchRange !== undefined) {
    wrapped.fetchRange = async (from, to, requestOptions) => {
      const numbers: bigint[] = [];
      for (let n = from; n <= to; n++) numbers.push(n);
      const hits = await Promise.all(numbers.map(cached));
      if (hits.every((hit) => hit !== null)) {
        for (const _ of hits) options.onLookup?.("hit");
        return hits as Array<SourceBlock<ChainBlock>>;
      }
      // One range call is what the chain charges for, whatever part of it is cached.
      for (const _ of hits) options.onLookup?.("miss");
      const blocks = await fetchRange(from, to, requestOptions);
      await Promise.all(blocks.map(store));
      return blocks;
    };
  }
  return wrapped;
}

/** After a reorg: the orphaned blocks leave the cache by number (a lookup by number must not answer them). */
export async function forgetOrphaned(
  cache: BlockCache,
  key: string,
  orphaned: readonly BlockRef[],
  onError?: (error: Error) => void,
): Promise<void> {
  await Promise.all(
    orphaned.map((ref) =>
      bounds(
        async () => {
          const current = await cache.getBlock(key, ref.number);
          // The new chain's block may already be cached at this number: keep it.
          if (current !== null && current.hash.toLowerCase() === ref.hash.toLowerCase())
            await cache.deleteBlock(key, ref.number);
        },
        1_000,
        onError,
      ),
    ),
  );
}

/** `operation`'s result, or `null` when it failed or took longer than `ms` (the cache is never worth waiting for). */
async function bounds<T>(operation: () => Promise<T>, ms: number, onError?: (error: Error) => void): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([
      operation().catch((error: unknown) => {
        onError?.(error as Error);
        return null;
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
