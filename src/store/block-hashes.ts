import { and, desc, eq, gt, lt, max } from "drizzle-orm";
import { type NetworkCursor, setCursor } from "./cursors.js";
import { assertBlockNumber, inTransaction, pageLimit, run, type Store } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { type OrphanResult, orphanMatches } from "./matches.js";
import { blockHashes as blockHashesTable, cursors as cursorsTable } from "./schema.js";

export type RecordedBlock = typeof blockHashesTable.$inferSelect;

export interface BlockHashInput {
  blockNumber: bigint;
  blockHash: string;
  parentHash: string;
}

export interface RecordBlocksOptions {
  /** Keep only this many blocks below the highest recorded one; older rows are deleted in the same transaction. */
  keepDepth?: number;
  now?: Date;
}

export interface RewindResult extends OrphanResult {
  /** The cursor after the rewind (at the ancestor), or `null` if the network had none. */
  cursor: NetworkCursor | null;
  /** Block numbers whose recorded hashes were removed, ascending. */
  removedBlocks: bigint[];
}

/** Records (or, for a block number seen before on another fork, replaces) block hashes; optionally prunes. */
async function record(
  store: Store,
  networkId: string,
  blocks: readonly BlockHashInput[],
  options: RecordBlocksOptions = {},
): Promise<void> {
  const now = options.now ?? new Date();
  for (const [i, block] of blocks.entries()) {
    assertBlockNumber(block.blockNumber, "blockHashes.record", `blocks[${i}].blockNumber`);
  }
  if (options.keepDepth !== undefined && (!Number.isSafeInteger(options.keepDepth) || options.keepDepth < 1)) {
    throw new StoreError(StoreCode.InvalidArgument, "blockHashes.record: keepDepth must be a positive integer.", {
      path: ["keepDepth"],
    });
  }
  await inTransaction(store, "blockHashes.record", async (tx) => {
    const unique = [...new Map(blocks.map((b) => [b.blockNumber, b])).values()].sort((a, b) =>
      a.blockNumber < b.blockNumber ? -1 : 1,
    );
    for (const block of unique) {
      await tx
        .insert(blockHashesTable)
        .values({ networkId, ...block, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: [blockHashesTable.networkId, blockHashesTable.blockNumber],
          set: { blockHash: block.blockHash, parentHash: block.parentHash, updatedAt: now },
        });
    }
    if (options.keepDepth !== undefined) {
      const [top] = await tx
        .select({ value: max(blockHashesTable.blockNumber) })
        .from(blockHashesTable)
        .where(eq(blockHashesTable.networkId, networkId));
      if (top?.value !== null && top?.value !== undefined) {
        const floor = BigInt(top.value) - BigInt(options.keepDepth) + 1n;
        await tx
          .delete(blockHashesTable)
          .where(and(eq(blockHashesTable.networkId, networkId), lt(blockHashesTable.blockNumber, floor)));
      }
    }
  });
}

/** The most recent recorded blocks of a network, highest first. */
async function recent(store: Store, networkId: string, limit = 64): Promise<RecordedBlock[]> {
  const size = pageLimit(limit, "blockHashes.recent", 64, 100_000);
  return run(store, "blockHashes.recent", (db) =>
    db
      .select()
      .from(blockHashesTable)
      .where(eq(blockHashesTable.networkId, networkId))
      .orderBy(desc(blockHashesTable.blockNumber))
      .limit(size),
  );
}

async function get(store: Store, networkId: string, blockNumber: bigint): Promise<RecordedBlock | null> {
  return run(store, "blockHashes.get", async (db) => {
    const [row] = await db
      .select()
      .from(blockHashesTable)
      .where(and(eq(blockHashesTable.networkId, networkId), eq(blockHashesTable.blockNumber, blockNumber)));
    return row ?? null;
  });
}

/**
 * Rewinds a network to a common ancestor after a reorg, in ONE transaction: forgets the recorded hashes above
 * `ancestor`, moves the cursor back to it (if it was past it), and orphans the matches of the abandoned blocks
 * (suppressing their unfinished deliveries). The ancestor's hash must be recorded. Idempotent; a crash leaves
 * either the state before or after.
 */
async function rewindTo(
  store: Store,
  networkId: string,
  ancestor: bigint,
  now: Date = new Date(),
): Promise<RewindResult> {
  assertBlockNumber(ancestor, "blockHashes.rewindTo", "ancestor");
  return inTransaction(store, "blockHashes.rewindTo", async (tx) => {
    const [anchor] = await tx
      .select()
      .from(blockHashesTable)
      .where(and(eq(blockHashesTable.networkId, networkId), eq(blockHashesTable.blockNumber, ancestor)));
    if (anchor === undefined) {
      throw new StoreError(
        StoreCode.NotFound,
        `blockHashes.rewindTo: block ${ancestor} of network ${networkId} is not recorded, so it cannot be the common ancestor.`,
        { hint: "The reorg is deeper than the recorded history (keepDepth); rewind the cursor explicitly." },
      );
    }
    const removed = await tx
      .delete(blockHashesTable)
      .where(and(eq(blockHashesTable.networkId, networkId), gt(blockHashesTable.blockNumber, ancestor)))
      .returning({ blockNumber: blockHashesTable.blockNumber });
    const [current] = await tx.select().from(cursorsTable).where(eq(cursorsTable.networkId, networkId)).for("update");
    let cursor: NetworkCursor | null = current ?? null;
    if (current !== undefined && current.blockNumber >= ancestor) {
      cursor = await setCursor(tx, networkId, ancestor, anchor.blockHash, now);
    }
    const orphans = await orphanMatches(tx, networkId, ancestor + 1n, now);
    return {
      cursor,
      removedBlocks: removed.map((row) => row.blockNumber).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      ...orphans,
    };
  });
}

/** Recent block hashes per network: reorg detection (parent-hash breaks) and rewinds to the common ancestor. */
export const blockHashes = { record, recent, get, rewindTo };
