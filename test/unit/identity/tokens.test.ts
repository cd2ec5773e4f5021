import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import * as identity from "../../../src/identity/index.js";
import {
  assertPasswordPolicy,
  generateApiKey,
  hashPassword,
  isScope,
  loadJwtSecret,
  parseApiKey,
  SCOPES,
  verifyPassword,
} from "../../../src/identity/index.js";
import {
  digestsEqual,
  generateRefreshToken,
  isRefreshTokenFormat,
  type JwtSettings,
  signAccessToken,
  verifyAccessTokenJwt,
} from "../../../src/identity/tokens.js";

const settings: JwtSettings = {
  key: new TextEncoder().encode("k".repeat(32)),
  issuer: "https://argus.test",
  audience: "argus-api",
  clockToleranceSec: 5,
};
const t0 = new Date("2030-01-01T00:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe("access tokens", () => {
  it("signAccessToken() → verifyAccessTokenJwt() round-trips sub and sid, with iss/aud/exp/iat/jti", async () => {
    const { token, expiresAt, jti } = await signAccessToken(settings, { userId: "u1", sessionId: "s1" }, t0, 900);
    expect(expiresAt).toEqual(at(900));
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(payload).toMatchObject({ iss: settings.issuer, aud: settings.audience, sub: "u1", sid: "s1", jti });
    expect(payload.exp - payload.iat).toBe(900);
    expect(await verifyAccessTokenJwt(settings, token, at(10))).toEqual({ userId: "u1", sessionId: "s1" });
  });

  it("expiry allows only the small clock skew", async () => {
    const { token } = await signAccessToken(settings, { userId: "u1", sessionId: "s1" }, t0, 60);
    await expect(verifyAccessTokenJwt(settings, token, at(64))).resolves.toBeDefined();
    await expect(verifyAccessTokenJwt(settings, token, at(66))).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
    await expect(verifyAccessTokenJwt(settings, token, at(-60))).rejects.toMatchObject({ code: "TOKEN_INVALID" });
  });

  it("rejects another secret, issuer or audience, a tampered payload, alg none and missing claims", async () => {
    const { token } = await signAccessToken(settings, { userId: "u1", sessionId: "s1" }, t0, 60);
    const other = { ...settings, key: new TextEncoder().encode("x".repeat(32)) };
    await expect(verifyAccessTokenJwt(other, token, t0)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    await expect(verifyAccessTokenJwt({ ...settings, issuer: "evil" }, token, t0)).rejects.toMatchObject({
      code: "TOKEN_INVALID",
    });
    await expect(verifyAccessTokenJwt({ ...settings, audience: "other" }, token, t0)).rejects.toMatchObject({
      code: "TOKEN_INVALID",
    });
    const [h, p, s] = token.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), sub: "admin" }),
    ).toString("base64url");
    await expect(verifyAccessTokenJwt(settings, `${h}.${forged}.${s}`, t0)).rejects.toMatchObject({
      code: "TOKEN_INVALID",
    });
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${p}.`;
    await expect(verifyAccessTokenJwt(settings, none, t0)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    const noJti = await new SignJWT({ sid: "s1" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setSubject("u1")
      .setIssuedAt(Math.floor(t0.getTime() / 1000))
      .setExpirationTime(Math.floor(t0.getTime() / 1000) + 60)
      .sign(settings.key);
    await expect(verifyAccessTokenJwt(settings, noJti, t0)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    const hs512 = await new SignJWT({ sid: "s1" })
      .setProtectedHeader({ alg: "HS512" })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setSubject("u1")
      .setJti("j")
      .setIssuedAt(Math.floor(t0.getTime() / 1000))
      .setExpirationTime(Math.floor(t0.getTime() / 1000) + 60)
      .sign(new TextEncoder().encode("k".repeat(64)));
    await expect(verifyAccessTokenJwt(settings, hs512, t0)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
  });
});

describe("refresh tokens and API keys", () => {
  it("refresh tokens are 256-bit opaque strings of a fixed shape, all different", () => {
    const tokens = new Set(Array.from({ length: 100 }, generateRefreshToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(isRefreshTokenFormat(token)).toBe(true);
    expect(isRefreshTokenFormat("argus_rt_short")).toBe(false);
  });

  it("generateApiKey(): argus_<prefix>_<secret>; parseApiKey() finds the prefix and the hash, rejects anything else", () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^argus_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`argus_${prefix}_`)).toBe(true);
    expect(parseApiKey(key)).toEqual({ prefix, hash });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain(hash);
    for (const bad of ["", "argus_", `${key}x`, key.replace("argus_", "argos_"), `Bearer ${key}`, 42, null]) {
      expect(parseApiKey(bad)).toBeNull();
    }
    expect(generateApiKey().prefix).not.toBe(prefix);
  });

  it("digestsEqual() compares hex digests (constant time, length-safe)", () => {
    expect(digestsEqual("ab".repeat(32), "ab".repeat(32))).toBe(true);
    expect(digestsEqual("ab".repeat(32), "ac".repeat(32))).toBe(false);
    expect(digestsEqual("ab".repeat(32), "ab".repeat(31))).toBe(false);
    expect(digestsEqual("", "")).toBe(false);
  });

  it("scopes are resource × read/write", () => {
    expect(SCOPES).toHaveLength(20);
    expect(isScope("monitors:write")).toBe(true);
    expect(isScope("monitors:admin")).toBe(false);
    expect(isScope("*")).toBe(false);
  });
});

describe("passwords", () => {
  it("hashPassword() makes salted argon2id hashes that verifyPassword() accepts only for the password", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, "correct horse battery")).toBe(true);
    expect(await verifyPassword(a, "correct horse batterY")).toBe(false);
    expect(await verifyPassword("not a hash", "x")).toBe(false);
  });

  it("assertPasswordPolicy() bounds the length", () => {
    expect(() => assertPasswordPolicy("short")).toThrow(expect.objectContaining({ path: ["password"] }));
    expect(() => assertPasswordPolicy("x".repeat(1025))).toThrow();
    expect(() => assertPasswordPolicy("long enough!")).not.toThrow();
  });
});

describe("loadJwtSecret()", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "argus-jwt-"));
    dirs.push(dir);
    return dir;
  };

  it("takes ARGUS_JWT_SECRET, refuses a short one, and requires it in production mode", async () => {
    const dir = dataDir();
    await expect(loadJwtSecret({ dataDir: dir, env: { ARGUS_JWT_SECRET: "s".repeat(32) } })).resolves.toEqual({
      secret: "s".repeat(32),
      source: "env",
    });
    await expect(loadJwtSecret({ dataDir: dir, env: { ARGUS_JWT_SECRET: "short" } })).rejects.toMatchObject({
      code: "JWT_SECRET_INVALID",
    });
    for (const env of [{ ARGUS_MODE: "production" }, { NODE_ENV: "production" }]) {
      await expect(loadJwtSecret({ dataDir: dir, env })).rejects.toMatchObject({
        code: "JWT_SECRET_INVALID",
        path: ["ARGUS_JWT_SECRET"],
      });
    }
  });

  it("in development generates one secret into the data directory (0600) and reuses it", async () => {
    const dir = dataDir();
    const first = await loadJwtSecret({ dataDir: dir, env: {} });
    expect(first.source).toBe("file");
    expect(first.createdPath).toBe(path.join(dir, "jwt.secret"));
    expect(statSync(first.createdPath!).mode & 0o777).toBe(0o600);
    const second = await loadJwtSecret({ dataDir: dir, env: { NODE_ENV: "production", ARGUS_MODE: "development" } });
    expect(second).toEqual({ secret: first.secret, source: "file" });
    expect(readFileSync(first.createdPath!, "utf8").trim()).toBe(first.secret);
  });
});

describe("src/identity public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(identity).sort()).toEqual([
      "IdentityCode",
      "IdentityError",
      "PASSWORD_MAX_LENGTH",
      "PASSWORD_MIN_LENGTH",
      "RESOURCE_KINDS",
      "ROLES",
      "SCOPES",
      "assertPasswordPolicy",
      "createIdentity",
      "generateApiKey",
      "hashPassword",
      "isRole",
      "isScope",
      "loadJwtSecret",
      "parseApiKey",
      "verifyPassword",
    ]);
  });
});
