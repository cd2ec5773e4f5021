import { createHash } from "node:crypto";

/**
 * The PostgreSQL advisory-lock key of a lease name: the first 8 bytes of SHA-256(`namespace:name`) as a signed 64-bit
 * integer. Stable across processes, versions and machines (unlike `hashtext`), so every contender locks the same key.
 */
export function leaseKey(name: string, namespace = "argus"): bigint {
  const digest = createHash("sha256").update(`${namespace}:${name}`, "utf8").digest();
  return digest.readBigInt64BE(0);
}

/** How `pg_locks` shows a one-argument (int8) advisory lock: high 32 bits in `classid`, low 32 in `objid`. */
export function leaseKeyParts(key: bigint): { classid: string; objid: string } {
  const unsigned = BigInt.asUintN(64, key);
  return { classid: (unsigned >> 32n).toString(), objid: (unsigned & 0xffffffffn).toString() };
}
