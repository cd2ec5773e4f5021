/**
 * @module secrets
 *
 * Secrets at rest and in responses: AES-256-GCM envelopes under a keyring of master keys (key ids for rotation),
 * encryption and decryption of the OZ `SecretValue`s inside trigger and network JSON, redaction (`"***"`) for API
 * responses, audit rows and logs, the rule that tenants may not use `Environment` secrets, and loading master keys
 * (`ARGUS_MASTER_KEYS`; required in production mode, generated into the data directory in development).
 *
 * Imports nothing of Argus but `errors`; everything except `loadMasterKeys` / `readOrCreateSecretFile` is pure.
 *
 * @example
 * const { keyring } = await loadMasterKeys({ dataDir });
 * assertNoEnvironmentSecrets(triggerJson, ["body"]);
 * const stored = encryptSecrets(keyring, triggerJson, { context: tenantId });   // save this
 * const usable = decryptSecrets(keyring, stored, { context: tenantId });        // give this to the runtime
 * reply.send(redactSecrets(stored));                                            // {"type":"Plain","value":"***"}
 */
export {
  assertNoEnvironmentSecrets,
  decryptSecrets,
  encryptSecrets,
  findEnvironmentSecrets,
  reencryptSecrets,
  type SecretContextOptions,
} from "./documents.js";
export {
  createKeyring,
  decryptSecret,
  encryptSecret,
  envelopeKeyId,
  isEnvelope,
  type Keyring,
  type MasterKey,
  reencryptSecret,
} from "./envelope.js";
export { SecretsCode, SecretsError } from "./errors.js";
export { type Env, isProductionMode, readOrCreateSecretFile } from "./files.js";
export { type LoadedMasterKeys, type LoadMasterKeysOptions, loadMasterKeys, parseMasterKeys } from "./master-keys.js";
export { ENVELOPE_PREFIX, REDACTED, redactSecrets } from "./redact.js";
export { type FoundSecret, findSecrets, SECRET_VALUE_TYPES, type SecretValueType, secretType } from "./walk.js";
