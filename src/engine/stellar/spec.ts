/**
 * SEP-48 contract specs (spec §4.2): the spec entries of a contract, in stellar-xdr's serde JSON, compiled once into
 * OZ's "formatted spec" — functions and events with type names rendered the way OZ renders them — plus the lookups
 * function and event matching need. Identical specs (same JSON text) compile to the same object, so per-ledger
 * caches keyed by spec are shared by every monitor using it.
 */
import { stellarSignatureKey } from "./normalize.js";

/** A function input of the formatted spec: `{index, name, kind}`. */
export interface StellarSpecInput {
  readonly index: number;
  readonly name: string;
  readonly kind: string;
}

/** A function of the formatted spec: `name(T1,…)` with its inputs. */
export interface StellarSpecFunction {
  readonly name: string;
  /** `name(T1,T2,…)` with OZ's type names, e.g. `transfer(Address,Address,I128)`. */
  readonly signature: string;
  /** `signature` normalised for comparison (see `stellarSignatureKey`). */
  readonly signatureKey: string;
  readonly inputs: readonly StellarSpecInput[];
}

export interface StellarSpecEventParam {
  readonly name: string;
  readonly kind: string;
  readonly location: "Indexed" | "Data";
}

/** An event of the formatted spec (Protocol 23 `event_v0`). */
export interface StellarSpecEvent {
  readonly name: string;
  readonly prefixTopics: readonly string[];
  /** `name(T…)` over all params in declaration order. */
  readonly signature: string;
  readonly params: readonly StellarSpecEventParam[];
  /** The params stored in the event's data, in declaration order. */
  readonly dataParams: readonly StellarSpecEventParam[];
}

export interface CompiledStellarSpec {
  readonly functions: readonly StellarSpecFunction[];
  readonly events: readonly StellarSpecEvent[];
  /** Function name → the functions with that name, in spec order. */
  readonly functionsByName: ReadonlyMap<string, readonly StellarSpecFunction[]>;
  /** Normalised signature → the first function with it. */
  readonly functionsBySignature: ReadonlyMap<string, StellarSpecFunction>;
}

/** A spec entry that is not a valid `function_v0` / `event_v0` and is therefore ignored. */
export interface StellarSpecIssue {
  readonly index: number;
  readonly message: string;
}

export interface CompileStellarSpecResult {
  readonly spec: CompiledStellarSpec;
  readonly issues: readonly StellarSpecIssue[];
}

/** Shares compiled specs between monitors and networks within one `compileMonitors` call. */
export interface StellarSpecInterner {
  readonly byEntries: WeakMap<object, CompileStellarSpecResult>;
  readonly byText: Map<string, CompileStellarSpecResult>;
}

export function createStellarSpecInterner(): StellarSpecInterner {
  return { byEntries: new WeakMap(), byText: new Map() };
}

const SCALAR_TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  ["bool", "Bool"],
  ["void", "Void"],
  ["u32", "U32"],
  ["i32", "I32"],
  ["u64", "U64"],
  ["i64", "I64"],
  ["u128", "U128"],
  ["i128", "I128"],
  ["u256", "U256"],
  ["i256", "I256"],
  ["bytes", "Bytes"],
  ["string", "String"],
  ["symbol", "Symbol"],
  ["address", "Address"],
  ["timepoint", "Timepoint"],
  ["duration", "Duration"],
]);

/**
 * OZ's name for a spec type (§4.2): `Bool`, `U32`, … `Address`, `Timepoint`, `Duration`; `Bytes<n>` for `bytes_n`
 * (e.g. `Bytes32`); `Vec<T>`, `Map<K,V>`, `Tuple<T1,T2,…>`; a UDT by its name; `option`, `result` and any other
 * type (`val`, `error`, `muxed_address`, unknown shapes) → `Void`.
 *
 * @example stellarSpecTypeName({ map: { key_type: "string", value_type: "string" } }) // "Map<String,String>"
 */
export function stellarSpecTypeName(type: unknown): string {
  if (typeof type === "string") return SCALAR_TYPE_NAMES.get(type) ?? "Void";
  if (!isRecord(type)) return "Void";
  const bytesN = field(type, "bytes_n");
  if (bytesN !== undefined) {
    const n = isRecord(bytesN) ? bytesN.n : undefined;
    return typeof n === "number" ? `Bytes${n}` : "Void";
  }
  const vec = field(type, "vec");
  if (vec !== undefined) return `Vec<${stellarSpecTypeName(isRecord(vec) ? vec.element_type : undefined)}>`;
  const map = field(type, "map");
  if (map !== undefined) {
    const key = isRecord(map) ? map.key_type : undefined;
    const value = isRecord(map) ? map.value_type : undefined;
    return `Map<${stellarSpecTypeName(key)},${stellarSpecTypeName(value)}>`;
  }
  const tuple = field(type, "tuple");
  if (tuple !== undefined) {
    const types = isRecord(tuple) && Array.isArray(tuple.value_types) ? tuple.value_types : [];
    return `Tuple<${types.map(stellarSpecTypeName).join(",")}>`;
  }
  const udt = field(type, "udt");
  if (udt !== undefined) {
    const name = isRecord(udt) ? udt.name : undefined;
    return typeof name === "string" ? name : "Void";
  }
  return "Void";
}

/**
 * Compiles spec entries (config `contract_spec` or a spec fetched from the chain). Entries other than `function_v0`
 * and `event_v0` (UDTs) carry nothing OZ's matcher uses and are skipped; malformed function and event entries are
 * skipped and reported as issues. The same entries (by identity or by JSON text) compile to the same object.
 */
export function compileStellarSpec(
  entries: readonly unknown[],
  interner: StellarSpecInterner = createStellarSpecInterner(),
): CompileStellarSpecResult {
  const cached = interner.byEntries.get(entries);
  if (cached) return cached;
  const text = JSON.stringify(entries);
  const sameText = interner.byText.get(text);
  if (sameText) {
    interner.byEntries.set(entries, sameText);
    return sameText;
  }

  const functions: StellarSpecFunction[] = [];
  const events: StellarSpecEvent[] = [];
  const issues: StellarSpecIssue[] = [];
  entries.forEach((entry, index) => {
    if (!isRecord(entry)) {
      issues.push({ index, message: 'a spec entry must be an object like {"function_v0": {…}}' });
      return;
    }
    const fn = field(entry, "function_v0");
    if (fn !== undefined) {
      const compiled = compileFunction(fn);
      if (typeof compiled === "string") issues.push({ index, message: `function_v0 ${compiled}` });
      else functions.push(compiled);
      return;
    }
    const ev = field(entry, "event_v0");
    if (ev !== undefined) {
      const compiled = compileEvent(ev);
      if (typeof compiled === "string") issues.push({ index, message: `event_v0 ${compiled}` });
      else events.push(compiled);
    }
  });

  const functionsByName = new Map<string, StellarSpecFunction[]>();
  const functionsBySignature = new Map<string, StellarSpecFunction>();
  for (const fn of functions) {
    const list = functionsByName.get(fn.name);
    if (list) list.push(fn);
    else functionsByName.set(fn.name, [fn]);
    if (!functionsBySignature.has(fn.signatureKey)) functionsBySignature.set(fn.signatureKey, fn);
  }
  const result: CompileStellarSpecResult = {
    spec: Object.freeze({ functions, events, functionsByName, functionsBySignature }),
    issues,
  };
  interner.byEntries.set(entries, result);
  interner.byText.set(text, result);
  return result;
}

function compileFunction(raw: unknown): StellarSpecFunction | string {
  if (!isRecord(raw)) return "must be an object";
  const { name, inputs } = raw;
  if (typeof name !== "string") return "has no name";
  if (!Array.isArray(inputs)) return `'${name}' has no inputs list`;
  const compiled: StellarSpecInput[] = [];
  for (let index = 0; index < inputs.length; index++) {
    const input: unknown = inputs[index];
    if (!isRecord(input) || typeof input.name !== "string" || input.type_ === undefined) {
      return `'${name}' input ${index} needs a name and a type_`;
    }
    compiled.push(Object.freeze({ index, name: input.name, kind: stellarSpecTypeName(input.type_) }));
  }
  const signature = `${name}(${compiled.map((input) => input.kind).join(",")})`;
  return Object.freeze({ name, signature, signatureKey: stellarSignatureKey(signature), inputs: compiled });
}

function compileEvent(raw: unknown): StellarSpecEvent | string {
  if (!isRecord(raw)) return "must be an object";
  const { name, params } = raw;
  const prefixTopics = raw.prefix_topics ?? [];
  if (typeof name !== "string") return "has no name";
  if (!Array.isArray(prefixTopics) || !prefixTopics.every((topic) => typeof topic === "string")) {
    return `'${name}' prefix_topics must be a list of strings`;
  }
  if (!Array.isArray(params)) return `'${name}' has no params list`;
  const compiled: StellarSpecEventParam[] = [];
  for (let index = 0; index < params.length; index++) {
    const param: unknown = params[index];
    if (!isRecord(param) || typeof param.name !== "string" || param.type_ === undefined) {
      return `'${name}' param ${index} needs a name and a type_`;
    }
    const location = param.location === "data" ? "Data" : param.location === "topic_list" ? "Indexed" : undefined;
    if (location === undefined) return `'${name}' param ${index} has location other than "data" or "topic_list"`;
    compiled.push(Object.freeze({ name: param.name, kind: stellarSpecTypeName(param.type_), location }));
  }
  return Object.freeze({
    name,
    prefixTopics: Object.freeze([...(prefixTopics as string[])]),
    signature: `${name}(${compiled.map((param) => param.kind).join(",")})`,
    params: compiled,
    dataParams: compiled.filter((param) => param.location === "Data"),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
