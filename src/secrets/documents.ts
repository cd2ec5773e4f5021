/**
 * Secrets inside OZ documents (trigger and network JSON): encrypt at rest, decrypt for the runtime and exports,
 * refuse `Environment` secrets from tenants. Pure apart from randomness.
 *
 * Stored form: the secret object keeps OZ's shape, `{"type": "Plain", "value": "argus:v1:…"}`, so a stored document
 * still parses with the OZ schemas and tools that walk it see where secrets are; only the value is an envelope.
 */
import { decryptSecret, encryptSecret, isEnvelope, type Keyring, reencryptSecret } from "./envelope.js";
import { SecretsCode, SecretsError } from "./errors.js";
import { type FoundSecret, findSecrets, mapSecrets } from "./walk.js";

export interface SecretContextOptions {
  /** Bound to every envelope (e.g. the tenant id, or `"platform"`); decrypt with the same context. */
  context?: string;
}

/**
 * A copy of `document` with the value of every `Plain` secret encrypted. Values that already are envelopes stay as
 * they are (saving a stored document again does not double-encrypt). Other secret types are left alone (see
 * `assertNoEnvironmentSecrets`).
 */
export function encryptSecrets<T>(keyring: Keyring, document: T, options: SecretContextOptions = {}): T {
  return mapSecrets(document, (secret, node) =>
    secret.type === "Plain" && !isEnvelope(secret.value)
      ? { ...node, value: encryptSecret(keyring, secret.value, options.context) }
      : node,
  ) as T;
}

/**
 * A copy of `document` with every encrypted secret value decrypted (for the runtime and exports). Plain values that
 * are not envelopes (documents stored before encryption) pass through. Throws `SECRET_DECRYPT_FAILED` /
 * `SECRET_UNKNOWN_KEY` with the secret's JSON path.
 */
export function decryptSecrets<T>(keyring: Keyring, document: T, options: SecretContextOptions = {}): T {
  return mapSecrets(document, (secret, node) => {
    if (!isEnvelope(secret.value)) return node;
    try {
      return { ...node, value: decryptSecret(keyring, secret.value, options.context) };
    } catch (error) {
      if (error instanceof SecretsError) {
        throw new SecretsError(error.code, error.message, {
          path: secret.path,
          cause: error,
          ...(error.hint ? { hint: error.hint } : {}),
        });
      }
      throw error;
    }
  }) as T;
}

/** A copy with every envelope re-encrypted under the active key (key rotation); `changed` counts them. */
export function reencryptSecrets<T>(
  keyring: Keyring,
  document: T,
  options: SecretContextOptions = {},
): { document: T; changed: number } {
  let changed = 0;
  const out = mapSecrets(document, (secret, node) => {
    if (!isEnvelope(secret.value)) return node;
    const next = reencryptSecret(keyring, secret.value, options.context);
    if (next !== secret.value) changed += 1;
    return { ...node, value: next };
  }) as T;
  return { document: out, changed };
}

/** Every `Environment` secret in a document (a tenant may not use them). */
export function findEnvironmentSecrets(document: unknown): FoundSecret[] {
  return findSecrets(document).filter((secret) => secret.type === "Environment");
}

/**
 * Throws `SECRET_ENVIRONMENT_FORBIDDEN` (path of the first offender, after `basePath`) when a tenant's document
 * uses an `Environment` secret: it would read the server's environment (its database URL, its master keys, …).
 */
export function assertNoEnvironmentSecrets(document: unknown, basePath: readonly (string | number)[] = []): void {
  const [first, ...rest] = findEnvironmentSecrets(document);
  if (first === undefined) return;
  throw new SecretsError(
    SecretsCode.EnvironmentForbidden,
    `Secrets of type "Environment" are not allowed here: they would read the Argus server's environment${rest.length > 0 ? ` (${rest.length + 1} found)` : ""}.`,
    {
      path: [...basePath, ...first.path],
      hint: 'Put the value itself in a "Plain" secret; Argus encrypts it at rest and never returns it.',
    },
  );
}
