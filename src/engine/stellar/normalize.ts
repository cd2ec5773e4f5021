/**
 * OZ's Stellar normalisations (`normalize_address`, `normalize_signature`): trim, drop spaces, lowercase.
 */

/** Key of a Stellar address for monitored-address comparison: trimmed, spaces removed, lowercased. */
export function stellarAddressKey(address: string): string {
  return address.trim().replaceAll(" ", "").toLowerCase();
}

/** Key of a function or event signature for comparison: trimmed, spaces removed, lowercased. */
export function stellarSignatureKey(signature: string): string {
  return signature.trim().replaceAll(" ", "").toLowerCase();
}
