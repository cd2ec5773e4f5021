import { createEvmClient, type EvmClient } from "../chains/evm/index.js";
import { createRpcTransport, type RpcTransport } from "../chains/rpc/index.js";
import type { Network } from "../config/index.js";
import { UsageError } from "./command.js";

/**
 * Opens a JSON-RPC client for an EVM network from its OZ config: the `http(s)` entries of `rpc_urls` serve requests
 * in weight order (`ws(s)` entries are for live heads, which the CLI does not use).
 */
export function openEvmNetwork(network: Network): { client: EvmClient; transport: RpcTransport } {
  if (network.network_type !== "EVM") {
    throw new UsageError(`Network '${network.slug}' is a ${network.network_type} network; this build supports EVM.`);
  }
  const endpoints = network.rpc_urls
    .filter((rpc) => /^https?:\/\//i.test(rpc.url.value))
    .map((rpc) => ({ url: rpc.url.value, weight: rpc.weight }));
  if (endpoints.length === 0) {
    throw new UsageError(`Network '${network.slug}' has no http(s) entry in rpc_urls to send requests to.`);
  }
  const transport = createRpcTransport({ endpoints });
  return { client: createEvmClient({ transport }), transport };
}
