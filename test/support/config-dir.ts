import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sharedFixtures } from "./cli.js";

export interface TempConfigDir {
  dir: string;
  write(relative: string, content: unknown): string;
  close(): void;
}

/** A temporary OZ config directory; `write` creates files (JSON values are pretty-printed). */
export function tempConfigDir(): TempConfigDir {
  const dir = mkdtempSync(path.join(tmpdir(), "argus-cli-"));
  const write = (relative: string, content: unknown) => {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`);
    return file;
  };
  return { dir, write, close: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readFixtureJson<T = Record<string, unknown>>(relative: string): T {
  return JSON.parse(readFileSync(path.join(sharedFixtures, relative), "utf8")) as T;
}

/**
 * The OZ EVM fixture config (`evm/networks/network.json` with its RPC URLs replaced by `rpcUrl`, and
 * `evm/triggers/trigger.json`, whose Telegram token is invalid on purpose) in a temporary directory.
 */
export function evmFixtureConfig(rpcUrl: string): TempConfigDir {
  const config = tempConfigDir();
  const network = readFixtureJson("evm/networks/network.json");
  network.rpc_urls = [{ type_: "rpc", url: { type: "Plain", value: rpcUrl }, weight: 100 }];
  config.write("networks/network.json", network);
  mkdirSync(path.join(config.dir, "triggers"), { recursive: true });
  cpSync(path.join(sharedFixtures, "evm/triggers/trigger.json"), path.join(config.dir, "triggers/trigger.json"));
  return config;
}
