/**
 * Cron schedules in the dialect of the Rust `cron` crate, which OZ Monitor uses for `cron_schedule`.
 *
 * - Seconds first: `sec min hour day-of-month month day-of-week [year]` — 6 or 7 fields. Unix 5-field cron is
 *   rejected (OZ rejects it too).
 * - Field syntax: `*`, `?` (same as `*`), numbers, `a-b` ranges, `x/step` (from x to the field's maximum),
 *   `a-b/step`, `* /step`, comma lists; month names `JAN`…`DEC` and day names `SUN`…`SAT` (full names too, any case).
 * - Ranges: sec 0-59, min 0-59, hour 0-23, day-of-month 1-31, month 1-12, day-of-week 1-7 with **1 = Sunday**
 *   (the crate's numbering, not Unix's 0 = Sunday), year 1970-2100.
 * - A day must satisfy both day-of-month and day-of-week (the crate ANDs them, unlike Vixie cron's OR).
 * - Shorthands `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@hourly`.
 * - Times are UTC.
 *
 * Pure: no I/O, no clock reads (callers pass `from`).
 */
import { ConfigCode, ConfigError } from "./errors.js";

export interface CronSchedule {
  /** The text as written. */
  readonly source: string;
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  /** 1 = Sunday … 7 = Saturday. */
  readonly daysOfWeek: readonly number[];
  readonly years: readonly number[];
}

export type CronParseResult = { ok: true; cron: CronSchedule } | { ok: false; error: ConfigError };

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES: Record<string, number> = {};
for (const [i, full] of [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
].entries()) {
  MONTH_NAMES[full] = i + 1;
  MONTH_NAMES[full.slice(0, 3)] = i + 1;
}

const DAY_NAMES: Record<string, number> = {};
for (const [i, full] of ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"].entries()) {
  DAY_NAMES[full] = i + 1;
  DAY_NAMES[full.slice(0, 3)] = i + 1;
}

const FIELDS: readonly FieldSpec[] = [
  { name: "seconds", min: 0, max: 59 },
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  { name: "day-of-week", min: 1, max: 7, names: DAY_NAMES },
  { name: "year", min: 1970, max: 2100 },
];

const SHORTHANDS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 0 1 1 * *",
  "@annually": "0 0 0 1 1 * *",
  "@monthly": "0 0 0 1 * * *",
  "@weekly": "0 0 0 * * 1 *",
  "@daily": "0 0 0 * * * *",
  "@hourly": "0 0 * * * * *",
};

class CronSyntaxError extends Error {}

/**
 * Parses a seconds-first cron expression (Rust `cron` crate dialect).
 * @example parseCron("0 *\/5 * * * *") // every 5 minutes, at second 0
 */
export function parseCron(text: string): CronParseResult {
  const trimmed = text.trim();
  const fail = (detail: string): CronParseResult => ({
    ok: false,
    error: new ConfigError(ConfigCode.InvalidCron, `invalid cron schedule ${JSON.stringify(text)}: ${detail}`),
  });
  if (trimmed === "") return fail("it is empty");
  const expanded = SHORTHANDS[trimmed] ?? trimmed;
  if (expanded.startsWith("@")) {
    return fail(`unknown shorthand ${JSON.stringify(trimmed)} (expected one of ${Object.keys(SHORTHANDS).join(", ")})`);
  }
  const parts = expanded.split(/\s+/);
  if (parts.length !== 6 && parts.length !== 7) {
    const hint =
      parts.length === 5
        ? '; 5-field Unix cron is not supported: add a seconds field first, e.g. "0 */1 * * * *" runs every minute'
        : "";
    return fail(
      `expected 6 or 7 fields (sec min hour day-of-month month day-of-week [year]), got ${parts.length}${hint}`,
    );
  }
  if (parts.length === 6) parts.push("*");
  try {
    const sets = parts.map((part, i) => parseField(part, FIELDS[i] as FieldSpec));
    const [seconds, minutes, hours, daysOfMonth, months, daysOfWeek, years] = sets as [
      number[],
      number[],
      number[],
      number[],
      number[],
      number[],
      number[],
    ];
    return { ok: true, cron: { source: text, seconds, minutes, hours, daysOfMonth, months, daysOfWeek, years } };
  } catch (error) {
    if (error instanceof CronSyntaxError) return fail(error.message);
    throw error;
  }
}

function parseValue(raw: string, field: FieldSpec): number {
  let value: number;
  if (/^[0-9]+$/.test(raw)) value = Number(raw);
  else {
    const named = field.names?.[raw.toLowerCase()];
    if (named === undefined) {
      const kind = field.names ? "a number or a name" : "a number";
      throw new CronSyntaxError(`invalid ${field.name} value ${JSON.stringify(raw)} (expected ${kind})`);
    }
    value = named;
  }
  if (value < field.min || value > field.max) {
    throw new CronSyntaxError(`${field.name} value ${raw} is out of range ${field.min}-${field.max}`);
  }
  return value;
}

function parseField(part: string, field: FieldSpec): number[] {
  const values = new Set<number>();
  for (const item of part.split(",")) {
    if (item === "") throw new CronSyntaxError(`empty list item in ${field.name} field ${JSON.stringify(part)}`);
    const slash = item.split("/");
    if (slash.length > 2) throw new CronSyntaxError(`invalid ${field.name} field ${JSON.stringify(item)}`);
    const [base = "", stepText] = slash;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^[0-9]+$/.test(stepText)) {
        throw new CronSyntaxError(`invalid step ${JSON.stringify(stepText)} in ${field.name} field`);
      }
      step = Number(stepText);
      if (step === 0) throw new CronSyntaxError(`step must be greater than 0 in ${field.name} field`);
    }
    let start: number;
    let end: number;
    if (base === "*" || base === "?") {
      start = field.min;
      end = field.max;
    } else if (base.includes("-")) {
      const range = base.split("-");
      if (range.length !== 2) throw new CronSyntaxError(`invalid range ${JSON.stringify(base)} in ${field.name} field`);
      start = parseValue(range[0] as string, field);
      end = parseValue(range[1] as string, field);
      if (start > end) {
        throw new CronSyntaxError(`range ${base} in ${field.name} field starts after it ends`);
      }
    } else {
      start = parseValue(base, field);
      // `x/step` runs from x to the field's maximum; a bare `x` is the single value.
      end = stepText === undefined ? start : field.max;
    }
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

const MAX_YEAR = 2100;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Smallest element of the sorted `list` that is ≥ `value`. */
function ceil(list: readonly number[], value: number): number | undefined {
  for (const v of list) if (v >= value) return v;
  return undefined;
}

/** The first firing strictly after `from` (second resolution), or undefined if the schedule has no later firing. */
export function nextFiring(cron: CronSchedule, from: Date): Date | undefined {
  const start = new Date(Math.floor(from.getTime() / 1000) * 1000 + 1000);
  if (Number.isNaN(start.getTime())) return undefined;
  let y = start.getUTCFullYear();
  let mo = start.getUTCMonth() + 1;
  let d = start.getUTCDate();
  let h = start.getUTCHours();
  let mi = start.getUTCMinutes();
  let s = start.getUTCSeconds();
  const months = new Set(cron.months);
  const dom = new Set(cron.daysOfMonth);
  const dow = new Set(cron.daysOfWeek);

  const nextYear = (): void => {
    y++;
    mo = 1;
    d = 1;
    h = 0;
    mi = 0;
    s = 0;
  };
  const nextMonth = (): void => {
    mo++;
    if (mo > 12) nextYear();
    else {
      d = 1;
      h = 0;
      mi = 0;
      s = 0;
    }
  };
  const nextDay = (): void => {
    d++;
    h = 0;
    mi = 0;
    s = 0;
    if (d > daysInMonth(y, mo)) nextMonth();
  };

  // Every branch moves the candidate strictly forward, and years stop at MAX_YEAR, so the loop terminates.
  for (;;) {
    if (y > MAX_YEAR) return undefined;
    const year = ceil(cron.years, y);
    if (year === undefined) return undefined;
    if (year !== y) {
      y = year - 1;
      nextYear();
      continue;
    }
    if (!months.has(mo)) {
      const month = ceil(cron.months, mo);
      if (month === undefined) nextYear();
      else {
        mo = month;
        d = 1;
        h = 0;
        mi = 0;
        s = 0;
      }
      continue;
    }
    if (d > daysInMonth(y, mo)) {
      nextMonth();
      continue;
    }
    const weekday = new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 1;
    if (!dom.has(d) || !dow.has(weekday)) {
      nextDay();
      continue;
    }
    const hour = ceil(cron.hours, h);
    if (hour === undefined) {
      nextDay();
      continue;
    }
    if (hour !== h) {
      h = hour;
      mi = 0;
      s = 0;
    }
    const minute = ceil(cron.minutes, mi);
    if (minute === undefined) {
      h++;
      mi = 0;
      s = 0;
      if (h > 23) nextDay();
      continue;
    }
    if (minute !== mi) {
      mi = minute;
      s = 0;
    }
    const second = ceil(cron.seconds, s);
    if (second === undefined) {
      mi++;
      s = 0;
      if (mi > 59) {
        mi = 0;
        h++;
        if (h > 23) nextDay();
      }
      continue;
    }
    return new Date(Date.UTC(y, mo - 1, d, h, mi, second));
  }
}

/**
 * The next `n` firings strictly after `from`, in UTC, ascending. Fewer than `n` when the schedule ends (the year
 * field stops at 2100 or names only past years).
 * @example nextFirings(parseCron("0 *\/1 * * * *").cron, new Date("2025-01-01T00:00:30Z"), 2)
 *   // [2025-01-01T00:01:00Z, 2025-01-01T00:02:00Z]
 */
export function nextFirings(cron: CronSchedule, from: Date, n: number): Date[] {
  const out: Date[] = [];
  let cursor = from;
  while (out.length < n) {
    const next = nextFiring(cron, cursor);
    if (next === undefined) break;
    out.push(next);
    cursor = next;
  }
  return out;
}

/**
 * Gap in ms between the next two firings after `from` (how OZ measures a schedule's interval); 0 when there are
 * fewer than two.
 */
export function cronIntervalMs(cron: CronSchedule, from: Date): number {
  const [a, b] = nextFirings(cron, from, 2);
  return a && b ? b.getTime() - a.getTime() : 0;
}
