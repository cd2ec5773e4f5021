import { describe, expect, it } from "vitest";
import {
  type CronSchedule,
  cronIntervalMs,
  nextFirings,
  parseCron,
  recommendedPastBlocks,
} from "../../../src/config/index.js";

function cron(text: string): CronSchedule {
  const parsed = parseCron(text);
  if (!parsed.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${parsed.error.message}`);
  return parsed.cron;
}

function cronError(text: string): string {
  const parsed = parseCron(text);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return "";
  expect(parsed.error.code).toBe("CONFIG_INVALID_CRON");
  return parsed.error.message;
}

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("parseCron() (Rust cron crate dialect, seconds first)", () => {
  it("parses a 6-field schedule: seconds, minutes, hours, day-of-month, month, day-of-week", () => {
    const c = cron("0 */1 * * * *");
    expect(c.seconds).toEqual([0]);
    expect(c.minutes).toHaveLength(60);
    expect(c.hours).toHaveLength(24);
    expect(c.daysOfMonth).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(c.daysOfWeek).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(c.years[0]).toBe(1970);
    expect(c.years.at(-1)).toBe(2100);
  });

  it("parses a 7-field schedule with a year", () => {
    expect(cron("0 0 12 * * * 2030").years).toEqual([2030]);
    expect(cron("0 0 12 * * * 2030-2032").years).toEqual([2030, 2031, 2032]);
  });

  it("accepts month and day names in any case, and ranges of names", () => {
    const c = cron("0 0 9 * JAN-MAR,jul MON-FRI");
    expect(c.months).toEqual([1, 2, 3, 7]);
    // 1 = Sunday in the cron crate, so Monday..Friday = 2..6
    expect(c.daysOfWeek).toEqual([2, 3, 4, 5, 6]);
    expect(cron("0 0 0 * December Sunday").months).toEqual([12]);
    expect(cron("0 0 0 * * sun").daysOfWeek).toEqual([1]);
  });

  it("expands steps on *, on a start value (to the field maximum) and on ranges", () => {
    expect(cron("*/15 * * * * *").seconds).toEqual([0, 15, 30, 45]);
    expect(cron("5/20 * * * * *").seconds).toEqual([5, 25, 45]);
    expect(cron("0 10-50/20 * * * *").minutes).toEqual([10, 30, 50]);
    expect(cron("0 0 1,3,5 * * *").hours).toEqual([1, 3, 5]);
  });

  it("treats ? like * and accepts shorthands and extra whitespace", () => {
    expect(cron("0 0 0 ? * MON").daysOfMonth).toHaveLength(31);
    expect(cron("@daily")).toMatchObject({ seconds: [0], minutes: [0], hours: [0] });
    expect(cron("@weekly").daysOfWeek).toEqual([1]);
    expect(cron("  0   0  *  * * *  ").minutes).toEqual([0]);
  });

  it("rejects 5-field Unix cron with a hint to add seconds", () => {
    const message = cronError("0 */1 * * *");
    expect(message).toContain("expected 6 or 7 fields");
    expect(message).toContain("got 5");
    expect(message).toContain("add a seconds field");
  });

  it("rejects wrong field counts and empty schedules", () => {
    expect(cronError("")).toContain("empty");
    expect(cronError("0 0 0 * * * * *")).toContain("got 8");
    expect(cronError("@every_minute")).toContain("unknown shorthand");
  });

  it.each([
    ["60 * * * * *", "seconds value 60 is out of range 0-59"],
    ["0 60 * * * *", "minutes value 60 is out of range 0-59"],
    ["0 0 24 * * *", "hours value 24 is out of range 0-23"],
    ["0 0 0 0 * *", "day-of-month value 0 is out of range 1-31"],
    ["0 0 0 32 * *", "day-of-month value 32 is out of range 1-31"],
    ["0 0 0 * 13 *", "month value 13 is out of range 1-12"],
    ["0 0 0 * * 0", "day-of-week value 0 is out of range 1-7"],
    ["0 0 0 * * 8", "day-of-week value 8 is out of range 1-7"],
    ["0 0 0 * * * 1969", "year value 1969 is out of range 1970-2100"],
    ["0 0 0 * * * 2101", "year value 2101 is out of range 1970-2100"],
  ])("rejects out-of-range values: %s", (text, expected) => {
    expect(cronError(text)).toContain(expected);
  });

  it.each([
    ["*/0 * * * * *", "step must be greater than 0"],
    ["0 0 5-1 * * *", "starts after it ends"],
    ["a * * * * *", 'invalid seconds value "a"'],
    ["0 0 0 * FOO *", 'invalid month value "FOO"'],
    ["0 0 MON * * *", 'invalid hours value "MON"'],
    ["0 0 1,,2 * * *", "empty list item"],
    ["0 0 L * * *", 'invalid hours value "L"'],
  ])("rejects malformed fields: %s", (text, expected) => {
    expect(cronError(text)).toContain(expected);
  });
});

describe("nextFirings() (UTC)", () => {
  it("returns the next firings strictly after `from`", () => {
    const c = cron("0 */1 * * * *");
    expect(iso(nextFirings(c, at("2025-01-01T00:00:30Z"), 3))).toEqual([
      "2025-01-01T00:01:00.000Z",
      "2025-01-01T00:02:00.000Z",
      "2025-01-01T00:03:00.000Z",
    ]);
    expect(iso(nextFirings(c, at("2025-01-01T00:01:00Z"), 1))).toEqual(["2025-01-01T00:02:00.000Z"]);
  });

  it("works at second resolution, ignoring milliseconds of `from`", () => {
    expect(iso(nextFirings(cron("*/10 * * * * *"), at("2025-01-01T12:00:00.500Z"), 2))).toEqual([
      "2025-01-01T12:00:10.000Z",
      "2025-01-01T12:00:20.000Z",
    ]);
  });

  it("numbers days of the week from Sunday = 1", () => {
    // 2025-01-01 is a Wednesday; the next Sunday is the 5th.
    expect(iso(nextFirings(cron("0 0 12 * * 1"), at("2025-01-01T00:00:00Z"), 1))).toEqual(["2025-01-05T12:00:00.000Z"]);
    // Friday noon → the next weekday noon is Monday.
    expect(iso(nextFirings(cron("0 0 12 * * MON-FRI"), at("2025-01-03T12:00:00Z"), 1))).toEqual([
      "2025-01-06T12:00:00.000Z",
    ]);
  });

  it("requires both day-of-month and day-of-week to match", () => {
    // Friday the 13th: the first one in 2025 is in June.
    expect(iso(nextFirings(cron("0 0 0 13 * FRI"), at("2025-01-01T00:00:00Z"), 1))).toEqual([
      "2025-06-13T00:00:00.000Z",
    ]);
  });

  it("carries across days, months, years and leap days", () => {
    expect(iso(nextFirings(cron("59 59 23 31 12 *"), at("2025-06-01T00:00:00Z"), 1))).toEqual([
      "2025-12-31T23:59:59.000Z",
    ]);
    expect(iso(nextFirings(cron("0 0 0 29 2 *"), at("2025-01-01T00:00:00Z"), 2))).toEqual([
      "2028-02-29T00:00:00.000Z",
      "2032-02-29T00:00:00.000Z",
    ]);
    expect(iso(nextFirings(cron("0 30 * * * *"), at("2025-12-31T23:45:00Z"), 1))).toEqual(["2026-01-01T00:30:00.000Z"]);
  });

  it("returns fewer firings when the schedule ends", () => {
    const c = cron("0 0 0 1 1 * 2030");
    expect(iso(nextFirings(c, at("2025-01-01T00:00:00Z"), 3))).toEqual(["2030-01-01T00:00:00.000Z"]);
    expect(nextFirings(c, at("2030-01-01T00:00:00Z"), 2)).toEqual([]);
    expect(nextFirings(cron("0 0 0 31 2 *"), at("2025-01-01T00:00:00Z"), 1)).toEqual([]);
  });
});

describe("cronIntervalMs() and recommendedPastBlocks()", () => {
  it("measures the gap between the next two firings", () => {
    expect(cronIntervalMs(cron("0 */1 * * * *"), at("2025-01-01T00:00:30Z"))).toBe(60_000);
    expect(cronIntervalMs(cron("*/10 * * * * *"), at("2025-01-01T00:00:30Z"))).toBe(10_000);
    expect(cronIntervalMs(cron("0 0 0 1 1 * 2030"), at("2025-01-01T00:00:00Z"))).toBe(0);
  });

  it("computes floor(interval / block time) + confirmations + 1 (OZ's example: 5 + 12 + 1 = 18)", () => {
    const now = at("2025-01-01T00:00:30Z");
    expect(
      recommendedPastBlocks({ cron_schedule: "0 */1 * * * *", block_time_ms: 12000, confirmation_blocks: 12 }, now),
    ).toBe(18);
    expect(
      recommendedPastBlocks({ cron_schedule: "*/10 * * * * *", block_time_ms: 1000, confirmation_blocks: 1 }, now),
    ).toBe(12);
    expect(
      recommendedPastBlocks({ cron_schedule: "0 */1 * * * *", block_time_ms: 250, confirmation_blocks: 12 }, now),
    ).toBe(253);
  });

  it("uses an interval of 0 when the schedule is invalid", () => {
    expect(recommendedPastBlocks({ cron_schedule: "0 */1 * * *", block_time_ms: 12000, confirmation_blocks: 12 })).toBe(
      13,
    );
  });
});
