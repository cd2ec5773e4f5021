/**
 * The PGlite data directory's lock file. PGlite has no lock of its own and two processes writing one data directory
 * corrupt it, so the store takes `DIR/store.lock` before opening PGlite and keeps it until `close()`.
 *
 * The file holds `{ pid, hostname, nonce, acquired_at }`. The holder touches it every `staleMs / 4`. A lock is stale,
 * and is taken over, when
 * - it names this host and a pid that is not running (the holder crashed), or
 * - it names this process's own pid but this process does not hold it (a container restarted with the same pid), or
 * - it has not been touched for `staleMs` (a holder on another host, or a reused pid, stopped refreshing it).
 * Otherwise opening fails with `STORE_LOCKED`, naming the holder.
 */
import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, stat, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { StoreCode, StoreError } from "./errors.js";

export const LOCK_FILE_NAME = "store.lock";

interface LockContent {
  pid: number;
  hostname: string;
  nonce: string;
  acquired_at: string;
}

export interface DataDirLock {
  readonly path: string;
  readonly pid: number;
  /** Stops refreshing and removes the file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  /**
   * A lock not refreshed for this long is stale.
   * @default 60_000
   */
  staleMs?: number;
}

/** Lock files this process holds, by path: tells "locked by me" apart from "left by my previous incarnation". */
const held = new Set<string>();

function parseLock(text: string): LockContent | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (
      typeof value === "object" &&
      value !== null &&
      "pid" in value &&
      typeof value.pid === "number" &&
      "hostname" in value &&
      typeof value.hostname === "string" &&
      "nonce" in value &&
      typeof value.nonce === "string"
    ) {
      const acquired = "acquired_at" in value && typeof value.acquired_at === "string" ? value.acquired_at : "";
      return { pid: value.pid, hostname: value.hostname, nonce: value.nonce, acquired_at: acquired };
    }
  } catch {
    // A torn write (crash between create and write) reads as garbage: treated as stale below.
  }
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Why an existing lock may be taken over, or `undefined` when its holder is alive. */
function staleReason(
  path: string,
  content: LockContent | undefined,
  ageMs: number,
  staleMs: number,
): string | undefined {
  if (content === undefined) return "unreadable";
  if (content.hostname === hostname()) {
    if (content.pid === process.pid) return held.has(path) ? undefined : "left by an earlier process with this pid";
    if (!isRunning(content.pid)) return `pid ${content.pid} is not running`;
  }
  if (ageMs > staleMs) return `not refreshed for ${Math.round(ageMs / 1000)} s`;
  return undefined;
}

async function tryCreate(path: string, content: LockContent): Promise<boolean> {
  try {
    const handle = await open(path, "wx", 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(content)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    throw error;
  }
}

/**
 * Takes `DIR/store.lock` or fails with `STORE_LOCKED`.
 *
 * @example
 * const lock = await acquireDataDirLock("/var/lib/argus");
 * try { ... } finally { await lock.release(); }
 */
export async function acquireDataDirLock(dataDir: string, options: AcquireLockOptions = {}): Promise<DataDirLock> {
  const staleMs = options.staleMs ?? 60_000;
  const path = `${dataDir}/${LOCK_FILE_NAME}`;
  const content: LockContent = {
    pid: process.pid,
    hostname: hostname(),
    nonce: randomBytes(12).toString("hex"),
    acquired_at: new Date().toISOString(),
  };

  for (let round = 0; round < 5; round++) {
    if (await tryCreate(path, content)) return holdLock(path, content, staleMs);

    let existingText: string;
    let ageMs: number;
    try {
      existingText = await readFile(path, "utf8");
      ageMs = Date.now() - (await stat(path)).mtimeMs;
    } catch (error) {
      if (errnoCode(error) === "ENOENT") continue; // released meanwhile: try again
      throw error;
    }
    const existing = parseLock(existingText);
    const reason = staleReason(path, existing, ageMs, staleMs);
    if (reason === undefined) {
      const holder = existing === undefined ? "another process" : `pid ${existing.pid} on ${existing.hostname}`;
      throw new StoreError(
        StoreCode.Locked,
        `The data directory ${dataDir} is in use by ${holder} (lock file ${path}).`,
        {
          path: [path],
          hint:
            existing?.pid === process.pid
              ? "This process already opened it: share one store instead of opening the directory twice."
              : "Stop that process, or give this one another --data-dir. PGlite serves one process per data directory.",
        },
      );
    }
    // Stale: move it aside atomically, then check we moved the file we judged (not a fresh lock taken meanwhile).
    const aside = `${path}.stale-${content.nonce}`;
    try {
      await rename(path, aside);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") continue;
      throw error;
    }
    const movedText = await readFile(aside, "utf8").catch(() => "");
    if (movedText !== existingText) {
      // Someone took the lock between our read and our rename: put theirs back unless a third party holds it now.
      await link(aside, path).catch(() => undefined);
    }
    await unlink(aside).catch(() => undefined);
  }
  throw new StoreError(StoreCode.Locked, `Could not take the lock file ${path}: it keeps changing hands.`, {
    path: [path],
    hint: "Another process is opening the same data directory at the same time.",
  });
}

function holdLock(path: string, content: LockContent, staleMs: number): DataDirLock {
  held.add(path);
  const refresh = setInterval(
    () => {
      const now = new Date();
      utimes(path, now, now).catch(() => undefined);
    },
    Math.max(10, Math.floor(staleMs / 4)),
  );
  refresh.unref();
  let released = false;
  return {
    path,
    pid: content.pid,
    async release() {
      if (released) return;
      released = true;
      clearInterval(refresh);
      held.delete(path);
      const current = parseLock(await readFile(path, "utf8").catch(() => ""));
      if (current?.nonce === content.nonce) await unlink(path).catch(() => undefined);
    },
  };
}
