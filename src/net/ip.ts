/**
 * IP address classification for outbound-connection checks: which addresses a tenant-supplied URL must not reach.
 *
 * Pure (no DNS): callers classify the addresses a hostname resolved to, and IP literals directly. IPv6 forms that
 * carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4
 * `2002::/16`) are judged by the IPv4 address they carry, so `::ffff:127.0.0.1` is loopback like `127.0.0.1`.
 */
import { isIPv4, isIPv6 } from "node:net";

/** Why an address is not public. */
export type RestrictedAddressKind =
  /** 127.0.0.0/8, ::1 */
  | "loopback"
  /** 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 (deprecated site-local), 64:ff9b:1::/48 */
  | "private"
  /** 169.254/16, fe80::/10 */
  | "link_local"
  /** Cloud instance metadata: 169.254.169.254, fd00:ec2::254 (AWS IPv6) */
  | "metadata"
  /** 0.0.0.0/8, :: */
  | "unspecified"
  /** 100.64/10 (carrier-grade NAT, RFC 6598; also hosts Alibaba's metadata service) */
  | "cgnat"
  /** 224/4, ff00::/8 */
  | "multicast"
  /** Special-purpose blocks no public service lives in: 192.0.0/24, 198.18/15, 240/4, broadcast, docs ranges, 100::/64, 2001:db8::/32 */
  | "reserved";

/** One IPv4 block: network address as a 32-bit number and prefix length. */
type V4Block = readonly [network: number, prefix: number, kind: RestrictedAddressKind];

const v4 = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** Most specific first: the first block containing the address names its kind. */
const V4_BLOCKS: readonly V4Block[] = [
  [v4(169, 254, 169, 254), 32, "metadata"],
  [v4(0, 0, 0, 0), 8, "unspecified"],
  [v4(10, 0, 0, 0), 8, "private"],
  [v4(100, 64, 0, 0), 10, "cgnat"],
  [v4(127, 0, 0, 0), 8, "loopback"],
  [v4(169, 254, 0, 0), 16, "link_local"],
  [v4(172, 16, 0, 0), 12, "private"],
  [v4(192, 0, 0, 0), 24, "reserved"],
  [v4(192, 0, 2, 0), 24, "reserved"],
  [v4(192, 168, 0, 0), 16, "private"],
  [v4(198, 18, 0, 0), 15, "reserved"],
  [v4(198, 51, 100, 0), 24, "reserved"],
  [v4(203, 0, 113, 0), 24, "reserved"],
  [v4(224, 0, 0, 0), 4, "multicast"],
  [v4(240, 0, 0, 0), 4, "reserved"],
];

function inBlock(address: number, network: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const mask = prefix === 32 ? 0xffffffff : (~(0xffffffff >>> prefix) >>> 0) >>> 0;
  return (address & mask) >>> 0 === (network & mask) >>> 0;
}

function parseV4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  const parts = text.split(".").map(Number);
  return v4(parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 0);
}

function classifyV4(address: number): RestrictedAddressKind | undefined {
  for (const [network, prefix, kind] of V4_BLOCKS) if (inBlock(address, network, prefix)) return kind;
  return undefined;
}

/** Parses an IPv6 address (zone id stripped, embedded dotted quad allowed) into 8 groups of 16 bits. */
export function parseIpv6(text: string): number[] | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const address = bare.split("%")[0] ?? "";
  if (!isIPv6(address)) return undefined;
  let body = address.toLowerCase();
  const lastColon = body.lastIndexOf(":");
  const last = body.slice(lastColon + 1);
  if (last.includes(".")) {
    // "::ffff:1.2.3.4" → "::ffff:102:304": the dotted quad is the last two groups
    const quad = parseV4(last);
    if (quad === undefined) return undefined;
    body = `${body.slice(0, lastColon + 1)}${(quad >>> 16).toString(16)}:${(quad & 0xffff).toString(16)}`;
  }
  const halves = body.split("::");
  const groups = (half: string | undefined): number[] =>
    half === undefined || half === "" ? [] : half.split(":").map((g) => Number.parseInt(g, 16));
  const head = groups(halves[0]);
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const rest = groups(halves[1]);
  const total = head.length + rest.length;
  if (total > 7) return undefined;
  return [...head, ...new Array<number>(8 - total).fill(0), ...rest];
}

function classifyV6(groups: readonly number[]): RestrictedAddressKind | undefined {
  const g = (i: number) => groups[i] ?? 0;
  const zeroUpTo = (n: number) => groups.slice(0, n).every((x) => x === 0);
  const embedded = (hi: number, lo: number) => classifyV4(((hi << 16) | lo) >>> 0);
  if (zeroUpTo(8)) return "unspecified";
  if (zeroUpTo(7) && g(7) === 1) return "loopback";
  // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (IPv4-compatible, deprecated but still routed by some stacks)
  if (zeroUpTo(5) && (g(5) === 0xffff || g(5) === 0)) return embedded(g(6), g(7));
  // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765)
  if (zeroUpTo(4) && g(4) === 0xffff && g(5) === 0) return embedded(g(6), g(7));
  // 64:ff9b::/96 (NAT64 well-known prefix) carries the IPv4 address in the last 32 bits
  if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 0 && g(3) === 0 && g(4) === 0 && g(5) === 0) {
    return embedded(g(6), g(7));
  }
  // 64:ff9b:1::/48: local-use NAT64 (RFC 8215), translates into private networks
  if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 1) return "private";
  // 2002::/16 (6to4) carries the IPv4 address in bits 16..47
  if (g(0) === 0x2002) return embedded(g(1), g(2));
  // fd00:ec2::254 (AWS instance metadata over IPv6)
  if (g(0) === 0xfd00 && g(1) === 0x0ec2 && groups.slice(2, 7).every((x) => x === 0) && g(7) === 0x254) {
    return "metadata";
  }
  if ((g(0) & 0xfe00) === 0xfc00) return "private";
  if ((g(0) & 0xffc0) === 0xfe80) return "link_local";
  if ((g(0) & 0xffc0) === 0xfec0) return "private";
  if ((g(0) & 0xff00) === 0xff00) return "multicast";
  if (g(0) === 0x100 && g(1) === 0 && g(2) === 0 && g(3) === 0) return "reserved";
  if (g(0) === 0x2001 && g(1) === 0x0db8) return "reserved";
  return undefined;
}

/**
 * The kind of non-public address `address` is (an IPv4 or IPv6 literal, IPv6 optionally in brackets or with a zone
 * id), or `undefined` for a public address. Text that is not an IP address yields `undefined` too: check with
 * `isIP` first when that matters.
 *
 * @example
 * classifyAddress("10.1.2.3") // "private"
 * classifyAddress("::ffff:169.254.169.254") // "metadata"
 * classifyAddress("93.184.216.34") // undefined
 */
export function classifyAddress(address: string): RestrictedAddressKind | undefined {
  const quad = parseV4(address);
  if (quad !== undefined) return classifyV4(quad);
  const groups = parseIpv6(address);
  return groups === undefined ? undefined : classifyV6(groups);
}
