import { randomBytes } from "node:crypto";
import { type Env, isProductionMode, readOrCreateSecretFile } from "../secrets/index.js";
import { IdentityCode, IdentityError } from "./errors.js";

export interface LoadJwtSecretOptions {
  /** @default process.env */
  env?: Env;
  /** Where a development secret is kept (`jwt.secret`, mode 0600). */
  dataDir: string;
}

export interface LoadedJwtSecret {
  secret: string;
  /** `env`: `ARGUS_JWT_SECRET`; `file`: the data directory's `jwt.secret` (development only). */
  source: "env" | "file";
  /** Set when this call generated the file: log it, so the operator knows where the secret lives. */
  createdPath?: string;
}

/**
 * The JWT signing secret: `ARGUS_JWT_SECRET` (at least 32 characters). In production mode (see
 * `isProductionMode`) it is required: a missing one is a startup error (`JWT_SECRET_INVALID`), never a silent
 * default. In development a random secret is generated once into `dataDir/jwt.secret`.
 */
export async function loadJwtSecret(options: LoadJwtSecretOptions): Promise<LoadedJwtSecret> {
  const env = options.env ?? process.env;
  const configured = env.ARGUS_JWT_SECRET;
  if (configured !== undefined && configured !== "") {
    if (configured.length < 32) {
      throw new IdentityError(IdentityCode.JwtSecretInvalid, "ARGUS_JWT_SECRET must be at least 32 characters long.", {
        path: ["ARGUS_JWT_SECRET"],
        hint: "Generate one with: openssl rand -base64 48",
      });
    }
    return { secret: configured, source: "env" };
  }
  if (isProductionMode(env)) {
    throw new IdentityError(
      IdentityCode.JwtSecretInvalid,
      "ARGUS_JWT_SECRET is not set, and production mode requires it.",
      {
        path: ["ARGUS_JWT_SECRET"],
        hint: "Set ARGUS_JWT_SECRET (e.g. openssl rand -base64 48); every API replica needs the same value.",
      },
    );
  }
  const file = await readOrCreateSecretFile(options.dataDir, "jwt.secret", () => randomBytes(48).toString("base64url"));
  if (file.content.length < 32) {
    throw new IdentityError(IdentityCode.JwtSecretInvalid, `${file.path} holds fewer than 32 characters.`, {
      path: [file.path],
      hint: "Delete the file to have a new secret generated (every session ends).",
    });
  }
  return { secret: file.content, source: "file", ...(file.created ? { createdPath: file.path } : {}) };
}
