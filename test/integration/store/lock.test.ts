import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createStore, LOCK_FILE_NAME, type Store, StoreError } from "../../../src/store/index.js";
import { createTestDataDir, waitFor } from "./support.js";

const childScript = fileURLToPath(new URL("./hold-store.child.ts", import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dataDir(): Promise<string> {
  const data = await createTestDataDir({ migrated: true });
  cleanups.push(data.remove);
  return data.dir;
}

async function open(dir: string): Promise<Store> {
  const store = await createStore({ dataDir: dir });
  cleanups.push(() => store.close());
  return store;
}

function lockPath(dir: string): string {
  return path.join(dir, LOCK_FILE_NAME);
}

function writeLock(dir: string, content: object, ageMs = 0): void {
  writeFileSync(lockPath(dir), JSON.stringify(content));
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    utimesSync(lockPath(dir), then, then);
  }
}

/** Starts a real process that opens the store in `dir`; resolves once it holds it. */
async function holdInChild(dir: string): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, dir], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the child exited early (${child.exitCode}): ${err}`);
      return out.includes("ready");
    },
    60_000,
    "the child process to open the store",
  );
  return child as ChildProcess & { pid: number };
}

describe("the PGlite data directory lock", () => {
  it("a second open of the same directory in this process fails with STORE_LOCKED naming this pid", async () => {
    const dir = await dataDir();
    await open(dir);
    const second = createStore({ dataDir: dir });
    await expect(second).rejects.toBeInstanceOf(StoreError);
    await expect(second).rejects.toMatchObject({ code: "STORE_LOCKED" });
    await expect(second).rejects.toThrow(`pid ${process.pid}`);
  });

  it("the directory opens again after close(), and close() removes the lock file", async () => {
    const dir = await dataDir();
    const first = await createStore({ dataDir: dir });
    expect(existsSync(lockPath(dir))).toBe(true);
    await first.close();
    await first.close(); // idempotent
    expect(existsSync(lockPath(dir))).toBe(false);
    const second = await open(dir);
    expect(second.driver).toBe("pglite");
  });

  it("a store used after close() fails with STORE_CLOSED", async () => {
    const dir = await dataDir();
    const store = await createStore({ dataDir: dir });
    await store.close();
    const { cursors } = await import("../../../src/store/index.js");
    await expect(cursors.get(store, "x")).rejects.toMatchObject({ code: "STORE_CLOSED" });
  });

  it("another running process holding the directory: STORE_LOCKED names its pid; once it is killed, the stale lock is taken over", async () => {
    const dir = await dataDir();
    const child = await holdInChild(dir);
    const blocked = createStore({ dataDir: dir });
    await expect(blocked).rejects.toMatchObject({ code: "STORE_LOCKED" });
    await expect(blocked).rejects.toThrow(`pid ${child.pid} on ${hostname()}`);

    // A crash: SIGKILL leaves the lock file behind with a dead pid.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    expect(JSON.parse(readFileSync(lockPath(dir), "utf8")).pid).toBe(child.pid);

    const store = await open(dir);
    expect(store.driver).toBe("pglite");
    expect(JSON.parse(readFileSync(lockPath(dir), "utf8")).pid).toBe(process.pid);
  }, 90_000);

  it("a lock left by an earlier process with this same pid (a restarted container) is taken over", async () => {
    const dir = await dataDir();
    writeLock(dir, { pid: process.pid, hostname: hostname(), nonce: "earlier", acquired_at: "2020-01-01T00:00:00Z" });
    await open(dir);
    expect(JSON.parse(readFileSync(lockPath(dir), "utf8")).nonce).not.toBe("earlier");
  });

  it("a lock from another host is respected while refreshed and taken over once it goes stale", async () => {
    const dir = await dataDir();
    const foreign = { pid: 1, hostname: "some-other-host", nonce: "n", acquired_at: "2020-01-01T00:00:00Z" };
    writeLock(dir, foreign);
    await expect(createStore({ dataDir: dir })).rejects.toThrow("pid 1 on some-other-host");
    writeLock(dir, foreign, 10 * 60_000);
    await open(dir);
  });

  it("an unreadable (torn) lock file is treated as stale", async () => {
    const dir = await dataDir();
    writeFileSync(lockPath(dir), "{");
    await open(dir);
  });

  it("an aborted open releases the lock and fails with STORE_ABORTED", async () => {
    const dir = await dataDir();
    await expect(createStore({ dataDir: dir }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: "STORE_ABORTED",
    });
    const controller = new AbortController();
    const opening = createStore({ dataDir: dir }, { signal: controller.signal });
    controller.abort();
    await expect(opening).rejects.toMatchObject({ code: "STORE_ABORTED" });
    expect(existsSync(lockPath(dir))).toBe(false);
    await open(dir);
  });
});

describe("opening PostgreSQL", () => {
  it("fails with STORE_UNAVAILABLE, retryable, without the password in the message, when nothing answers", async () => {
    const failure = createStore({ databaseUrl: "postgres://argus:s3cret@127.0.0.1:1/none" });
    await expect(failure).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
    await expect(failure).rejects.toThrow(/postgres:\/\/argus@127\.0\.0\.1:1\/none/);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });
});
