/**
 * Outbound network safety shared by every module that connects to tenant-supplied hosts (notification channels
 * now; tenant RPC endpoints later): classify IP addresses, resolve and check hostnames, and pin sockets to the
 * checked addresses (`createGuardedLookup`) so DNS rebinding cannot slip a private address past the check.
 *
 * Imports only node:net and node:dns; no logging.
 *
 * @example
 * import { createGuardedLookup, NetAddressForbiddenError } from "../net/index.js";
 * const req = https.request(url, { lookup: createGuardedLookup({ allowPrivateNetworks: false }) });
 * req.on("error", (error) => { if (error instanceof NetAddressForbiddenError) … });
 */
export { NetAddressForbiddenError, type NetErrorCode, NetHostNotFoundError } from "./errors.js";
export {
  type AddressGuardOptions,
  assertAddressAllowed,
  bareHost,
  createGuardedLookup,
  type HostResolver,
  type ResolvedAddress,
  resolveAllowedAddresses,
} from "./guard.js";
export { classifyAddress, type RestrictedAddressKind } from "./ip.js";
