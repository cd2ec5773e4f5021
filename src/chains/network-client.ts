import type { Network } from "../config/index.js";
import {
  type CompileMonitorsResult,
  compileMonitors,
  type EvmBlock,
  type MonitorDefinition,
  type StellarContractSpecEntry,
  type StellarLedger,
} from "../engine/index.js";
import { ArgusError } from "../errors/index.js";
import { createEvmClient, type EvmClient, eth_blockNumber, fetchEvmBlock } from "./evm/index.js";
import { createRpcTransport, type RpcTransport } from "./rpc/index.js";
import {
  createStellarClient,
  fetchContractSpec,
  fetchStellarLedger,
  getLatestLedger,
  ledgerTransactionCount,
  type StellarClient,
} from "./stellar/index.js";

export type NetworkBlock = EvmBlock | StellarLedger;

export interface NetworkClientRequestOptions {
  signal?: AbortSignal;
}

export interface FetchBlockOptions extends NetworkClientRequestOptions {
  /**
   * One-shot runs (`argus test-monitor`) only: when a Stellar ledger's metadata says it applied transactions but the
   * RPC lists none under its sequence — an RPC or recorded-fixture server that does not number transactions by
   * ledger — evaluate the transactions and events it serves from that ledger on, instead of none. Never used for
   * continuous ingestion, where it would count later ledgers twice.
   */
  tolerateUnnumberedTransactions?: boolean;
  /** Told when the tolerance above was used. */
  onWarning?: (message: string) => void;
}

/**
 * One network's chain access behind one shape, whatever its chain: what `test-monitor`, the demo and (later) ingest
 * need. Requests go to the network's `http(s)` `rpc_urls` in weight order; `ws(s)` entries are for live heads.
 */
export interface NetworkClient {
  network: Network;
  transport: RpcTransport;
  /** The chain's own client, for wire-level work (ingest's block sources). */
  chain: { type: "EVM"; client: EvmClient } | { type: "Stellar"; client: StellarClient };
  latestBlockNumber(options?: NetworkClientRequestOptions): Promise<bigint>;
  /** Block N (EVM) or ledger N (Stellar), with receipts / transactions and events, ready for the engine. */
  fetchBlock(number: bigint, options?: FetchBlockOptions): Promise<NetworkBlock>;
  /**
   * Compiles monitors for this network; on Stellar, contract specs that no monitor carries inline are fetched from
   * the chain (once per contract and client) and compiled in. A spec that cannot be fetched leaves that contract
   * without one (its function and event conditions cannot match), reported in `specProblems`.
   */
  compile(
    definitions: readonly MonitorDefinition[],
    options?: NetworkClientRequestOptions,
  ): Promise<CompileMonitorsResult & { specProblems: ArgusError[] }>;
  close(): void;
}

export class NetworkUnsupportedError extends ArgusError {
  override name = "NetworkUnsupportedError";
  constructor(network: Network) {
    super(
      "NETWORK_UNSUPPORTED",
      `Network '${network.slug}' is a ${network.network_type} network; Argus supports EVM and Stellar networks.`,
      { path: ["network_type"] },
    );
  }
}

export class NetworkNoEndpointError extends ArgusError {
  override name = "NetworkNoEndpointError";
  constructor(network: Network) {
    super("NETWORK_NO_ENDPOINT", `Network '${network.slug}' has no http(s) entry in rpc_urls to send requests to.`, {
      path: ["rpc_urls"],
      hint: "Add an https:// RPC URL with a weight above 0.",
    });
  }
}

export function openNetworkClient(network: Network): NetworkClient {
  const endpoints = network.rpc_urls
    .filter((rpc) => /^https?:\/\//i.test(rpc.url.value) && rpc.weight > 0)
    .map((rpc) => ({ url: rpc.url.value, weight: rpc.weight }));
  if (network.network_type !== "EVM" && network.network_type !== "Stellar") throw new NetworkUnsupportedError(network);
  if (endpoints.length === 0) throw new NetworkNoEndpointError(network);
  const transport = createRpcTransport({ endpoints });
  const networkChains = { [network.slug]: network.network_type };

  if (network.network_type === "EVM") {
    const client = createEvmClient({ transport });
    return {
      network,
      transport,
      chain: { type: "EVM", client },
      latestBlockNumber: (options) => eth_blockNumber(client, options),
      fetchBlock: (number, options) => fetchEvmBlock(client, number, options),
      compile: async (definitions) => ({ ...compileMonitors(definitions, { networkChains }), specProblems: [] }),
      close: () => transport.close(),
    };
  }

  const client = createStellarClient({ transport });
  return {
    network,
    transport,
    chain: { type: "Stellar", client },
    latestBlockNumber: async (options) => BigInt((await getLatestLedger(client, options)).sequence),
    async fetchBlock(number, options = {}) {
      const sequence = Number(number);
      const ledger = await fetchStellarLedger(client, sequence, { signal: options.signal });
      if (!options.tolerateUnnumberedTransactions || ledger.transactions.length > 0) return ledger;
      const applied = ledgerTransactionCount(ledger.ledger);
      if (!applied) return ledger;
      const served = await fetchStellarLedger(client, sequence, { signal: options.signal, filterByLedger: false });
      options.onWarning?.(
        `Ledger ${sequence} applied ${applied} transaction(s) but the RPC lists none under that ledger; evaluating the ${served.transactions.length} transaction(s) it serves from there instead.`,
      );
      return served;
    },
    async compile(definitions, options) {
      const first = compileMonitors(definitions, { networkChains });
      const missing = first.compiled.missingStellarSpecs(network.slug);
      if (missing.length === 0) return { ...first, specProblems: [] };
      const specs = new Map<string, StellarContractSpecEntry[]>();
      const specProblems: ArgusError[] = [];
      await Promise.all(
        missing.map(async (contractId) => {
          try {
            specs.set(contractId, await fetchContractSpec(client, contractId, options));
          } catch (error) {
            // An empty spec marks the contract as looked up: its function/event conditions simply cannot match.
            specs.set(contractId, []);
            specProblems.push(
              error instanceof ArgusError
                ? error
                : new ArgusError("STELLAR_CONTRACT_SPEC_UNAVAILABLE", String(error), { cause: error }),
            );
          }
        }),
      );
      const compiled = compileMonitors(definitions, {
        networkChains,
        stellarContractSpecs: { [network.slug]: specs },
      });
      return { ...compiled, specProblems };
    },
    close: () => transport.close(),
  };
}
