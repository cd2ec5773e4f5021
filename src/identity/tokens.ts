/**
 * Token formats: HS256 access JWTs, opaque refresh tokens and API keys. Pure apart from randomness and hashing.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { IdentityCode, IdentityError } from "./errors.js";

export interface AccessTokenClaims {
  /** The user id (`sub`). */
  userId: string;
  /** The session (refresh-token family) the token was issued in (`sid`). */
  sessionId: string;
}

export interface JwtSettings {
  key: Uint8Array;
  issuer: string;
  audience: string;
  /** Seconds of clock difference tolerated on `exp`/`iat`/`nbf`. */
  clockToleranceSec: number;
}

/** Signs an access token with `iss`, `aud`, `sub`, `sid`, `jti`, `iat` and `exp`. */
export async function signAccessToken(
  settings: JwtSettings,
  claims: AccessTokenClaims,
  now: Date,
  ttlSec: number,
): Promise<{ token: string; expiresAt: Date; jti: string }> {
  const iat = Math.floor(now.getTime() / 1000);
  const jti = randomBytes(16).toString("base64url");
  const token = await new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.userId)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSec)
    .sign(settings.key);
  return { token, expiresAt: new Date((iat + ttlSec) * 1000), jti };
}

/** Verifies signature (HS256 only), issuer, audience and lifetime; returns the claims Argus uses. */
export async function verifyAccessTokenJwt(
  settings: JwtSettings,
  token: string,
  now: Date,
): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, settings.key, {
      algorithms: ["HS256"],
      issuer: settings.issuer,
      audience: settings.audience,
      clockTolerance: settings.clockToleranceSec,
      currentDate: now,
      requiredClaims: ["exp", "iat", "jti", "sub"],
    });
    if (typeof payload.sid !== "string" || typeof payload.sub !== "string") {
      throw new IdentityError(IdentityCode.TokenInvalid, "The access token lacks its session.");
    }
    if (payload.iat! > Math.floor(now.getTime() / 1000) + settings.clockToleranceSec) {
      throw new IdentityError(IdentityCode.TokenInvalid, "The access token was issued in the future.");
    }
    return { userId: payload.sub, sessionId: payload.sid };
  } catch (error) {
    if (error instanceof IdentityError) throw error;
    if (error instanceof errors.JWTExpired) {
      throw new IdentityError(IdentityCode.TokenExpired, "The access token has expired; refresh it.", {
        cause: error,
      });
    }
    throw new IdentityError(IdentityCode.TokenInvalid, "The access token is not valid.", { cause: error });
  }
}

/** Hex SHA-256: how refresh tokens and API keys are stored (they are random, so no salt or slow hash is needed). */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Compares two hex digests in constant time. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

const REFRESH_PREFIX = "argus_rt_";

/** A new opaque refresh token (256 random bits). */
export function generateRefreshToken(): string {
  return `${REFRESH_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function isRefreshTokenFormat(token: unknown): token is string {
  return typeof token === "string" && /^argus_rt_[A-Za-z0-9_-]{43}$/.test(token);
}

/** `argus_<12 lowercase hex: lookup prefix>_<43 base64url: 32 random bytes>`. */
const API_KEY = /^argus_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** A new API key: the prefix is stored for lookup, only the SHA-256 of the whole key is kept. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString("hex");
  const key = `argus_${prefix}_${randomBytes(32).toString("base64url")}`;
  return { key, prefix, hash: sha256Hex(key) };
}

/** The lookup prefix of a well-formed API key, or `null`. */
export function parseApiKey(raw: unknown): { prefix: string; hash: string } | null {
  if (typeof raw !== "string") return null;
  const found = API_KEY.exec(raw);
  return found === null ? null : { prefix: found[1]!, hash: sha256Hex(raw) };
}
