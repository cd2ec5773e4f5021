/**
 * Whether a match's block is on the canonical chain, by the network's recorded block hashes — for matches that
 * reach the store through a log, after the ingester may already have applied a reorg that orphaned their block
 * (`blockHashes.rewindTo` only marks matches stored by then). The ingester records a block's hash right after
 * publishing it, and a rewind deletes the hashes above the common ancestor in the same transaction that orphans
 * the matches stored so far.
 */
import { and, eq, inArray, max, min } from "drizzle-orm";
import { inTransaction, run, type Store, type StoreExecutor } from "./db.js";
import { type OrphanResult, suppressOrphanedDeliveries } from "./matches.js";
import { blockHashes as blockHashesTable, cursors as cursorsTable, matches as matchesTable } from "./schema.js";

/**
 * - `canonical`: the recorded hash at that number is the block's, or the number is older than the recorded history
 *   (a reorg that deep stops the network instead).
 * - `orphaned`: another hash is recorded at that number.
 * - `unknown`: nothing is recorded at that number yet — the ingester has not recorded the block, or a reorg removed
 *   it and the new chain has not reached that height. Ask again later.
 */
export type BlockVerdict = "canonical" | "orphaned" | "unknown";

export interface MatchedBlock {
  blockNumber: bigint;
  blockHash: string;
}

interface Recorded {
  byNumber: Map<bigint, string>;
  lowest: bigint | null;
  highest: bigint | null;
}

async function recorded(executor: StoreExecutor, networkId: string, numbers: readonly bigint[]): Promise<Recorded> {
  const unique = [...new Set(numbers)];
  const rows =
    unique.length === 0
      ? []
      : await executor
          .select({ blockNumber: blockHashesTable.blockNumber, blockHash: blockHashesTable.blockHash })
          .from(blockHashesTable)
          .where(and(eq(blockHashesTable.networkId, networkId), inArray(blockHashesTable.blockNumber, unique)));
  const [range] = await executor
    .select({ lowest: min(blockHashesTable.blockNumber), highest: max(blockHashesTable.blockNumber) })
    .from(blockHashesTable)
    .where(eq(blockHashesTable.networkId, networkId));
  const big = (value: unknown) => (value === null || value === undefined ? null : BigInt(value as string | bigint));
  return {
    byNumber: new Map(rows.map((row) => [row.blockNumber, row.blockHash.toLowerCase()])),
    lowest: big(range?.lowest),
    highest: big(range?.highest),
  };
}

function verdictOf(known: Recorded, block: MatchedBlock): BlockVerdict {
  const hash = known.byNumber.get(block.blockNumber);
  if (hash !== undefined) return hash === block.blockHash.toLowerCase() ? "canonical" : "orphaned";
  if (known.lowest !== null && block.blockNumber < known.lowest) return "canonical";
  return "unknown";
}

/** The verdict of each block, in input order (one read, no locks). */
async function verdicts(store: Store, networkId: string, blocks: readonly MatchedBlock[]): Promise<BlockVerdict[]> {
  return run(store, "canonical.verdicts", async (db) => {
    const known = await recorded(
      db,
      networkId,
      blocks.map((block) => block.blockNumber),
    );
    return blocks.map((block) => verdictOf(known, block));
  });
}

export interface StoredMatchRef extends MatchedBlock {
  id: string;
}

/**
 * Call after storing matches whose blocks were judged `canonical` or `orphaned`: orphans (and suppresses the
 * unfinished deliveries of) those whose block is not canonical now — another hash recorded at its number, or its
 * number above every recorded one (a rewind removed it). It holds the network's cursor row in share mode, which
 * `blockHashes.rewindTo` locks for update: a rewind either committed before this reads the hashes (this sees it), or
 * waits for this to commit and then orphans the matches itself. Either way no match of an orphaned block stays
 * active. Idempotent.
 */
async function orphanAbandoned(
  store: Store,
  networkId: string,
  matches: readonly StoredMatchRef[],
  now: Date = new Date(),
): Promise<OrphanResult> {
  if (matches.length === 0) return { matchIds: [], suppressedDeliveryIds: [] };
  return inTransaction(store, "canonical.orphanAbandoned", async (tx) => {
    await tx
      .select({ networkId: cursorsTable.networkId })
      .from(cursorsTable)
      .where(eq(cursorsTable.networkId, networkId))
      .for("share");
    const known = await recorded(
      tx,
      networkId,
      matches.map((match) => match.blockNumber),
    );
    const abandoned = matches.filter((match) => {
      const verdict = verdictOf(known, match);
      return verdict === "orphaned" || (verdict === "unknown" && (known.highest ?? -1n) < match.blockNumber);
    });
    if (abandoned.length === 0) return { matchIds: [], suppressedDeliveryIds: [] };
    const orphaned = await tx
      .update(matchesTable)
      .set({ status: "orphaned", orphanedAt: now, updatedAt: now })
      .where(
        and(
          eq(matchesTable.networkId, networkId),
          inArray(
            matchesTable.id,
            abandoned.map((match) => match.id),
          ),
          eq(matchesTable.status, "active"),
        ),
      )
      .returning({ id: matchesTable.id });
    const matchIds = orphaned.map((row) => row.id);
    return { matchIds, suppressedDeliveryIds: await suppressOrphanedDeliveries(tx, matchIds, now) };
  });
}

/** Canonical-chain checks for matches that arrive after the ingester moved on (see the module comment). */
export const canonical = { verdicts, orphanAbandoned };
