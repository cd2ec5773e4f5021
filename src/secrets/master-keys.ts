import { randomBytes } from "node:crypto";
import { createKeyring, type Keyring, type MasterKey } from "./envelope.js";
import { SecretsCode, SecretsError } from "./errors.js";
import { type Env, isProductionMode, readOrCreateSecretFile } from "./files.js";

/** Parses `id:base64,id:base64,…` (standard or url-safe base64 of 32 bytes each); the first is the active key. */
export function parseMasterKeys(text: string, source = "ARGUS_MASTER_KEYS"): MasterKey[] {
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) {
    throw new SecretsError(SecretsCode.MasterKeyInvalid, `${source} lists no keys.`, { path: [source] });
  }
  return entries.map((entry, index) => {
    const colon = entry.indexOf(":");
    if (colon <= 0) {
      throw new SecretsError(
        SecretsCode.MasterKeyInvalid,
        `${source} entry ${index + 1} must be "<id>:<base64 of 32 bytes>".`,
        {
          path: [source, index],
          hint: 'Generate one with: echo "k1:$(openssl rand -base64 32)"',
        },
      );
    }
    const id = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded.replaceAll("-", "+").replaceAll("_", "/"), "base64");
    if (key.length !== 32) {
      throw new SecretsError(
        SecretsCode.MasterKeyInvalid,
        `${source} key ${JSON.stringify(id)} must decode to 32 bytes, got ${key.length}.`,
        {
          path: [source, index],
          hint: 'Generate one with: echo "k1:$(openssl rand -base64 32)"',
        },
      );
    }
    return { id, key };
  });
}

export interface LoadMasterKeysOptions {
  /** @default process.env */
  env?: Env;
  /** Where a development key is kept (`master.key`, mode 0600). */
  dataDir: string;
}

export interface LoadedMasterKeys {
  keyring: Keyring;
  /** `env`: `ARGUS_MASTER_KEYS`; `file`: the data directory's `master.key` (development only). */
  source: "env" | "file";
  /** Set when this call generated the file: log it ("generated a development master key at …"). */
  createdPath?: string;
}

/**
 * The master keyring: `ARGUS_MASTER_KEYS` (`id:base64,…`, first = active, the others still decrypt). In production
 * mode (`ARGUS_MODE=production` or `NODE_ENV=production`) it is required (`SECRET_MASTER_KEY_INVALID` otherwise);
 * in development one key is generated once into `dataDir/master.key` (mode 0600) and reused.
 */
export async function loadMasterKeys(options: LoadMasterKeysOptions): Promise<LoadedMasterKeys> {
  const env = options.env ?? process.env;
  const configured = env.ARGUS_MASTER_KEYS;
  if (configured !== undefined && configured.trim() !== "") {
    return { keyring: createKeyring({ keys: parseMasterKeys(configured) }), source: "env" };
  }
  if (isProductionMode(env)) {
    throw new SecretsError(
      SecretsCode.MasterKeyInvalid,
      "ARGUS_MASTER_KEYS is not set, and production mode requires it.",
      {
        path: ["ARGUS_MASTER_KEYS"],
        hint: 'Set ARGUS_MASTER_KEYS="k1:$(openssl rand -base64 32)"; keep it safe: without it stored secrets are lost.',
      },
    );
  }
  const file = await readOrCreateSecretFile(
    options.dataDir,
    "master.key",
    () => `dev1:${randomBytes(32).toString("base64")}`,
  );
  const keyring = createKeyring({ keys: parseMasterKeys(file.content, file.path) });
  return { keyring, source: "file", ...(file.created ? { createdPath: file.path } : {}) };
}
