/**
 * Outbound address guard: resolve a tenant-supplied host, refuse it when any address is not public, and hand the
 * checked addresses to the socket so that the connection goes exactly where the check looked (no second DNS lookup
 * an attacker's DNS server could answer differently: DNS rebinding).
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import { NetAddressForbiddenError, NetHostNotFoundError } from "./errors.js";
import { classifyAddress } from "./ip.js";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a hostname to all its addresses. The default is `dns.lookup(host, { all: true })` (getaddrinfo). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface AddressGuardOptions {
  /**
   * Allow loopback, private, link-local, metadata and other non-public addresses. An operator setting for trusted
   * single-tenant deployments and tests; never a tenant's choice.
   * @default false
   */
  allowPrivateNetworks?: boolean;
  /** DNS resolution (tests inject one to simulate hostnames resolving to private addresses). */
  resolve?: HostResolver;
}

const defaultResolve: HostResolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

/** Strips the brackets URL hostnames put around IPv6 literals. */
export function bareHost(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

/**
 * Throws `NetAddressForbiddenError` when `address` (an IP literal) is not public and private networks are not
 * allowed. `host` is what the user configured, named in the message.
 */
export function assertAddressAllowed(host: string, address: string, options: AddressGuardOptions = {}): void {
  if (options.allowPrivateNetworks === true) return;
  const kind = classifyAddress(address);
  if (kind !== undefined) throw new NetAddressForbiddenError({ host, address, kind });
}

/**
 * All addresses of `hostname` (an IP literal yields itself), each checked. Any restricted address refuses the whole
 * host, even when others are public: a host that answers with a mix can be steered to the private one.
 *
 * Throws `NetAddressForbiddenError` or `NetHostNotFoundError` (retryable for temporary DNS failures).
 */
export async function resolveAllowedAddresses(
  hostname: string,
  options: AddressGuardOptions = {},
): Promise<ResolvedAddress[]> {
  const host = bareHost(hostname);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (options.resolve ?? defaultResolve)(host);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new NetHostNotFoundError({
        host,
        detail: typeof code === "string" ? code : "lookup failed",
        retryable: code !== "ENOTFOUND",
      });
    }
    if (addresses.length === 0) throw new NetHostNotFoundError({ host, detail: "no addresses", retryable: true });
  }
  for (const { address } of addresses) assertAddressAllowed(host, address, options);
  return addresses;
}

/**
 * A `lookup` for `net.connect` / `http.request` / `tls.connect` that resolves through `resolveAllowedAddresses`:
 * the socket connects only to addresses that passed the check, in the same call that checked them.
 *
 * Note: sockets skip `lookup` for IP-literal hosts; check those with `assertAddressAllowed` before connecting.
 */
export function createGuardedLookup(options: AddressGuardOptions = {}): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolveAllowedAddresses(hostname, options).then(
      (addresses) => {
        const family = lookupOptions.family;
        const wanted =
          family === 4 || family === 6 || family === "IPv4" || family === "IPv6"
            ? addresses.filter((a) => a.family === (family === 4 || family === "IPv4" ? 4 : 6))
            : addresses;
        if (wanted.length === 0) {
          const error = Object.assign(new Error(`no IPv${String(family)} address for ${hostname}`), {
            code: "ENOTFOUND",
          });
          callback(error, "", 0);
          return;
        }
        if (lookupOptions.all === true) {
          callback(null, wanted);
        } else {
          const first = wanted[0] as ResolvedAddress;
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}
