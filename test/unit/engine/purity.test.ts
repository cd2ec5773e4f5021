import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../src");
const engineDir = path.join(srcDir, "engine");
/** Pure sibling modules the engine may use at runtime. */
const ALLOWED_MODULES = new Set([path.join(srcDir, "expr/index.js"), path.join(srcDir, "errors/index.js")]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Module specifiers imported at runtime (type-only imports and re-exports are erased by TypeScript). */
function runtimeImports(source: string): string[] {
  const specifiers: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gms;
  for (const match of source.matchAll(statement)) {
    if (match[2] || !match[4]) continue;
    const clause = match[3] ?? "";
    // `import { type A, type B } from "x"` is erased too.
    const names = /^\{([^}]*)\}$/.exec(clause.trim())?.[1];
    if (names?.split(",").every((n) => n.trim() === "" || n.trim().startsWith("type "))) continue;
    specifiers.push(match[4]);
  }
  for (const match of source.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) if (match[1]) specifiers.push(match[1]);
  for (const match of source.matchAll(/\b(?:import|require)\s*\(\s*["']([^"']+)["']/g))
    if (match[1]) specifiers.push(match[1]);
  return specifiers;
}

describe("src/engine purity", () => {
  const files = sourceFiles(engineDir);

  it("finds the engine's sources", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((f) => [path.relative(engineDir, f), f]))("%s imports no I/O", (_name, file) => {
    const source = readFileSync(file, "utf8");
    for (const specifier of runtimeImports(source)) {
      const insideEngine =
        specifier.startsWith(".") && path.resolve(path.dirname(file), specifier).startsWith(`${engineDir}${path.sep}`);
      const allowed =
        insideEngine || specifier === "viem" || ALLOWED_MODULES.has(path.resolve(path.dirname(file), specifier));
      expect(allowed, `${file} imports '${specifier}' at runtime`).toBe(true);
    }
    expect(source).not.toMatch(/\bprocess\.(env|stdout|stderr|exit)\b/);
    expect(source).not.toMatch(/\bfetch\s*\(/);
    expect(source).not.toMatch(/\bconsole\./);
    expect(source).not.toMatch(/\bDate\.now\s*\(|new Date\s*\(/);
  });

  it("detects a runtime I/O import (the checker itself can fail)", () => {
    expect(runtimeImports('import { readFileSync } from "node:fs";')).toEqual(["node:fs"]);
    expect(runtimeImports('import type { Monitor } from "../config/index.js";')).toEqual([]);
    expect(runtimeImports('import { type Monitor } from "../config/index.js";')).toEqual([]);
    expect(runtimeImports('const fs = await import("node:fs");')).toEqual(["node:fs"]);
  });
});
