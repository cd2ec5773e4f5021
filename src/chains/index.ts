/**
 * Chain access. `openNetworkClient(network)` gives one shape over every supported chain (EVM, Stellar) for callers
 * that work per network; `chains/evm`, `chains/stellar` and `chains/rpc` hold the wire-level pieces.
 */
export {
  type FetchBlockOptions,
  type NetworkBlock,
  type NetworkClient,
  type NetworkClientRequestOptions,
  NetworkNoEndpointError,
  NetworkUnsupportedError,
  openNetworkClient,
} from "./network-client.js";
