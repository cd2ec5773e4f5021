/**
 * AES-256-GCM envelopes under a keyring of master keys. Pure apart from randomness (node:crypto).
 *
 * Envelope: `argus:v1:<keyId>:<iv>:<tag>:<ciphertext>` (iv 12 bytes, tag 16 bytes, base64url each). The key id says
 * which master key encrypted it, so keys can rotate: new secrets use the active key, old envelopes still decrypt
 * with theirs until re-encrypted. An optional context (e.g. the tenant id) is bound as additional authenticated
 * data: an envelope copied to another context does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { SecretsCode, SecretsError } from "./errors.js";
import { ENVELOPE_PREFIX } from "./redact.js";

export interface MasterKey {
  /** Short identifier stored in every envelope: letters, digits, `-` and `_`. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface Keyring {
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];
  /** @internal */
  key(id: string): Buffer | undefined;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** A keyring; `activeKeyId` (default: the first key) encrypts, every key decrypts. */
export function createKeyring(options: { keys: readonly MasterKey[]; activeKeyId?: string }): Keyring {
  const keys = new Map<string, Buffer>();
  options.keys.forEach(({ id, key }, index) => {
    if (!KEY_ID.test(id)) {
      throw new SecretsError(
        SecretsCode.MasterKeyInvalid,
        `Master key id ${JSON.stringify(id)} must be 1–32 of A–Z a–z 0–9 - _.`,
        {
          path: ["keys", index, "id"],
        },
      );
    }
    if (!Buffer.isBuffer(key) || key.length !== 32) {
      throw new SecretsError(
        SecretsCode.MasterKeyInvalid,
        `Master key ${id} must be 32 bytes (AES-256), got ${key?.length ?? 0}.`,
        {
          path: ["keys", index, "key"],
        },
      );
    }
    if (keys.has(id)) {
      throw new SecretsError(SecretsCode.MasterKeyInvalid, `Master key id ${id} appears twice.`, {
        path: ["keys", index, "id"],
      });
    }
    keys.set(id, Buffer.from(key));
  });
  const activeKeyId = options.activeKeyId ?? options.keys[0]?.id;
  if (activeKeyId === undefined || !keys.has(activeKeyId)) {
    throw new SecretsError(
      SecretsCode.MasterKeyInvalid,
      `The active master key ${activeKeyId ?? "(none)"} is not in the keyring.`,
      {
        path: ["activeKeyId"],
      },
    );
  }
  return { activeKeyId, keyIds: [...keys.keys()], key: (id) => keys.get(id) };
}

/** Whether `value` has the envelope form (it may still fail to decrypt). */
export function isEnvelope(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(ENVELOPE_PREFIX);
}

/** The key id an envelope was made with, or `null` when `value` is not an envelope. */
export function envelopeKeyId(value: string): string | null {
  return isEnvelope(value) ? (value.slice(ENVELOPE_PREFIX.length).split(":")[0] ?? null) : null;
}

/** Encrypts `plaintext` with the keyring's active key (fresh random IV each time). */
export function encryptSecret(keyring: Keyring, plaintext: string, context?: string): string {
  const keyId = keyring.activeKeyId;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyring.key(keyId)!, iv);
  if (context !== undefined) cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${ENVELOPE_PREFIX}${keyId}:${iv.toString("base64url")}:${tag.toString("base64url")}:${ciphertext.toString("base64url")}`;
}

/** Decrypts an envelope; `SECRET_DECRYPT_FAILED` when it was altered or made for another context. */
export function decryptSecret(keyring: Keyring, envelope: string, context?: string): string {
  const fail = (why: string) =>
    new SecretsError(SecretsCode.DecryptFailed, `An encrypted secret could not be decrypted: ${why}.`);
  if (!isEnvelope(envelope)) throw fail("it is not an Argus envelope");
  const parts = envelope.slice(ENVELOPE_PREFIX.length).split(":");
  if (parts.length !== 4) throw fail("it is malformed");
  const [keyId, ivText, tagText, dataText] = parts as [string, string, string, string];
  const key = keyring.key(keyId);
  if (key === undefined) {
    throw new SecretsError(
      SecretsCode.UnknownKey,
      `An encrypted secret uses master key ${JSON.stringify(keyId)}, which is not configured.`,
      {
        hint: `Add it back to ARGUS_MASTER_KEYS (after the active key) until every secret is re-encrypted. Known: ${keyring.keyIds.join(", ")}.`,
      },
    );
  }
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  if (iv.length !== 12 || tag.length !== 16) throw fail("it is malformed");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    if (context !== undefined) decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(dataText, "base64url")), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new SecretsError(
      SecretsCode.DecryptFailed,
      "An encrypted secret could not be decrypted: it was altered, or belongs to another context.",
      {
        cause: error,
      },
    );
  }
}

/** Re-encrypts an envelope with the active key (unchanged when it already uses it). */
export function reencryptSecret(keyring: Keyring, envelope: string, context?: string): string {
  if (envelopeKeyId(envelope) === keyring.activeKeyId) return envelope;
  return encryptSecret(keyring, decryptSecret(keyring, envelope, context), context);
}
