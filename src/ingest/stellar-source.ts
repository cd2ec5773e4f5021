import {
  assembleStellarLedger,
  fetchStellarLedger,
  fetchStellarLedgers,
  getLatestLedger,
  getLedgerRange,
  type StellarClient,
  StellarLedgerNotFoundError,
} from "../chains/stellar/index.js";
import type { StellarLedger } from "../engine/index.js";
import { BlockSourceError } from "./errors.js";
import type { BlockSource, SourceBlock } from "./types.js";

export interface StellarBlockSourceOptions {
  client: StellarClient;
}

/**
 * A `BlockSource` over a Stellar-RPC client. Block numbers are ledger sequences; a ledger's parent is its header's
 * previous ledger hash. Stellar finality is deterministic (SCP), so reorgs are not expected, but the watcher applies
 * the same linkage checks: a broken link on Stellar means an endpoint serving another network.
 *
 * - `head`: `getLatestLedger` (sequence and hash).
 * - `fetchBlock`: `fetchStellarLedger`; `fetchRange`: `fetchStellarLedgers` (one paged read per method for a whole
 *   catch-up batch instead of three calls per ledger).
 * - `fetchRef`: `getLedgers {startLedger: n, limit: 1}`, header decoded; `null` when the RPC does not have ledger
 *   `n` yet.
 */
export function createStellarBlockSource(options: StellarBlockSourceOptions): BlockSource<StellarLedger> {
  const { client } = options;
  return {
    chain: "Stellar",
    firstNumber: 1n,

    async head(requestOptions = {}) {
      const latest = await getLatestLedger(client, requestOptions);
      return { number: BigInt(latest.sequence), hash: latest.id === "" ? null : latest.id.toLowerCase() };
    },

    async fetchBlock(number, requestOptions = {}) {
      return toSourceBlock(await fetchStellarLedger(client, sequence(number), requestOptions));
    },

    async fetchRange(from, to, requestOptions = {}) {
      const ledgers = await fetchStellarLedgers(client, sequence(from), sequence(to), requestOptions);
      return ledgers.map(toSourceBlock);
    },

    async fetchRef(number, requestOptions = {}) {
      try {
        const [ledger] = await getLedgerRange(client, sequence(number), sequence(number), requestOptions);
        if (ledger === undefined) return null;
        const { hash, previousHash } = assembleStellarLedger(ledger, [], []);
        return { number, hash: hash.toLowerCase(), parentHash: previousHash?.toLowerCase() ?? null };
      } catch (error) {
        if (error instanceof StellarLedgerNotFoundError) return null;
        throw error;
      }
    },
  };
}

function toSourceBlock(ledger: StellarLedger): SourceBlock<StellarLedger> {
  return {
    number: BigInt(ledger.sequence),
    hash: ledger.hash.toLowerCase(),
    parentHash: ledger.previousHash?.toLowerCase() ?? null,
    block: ledger,
  };
}

function sequence(number: bigint): number {
  if (number < 1n || number > 0xffffffffn) {
    throw new BlockSourceError(`Ledger sequence ${number} is outside 1…4294967295.`);
  }
  return Number(number);
}
