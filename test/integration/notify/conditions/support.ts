/**
 * Test support for trigger conditions: a real match (OZ's `monitor.json` on fixture block 0x1451aca, produced by the
 * engine) and the fixture scripts of `test/fixtures/scripts/`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseMonitor, type ScriptLanguage } from "../../../../src/config/index.js";
import {
  compileMonitors,
  type EvmBlock,
  evaluateBlock,
  type Hex,
  type MonitorMatch,
  type MonitorMatchJson,
  type RpcReceipt,
  type RpcTransaction,
  toMatchJson,
} from "../../../../src/engine/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const evmFixtures = path.resolve(repoRoot, "../shared/fixtures/oz/evm");
export const scriptsDir = path.join(repoRoot, "test/fixtures/scripts");

export const LANGUAGES: readonly ScriptLanguage[] = ["Python", "JavaScript", "Bash"];
export const EXTENSION: Readonly<Record<ScriptLanguage, string>> = { Python: "py", JavaScript: "js", Bash: "sh" };

const readJson = (relative: string): unknown => JSON.parse(readFileSync(path.join(evmFixtures, relative), "utf8"));

/** The text of `test/fixtures/scripts/<name>.<ext of language>`. */
export function fixtureScript(name: string, language: ScriptLanguage): string {
  return readFileSync(path.join(scriptsDir, `${name}.${EXTENSION[language]}`), "utf8");
}

export function fixtureScriptPath(name: string, language: ScriptLanguage): string {
  return path.join(scriptsDir, `${name}.${EXTENSION[language]}`);
}

/** OZ's fixture block 0x1451aca (21306058, even) with receipts, as the engine takes it. */
function fixtureBlock(): EvmBlock {
  const receipts = new Map((readJson("transaction_receipts.json") as RpcReceipt[]).map((r) => [r.transactionHash, r]));
  const [first] = readJson("blocks.json") as Array<{
    EVM: Record<string, unknown> & { transactions: RpcTransaction[] };
  }>;
  if (first === undefined) throw new Error("fixture blocks.json is empty");
  const { transactions, ...header } = first.EVM;
  return {
    chain: "EVM",
    number: BigInt(first.EVM.number as string),
    hash: first.EVM.hash as Hex,
    parentHash: first.EVM.parentHash as Hex,
    header: header as EvmBlock["header"],
    transactions: transactions.map((transaction) => {
      const receipt = receipts.get(transaction.hash) ?? null;
      return { transaction, receipt, logs: receipt?.logs ?? [] };
    }),
  };
}

let cached: MonitorMatch | undefined;

/** A real match: OZ's `monitor.json` (USDC transfers) on block 0x1451aca, through the engine. */
export function fixtureMatch(): MonitorMatch {
  if (cached !== undefined) return cached;
  const parsed = parseMonitor(readJson("monitors/monitor.json"), {
    file: "monitor.json",
    checkScripts: false,
    env: {},
  });
  if (!parsed.ok) throw new Error(`monitor.json does not parse: ${JSON.stringify(parsed.problems)}`);
  const { compiled } = compileMonitors([{ id: "usdc", tenantId: "tenant-a", version: 1, monitor: parsed.value }]);
  const { matches } = evaluateBlock(compiled, "ethereum_mainnet", fixtureBlock());
  const [match] = matches;
  if (match === undefined) throw new Error("monitor.json does not match block 0x1451aca");
  cached = match;
  return match;
}

/** The fixture match's JSON with another `transaction.blockNumber` (0x1451acb = 21306059 is odd). */
export function matchInBlock(blockNumberHex: string): MonitorMatchJson {
  const json = structuredClone(toMatchJson(fixtureMatch()));
  if (!("EVM" in json)) throw new Error("the fixture match is not an EVM match");
  json.EVM.transaction = { ...json.EVM.transaction, blockNumber: blockNumberHex as Hex };
  return json;
}

export interface TempDir {
  dir: string;
  file(name: string): string;
  close(): void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), "argus-conditions-"));
  return { dir, file: (name) => path.join(dir, name), close: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Waits until `ms` after `since` (performance.now() time) and reports whether `file` appeared meanwhile. Used to
 * prove a killed script never reached the line that writes it: absence can only be observed over a window.
 */
export async function appearsWithin(file: string, since: number, ms: number): Promise<boolean> {
  while (performance.now() - since < ms) {
    if (existsSync(file)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return existsSync(file);
}
