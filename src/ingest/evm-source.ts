import { type EvmClient, fetchEvmBlock, toQuantity } from "../chains/evm/index.js";
import type { EvmBlock } from "../engine/index.js";
import { BlockSourceError } from "./errors.js";
import type { BlockSource, ChainHead, LinkedBlockRef } from "./types.js";

export interface EvmBlockSourceOptions {
  client: EvmClient;
}

/**
 * A `BlockSource` over an EVM JSON-RPC client.
 *
 * - `head`: `eth_getBlockByNumber("latest", false)`: number and hash in one call (the hash lets the watcher notice a
 *   reorg that replaced the head without raising it).
 * - `fetchBlock`: `fetchEvmBlock` (block, receipts, logs, cross-checked; 2–3 HTTP requests).
 * - `fetchRef`: `eth_getBlockByNumber(n, false)` (header only), `null` when the node has no block `n`.
 *
 * @example
 * const source = createEvmBlockSource({ client: createEvmClient({ transport }) });
 */
export function createEvmBlockSource(options: EvmBlockSourceOptions): BlockSource<EvmBlock> {
  const { client } = options;
  return {
    chain: "EVM",
    firstNumber: 0n,

    async head(requestOptions = {}) {
      const result = await client.transport.request("eth_getBlockByNumber", ["latest", false], requestOptions);
      const ref = parseHeader("eth_getBlockByNumber(latest)", result);
      if (ref === null) throw new BlockSourceError("eth_getBlockByNumber(latest) returned null.");
      return { number: ref.number, hash: ref.hash } satisfies ChainHead;
    },

    async fetchBlock(number, requestOptions = {}) {
      const block = await fetchEvmBlock(client, number, requestOptions);
      // Hashes compare as lowercase hex everywhere in ingest (nodes differ in case only in theory).
      const hash = block.hash.toLowerCase();
      return { number: block.number, hash, parentHash: parentLink(block.number, block.parentHash), block };
    },

    async fetchRef(number, requestOptions = {}) {
      const result = await client.transport.request(
        "eth_getBlockByNumber",
        [toQuantity(number), false],
        requestOptions,
      );
      const ref = parseHeader(`eth_getBlockByNumber(${toQuantity(number)})`, result);
      if (ref !== null && ref.number !== number) {
        throw new BlockSourceError(`eth_getBlockByNumber(${toQuantity(number)}) returned block ${ref.number}.`);
      }
      return ref;
    },
  };
}

const HASH = /^0x[0-9a-fA-F]{64}$/;
const QUANTITY = /^0x[0-9a-fA-F]+$/;

/** Number, hash and parent hash of a block header object (as `eth_getBlockByNumber` or `newHeads` give it). */
export function parseHeader(what: string, value: unknown): LinkedBlockRef | null {
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new BlockSourceError(`${what} returned ${JSON.stringify(value) ?? "nothing"} instead of a block.`);
  }
  const { number, hash, parentHash } = value as Record<string, unknown>;
  if (typeof number !== "string" || !QUANTITY.test(number)) {
    throw new BlockSourceError(`${what} returned a block without a hex number.`, ["number"]);
  }
  if (typeof hash !== "string" || !HASH.test(hash)) {
    throw new BlockSourceError(`${what} returned a block without a 32-byte hash.`, ["hash"]);
  }
  if (typeof parentHash !== "string" || !HASH.test(parentHash)) {
    throw new BlockSourceError(`${what} returned a block without a 32-byte parentHash.`, ["parentHash"]);
  }
  return { number: BigInt(number), hash: hash.toLowerCase(), parentHash: parentLink(BigInt(number), parentHash) };
}

const ZERO_HASH = `0x${"0".repeat(64)}`;

/**
 * The parent hash as a link, or `null` when the block does not say: a zero parent hash above block 0 is what hardhat
 * returns for the blocks `hardhat_mine` reserves (all but the first of a range), and no real chain has one.
 */
function parentLink(number: bigint, parentHash: string): string | null {
  const lower = parentHash.toLowerCase();
  return number > 0n && lower === ZERO_HASH ? null : lower;
}
