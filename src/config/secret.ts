/**
 * Secret values (`{"type": "Plain" | "Environment" | "HashicorpCloudVault", "value": "…"}`), OZ §1.2.
 *
 * Secrets are resolved at load time, before validation (URL checks apply to the resolved value). After loading
 * every secret is `{type: "Plain", value: <resolved>}` (OZ semantics; that is also how it serialises into a match);
 * `secretSource(resolved)` still returns what the file said, e.g. to store or show the reference, not the value.
 */
import { z } from "zod";
import { formatJsonPath } from "../errors/index.js";
import { ConfigCode, ConfigError, type ProblemSink } from "./errors.js";

export const SECRET_TYPES = ["Plain", "Environment", "HashicorpCloudVault"] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

/** `type` is matched case-insensitively and normalised to `Plain` / `Environment` / `HashicorpCloudVault`. */
export const SecretTypeSchema = z.string().transform((text, ctx): SecretType => {
  const found = SECRET_TYPES.find((t) => t.toLowerCase() === text.toLowerCase());
  if (found === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected one of "Plain", "Environment", "HashicorpCloudVault" (any case), got ${JSON.stringify(text)}`,
      params: { code: ConfigCode.InvalidEnum },
    });
    return z.NEVER;
  }
  return found;
});

/** A secret object. Keys other than `type` and `value` are ignored (as OZ does). */
export const SecretValueSchema = z.object({ type: SecretTypeSchema, value: z.string() });
export type SecretValue = z.output<typeof SecretValueSchema>;

/** Environment to resolve `Environment` secrets from. */
export type SecretEnv = Readonly<Record<string, string | undefined>>;

const sources = new WeakMap<SecretValue, SecretValue>();

/** The secret as written in the file (`{type: "Environment", value: "RPC_URL"}`) for a resolved secret. */
export function secretSource(secret: SecretValue): SecretValue {
  return sources.get(secret) ?? secret;
}

/**
 * Resolves a secret to its value. Throws `ConfigError` (`CONFIG_SECRET_ENV_MISSING` when the environment variable
 * is not set, `CONFIG_SECRET_UNSUPPORTED` for HashicorpCloudVault).
 * @param field - names the field in messages (e.g. `"rpc_urls[0].url"`).
 */
export function resolveSecret(secret: SecretValue, options: { env?: SecretEnv; field?: string } = {}): string {
  const env = options.env ?? process.env;
  switch (secret.type) {
    case "Plain":
      return secret.value;
    case "Environment": {
      const value = env[secret.value];
      if (value === undefined) {
        const field = options.field ? ` (referenced by ${options.field})` : "";
        throw new ConfigError(
          ConfigCode.SecretEnvMissing,
          `environment variable ${JSON.stringify(secret.value)} is not set${field}`,
          { hint: `export ${secret.value}=… or add it to .env` },
        );
      }
      return value;
    }
    case "HashicorpCloudVault":
      throw new ConfigError(
        ConfigCode.SecretUnsupported,
        "HashicorpCloudVault secrets are not supported yet; use Environment or Plain",
      );
  }
}

/**
 * Resolves `secret` into a Plain secret, recording problems at `path` instead of throwing.
 * Returns undefined when it cannot be resolved.
 */
export function resolveInto(
  secret: SecretValue,
  path: (string | number)[],
  env: SecretEnv,
  sink: ProblemSink,
): SecretValue | undefined {
  try {
    const jsonPath = formatJsonPath(path);
    const field = jsonPath.startsWith("$.") ? jsonPath.slice(2) : jsonPath;
    const resolved: SecretValue = { type: "Plain", value: resolveSecret(secret, { env, field }) };
    sources.set(resolved, secretSource(secret));
    return resolved;
  } catch (error) {
    if (error instanceof ConfigError) {
      sink.error(path, error.code, error.message);
      return undefined;
    }
    throw error;
  }
}
