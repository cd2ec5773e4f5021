/**
 * Startup-time secret material on disk: the production-mode rule, and development keys generated once into the
 * data directory.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export type Env = Readonly<Record<string, string | undefined>>;

/** Production mode: `ARGUS_MODE=production`, or `NODE_ENV=production` unless `ARGUS_MODE` says otherwise. */
export function isProductionMode(env: Env = process.env): boolean {
  if (env.ARGUS_MODE !== undefined && env.ARGUS_MODE !== "") return env.ARGUS_MODE === "production";
  return env.NODE_ENV === "production";
}

/**
 * Reads `dataDir/name`, or creates it (mode 0600, exclusively: two starters cannot both create it) with
 * `make()`'s content. Returns the content, trimmed, and whether this call created it.
 */
export async function readOrCreateSecretFile(
  dataDir: string,
  name: string,
  make: () => string = () => randomBytes(32).toString("base64url"),
): Promise<{ content: string; path: string; created: boolean }> {
  const path = join(dataDir, name);
  try {
    return { content: (await readFile(path, "utf8")).trim(), path, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const content = make();
  try {
    await writeFile(path, `${content}\n`, { mode: 0o600, flag: "wx" });
    return { content, path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { content: (await readFile(path, "utf8")).trim(), path, created: false };
  }
}
