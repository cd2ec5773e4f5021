/**
 * The three renderings OZ gives a Soroban value (spec §4.3): the display string used as an argument's `value`, the
 * kind (type name) used in signatures and by the expression evaluator, and the JSON form used for function
 * arguments. Pure and exact: 64-bit and wider integers never pass through a JS number.
 */
import type { JsonValue } from "../expr/index.js";
import type { ScValue } from "./stellar-ledger.js";

/** What OZ shows for muxed, claimable-balance and liquidity-pool addresses. */
export const UNSUPPORTED_ADDRESS_TYPE = "unsupported_address_type";

const KIND_NAMES: Readonly<Record<string, string>> = {
  bool: "Bool",
  void: "Void",
  unsupported: "Void",
  u32: "U32",
  i32: "I32",
  u64: "U64",
  i64: "I64",
  timepoint: "Timepoint",
  duration: "Duration",
  u128: "U128",
  i128: "I128",
  u256: "U256",
  i256: "I256",
  string: "String",
  symbol: "Symbol",
  address: "Address",
};

/**
 * The display string: `true`/`false`, `null` for void and unsupported values, decimals, lowercase hex for bytes,
 * text for strings and symbols, `[a,b]` for vectors and `{k:v,k:v}` (keys sorted, not JSON) for maps.
 *
 * @example scValueDisplay({ type: "i128", value: "2240" }) // "2240"
 */
export function scValueDisplay(value: ScValue): string {
  switch (value.type) {
    case "bool":
      return value.value ? "true" : "false";
    case "void":
    case "unsupported":
      return "null";
    case "u32":
    case "i32":
      return String(value.value);
    case "u64":
    case "i64":
    case "timepoint":
    case "duration":
    case "u128":
    case "i128":
    case "u256":
    case "i256":
      return value.value;
    case "bytes":
      return value.hex;
    case "string":
    case "symbol":
      return value.value;
    case "address":
      return value.strkey ?? UNSUPPORTED_ADDRESS_TYPE;
    case "vec":
      return `[${value.items.map(scValueDisplay).join(",")}]`;
    case "map":
      return `{${sortedMapEntries(value)
        .map(([key, item]) => `${key}:${scValueDisplay(item)}`)
        .join(",")}}`;
  }
}

/**
 * The kind: `Bool`, `Void` (void and unsupported values), `U32` … `I256`, `Timepoint`, `Duration`, `Bytes` (empty)
 * or `Bytes<length>` (e.g. `Bytes32`), `String`, `Symbol`, `Address`, `Vec<T>` and `Map<String,V>`, where `T`/`V`
 * list the element kinds in order with only *adjacent* duplicates removed (empty → `Void`).
 *
 * @example
 * const one = { type: "u32", value: 1 } as const;
 * scValueKind({ type: "vec", items: [one, one, { type: "string", value: "a" }, one] }) // "Vec<U32,String,U32>"
 */
export function scValueKind(value: ScValue): string {
  switch (value.type) {
    case "bytes":
      return value.hex.length === 0 ? "Bytes" : `Bytes${value.hex.length / 2}`;
    case "vec":
      return `Vec<${kindUnion(value.items)}>`;
    case "map":
      return `Map<String,${kindUnion(sortedMapEntries(value).map(([, item]) => item))}>`;
    default:
      return KIND_NAMES[value.type] as string;
  }
}

/**
 * The JSON form (lossless `JsonValue`, numbers kept as text): bool; `null` for void and unsupported values; numbers
 * for 32/64-bit integers, timepoints and durations; `{"type":"U128","value":"<dec>"}` for 128/256-bit integers; hex
 * strings for bytes; strings for strings, symbols and addresses; arrays for vectors; objects with sorted keys for
 * maps (a repeated key keeps its last value).
 */
export function scValueJson(value: ScValue): JsonValue {
  switch (value.type) {
    case "bool":
      return { type: "bool", value: value.value };
    case "void":
    case "unsupported":
      return { type: "null" };
    case "u32":
    case "i32":
      return { type: "number", raw: String(value.value) };
    case "u64":
    case "i64":
    case "timepoint":
    case "duration":
      return { type: "number", raw: value.value };
    case "u128":
    case "i128":
    case "u256":
    case "i256":
      return {
        type: "object",
        entries: new Map<string, JsonValue>([
          ["type", { type: "string", value: KIND_NAMES[value.type] as string }],
          ["value", { type: "string", value: value.value }],
        ]),
      };
    case "bytes":
      return { type: "string", value: value.hex };
    case "string":
    case "symbol":
      return { type: "string", value: value.value };
    case "address":
      return { type: "string", value: value.strkey ?? UNSUPPORTED_ADDRESS_TYPE };
    case "vec":
      return { type: "array", items: value.items.map(scValueJson) };
    case "map":
      return {
        type: "object",
        entries: new Map(sortedMapEntries(value).map(([key, item]) => [key, scValueJson(item)] as const)),
      };
  }
}

/** Compact JSON text of `scValueJson(value)` (serde_json `to_string` style: no spaces, integers exact). */
export function scValueJsonText(value: ScValue): string {
  return jsonText(scValueJson(value));
}

/** The string a map key becomes: strings and symbols as they are, anything else by its display. */
export function scMapKeyString(key: ScValue): string {
  return key.type === "string" || key.type === "symbol" ? key.value : scValueDisplay(key);
}

/**
 * Map entries keyed by `scMapKeyString`, sorted by key (Unicode code point order, as Rust sorts strings); when two
 * keys render the same, the later entry wins (as inserting into a serde_json map does).
 */
export function sortedMapEntries(value: Extract<ScValue, { type: "map" }>): Array<[string, ScValue]> {
  const byKey = new Map<string, ScValue>();
  for (const entry of value.entries) byKey.set(scMapKeyString(entry.key), entry.value);
  return [...byKey.entries()].sort(([a], [b]) => compareCodePoints(a, b));
}

function kindUnion(items: readonly ScValue[]): string {
  const kinds: string[] = [];
  for (const item of items) {
    const kind = scValueKind(item);
    if (kinds[kinds.length - 1] !== kind) kinds.push(kind);
  }
  return kinds.length === 0 ? "Void" : kinds.join(",");
}

/** Orders strings by Unicode code point (= UTF-8 byte order), unlike `<`, which compares UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate (a code point ≥ U+10000) sorts after every BMP code point, whatever its code unit value.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function jsonText(value: JsonValue): string {
  switch (value.type) {
    case "null":
      return "null";
    case "bool":
      return value.value ? "true" : "false";
    case "number":
      return value.raw;
    case "string":
      return JSON.stringify(value.value);
    case "array":
      return `[${value.items.map(jsonText).join(",")}]`;
    case "object": {
      const parts: string[] = [];
      for (const [key, item] of value.entries) parts.push(`${JSON.stringify(key)}:${jsonText(item)}`);
      return `{${parts.join(",")}}`;
    }
  }
}
