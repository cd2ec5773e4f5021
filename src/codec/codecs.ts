/**
 * The codecs of the block log, the match log and the block cache. Every body is `{"k": kind, …}` inside a
 * version-1 frame (`frame.ts`); bigint fields are decimal strings.
 */
import type { MonitorMatch } from "../engine/index.js";
import type { ErrorPath } from "../errors/index.js";
import { decodeChainBlock, encodeChainBlock } from "./chain-block.js";
import { CodecCode, CodecError } from "./errors.js";
import { readFrame, writeFrame } from "./frame.js";
import { asArray, asNullableString, asObject, asString, type JsonObject, parseBigint } from "./read.js";
import type { BlockLogEntry, BlockRef, CachedBlock, Codec } from "./types.js";

function body(bytes: Uint8Array, kinds: readonly string[], name: string): JsonObject {
  const object = asObject(readFrame(bytes), []);
  if (typeof object.k !== "string" || !kinds.includes(object.k)) {
    throw new CodecError(
      CodecCode.UnexpectedKind,
      `Expected a ${name} (${kinds.join(" | ")}), got a frame of kind ${JSON.stringify(object.k)}.`,
      { path: ["k"] },
    );
  }
  return object;
}

function encodeRef(ref: BlockRef): [string, string] {
  return [ref.number.toString(), ref.hash];
}

function decodeRef(value: unknown, path: ErrorPath): BlockRef {
  const tuple = asArray(value, path);
  return { number: parseBigint(tuple[0], [...path, 0]), hash: asString(tuple[1], [...path, 1]) };
}

export const blockLogEntryCodec: Codec<BlockLogEntry> = {
  name: "block log entry",
  encode(entry) {
    switch (entry.type) {
      case "block":
        return writeFrame({
          k: "block",
          network: entry.network,
          number: entry.number.toString(),
          hash: entry.hash,
          parentHash: entry.parentHash,
          head: entry.head.toString(),
          block: encodeChainBlock(entry.block),
        });
      case "reorg":
        return writeFrame({
          k: "reorg",
          network: entry.network,
          fromNumber: entry.fromNumber.toString(),
          commonAncestor: encodeRef(entry.commonAncestor),
          orphaned: entry.orphaned.map(encodeRef),
        });
      case "gap_skipped":
        return writeFrame({
          k: "gap_skipped",
          network: entry.network,
          from: entry.from.toString(),
          to: entry.to.toString(),
          reason: entry.reason,
        });
    }
  },
  decode(bytes) {
    const o = body(bytes, ["block", "reorg", "gap_skipped"], "block log entry");
    const network = asString(o.network, ["network"]);
    if (o.k === "block") {
      return {
        type: "block",
        network,
        number: parseBigint(o.number, ["number"]),
        hash: asString(o.hash, ["hash"]),
        parentHash: asNullableString(o.parentHash, ["parentHash"]),
        block: decodeChainBlock(o.block, ["block"]),
        head: parseBigint(o.head, ["head"]),
      };
    }
    if (o.k === "reorg") {
      return {
        type: "reorg",
        network,
        fromNumber: parseBigint(o.fromNumber, ["fromNumber"]),
        commonAncestor: decodeRef(o.commonAncestor, ["commonAncestor"]),
        orphaned: asArray(o.orphaned, ["orphaned"]).map((ref, i) => decodeRef(ref, ["orphaned", i])),
      };
    }
    if (o.reason !== "max_past_blocks") {
      throw new CodecError(CodecCode.Invalid, `Unknown gap reason ${JSON.stringify(o.reason)}.`, { path: ["reason"] });
    }
    return {
      type: "gap_skipped",
      network,
      from: parseBigint(o.from, ["from"]),
      to: parseBigint(o.to, ["to"]),
      reason: o.reason,
    };
  },
};

export const cachedBlockCodec: Codec<CachedBlock> = {
  name: "cached block",
  encode(cached) {
    return writeFrame({
      k: "cached_block",
      number: cached.number.toString(),
      hash: cached.hash,
      parentHash: cached.parentHash,
      block: encodeChainBlock(cached.block),
    });
  },
  decode(bytes) {
    const o = body(bytes, ["cached_block"], "cached block");
    return {
      number: parseBigint(o.number, ["number"]),
      hash: asString(o.hash, ["hash"]),
      parentHash: asNullableString(o.parentHash, ["parentHash"]),
      block: decodeChainBlock(o.block, ["block"]),
    };
  },
};

export const matchCodec: Codec<MonitorMatch> = {
  name: "match",
  encode(match) {
    // Spread keeps the match's key order, so a decoded match serialises to the same JSON as the original.
    return writeFrame({ k: "match", match: { ...match, blockNumber: match.blockNumber.toString() } });
  },
  decode(bytes) {
    const o = body(bytes, ["match"], "match");
    const match = asObject(o.match, ["match"]);
    if (match.chain !== "EVM" && match.chain !== "Stellar") {
      throw new CodecError(CodecCode.Invalid, `Unknown match chain ${JSON.stringify(match.chain)}.`, {
        path: ["match", "chain"],
      });
    }
    for (const field of ["id", "monitorId", "tenantId", "networkSlug", "blockHash", "transactionHash"] as const) {
      asString(match[field], ["match", field]);
    }
    for (const field of ["monitorVersion", "transactionIndex"] as const) {
      if (typeof match[field] !== "number") {
        throw new CodecError(CodecCode.Invalid, `Expected a number at $.match.${field}.`, { path: ["match", field] });
      }
    }
    asObject(match.payload, ["match", "payload"]);
    return {
      ...match,
      blockNumber: parseBigint(match.blockNumber, ["match", "blockNumber"]),
    } as unknown as MonitorMatch;
  },
};
