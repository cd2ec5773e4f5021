/**
 * Turns zod issues into friendly `ConfigProblem`s: one per issue (one per unknown key), each with its JSON path and
 * a message saying what was expected and what was found.
 */
import type { z } from "zod";
import { ConfigCode, type ConfigProblem } from "./errors.js";

/** Short, safe rendering of a JSON value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number") return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  if (typeof value === "boolean") return `${value}`;
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return typeof value;
}

/** Levenshtein distance (small inputs only). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** The candidate closest to `input` (case-insensitive first, then edit distance), if it is plausibly a typo. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(input.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** `"a", "b", "c"` */
export function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

/** `expected one of "Any", "Success", "Failure", got "success" (...; did you mean "Success"?)` */
export function enumMessage(values: readonly unknown[], input: unknown): string {
  const base = `expected one of ${quoteList(values)}, got ${typeof input === "string" ? JSON.stringify(input) : describeValue(input)}`;
  if (typeof input !== "string") return base;
  const strings = values.filter((v): v is string => typeof v === "string");
  const suggestion = closest(input, strings);
  if (suggestion === undefined) return base;
  const caseOnly = suggestion.toLowerCase() === input.toLowerCase();
  return caseOnly
    ? `${base} (values are case-sensitive; did you mean ${JSON.stringify(suggestion)}?)`
    : `${base} (did you mean ${JSON.stringify(suggestion)}?)`;
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  array: "an array",
  object: "an object",
  record: "an object",
  null: "null",
};

/**
 * Per-parse error map: the fallback message for every issue a schema did not customise. For `unrecognized_keys` it
 * returns the allowed keys (comma-separated), which `issuesToProblems` turns into one message per unknown key.
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "required field is missing";
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case "invalid_value":
      return enumMessage(issue.values, issue.input);
    case "unrecognized_keys": {
      const def = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
      return def?.shape ? Object.keys(def.shape).join(", ") : "";
    }
    case "too_small":
      if (issue.origin === "array") return `expected at least ${issue.minimum} item(s)`;
      if (issue.origin === "string") return `expected at least ${issue.minimum} character(s)`;
      return `expected a value ${issue.inclusive ? ">=" : ">"} ${issue.minimum}, got ${describeValue(issue.input)}`;
    case "too_big":
      if (issue.origin === "array") return `expected at most ${issue.maximum} item(s)`;
      if (issue.origin === "string") return `expected at most ${issue.maximum} character(s)`;
      return `expected a value ${issue.inclusive ? "<=" : "<"} ${issue.maximum}, got ${describeValue(issue.input)}`;
    case "invalid_union":
      return `value does not match any allowed shape (got ${describeValue(issue.input)})`;
    case "invalid_format":
      return `invalid format (${issue.format})`;
    default:
      return undefined;
  }
};

/** Parse options every config schema is run with. */
export const PARSE_PARAMS = { reportInput: true, error: configErrorMap } as const;

function codeFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? ConfigCode.MissingField : ConfigCode.InvalidType;
    case "invalid_value":
      return ConfigCode.InvalidEnum;
    case "unrecognized_keys":
      return ConfigCode.UnknownField;
    case "invalid_union":
      return ConfigCode.InvalidType;
    case "custom": {
      const code = issue.params?.code;
      return typeof code === "string" ? code : ConfigCode.InvalidField;
    }
    default:
      return ConfigCode.InvalidField;
  }
}

function toPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === "number" ? segment : String(segment)));
}

/** Converts every zod issue to a problem at `prefix + issue.path`. */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  prefix: readonly (string | number)[] = [],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...toPath(issue.path)];
    if (issue.code === "unrecognized_keys") {
      const allowed = issue.message;
      const allowedList = allowed === "" ? [] : allowed.split(", ");
      for (const key of issue.keys) {
        const suggestion = closest(key, allowedList);
        const hint = suggestion === undefined ? "" : `; did you mean ${JSON.stringify(suggestion)}?`;
        problems.push({
          file,
          path: [...path, key],
          message: `unknown field ${JSON.stringify(key)} (allowed: ${allowed})${hint}`,
          code: ConfigCode.UnknownField,
          severity: "error",
        });
      }
      continue;
    }
    const options = issue.code === "invalid_union" ? (issue as { options?: readonly unknown[] }).options : undefined;
    if (issue.code === "invalid_union" && issue.discriminator !== undefined && options !== undefined) {
      // zod reports a bad discriminator with the whole object as `input`; its path already ends in the key.
      const input = issue.input as Record<string, unknown> | undefined;
      const value = input?.[issue.discriminator];
      const missing = value === undefined;
      problems.push({
        file,
        path,
        message: missing ? "required field is missing" : enumMessage(options, value),
        code: missing ? ConfigCode.MissingField : ConfigCode.InvalidEnum,
        severity: "error",
      });
      continue;
    }
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    problems.push({
      file,
      path,
      message: missing ? "required field is missing" : issue.message,
      code: codeFor(issue),
      severity: "error",
    });
  }
  return problems;
}
