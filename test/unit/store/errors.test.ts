import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { toStoreError } from "../../../src/store/errors.js";
import { StoreError } from "../../../src/store/index.js";

/** The shape pg's and PGlite's DatabaseError share. */
function databaseError(code: string, message: string, extra: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

function wrapped(code: string, message: string, extra: Record<string, string> = {}): Error {
  return new DrizzleQueryError(
    "insert into matches values ($1, $2)",
    ["secret-param", 42],
    databaseError(code, message, extra),
  );
}

describe("toStoreError()", () => {
  it("maps a unique violation to STORE_CONFLICT, naming the constraint but never the query parameters", () => {
    const error = toStoreError(
      wrapped("23505", "duplicate key", {
        constraint: "tenants_slug_unique",
        detail: "Key (slug)=(acme) already exists.",
      }),
      "tenants.create",
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: "STORE_CONFLICT", sqlState: "23505", constraint: "tenants_slug_unique" });
    expect(error.message).toBe(
      "tenants.create: the row already exists (constraint tenants_slug_unique). Key (slug)=(acme) already exists.",
    );
    expect(error.message).not.toContain("secret-param");
  });

  it("maps foreign-key, check and not-null violations", () => {
    expect(toStoreError(wrapped("23503", "fk"), "op").code).toBe("STORE_REFERENCE_INVALID");
    expect(toStoreError(wrapped("23514", "check"), "op").code).toBe("STORE_CONSTRAINT_VIOLATED");
    expect(toStoreError(wrapped("23502", "not null"), "op").code).toBe("STORE_CONSTRAINT_VIOLATED");
  });

  it("marks serialization failures and deadlocks retryable", () => {
    expect(toStoreError(wrapped("40001", "could not serialize"), "op")).toMatchObject({
      code: "STORE_QUERY_FAILED",
      retryable: true,
    });
    expect(toStoreError(wrapped("40P01", "deadlock"), "op").retryable).toBe(true);
  });

  it("maps lost connections to STORE_UNAVAILABLE (retryable)", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    expect(toStoreError(refused, "op")).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
    expect(toStoreError(wrapped("57P01", "terminating connection"), "op").code).toBe("STORE_UNAVAILABLE");
  });

  it("keeps only the first line of unknown errors (drizzle puts the parameters on the second)", () => {
    const error = toStoreError(new DrizzleQueryError("select 1", ["secret-param"], new Error("boom")), "op");
    expect(error.code).toBe("STORE_QUERY_FAILED");
    expect(error.message).not.toContain("secret-param");
  });

  it("passes StoreErrors through unchanged", () => {
    const original = new StoreError("STORE_NOT_FOUND", "x");
    expect(toStoreError(original, "op")).toBe(original);
  });
});
