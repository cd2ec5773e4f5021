import { ArgusError } from "../errors/index.js";
import type { RestrictedAddressKind } from "./ip.js";

export type NetErrorCode = "NET_ADDRESS_FORBIDDEN" | "NET_HOST_NOT_FOUND";

const KIND_TEXT: Readonly<Record<RestrictedAddressKind, string>> = {
  loopback: "a loopback address",
  private: "a private-network address",
  link_local: "a link-local address",
  metadata: "a cloud metadata address",
  unspecified: "the unspecified address",
  cgnat: "a carrier-grade NAT (shared) address",
  multicast: "a multicast address",
  reserved: "a reserved special-purpose address",
};

/**
 * A tenant-supplied host is, or resolves to, an address outbound connections must not reach (loopback, private,
 * link-local, metadata, …). Names the host and the offending address, never a full URL (URLs carry tokens).
 */
export class NetAddressForbiddenError extends ArgusError {
  override name = "NetAddressForbiddenError";
  override readonly code: "NET_ADDRESS_FORBIDDEN" = "NET_ADDRESS_FORBIDDEN";
  readonly host: string;
  readonly address: string;
  readonly kind: RestrictedAddressKind;

  constructor(args: { host: string; address: string; kind: RestrictedAddressKind }) {
    const resolved = args.host === args.address ? "" : ` resolves to ${args.address}, which is`;
    super(
      "NET_ADDRESS_FORBIDDEN",
      `Refused to connect to ${args.host}: it${resolved || " is"} ${KIND_TEXT[args.kind]}.`,
      {
        retryable: false,
        hint: "Use a publicly reachable host. An operator can allow private networks (allowPrivateNetworks) for trusted, single-tenant setups.",
      },
    );
    this.host = args.host;
    this.address = args.address;
    this.kind = args.kind;
  }
}

/** The hostname did not resolve to any address. */
export class NetHostNotFoundError extends ArgusError {
  override name = "NetHostNotFoundError";
  override readonly code: "NET_HOST_NOT_FOUND" = "NET_HOST_NOT_FOUND";
  readonly host: string;

  constructor(args: { host: string; detail: string; retryable: boolean }) {
    super("NET_HOST_NOT_FOUND", `Could not resolve ${args.host}: ${args.detail}.`, { retryable: args.retryable });
    this.host = args.host;
  }
}
