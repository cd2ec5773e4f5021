import { describe, expect, it } from "vitest";
import * as status from "../../../src/status/index.js";
import { decodeShards, encodeShards, readWorkerMeta, workerMeta } from "../../../src/status/index.js";

describe("src/status public surface", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(status).sort()).toEqual([
      "STATUS_PERMISSION",
      "StatusCode",
      "StatusError",
      "StatusReportSchema",
      "collectStatus",
      "decodeShards",
      "encodeShards",
      "formatStatus",
      "readWorkerMeta",
      "statusRoute",
      "workerMeta",
    ]);
  });
});

describe("worker announcements in membership metadata", () => {
  it("encodeShards() writes sorted, deduplicated ranges", () => {
    expect(encodeShards([])).toBe("");
    expect(encodeShards([3, 0, 1, 2, 9, 9, 11, 12])).toBe("0-3,9,11-12");
    expect(encodeShards([5])).toBe("5");
  });

  it("decodeShards() inverts encodeShards() and refuses malformed lists", () => {
    for (const shards of [[], [0], [0, 1, 2, 3, 9, 11, 12], Array.from({ length: 512 }, (_, i) => i)]) {
      expect(decodeShards(encodeShards(shards))).toEqual(shards);
    }
    expect(decodeShards("3-1")).toBeNull();
    expect(decodeShards("a,b")).toBeNull();
    expect(decodeShards("1,,2")).toBeNull();
  });

  it("readWorkerMeta() reads what workerMeta() wrote and ignores wrong types", () => {
    const meta = workerMeta({ shards: [4, 5, 6], tenants: 3, monitors: 10, host: "h", pid: 7 });
    expect(meta).toEqual({ role: "worker", shards: "4-6", tenants: 3, monitors: 10, host: "h", pid: 7 });
    expect(readWorkerMeta(meta)).toEqual({ shards: [4, 5, 6], tenants: 3, monitors: 10, host: "h", pid: 7 });
    expect(readWorkerMeta({ shards: 5, tenants: -1, monitors: 1.5, host: 3, pid: "x" })).toEqual({
      shards: null,
      tenants: null,
      monitors: null,
      host: null,
      pid: null,
    });
  });
});
