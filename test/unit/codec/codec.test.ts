import { describe, expect, it } from "vitest";
import {
  type BlockLogEntry,
  blockLogEntryCodec,
  CodecCode,
  CodecError,
  cachedBlockCodec,
  FRAME_VERSION,
  matchCodec,
} from "../../../src/codec/index.js";
import {
  blockEntry,
  canonical,
  fixtureEvmBlocks,
  fixtureMatches,
  fixtureStellarLedger,
  generatedEvmBlock,
  generatedStellarLedger,
} from "./samples.js";

const NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024;

function roundTrip(entry: BlockLogEntry): { decoded: BlockLogEntry; bytes: Uint8Array } {
  const bytes = blockLogEntryCodec.encode(entry);
  return { decoded: blockLogEntryCodec.decode(bytes), bytes };
}

describe("blockLogEntryCodec", () => {
  it("round-trips every OZ fixture EVM block exactly (values and key order)", () => {
    const blocks = fixtureEvmBlocks();
    expect(blocks.length).toBe(5);
    for (const block of blocks) {
      const entry = blockEntry("ethereum_mainnet", block);
      const { decoded } = roundTrip(entry);
      expect(decoded).toEqual(entry);
      expect(canonical(decoded)).toBe(canonical(entry));
    }
  });

  it("shares a receipt's logs with its transaction again after decoding, and keeps logs that differ", () => {
    const [block] = fixtureEvmBlocks().filter((b) => b.transactions.some((t) => (t.receipt?.logs.length ?? 0) > 0));
    if (!block) throw new Error("no fixture block with logs");
    const decoded = blockLogEntryCodec.decode(blockLogEntryCodec.encode(blockEntry("eth", block)));
    if (decoded.type !== "block" || decoded.block.chain !== "EVM") throw new Error("wrong kind");
    const withReceipt = decoded.block.transactions.find((t) => t.receipt !== null);
    expect(withReceipt?.logs).toBe(withReceipt?.receipt?.logs);

    // A transaction whose logs came from eth_getLogs (no receipt) keeps its own list.
    const tx = block.transactions[0]!;
    const own = { ...block, transactions: [{ ...tx, receipt: null, logs: tx.receipt?.logs ?? [] }] };
    const entry = blockEntry("eth", own);
    expect(roundTrip(entry).decoded).toEqual(entry);
  });

  it("round-trips a mainnet-shaped EVM block compressed well under NATS's 1 MiB message limit", () => {
    const entry = blockEntry("ethereum_mainnet", generatedEvmBlock());
    const { decoded, bytes } = roundTrip(entry);
    expect(canonical(decoded)).toBe(canonical(entry));
    expect(bytes[3]).toBe(1); // deflated
    expect(bytes.byteLength).toBeLessThan(NATS_DEFAULT_MAX_PAYLOAD / 4);
  });

  it("round-trips the OZ fixture Stellar ledger, re-assembled from its RPC entries", () => {
    const entry = blockEntry("stellar_testnet", fixtureStellarLedger());
    const { decoded } = roundTrip(entry);
    expect(decoded).toEqual(entry);
    expect(canonical(decoded)).toBe(canonical(entry));
  });

  it("round-trips a mainnet-shaped Stellar ledger within NATS's 1 MiB message limit", () => {
    const ledger = generatedStellarLedger();
    const entry = blockEntry("stellar_mainnet", ledger);
    const { decoded, bytes } = roundTrip(entry);
    expect(canonical(decoded)).toBe(canonical(entry));
    expect(bytes.byteLength).toBeLessThan(NATS_DEFAULT_MAX_PAYLOAD);
    expect(bytes.byteLength).toBeLessThan(JSON.stringify(ledger).length / 5);
  });

  it("round-trips reorg and gap events with big block numbers", () => {
    const huge = 2n ** 70n + 3n;
    const entries: BlockLogEntry[] = [
      {
        type: "reorg",
        network: "n",
        fromNumber: huge,
        commonAncestor: { number: huge - 1n, hash: "0xa" },
        orphaned: [
          { number: huge, hash: "0xb" },
          { number: huge + 1n, hash: "0xc" },
        ],
      },
      { type: "gap_skipped", network: "n", from: 10n, to: huge, reason: "max_past_blocks" },
    ];
    for (const entry of entries) expect(roundTrip(entry).decoded).toEqual(entry);
  });
});

describe("matchCodec", () => {
  it("round-trips EVM and Stellar matches the engine produced from the fixtures", () => {
    const matches = fixtureMatches();
    expect(matches.some((m) => m.chain === "EVM")).toBe(true);
    expect(matches.some((m) => m.chain === "Stellar")).toBe(true);
    for (const match of matches) {
      const decoded = matchCodec.decode(matchCodec.encode(match));
      expect(decoded).toEqual(match);
      expect(canonical(decoded)).toBe(canonical(match));
      expect(typeof decoded.blockNumber).toBe("bigint");
    }
  });
});

describe("cachedBlockCodec", () => {
  it("round-trips blocks of both chains", () => {
    for (const block of [fixtureEvmBlocks()[0]!, fixtureStellarLedger()]) {
      const { type: _t, network: _n, head: _h, ...cached } = blockEntry("n", block);
      expect(cachedBlockCodec.decode(cachedBlockCodec.encode(cached))).toEqual(cached);
    }
  });
});

describe("decoding rejects what it cannot read", () => {
  const valid = blockLogEntryCodec.encode({
    type: "gap_skipped",
    network: "n",
    from: 1n,
    to: 2n,
    reason: "max_past_blocks",
  });

  function codeOf(fn: () => unknown): string {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(CodecError);
      return (error as CodecError).code;
    }
    throw new Error("did not throw");
  }

  it("an unknown format version, with a coded error that says what to do", () => {
    const newer = Uint8Array.from(valid);
    newer[2] = FRAME_VERSION + 1;
    expect(codeOf(() => blockLogEntryCodec.decode(newer))).toBe(CodecCode.UnsupportedVersion);
    try {
      matchCodec.decode(newer);
    } catch (error) {
      expect((error as CodecError).message).toBe("Unsupported payload format version 2; this build reads version 1.");
      expect((error as CodecError).hint).toMatch(/upgrade/);
      expect((error as CodecError).retryable).toBe(false);
    }
  });

  it("foreign bytes, truncated frames, unknown flags, corrupt bodies", () => {
    expect(codeOf(() => blockLogEntryCodec.decode(new TextEncoder().encode('{"k":"block"}')))).toBe(
      CodecCode.Malformed,
    );
    expect(codeOf(() => blockLogEntryCodec.decode(valid.subarray(0, 3)))).toBe(CodecCode.Malformed);
    const flagged = Uint8Array.from(valid);
    flagged[3] = 0b10;
    expect(codeOf(() => blockLogEntryCodec.decode(flagged))).toBe(CodecCode.Malformed);
    const deflatedGarbage = Uint8Array.from([0x41, 0x47, 1, 1, 0xff, 0xff, 0xff]);
    expect(codeOf(() => blockLogEntryCodec.decode(deflatedGarbage))).toBe(CodecCode.Malformed);
    expect(codeOf(() => blockLogEntryCodec.decode(valid.subarray(0, valid.length - 2)))).toBe(CodecCode.Malformed);
  });

  it("a frame of another kind", () => {
    expect(codeOf(() => matchCodec.decode(valid))).toBe(CodecCode.UnexpectedKind);
  });

  it("a body whose fields have the wrong shape, naming the path", () => {
    const frame = (body: unknown) => {
      const json = new TextEncoder().encode(JSON.stringify(body));
      return Uint8Array.from([0x41, 0x47, 1, 0, ...json]);
    };
    try {
      blockLogEntryCodec.decode(frame({ k: "gap_skipped", network: "n", from: 1, to: "2", reason: "max_past_blocks" }));
      throw new Error("did not throw");
    } catch (error) {
      expect((error as CodecError).code).toBe(CodecCode.Invalid);
      expect((error as CodecError).path).toEqual(["from"]);
      expect((error as CodecError).message).toBe("Expected a decimal integer string at $.from, got number.");
    }
    const evm = { k: "block", network: "n", number: "1", hash: "0x1", parentHash: null, head: "1" };
    expect(codeOf(() => blockLogEntryCodec.decode(frame({ ...evm, block: { c: "Solana" } })))).toBe(CodecCode.Invalid);
    const noReceipt = { c: "EVM", number: "1", hash: "0x1", parentHash: "0x0", header: {}, txs: [[{}, null, 1]] };
    expect(codeOf(() => blockLogEntryCodec.decode(frame({ ...evm, block: noReceipt })))).toBe(CodecCode.Invalid);
  });

  it("values JSON cannot carry", () => {
    const block = {
      ...fixtureEvmBlocks()[0]!,
      header: { number: "0x1", hash: "0x1", parentHash: "0x0", timestamp: "0x0", x: 1n },
    };
    expect(codeOf(() => blockLogEntryCodec.encode(blockEntry("n", block as never)))).toBe(CodecCode.Unencodable);
  });
});
