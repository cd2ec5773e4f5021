import { eq } from "drizzle-orm";
import { assertBlockNumber, inTransaction, run, type Store, type StoreTransaction } from "./db.js";
import { StoreCode, StoreError } from "./errors.js";
import { blockHashes, cursors as cursorsTable } from "./schema.js";

/** The last block ingest fully processed on a network. */
export type NetworkCursor = typeof cursorsTable.$inferSelect;

export interface AdvanceCursorParameters {
  blockNumber: bigint;
  blockHash: string;
  /** When given, the block is also recorded in `block_hashes` (same transaction), for reorg detection. */
  parentHash?: string;
}

async function get(store: Store, networkId: string): Promise<NetworkCursor | null> {
  return run(store, "cursors.get", async (db) => {
    const [row] = await db.select().from(cursorsTable).where(eq(cursorsTable.networkId, networkId));
    return row ?? null;
  });
}

/** @internal Sets the cursor unconditionally (used by `rewind` and `blockHashes.rewindTo`). */
export async function setCursor(
  tx: StoreTransaction,
  networkId: string,
  blockNumber: bigint,
  blockHash: string,
  now: Date,
): Promise<NetworkCursor> {
  const [row] = await tx
    .insert(cursorsTable)
    .values({ networkId, blockNumber, blockHash, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: cursorsTable.networkId, set: { blockNumber, blockHash, updatedAt: now } })
    .returning();
  return row!;
}

/**
 * Moves the cursor forward to `blockNumber`. Advancing to the current block with the same hash is a no-op (a replay);
 * anything lower, or the same number with another hash, fails with `STORE_CURSOR_REGRESSION`: a rewind after a
 * reorg is explicit (`cursors.rewind`, `blockHashes.rewindTo`).
 *
 * Advance only after the block's effects are durable (published to the block log); a crash in between replays the
 * block, and deterministic ids make the replay harmless.
 */
async function advance(
  store: Store,
  networkId: string,
  parameters: AdvanceCursorParameters,
  now: Date = new Date(),
): Promise<NetworkCursor> {
  assertBlockNumber(parameters.blockNumber, "cursors.advance", "blockNumber");
  return inTransaction(store, "cursors.advance", async (tx) => {
    const [current] = await tx.select().from(cursorsTable).where(eq(cursorsTable.networkId, networkId)).for("update");
    if (parameters.parentHash !== undefined) {
      await tx
        .insert(blockHashes)
        .values({
          networkId,
          blockNumber: parameters.blockNumber,
          blockHash: parameters.blockHash,
          parentHash: parameters.parentHash,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [blockHashes.networkId, blockHashes.blockNumber],
          set: { blockHash: parameters.blockHash, parentHash: parameters.parentHash, updatedAt: now },
        });
    }
    if (current !== undefined) {
      if (current.blockNumber === parameters.blockNumber && current.blockHash === parameters.blockHash) return current;
      if (current.blockNumber >= parameters.blockNumber) {
        throw new StoreError(
          StoreCode.CursorRegression,
          `cursors.advance: the cursor of network ${networkId} is at block ${current.blockNumber} (${current.blockHash}); refusing to move it to ${parameters.blockNumber} (${parameters.blockHash}).`,
          { hint: "After a reorg, rewind explicitly with blockHashes.rewindTo() or cursors.rewind()." },
        );
      }
      const [row] = await tx
        .update(cursorsTable)
        .set({ blockNumber: parameters.blockNumber, blockHash: parameters.blockHash, updatedAt: now })
        .where(eq(cursorsTable.networkId, networkId))
        .returning();
      return row!;
    }
    return setCursor(tx, networkId, parameters.blockNumber, parameters.blockHash, now);
  });
}

/** Sets the cursor to any block, forward or back (an explicit rewind). */
async function rewind(
  store: Store,
  networkId: string,
  parameters: { blockNumber: bigint; blockHash: string },
  now: Date = new Date(),
): Promise<NetworkCursor> {
  assertBlockNumber(parameters.blockNumber, "cursors.rewind", "blockNumber");
  return inTransaction(store, "cursors.rewind", (tx) =>
    setCursor(tx, networkId, parameters.blockNumber, parameters.blockHash, now),
  );
}

/** Per-network ingest cursors: the truth about what has been processed. */
export const cursors = { get, advance, rewind };
