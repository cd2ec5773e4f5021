import path from "node:path";
import { type Keyring, loadMasterKeys } from "../secrets/index.js";
import { createStore, type Store } from "../store/index.js";
import type { CliIo } from "./command.js";

/** Commands that work on the store directly (import, export, user) share these options. */
export const STORE_DETAILS = [
  "  --data-dir DIR      Embedded database directory (default ./.argus/data); not while `argus start` uses it",
  "  --database-url URL  PostgreSQL instead (default: DATABASE_URL)",
];

export const storeOptions = {
  "data-dir": { type: "string" },
  "database-url": { type: "string" },
} as const;

/** The store, and the keyring secrets at rest use (the same as `argus start` with these options). */
export async function openStore(
  values: { "data-dir"?: string; "database-url"?: string },
  io: CliIo,
): Promise<{ store: Store; keyring: Keyring }> {
  const databaseUrl = values["database-url"] ?? io.env.DATABASE_URL;
  const dataDir = path.resolve(io.cwd, values["data-dir"] ?? io.env.ARGUS_DATA_DIR ?? ".argus/data");
  const { keyring } = await loadMasterKeys({ env: io.env, dataDir });
  const store = await createStore(databaseUrl ? { databaseUrl } : { dataDir });
  return { store, keyring };
}

export async function withStore<T>(
  opened: { store: Store; keyring: Keyring },
  fn: (store: Store, keyring: Keyring) => Promise<T>,
): Promise<T> {
  try {
    return await fn(opened.store, opened.keyring);
  } finally {
    await opened.store.close();
  }
}
