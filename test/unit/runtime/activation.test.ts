import { describe, expect, it } from "vitest";
import type { EvmBlock, MonitorMatch, StellarLedger } from "../../../src/engine/index.js";
import { activationIndex, blockTimestamp, keepActiveMatches } from "../../../src/runtime/pipeline.js";

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
