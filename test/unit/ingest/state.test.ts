import { describe, expect, it } from "vitest";
import { CursorRegressionError, createMemoryIngestState } from "../../../src/ingest/index.js";

const hash = (n: number, fork = 0) => `0x${fork.toString(16).padStart(8, "0")}${n.toString(16).padStart(56, "0")}`;
const block = (n: number, fork = 0) => ({ number: BigInt(n), hash: hash(n, fork), parentHash: hash(n - 1, fork) });

describe("createMemoryIngestState()", () => {
  it("has no cursor before the first block, then the last recorded block", async () => {
    const state = createMemoryIngestState();
    expect(await state.cursor("eth")).toBeNull();
    await state.recordBlock("eth", block(5));
    await state.recordBlock("eth", block(6));
    expect(await state.cursor("eth")).toEqual({ number: 6n, hash: hash(6) });
    expect(await state.cursor("other")).toBeNull();
  });

  it("accepts a replay of the cursor block and gaps forward, and refuses to move the cursor back", async () => {
    const state = createMemoryIngestState();
    await state.recordBlock("eth", block(5));
    await state.recordBlock("eth", block(5)); // replay: no-op
    await state.recordBlock("eth", block(9)); // gap (max_past_blocks skip)
    const error = await state.recordBlock("eth", block(8)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CursorRegressionError);
    expect((error as CursorRegressionError).code).toBe("INGEST_CURSOR_REGRESSION");
    await expect(state.recordBlock("eth", block(9, 1))).rejects.toThrow(/would move the cursor back from block 9/);
    expect(await state.cursor("eth")).toEqual({ number: 9n, hash: hash(9) });
  });

  it("returns recent hashes from a number on, and forgets everything above the ancestor on rewind", async () => {
    const state = createMemoryIngestState();
    for (let n = 1; n <= 10; n++) await state.recordBlock("eth", block(n));
    expect([...(await state.recentHashes("eth", 8n)).entries()]).toEqual([
      [8n, hash(8)],
      [9n, hash(9)],
      [10n, hash(10)],
    ]);
    await state.rewind("eth", { number: 7n, hash: hash(7) });
    expect(await state.cursor("eth")).toEqual({ number: 7n, hash: hash(7) });
    expect([...(await state.recentHashes("eth", 0n)).keys()]).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    await state.recordBlock("eth", block(8, 1)); // the new fork continues from the ancestor
    expect(state.recorded("eth").at(-1)).toEqual(block(8, 1));
  });

  it("prunes hashes older than retainBlocks", async () => {
    const state = createMemoryIngestState({ retainBlocks: 4 });
    for (let n = 1; n <= 10; n++) await state.recordBlock("eth", block(n));
    expect(state.recorded("eth").map((b) => b.number)).toEqual([7n, 8n, 9n, 10n]);
  });
});
