/** Schema building blocks shared by the network, monitor and trigger schemas. */
import { z } from "zod";
import { ConfigCode } from "./errors.js";
import { describeValue } from "./issues.js";

const UINT_MAX: Record<16 | 32 | 64, number> = {
  16: 0xffff,
  32: 0xffffffff,
  // u64 values above 2^53 − 1 cannot be represented exactly by a JSON number in JavaScript.
  64: Number.MAX_SAFE_INTEGER,
};

/** An unsigned integer of `bits` bits (Rust `u16`/`u32`/`u64`): negative numbers and floats are type errors. */
export function uint(bits: 16 | 32 | 64) {
  const what = `an unsigned ${bits}-bit integer`;
  const max = UINT_MAX[bits];
  return z.number({ error: (issue) => `expected ${what}, got ${describeValue(issue.input)}` }).superRefine((n, ctx) => {
    if (!Number.isInteger(n) || n < 0) {
      ctx.addIssue({
        code: "custom",
        message: `expected ${what}, got ${describeValue(n)}`,
        params: { code: ConfigCode.InvalidType },
      });
    } else if (n > max) {
      const note = bits === 64 ? " (values above 2^53-1 are not supported)" : "";
      ctx.addIssue({
        code: "custom",
        message: `expected ${what} <= ${max}, got ${n}${note}`,
        params: { code: ConfigCode.InvalidType },
      });
    }
  });
}

/** Rust `Option<T>`: may be omitted or `null`; both become `null` (how OZ serialises `None`). */
export function option<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value): z.output<T> | null => value ?? null);
}

/** A field with a default: omitted or `null` → `fallback`. */
export function withDefault<T extends z.ZodType>(schema: T, fallback: () => z.output<T>) {
  return schema.nullish().transform((value): z.output<T> => value ?? fallback());
}

/** A string array that explains a bare string (`"--verbose"` instead of `["--verbose"]`). */
export function stringArray() {
  return z.array(z.string(), {
    error: (issue) =>
      issue.code === "invalid_type" && typeof issue.input === "string"
        ? `expected an array of strings, got the string ${JSON.stringify(issue.input)}; did you mean [${JSON.stringify(issue.input)}]?`
        : undefined,
  });
}

/** UTF-8 length in bytes. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Scheme and host only, so messages never echo credentials or tokens carried in a URL's path or query. */
export function describeUrl(url: string): string {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)(?:[^@/?#]*@)?([^/?#]*)(.*)$/.exec(url);
  if (!match) {
    const shown = url.length > 24 ? `${url.slice(0, 21)}...` : url;
    return JSON.stringify(shown);
  }
  const rest = match[3] ? "/…" : "";
  return JSON.stringify(`${match[1]}${match[2]}${rest}`);
}
