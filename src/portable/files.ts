/** Config bundles ↔ directories on disk, in OZ's layout. */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseJsonText } from "../config/index.js";
import { type ConfigBundle, emptyBundle, normalizeBundlePath, scriptLanguageOf } from "./bundle.js";
import { PortableCode, PortableError } from "./errors.js";

const JSON_FOLDERS = ["networks", "monitors", "triggers"] as const;
/** Folders never searched for scripts. */
const SKIPPED = new Set(["node_modules", ".git"]);
const MAX_SCRIPT_BYTES = 1024 * 1024;

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

function ioError(message: string, file: string, cause?: unknown): PortableError {
  return new PortableError(PortableCode.Io, message, { path: [file], cause });
}

async function readJson(absolute: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    throw ioError(`${file}: cannot be read: ${(error as Error).message}`, file, error);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    throw new PortableError(
      PortableCode.Invalid,
      `${file}: invalid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.message}`,
      { path: [file] },
    );
  }
  return parsed.value;
}

/**
 * Reads an OZ config directory into a bundle: every `*.json` of `networks/`, `monitors/` and `triggers/`, and every
 * script file (`.py`, `.js`, `.sh`) anywhere below the directory (`filters/`, `triggers/scripts/`, …). Nothing is
 * validated here (see `importBundle`); unreadable files and malformed JSON throw `PortableError`.
 */
export async function readConfigDir(dir: string): Promise<ConfigBundle> {
  const root = path.resolve(dir);
  if (!(await isDirectory(root))) throw ioError(`config directory not found: ${root}`, root);
  const bundle = emptyBundle();
  for (const folder of JSON_FOLDERS) {
    const folderPath = path.join(root, folder);
    if (!(await isDirectory(folderPath))) continue;
    const names = (await readdir(folderPath, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith(".json"))
      .map((entry) => entry.name)
      .sort();
    for (const name of names) {
      const value = await readJson(path.join(folderPath, name), `${folder}/${name}`);
      if (folder === "triggers") {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          throw new PortableError(PortableCode.Invalid, `${folder}/${name}: a trigger file must be a JSON object`, {
            path: [`${folder}/${name}`],
          });
        }
        bundle.triggers[name] = value as Record<string, unknown>;
      } else bundle[folder][name] = value;
    }
  }
  for (const file of await scriptFiles(root, "")) {
    const absolute = path.join(root, file);
    const size = (await stat(absolute)).size;
    if (size > MAX_SCRIPT_BYTES) throw ioError(`${file}: script larger than ${MAX_SCRIPT_BYTES} bytes`, file);
    bundle.scripts[file] = await readFile(absolute, "utf8");
  }
  return bundle;
}

async function scriptFiles(root: string, relative: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory() && !SKIPPED.has(entry.name)) found.push(...(await scriptFiles(root, file)));
    else if (entry.isFile() && scriptLanguageOf(entry.name) !== undefined) found.push(file);
  }
  return found;
}

/**
 * Writes a bundle as an OZ config directory (created if needed; existing files with other names are left alone).
 * JSON is written with two-space indentation; scripts with mode 0750 (executable, not group-writable, which
 * `argus validate` warns about). Paths that would leave `dir` are refused.
 */
export async function writeConfigDir(dir: string, bundle: ConfigBundle): Promise<void> {
  const root = path.resolve(dir);
  const files: Array<{ file: string; content: string; mode: number }> = [];
  for (const folder of JSON_FOLDERS) {
    for (const [name, value] of Object.entries(bundle[folder])) {
      files.push({ file: `${folder}/${name}`, content: `${JSON.stringify(value, null, 2)}\n`, mode: 0o640 });
    }
  }
  for (const [name, content] of Object.entries(bundle.scripts)) files.push({ file: name, content, mode: 0o750 });
  for (const { file, content, mode } of files) {
    const normalized = normalizeBundlePath(file);
    if (normalized === undefined) {
      throw ioError(`${file}: not a path inside the config directory`, file);
    }
    const absolute = path.join(root, normalized);
    try {
      await mkdir(path.dirname(absolute), { recursive: true });
      await writeFile(absolute, content, { mode });
    } catch (error) {
      throw ioError(`${file}: cannot be written: ${(error as Error).message}`, file, error);
    }
  }
}
