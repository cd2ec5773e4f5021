/**
 * Keeps `docs/errors.md` true: every error code the sources can emit is listed there, and nothing listed there is gone.
 *
 * A code is a double-quoted string literal shaped `MODULE_WHAT` (upper case, at least one underscore) anywhere in
 * `src/` outside comments: the `*Code` const objects, the `*ErrorCode` unions, and codes passed straight to
 * `super(...)` / `code:`. Literals of that shape that are not Argus codes are excluded by rule below.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const CODE = /"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/g;

/** Not Argus codes: environment variable names, and error codes of Node, undici and fastify that Argus maps. */
function isForeign(literal: string): boolean {
  return /^(ARGUS|ERR|UND_ERR|EAI|FST)_/.test(literal) || /^[A-Z]+_URL$/.test(literal);
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // devchain is test tooling (hardhat's environment variables), not part of what Argus reports.
    if (entry.isDirectory()) {
      if (entry.name !== "devchain") files.push(...sourceFiles(full));
    } else if (entry.name.endsWith(".ts")) files.push(full);
  }
  return files;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** Every code in the sources, with the files that mention it. */
function sourceCodes(root: string): Map<string, string[]> {
  const codes = new Map<string, string[]>();
  for (const file of sourceFiles(path.join(root, "src"))) {
    for (const match of stripComments(readFileSync(file, "utf8")).matchAll(CODE)) {
      const code = match[1]!;
      if (isForeign(code)) continue;
      const files = codes.get(code) ?? [];
      files.push(path.relative(root, file));
      codes.set(code, files);
    }
  }
  return codes;
}

/** The codes the catalogue documents: the first cell of its table rows. */
function documentedCodes(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((match) => match[1]!);
}

describe("docs/errors.md", () => {
  const markdown = readFileSync(path.join(repoRoot, "docs/errors.md"), "utf8");
  const documented = documentedCodes(markdown);
  const emitted = sourceCodes(repoRoot);

  it("finds the codes of every module in the sources (the scan itself works)", () => {
    for (const known of [
      "CONFIG_UNKNOWN_FIELD",
      "EXPR_PARSE",
      "ENGINE_EXPRESSION_FAILED",
      "RPC_ALL_ENDPOINTS_FAILED",
      "EVM_BLOCK_NOT_FOUND",
      "STELLAR_OUTSIDE_RETENTION",
      "INGEST_REORG_TOO_DEEP",
      "NOTIFY_HTTP_STATUS",
      "SCRIPT_TIMEOUT",
      "DISPATCH_TRIGGER_INVALID",
      "STORE_LOCKED",
      "NET_ADDRESS_FORBIDDEN",
    ]) {
      expect(emitted.has(known), known).toBe(true);
    }
    expect(emitted.has("ARGUS_LOG_LEVEL")).toBe(false);
    expect(emitted.has("DATABASE_URL")).toBe(false);
  });

  it("documents every code the sources emit", () => {
    const missing = [...emitted.keys()].filter((code) => !documented.includes(code)).sort();
    expect(
      missing.map((code) => `${code} (${emitted.get(code)?.join(", ")})`),
      "add these codes to docs/errors.md",
    ).toEqual([]);
  });

  it("documents no code the sources no longer have, and each code once", () => {
    expect(
      documented.filter((code) => !emitted.has(code)),
      "remove these codes from docs/errors.md",
    ).toEqual([]);
    expect(documented.filter((code, i) => documented.indexOf(code) !== i)).toEqual([]);
  });

  it("says what each code means and what to do", () => {
    for (const line of markdown.split("\n").filter((l) => /^\| `[A-Z]/.test(l))) {
      const cells = line.split(" | ");
      expect(cells, line).toHaveLength(3);
      for (const cell of cells) expect(cell.replace(/\|/g, "").trim().length, line).toBeGreaterThan(3);
    }
  });
});
