import { describe, expect, it } from "vitest";
import { headPollGaps, ingestSplit, type TracedCall } from "../../../bench/latency/rpc-trace.js";
import { main } from "../../../bench/latency/run.js";
import { cronBaseline, interleave, quantile, rate, summarize } from "../../../bench/latency/stats.js";

describe("latency benchmark statistics", () => {
  it("interpolates quantiles linearly between sorted values", () => {
    expect(quantile([3, 1, 2, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.99)).toBe(10);
    expect(
      quantile(
        Array.from({ length: 101 }, (_, i) => i),
        0.99,
      ),
    ).toBe(99);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it("summarises count, extremes, mean and p50/p90/p99", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(values)).toEqual({ count: 100, min: 1, mean: 50.5, p50: 50.5, p90: 90.1, p99: 99, max: 100 });
  });

  it("computes the OZ cron baseline as a uniform wait for the next minute firing", () => {
    const baseline = cronBaseline(60_000);
    expect(baseline).toMatchObject({ method: "computed", mean: 30_000, p50: 30_000, p90: 54_000, p99: 59_400 });
    expect(baseline.max).toBe(60_000);
  });

  it("places the catch-up transfers between runs of empty blocks that add up to the total", () => {
    const runs = interleave(10_000, 5);
    expect(runs).toHaveLength(6);
    expect(runs.reduce((sum, run) => sum + run, 0) + 5).toBe(10_000);
    expect(Math.max(...runs) - Math.min(...runs)).toBeLessThanOrEqual(1);
    expect(() => interleave(2, 3)).toThrow();
  });

  it("never reports an infinite rate", () => {
    expect(rate(100, 0)).toBe(0);
    expect(rate(300, 2)).toBe(150);
  });
});

describe("RPC trace split", () => {
  const call = (method: string, params: unknown[], receivedAt: number, respondedAt: number, result?: unknown) =>
    ({ method, params, receivedAt, respondedAt, result }) satisfies TracedCall;
  const calls: TracedCall[] = [
    call("eth_getBlockByNumber", ["latest", false], 1_000, 1_002, { number: "0x9" }),
    call("eth_getBlockByNumber", ["latest", false], 1_125, 1_127, { number: "0xa" }),
    call("eth_getBlockByNumber", ["0x9", true], 1_128, 1_135),
    call("eth_getBlockReceipts", ["0x9"], 1_128, 1_140),
    call("eth_getBlockByNumber", ["latest", false], 1_250, 1_251, { number: "0xa" }),
  ];

  it("splits block N's ingest into detection of its confirming head, then the fetch", () => {
    // Block 10 (0xa) confirms block 9; it appeared at 1_100.
    expect(ingestSplit(calls, 9n, 10n, 1_100)).toEqual({
      toFetchStart: 28,
      detection: 27,
      fetch: 12,
      fetchEndAt: 1_140,
    });
  });

  it("leaves detection undefined when no head poll preceded the fetch (live heads)", () => {
    const pushed = calls.filter((c) => c.params[0] !== "latest");
    expect(ingestSplit(pushed, 9n, 10n, 1_100)?.detection).toBeUndefined();
    expect(ingestSplit(pushed, 8n, 9n, 1_100)).toBeUndefined();
  });

  it("measures the gaps between head polls inside a window", () => {
    expect(headPollGaps(calls, 0, 2_000)).toEqual([125, 125]);
    expect(headPollGaps(calls, 1_100, 2_000)).toEqual([125]);
  });
});

describe("bench/latency/run.ts --quick", () => {
  it("prints one JSON report in which every measured block's webhook and every catch-up transfer arrived", async () => {
    let stdout = "";
    const progress: string[] = [];
    await main(["--quick"], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        progress.push(text);
      },
    });
    const report = JSON.parse(stdout) as Record<string, unknown> & {
      blocks: number;
      latencyMs: Record<string, number>;
      target: { p99Ms: number; met: boolean };
      ozCronBaselineMs: Record<string, unknown>;
      delivery: Record<string, number>;
      catchUp: Record<string, number>;
    };
    expect(report.benchmark).toBe("latency");
    expect(report.blocks).toBe(10);
    for (const key of ["p50", "p90", "p99", "max"]) expect(Number.isFinite(report.latencyMs[key])).toBe(true);
    expect(report.target.p99Ms).toBe(250);
    expect(typeof report.target.met).toBe("boolean");
    expect(report.ozCronBaselineMs).toMatchObject({ method: "computed", p99: 59_400 });
    expect(report.delivery.missing).toBe(0);
    expect(report.delivery.blocksDelivered).toBe(report.blocks);
    expect(report.catchUp.blocks).toBe(300);
    expect(report.catchUp.transfersDelivered).toBe(report.catchUp.transfers);
    expect(report.catchUp.transfers).toBe(3);
    expect(report.catchUp.blocksPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(report.catchUp.seconds)).toBe(true);
    expect(progress.join("")).toContain("[bench:latency]");
  }, 240_000);
});
