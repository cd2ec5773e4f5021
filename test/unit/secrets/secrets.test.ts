import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as secrets from "../../../src/secrets/index.js";
import {
  assertNoEnvironmentSecrets,
  createKeyring,
  decryptSecret,
  decryptSecrets,
  encryptSecret,
  encryptSecrets,
  envelopeKeyId,
  findEnvironmentSecrets,
  isProductionMode,
  loadMasterKeys,
  parseMasterKeys,
  redactSecrets,
  reencryptSecrets,
} from "../../../src/secrets/index.js";

const k1 = { id: "k1", key: randomBytes(32) };
const k2 = { id: "k2", key: randomBytes(32) };
const ring = createKeyring({ keys: [k1] });

const trigger = {
  slack_ops: {
    name: "Ops",
    trigger_type: "slack",
    config: {
      slack_url: { type: "Plain", value: "https://hooks.slack.com/services/T0/B0/secret" },
      message: { title: "t", body: "b" },
    },
  },
  hook: {
    name: "Hook",
    trigger_type: "webhook",
    config: {
      url: { type: "plain", value: "https://example.com/hook" },
      secret: { type: "Plain", value: "whsec_abc" },
      headers: { "X-Static": "not a secret" },
    },
  },
};

describe("envelopes", () => {
  it("encryptSecret() → decryptSecret() round-trips; each envelope is fresh and names its key", () => {
    const a = encryptSecret(ring, "hunter2");
    const b = encryptSecret(ring, "hunter2");
    expect(a).toMatch(/^argus:v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("hunter2");
    expect(decryptSecret(ring, a)).toBe("hunter2");
    expect(envelopeKeyId(a)).toBe("k1");
    expect(decryptSecret(ring, encryptSecret(ring, ""))).toBe("");
    expect(decryptSecret(ring, encryptSecret(ring, "ünïcödé 🔑"))).toBe("ünïcödé 🔑");
  });

  it("detects tampering with the ciphertext, the tag, the IV or the key id, and a wrong context", () => {
    const envelope = encryptSecret(ring, "attack at dawn", "tenant-a");
    const parts = envelope.split(":");
    const flip = (text: string) => {
      const bytes = Buffer.from(text, "base64url");
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString("base64url");
    };
    for (const index of [3, 4, 5]) {
      const tampered = parts.map((part, i) => (i === index ? flip(part) : part)).join(":");
      expect(() => decryptSecret(ring, tampered, "tenant-a"), `part ${index}`).toThrow(
        expect.objectContaining({ code: "SECRET_DECRYPT_FAILED" }),
      );
    }
    expect(() => decryptSecret(ring, envelope, "tenant-b")).toThrow(
      expect.objectContaining({ code: "SECRET_DECRYPT_FAILED" }),
    );
    expect(() => decryptSecret(ring, envelope)).toThrow(expect.objectContaining({ code: "SECRET_DECRYPT_FAILED" }));
    expect(() => decryptSecret(ring, envelope.replace(":k1:", ":k9:"), "tenant-a")).toThrow(
      expect.objectContaining({ code: "SECRET_UNKNOWN_KEY" }),
    );
    const otherKey = createKeyring({ keys: [{ id: "k1", key: randomBytes(32) }] });
    expect(() => decryptSecret(otherKey, envelope, "tenant-a")).toThrow(
      expect.objectContaining({ code: "SECRET_DECRYPT_FAILED" }),
    );
    expect(() => decryptSecret(ring, "argus:v1:k1:abc", "tenant-a")).toThrow(
      expect.objectContaining({ code: "SECRET_DECRYPT_FAILED" }),
    );
  });

  it("createKeyring() validates key sizes, ids and the active key", () => {
    expect(() => createKeyring({ keys: [{ id: "k1", key: randomBytes(16) }] })).toThrow(
      expect.objectContaining({ code: "SECRET_MASTER_KEY_INVALID", path: ["keys", 0, "key"] }),
    );
    expect(() => createKeyring({ keys: [{ id: "a:b", key: randomBytes(32) }] })).toThrow(
      expect.objectContaining({ path: ["keys", 0, "id"] }),
    );
    expect(() => createKeyring({ keys: [k1, { ...k2, id: "k1" }] })).toThrow(
      expect.objectContaining({ path: ["keys", 1, "id"] }),
    );
    expect(() => createKeyring({ keys: [k1], activeKeyId: "k2" })).toThrow(
      expect.objectContaining({ path: ["activeKeyId"] }),
    );
    expect(() => createKeyring({ keys: [] })).toThrow(expect.objectContaining({ code: "SECRET_MASTER_KEY_INVALID" }));
  });
});

describe("secrets in OZ documents", () => {
  it("encryptSecrets() encrypts every Plain value in place (OZ shape kept), idempotently; decryptSecrets() restores it", () => {
    const stored = encryptSecrets(ring, trigger, { context: "t1" });
    expect(stored.slack_ops.config.slack_url.type).toBe("Plain");
    expect(stored.slack_ops.config.slack_url.value).toMatch(/^argus:v1:k1:/);
    expect(stored.hook.config.url.type).toBe("plain");
    expect(stored.hook.config.headers).toEqual({ "X-Static": "not a secret" });
    expect(JSON.stringify(stored)).not.toMatch(/hooks\.slack|whsec_abc|example\.com\/hook/);
    expect(encryptSecrets(ring, stored, { context: "t1" })).toEqual(stored);
    expect(decryptSecrets(ring, stored, { context: "t1" })).toEqual(trigger);
    expect(trigger.slack_ops.config.slack_url.value).toBe("https://hooks.slack.com/services/T0/B0/secret");
  });

  it("decryptSecrets() reports the JSON path of a broken secret; plaintext from before encryption passes through", () => {
    const stored = encryptSecrets(ring, trigger);
    const broken = structuredClone(stored);
    broken.hook.config.secret.value = `${broken.hook.config.secret.value.slice(0, -2)}AA`;
    expect(() => decryptSecrets(ring, broken)).toThrow(
      expect.objectContaining({ code: "SECRET_DECRYPT_FAILED", path: ["hook", "config", "secret"] }),
    );
    expect(decryptSecrets(ring, trigger)).toEqual(trigger);
  });

  it("key rotation: a document under k1 decrypts with [k2 active, k1], and reencryptSecrets() moves it to k2", () => {
    const old = encryptSecrets(ring, trigger, { context: "t1" });
    const rotated = createKeyring({ keys: [k2, k1] });
    expect(rotated.activeKeyId).toBe("k2");
    expect(decryptSecrets(rotated, old, { context: "t1" })).toEqual(trigger);
    const { document, changed } = reencryptSecrets(rotated, old, { context: "t1" });
    expect(changed).toBe(3);
    expect(envelopeKeyId(document.hook.config.secret.value)).toBe("k2");
    expect(reencryptSecrets(rotated, document, { context: "t1" }).changed).toBe(0);
    const onlyK2 = createKeyring({ keys: [k2] });
    expect(decryptSecrets(onlyK2, document, { context: "t1" })).toEqual(trigger);
    expect(() => decryptSecrets(onlyK2, old, { context: "t1" })).toThrow(
      expect.objectContaining({ code: "SECRET_UNKNOWN_KEY" }),
    );
  });

  it("redactSecrets() masks secret values, envelopes and credential fields, and nothing else", () => {
    const network = {
      name: "Mainnet",
      rpc_urls: [{ type_: "rpc", url: { type: "Environment", value: "RPC_URL" }, weight: 100 }],
      block: { hash: "0xabc" },
    };
    expect(redactSecrets(network)).toEqual({
      ...network,
      rpc_urls: [{ type_: "rpc", url: { type: "Environment", value: "***" }, weight: 100 }],
    });
    const redacted = redactSecrets(encryptSecrets(ring, trigger));
    expect(redacted.hook.config.secret).toEqual({ type: "Plain", value: "***" });
    expect(redacted.hook.config.headers).toEqual({ "X-Static": "not a secret" });
    expect(redactSecrets({ note: encryptSecret(ring, "x"), password_hash: "$argon2id$…", keyHash: "ff" })).toEqual({
      note: "***",
      password_hash: "***",
      keyHash: "***",
    });
  });

  it("Environment secrets are found and refused with their path", () => {
    const doc = {
      a: { url: { type: "environment", value: "DATABASE_URL" } },
      b: [{ type: "Environment", value: "X" }],
    };
    expect(findEnvironmentSecrets(doc).map((s) => s.path)).toEqual([
      ["a", "url"],
      ["b", 0],
    ]);
    expect(() => assertNoEnvironmentSecrets(doc, ["body"])).toThrow(
      expect.objectContaining({ code: "SECRET_ENVIRONMENT_FORBIDDEN", path: ["body", "a", "url"] }),
    );
    expect(() => assertNoEnvironmentSecrets(trigger)).not.toThrow();
  });
});

describe("master keys", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "argus-keys-"));
    dirs.push(dir);
    return dir;
  };

  it("parseMasterKeys() reads id:base64 lists (standard or url-safe), first = active", async () => {
    const text = `k2:${k2.key.toString("base64")}, k1:${k1.key.toString("base64url")}`;
    const keys = parseMasterKeys(text);
    expect(keys.map((k) => k.id)).toEqual(["k2", "k1"]);
    expect(keys[1]!.key.equals(k1.key)).toBe(true);
    const loaded = await loadMasterKeys({
      dataDir: dataDir(),
      env: { ARGUS_MASTER_KEYS: text, ARGUS_MODE: "production" },
    });
    expect(loaded.source).toBe("env");
    expect(loaded.keyring.activeKeyId).toBe("k2");
    expect(() => parseMasterKeys("k1:c2hvcnQ=")).toThrow(
      expect.objectContaining({ code: "SECRET_MASTER_KEY_INVALID" }),
    );
    expect(() => parseMasterKeys("nocolon")).toThrow(expect.objectContaining({ path: ["ARGUS_MASTER_KEYS", 0] }));
  });

  it("production mode without ARGUS_MASTER_KEYS is a startup error", async () => {
    expect(isProductionMode({ NODE_ENV: "production" })).toBe(true);
    expect(isProductionMode({ ARGUS_MODE: "production" })).toBe(true);
    expect(isProductionMode({ NODE_ENV: "production", ARGUS_MODE: "development" })).toBe(false);
    expect(isProductionMode({})).toBe(false);
    await expect(loadMasterKeys({ dataDir: dataDir(), env: { NODE_ENV: "production" } })).rejects.toMatchObject({
      code: "SECRET_MASTER_KEY_INVALID",
      path: ["ARGUS_MASTER_KEYS"],
    });
  });

  it("development: a key is generated once into the data directory (0600) and reused", async () => {
    const dir = dataDir();
    const first = await loadMasterKeys({ dataDir: dir, env: {} });
    expect(first.createdPath).toBe(path.join(dir, "master.key"));
    expect(statSync(first.createdPath!).mode & 0o777).toBe(0o600);
    const envelope = encryptSecret(first.keyring, "kept across restarts");
    const second = await loadMasterKeys({ dataDir: dir, env: {} });
    expect(second.createdPath).toBeUndefined();
    expect(decryptSecret(second.keyring, envelope)).toBe("kept across restarts");
    writeFileSync(path.join(dir, "master.key"), "garbage");
    await expect(loadMasterKeys({ dataDir: dir, env: {} })).rejects.toMatchObject({
      code: "SECRET_MASTER_KEY_INVALID",
    });
    expect(readFileSync(path.join(dir, "master.key"), "utf8")).toBe("garbage");
  });
});

describe("src/secrets public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(secrets).sort()).toEqual([
      "ENVELOPE_PREFIX",
      "REDACTED",
      "SECRET_VALUE_TYPES",
      "SecretsCode",
      "SecretsError",
      "assertNoEnvironmentSecrets",
      "createKeyring",
      "decryptSecret",
      "decryptSecrets",
      "encryptSecret",
      "encryptSecrets",
      "envelopeKeyId",
      "findEnvironmentSecrets",
      "findSecrets",
      "isEnvelope",
      "isProductionMode",
      "loadMasterKeys",
      "parseMasterKeys",
      "readOrCreateSecretFile",
      "redactSecrets",
      "reencryptSecret",
      "reencryptSecrets",
      "secretType",
    ]);
  });
});
