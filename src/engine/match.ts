/**
 * Match identity and serialisation, shared by chain evaluators.
 */
import { sha256, stringToBytes } from "viem";
import type { Hex } from "./evm-block.js";
import { Sha256WithPrefix } from "./sha256.js";
import type { StellarMatchPayload } from "./stellar/types.js";
import type { EvmMatchPayload, EvmMonitorMatch, MonitorMatch, MonitorMatchJson, StellarMonitorMatch } from "./types.js";

export interface MatchIdParameters {
  networkSlug: string;
  blockHash: string;
  transactionIndex: number;
  monitorId: string;
  monitorVersion: number;
}

/**
 * The match id: `0x` + 64 hex characters, a pure function of (network, block hash, transaction index, monitor id,
 * monitor version). A replayed block yields the same ids, so every effect keyed on them is idempotent; a block on
 * another fork (other hash) or an edited monitor (other version) yields new ones.
 *
 * Layout: the first 56 hex characters are the SHA-256 of the canonical JSON array
 * `["argus.match.v1", network, lowercase block hash, monitor id, monitor version]` (truncated to 224 bits), the last
 * 8 are the transaction index in hex. One hash per (block, monitor) thus serves all of that monitor's matches in
 * the block, which keeps hashing off the per-match cost.
 */
export function matchId(parameters: MatchIdParameters): Hex {
  return matchIdFromPrefix(matchIdPrefix(parameters), parameters.transactionIndex);
}

/** @internal The per-(block, monitor) part of `matchId`. */
export function matchIdPrefix({
  networkSlug,
  blockHash,
  monitorId,
  monitorVersion,
}: Omit<MatchIdParameters, "transactionIndex">): string {
  const canonical = JSON.stringify(["argus.match.v1", networkSlug, blockHash.toLowerCase(), monitorId, monitorVersion]);
  return sha256(stringToBytes(canonical)).slice(0, 58);
}

/**
 * @internal `matchIdPrefix` for many monitors of one block: the canonical JSON's shared head
 * (`["argus.match.v1",network,blockHash,`) is hashed once, so each monitor only hashes its id and version.
 */
export function blockMatchIdPrefixes(
  networkSlug: string,
  blockHash: string,
): (monitorId: string, monitorVersion: number) => string {
  const head = JSON.stringify(["argus.match.v1", networkSlug, blockHash.toLowerCase()]);
  const hasher = new Sha256WithPrefix(`${head.slice(0, -1)},`);
  // `[a,b,c,d,e]` is `[a,b,c,` + the tail of `[d,e]`: the same canonical text `matchIdPrefix` hashes.
  return (monitorId, monitorVersion) => `0x${hasher.hex(JSON.stringify([monitorId, monitorVersion]).slice(1), 7)}`;
}

/** @internal */
export function matchIdFromPrefix(prefix: string, transactionIndex: number): Hex {
  if (!Number.isSafeInteger(transactionIndex) || transactionIndex < 0 || transactionIndex > 0xffffffff) {
    throw new RangeError(`transaction index out of range: ${transactionIndex}`);
  }
  return `${prefix}${transactionIndex.toString(16).padStart(8, "0")}` as Hex;
}

/**
 * The externally tagged JSON users' scripts and raw webhooks receive: `{"EVM": {monitor, transaction, …}}` or
 * `{"Stellar": {monitor, transaction, ledger, …}}`.
 */
export function toMatchJson(match: EvmMonitorMatch): { EVM: EvmMatchPayload };
export function toMatchJson(match: StellarMonitorMatch): { Stellar: StellarMatchPayload };
export function toMatchJson(match: MonitorMatch): MonitorMatchJson;
export function toMatchJson(match: MonitorMatch): MonitorMatchJson {
  return match.chain === "Stellar" ? { Stellar: match.payload } : { EVM: match.payload };
}
