/**
 * EVM address comparison key, as OZ's `normalize_address` (strip a `0x` prefix, delete whitespace, lowercase) with
 * Argus's decision for quirk 4: an uppercase `0X` prefix is stripped too.
 */
export function evmAddressKey(address: string): string {
  const body = address.startsWith("0x") || address.startsWith("0X") ? address.slice(2) : address;
  return (NEEDS_CLEANING.test(body) ? body.replace(WHITESPACE, "") : body).toLowerCase();
}

const NEEDS_CLEANING = /\s/;
const WHITESPACE = /\s+/g;
