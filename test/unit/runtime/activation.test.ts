import { describe, expect, it } from "vitest";
import type { EvmBlock, MonitorMatch, StellarLedger } from "../../../src/engine/index.js";
import {
  type ActiveMonitorDefinition,
  activationIndex,
  blockTimestamp,
  keepActiveMatches,
  startLookbackBlocks,
} from "../../../src/runtime/index.js";

const match = (monitorId: string) => ({ monitorId }) as MonitorMatch;
const definition = (id: string, activeSince?: number) => ({
  id,
  tenantId: "t",
  version: 1,
  monitor: {} as never,
  ...(activeSince === undefined ? {} : { activeSince }),
});

describe("activation filter", () => {
  const index = activationIndex([definition("a", 10_500), definition("b"), definition("c", 20_000)]);

  it("keeps a monitor's matches from its activation second on, and drops monitors no longer listed", () => {
    const all = [match("a"), match("b"), match("c"), match("gone")];
    expect(keepActiveMatches(all, 9, index).map((m) => m.monitorId)).toEqual(["b"]);
    // Block timestamps are whole seconds: the activation's own second counts as after it.
    expect(keepActiveMatches(all, 10, index).map((m) => m.monitorId)).toEqual(["a", "b"]);
    expect(keepActiveMatches(all, 20, index).map((m) => m.monitorId)).toEqual(["a", "b", "c"]);
    // Without a timestamp, every listed monitor keeps its matches.
    expect(keepActiveMatches(all, null, index).map((m) => m.monitorId)).toEqual(["a", "b", "c"]);
  });

  it("reads EVM and Stellar block timestamps", () => {
    expect(blockTimestamp({ chain: "EVM", header: { timestamp: "0x10" } } as unknown as EvmBlock)).toBe(16);
    expect(blockTimestamp({ chain: "EVM", header: { timestamp: "16" } } as unknown as EvmBlock)).toBeNull();
    expect(blockTimestamp({ chain: "Stellar", closeTime: 1_700_000_000 } as unknown as StellarLedger)).toBe(
      1_700_000_000,
    );
  });
});

describe("startLookbackBlocks", () => {
  const at = (activeSince?: number) => ({ activeSince }) as ActiveMonitorDefinition;
  it("reaches back to the earliest activation in blocks, plus one, and no further than the cap", () => {
    expect(startLookbackBlocks([at(10_000), at(4_000)], 1_000, 10_000)).toBe(7n);
    expect(startLookbackBlocks([at(0)], 1_000, 3_600_000)).toBe(600n);
  });
  it("does not look back without activations, or for one in the future", () => {
    expect(startLookbackBlocks([at()], 1_000, 10_000)).toBe(0n);
    expect(startLookbackBlocks([at(20_000)], 1_000, 10_000)).toBe(0n);
  });
});
