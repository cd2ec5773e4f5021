import { describe, expect, it } from "vitest";
import * as store from "../../../src/store/index.js";

describe("src/store public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(store).sort()).toEqual([
      "CONFIG_CHANNEL",
      "DEFAULT_TENANT_ID",
      "LOCK_FILE_NAME",
      "MEMBER_ROLES",
      "PLAN_LIMITS",
      "PLATFORM_ROLES",
      "SCRIPT_LANGUAGES",
      "StoreCode",
      "StoreError",
      "TENANT_ROLE",
      "TENANT_SETTING",
      "apiKeys",
      "audit",
      "blockHashes",
      "canonical",
      "createStore",
      "cursors",
      "decideThrottle",
      "deliveries",
      "deliveryId",
      "limitsFor",
      "loadMigrations",
      "matches",
      "memberships",
      "migrate",
      "monitors",
      "networks",
      "normalizeEmail",
      "parseConfigChange",
      "quotas",
      "redactDatabaseUrl",
      "refreshTokens",
      "stats",
      "tenants",
      "triggerScripts",
      "triggers",
      "usage",
      "usagePeriod",
      "users",
      "withPlatform",
      "withTenant",
    ]);
  });

  it("repositories expose these operations", () => {
    const ops = (repo: object) => Object.keys(repo).sort();
    expect({
      blockHashes: ops(store.blockHashes),
      cursors: ops(store.cursors),
      deliveries: ops(store.deliveries),
      matches: ops(store.matches),
      monitors: ops(store.monitors),
      networks: ops(store.networks),
      tenants: ops(store.tenants),
      triggers: ops(store.triggers),
      apiKeys: ops(store.apiKeys),
      audit: ops(store.audit),
      memberships: ops(store.memberships),
      quotas: ops(store.quotas),
      refreshTokens: ops(store.refreshTokens),
      triggerScripts: ops(store.triggerScripts),
      usage: ops(store.usage),
      users: ops(store.users),
    }).toEqual({
      blockHashes: ["get", "recent", "record", "rewindTo"],
      cursors: ["advance", "get", "rewind"],
      deliveries: ["attempts", "claimDue", "get", "list", "recordAttempt", "replay"],
      matches: ["get", "insertMany", "list", "markOrphaned"],
      monitors: ["activeSince", "get", "getByName", "history", "list", "remove", "save"],
      networks: ["get", "getBySlug", "list", "remove", "save"],
      tenants: ["create", "get", "getBySlug", "list", "setStatus"],
      triggers: ["get", "getByKey", "history", "list", "remove", "save"],
      apiKeys: ["findByPrefix", "get", "insert", "list", "revoke", "touch"],
      audit: ["list", "record"],
      memberships: ["add", "get", "list", "listForUser", "remove", "setRole"],
      quotas: ["enforce", "limits", "limitsFor", "reserve"],
      refreshTokens: [
        "createSession",
        "findForUpdate",
        "getSession",
        "insertToken",
        "listSessions",
        "markUsed",
        "revokeAllForUser",
        "revokeSession",
        "touchSession",
      ],
      triggerScripts: ["get", "getByPath", "history", "list", "remove", "save"],
      usage: ["get", "increment", "list"],
      users: ["create", "get", "getByEmail", "getWithPasswordHash", "remove", "update"],
    });
  });

  it("every StoreCode is a STORE_-prefixed SCREAMING_SNAKE string (QUOTA_EXCEEDED: the API contract's name)", () => {
    for (const code of Object.values(store.StoreCode)) expect(code).toMatch(/^(STORE_[A-Z_]+|QUOTA_EXCEEDED)$/);
  });
});
