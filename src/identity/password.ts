/**
 * Password hashing: argon2id (OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane), PHC strings.
 */
import { type Algorithm, hash, verify } from "@node-rs/argon2";
import { IdentityCode, IdentityError } from "./errors.js";

const ARGON2ID = 2 as Algorithm;
const PARAMS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN_LENGTH = 10;
/** Long enough for any passphrase, short enough that hashing cannot be turned into a denial of service. */
export const PASSWORD_MAX_LENGTH = 1_024;

/** Throws `IDENTITY_INVALID_INPUT` (path `password`) unless the password's length is within the policy. */
export function assertPasswordPolicy(password: string): void {
  if (typeof password !== "string" || password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new IdentityError(
      IdentityCode.InvalidInput,
      `A password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`,
      { path: ["password"] },
    );
  }
}

/** argon2id PHC string of `password` (a fresh random salt each time). */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

/** Whether `password` matches `phc`; a malformed hash is a mismatch, never an exception. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}
