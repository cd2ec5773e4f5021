import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_BENCH_OPTIONS, runShardBenchmark, TARGET_MAX_MEAN } from "../../../bench/shards/run.js";
import * as shard from "../../../src/shard/index.js";
import { hash32, ShardCode, shardOf } from "../../../src/shard/index.js";

describe("src/shard public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(shard).sort()).toMatchInlineSnapshot(`
      [
        "SHARD_STRATEGIES",
        "ShardCode",
        "ShardError",
        "assignShards",
        "createMemoryMembership",
        "createRedisMembership",
        "hash32",
        "parseShardOptions",
        "shardOf",
        "shardOptionsSchema",
        "shardsOwnedBy",
      ]
    `);
  });

  it("every error code is prefixed SHARD_ and unique", () => {
    const codes = Object.values(ShardCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^SHARD_[A-Z_]+$/);
  });
});

describe("hash32() / shardOf()", () => {
  it("is MurmurHash3 x86_32 over UTF-8 (reference vectors)", () => {
    expect(hash32("")).toBe(0);
    expect(hash32("", 1)).toBe(0x514e28b7);
    expect(hash32("hello")).toBe(0x248bfa47);
    expect(hash32("The quick brown fox jumps over the lazy dog")).toBe(0x2e4ff723);
    expect(hash32("Hello, world!", 1234)).toBe(0xfaf6cdb3);
    expect(hash32("ab")).not.toBe(hash32("ba"));
  });

  it("puts a tenant in a stable shard within range", () => {
    // Pinned: a tenant must land in the same shard on every machine and version.
    expect([
      shardOf("tenant-0001", 512),
      shardOf("00000000-0000-0000-0000-000000000000", 512),
      shardOf("é", 7),
    ]).toMatchInlineSnapshot(`
        [
          149,
          468,
          3,
        ]
      `);
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 65_536 }), (tenant, count) => {
        const s = shardOf(tenant, count);
        expect(Number.isInteger(s) && s >= 0 && s < count).toBe(true);
        expect(shardOf(tenant, count)).toBe(s);
      }),
    );
  });

  it("spreads tenants evenly over shards", () => {
    const counts = new Array<number>(64).fill(0);
    for (let i = 0; i < 64_000; i++) {
      const s = shardOf(`tenant-${i}`, 64);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    expect(Math.max(...counts) / 1_000).toBeLessThan(1.15);
    expect(Math.min(...counts) / 1_000).toBeGreaterThan(0.85);
  });
});

describe("src/shard purity", () => {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../src/shard");
  const pure = readdirSync(dir).filter((name) => name.endsWith(".ts") && name !== "index.ts");

  it.each(pure)("%s imports no I/O", (name) => {
    const source = readFileSync(path.join(dir, name), "utf8");
    const imports = [...source.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]);
    expect(pure.length).toBeGreaterThanOrEqual(4);
    for (const specifier of imports)
      expect(
        specifier === "zod" || specifier?.startsWith("./") || specifier === "../errors/index.js",
        `${name} imports ${specifier}`,
      ).toBe(true);
    expect(source).not.toMatch(/\bDate\.now\s*\(|Math\.random\s*\(|process\.|setTimeout|setInterval/);
  });
});

describe("bench/shards", () => {
  it("the default strategy meets the balance target on the benchmark population, for 2, 4 and 8 workers", () => {
    const report = runShardBenchmark(DEFAULT_BENCH_OPTIONS);
    expect(report.defaultStrategy).toBe("consistent-hash");
    const ratios = Object.values(report.results[0]?.maxMeanMonitors ?? {});
    expect(ratios).toHaveLength(3);
    for (const ratio of ratios) expect(ratio).toBeLessThanOrEqual(TARGET_MAX_MEAN);
    expect(report.defaultMeetsTarget).toBe(true);
    // The plain ring is the baseline the bounded loads improve on at 8 workers.
    const plain = report.results.find((r) => r.strategy === "consistent-hash (plain ring)");
    expect(plain?.maxMeanMonitors["8"]).toBeGreaterThan(TARGET_MAX_MEAN);
  });
});
