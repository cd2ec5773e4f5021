/** Secrets of imported and exported documents: encrypted at rest, refused when a tenant names the environment. */
import type { ConfigProblem } from "../config/index.js";
import { decryptSecrets, encryptSecrets, findEnvironmentSecrets, type Keyring, SecretsCode } from "../secrets/index.js";
import type { ConfigBundle } from "./bundle.js";

/** The envelope context of a document: its tenant's id, or `"platform"` (the convention the API uses too). */
export function secretContext(tenantId: string | null): string {
  return tenantId ?? "platform";
}

export function seal<T>(keyring: Keyring | undefined, tenantId: string | null, document: T): T {
  return keyring === undefined ? document : encryptSecrets(keyring, document, { context: secretContext(tenantId) });
}

export function unseal<T>(keyring: Keyring | undefined, tenantId: string | null, document: T): T {
  return keyring === undefined ? document : decryptSecrets(keyring, document, { context: secretContext(tenantId) });
}

/**
 * One problem per `Environment` secret in the bundle's tenant-owned files: they would read the Argus server's
 * environment. Platform networks (an operator's import) may use them.
 */
export function environmentSecretProblems(bundle: ConfigBundle, options: { networks: boolean }): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const check = (file: string, document: unknown, base: (string | number)[] = []) => {
    for (const secret of findEnvironmentSecrets(document)) {
      problems.push({
        file,
        path: [...base, ...secret.path],
        message:
          'secrets of type "Environment" are not allowed for tenants (they would read the server\'s environment); use a "Plain" secret, which Argus encrypts at rest',
        code: SecretsCode.EnvironmentForbidden,
        severity: "error",
      });
    }
  };
  if (options.networks) for (const [file, json] of Object.entries(bundle.networks)) check(`networks/${file}`, json);
  for (const [file, json] of Object.entries(bundle.monitors)) check(`monitors/${file}`, json);
  for (const [file, json] of Object.entries(bundle.triggers)) check(`triggers/${file}`, json);
  return problems;
}
