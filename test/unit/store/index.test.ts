import { describe, expect, it } from "vitest";
import * as store from "../../../src/store/index.js";

describe("src/store public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(store).sort()).toEqual([
      "DEFAULT_TENANT_ID",
      "LOCK_FILE_NAME",
      "StoreCode",
      "StoreError",
      "blockHashes",
      "createStore",
      "cursors",
      "decideThrottle",
      "deliveries",
      "deliveryId",
      "loadMigrations",
      "matches",
      "migrate",
      "monitors",
      "networks",
      "redactDatabaseUrl",
      "tenants",
      "triggers",
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
    }).toEqual({
      blockHashes: ["get", "recent", "record", "rewindTo"],
      cursors: ["advance", "get", "rewind"],
      deliveries: ["attempts", "claimDue", "get", "list", "recordAttempt", "replay"],
      matches: ["get", "insertMany", "list", "markOrphaned"],
      monitors: ["get", "getByName", "history", "list", "remove", "save"],
      networks: ["get", "getBySlug", "list", "remove", "save"],
      tenants: ["create", "get", "getBySlug", "setStatus"],
      triggers: ["get", "getByKey", "history", "list", "remove", "save"],
    });
  });

  it("every StoreCode is a STORE_-prefixed SCREAMING_SNAKE string", () => {
    for (const code of Object.values(store.StoreCode)) expect(code).toMatch(/^STORE_[A-Z_]+$/);
  });
});
