/**
 * Solidity JSON ABIs compiled for matching: canonical signatures (§3.3 step 4), selectors, topic-0 hashes and the
 * type trees the decoder walks. Items are interned by their full shape (names, types, `indexed` flags), so
 * thousands of monitors carrying the same ABI share one `AbiFunction` / `AbiEvent` object, and the evaluator can
 * decode a log or call once per block for all of them.
 */
import { keccak256, stringToBytes } from "viem";

/** A parsed ABI type with the layout facts the decoder needs. */
export type AbiType =
  | ElementaryType
  | (AbiTypeBase & { readonly tag: "array"; readonly element: AbiType; readonly length: number | null })
  | (AbiTypeBase & { readonly tag: "tuple"; readonly components: readonly AbiType[] });

type ElementaryType = AbiTypeBase & {
  readonly tag: "uint" | "int" | "address" | "bool" | "fixedBytes" | "function" | "bytes" | "string";
  /** Byte width of `fixedBytes` (1–32), `function` (24); 0 otherwise. */
  readonly size: number;
};

interface AbiTypeBase {
  /** Canonical selector type, e.g. `uint256`, `(bool,string)[]`. */
  readonly canonical: string;
  /** Dynamic in the ABI encoding sense (encoded out of line behind an offset). */
  readonly dynamic: boolean;
  /** Bytes the type takes in a head: 32 for dynamic types, the full encoded size for static ones. */
  readonly headSize: number;
}

/** A function or event input: name and kind (the ABI `type` string) as users see them in matches. */
export interface AbiParam {
  readonly name: string;
  /** The ABI `type` string verbatim (`uint256`, `tuple`, `tuple[]`, `address[]`): the expression `kind`. */
  readonly kind: string;
  readonly indexed: boolean;
  readonly type: AbiType;
}

export interface AbiFunction {
  /** `name(type,…)` with selector types, as reported in matches. */
  readonly signature: string;
  /** `signature` without whitespace, lowercased: what condition signatures are compared with. */
  readonly signatureKey: string;
  /** Four-byte selector as 8 lowercase hex characters (no `0x`). */
  readonly selector: string;
  readonly inputs: readonly AbiParam[];
}

export interface AbiEvent {
  readonly signature: string;
  readonly signatureKey: string;
  /** `0x` + keccak256(signature), lowercase. */
  readonly topic0: string;
  readonly inputs: readonly AbiParam[];
}

/** One contract's ABI, ready for lookups. First item wins on duplicate selectors (as OZ's `find`). */
export interface CompiledAbi {
  readonly functionsBySelector: ReadonlyMap<string, AbiFunction>;
  readonly eventsByTopic0: ReadonlyMap<string, AbiEvent>;
}

export interface AbiIssue {
  /** Index of the offending item in the ABI array. */
  index: number;
  message: string;
}

/** Compile-scoped interning tables; share one across a `compileMonitors` call. */
export interface AbiInterner {
  readonly abis: Map<string, CompiledAbi>;
  readonly functions: Map<string, AbiFunction>;
  readonly events: Map<string, AbiEvent>;
  readonly hashes: Map<string, string>;
  /** Same array object (e.g. a config cache handing out one parsed spec) → same result without re-walking it. */
  readonly bySpec: WeakMap<object, CompileAbiResult>;
  /**
   * Same shape → same result. Tenants paste the same popular ABIs over and over; the shape key (`abiShapeKey`) reads
   * only what compiling reads, far cheaper than compiling every item again.
   */
  readonly byShape: Map<string, CompileAbiResult>;
  /** Interned strings (signature keys): equal keys are the same string, so comparing them is a pointer check. */
  readonly strings: Map<string, string>;
}

export interface CompileAbiResult {
  abi: CompiledAbi;
  issues: AbiIssue[];
}

export function createAbiInterner(): AbiInterner {
  return {
    abis: new Map(),
    functions: new Map(),
    events: new Map(),
    hashes: new Map(),
    bySpec: new WeakMap(),
    byShape: new Map(),
    strings: new Map(),
  };
}

/** `signature` without whitespace, lowercased (OZ's `are_same_signature` normalisation), interned. */
export function signatureKey(signature: string, interner: AbiInterner): string {
  const key = signature.replace(/\s+/g, "").toLowerCase();
  const interned = interner.strings.get(key);
  if (interned !== undefined) return interned;
  interner.strings.set(key, key);
  return key;
}

/**
 * Compiles an EVM JSON ABI array. Items other than functions and events are ignored; malformed function/event
 * items are skipped and reported as issues.
 */
export function compileAbi(spec: readonly unknown[], interner: AbiInterner): CompileAbiResult {
  const cached = interner.bySpec.get(spec);
  if (cached) return cached;
  const shape = abiShapeKey(spec);
  const sameShape = interner.byShape.get(shape);
  if (sameShape) {
    interner.bySpec.set(spec, sameShape);
    return sameShape;
  }

  const issues: AbiIssue[] = [];
  const items: Array<{ fn: AbiFunction } | { ev: AbiEvent }> = [];
  const keys: string[] = [];
  spec.forEach((raw, index) => {
    if (!isRecord(raw) || (raw.type !== "function" && raw.type !== "event")) return;
    const parsed = parseItem(raw, raw.type);
    if (typeof parsed === "string") {
      issues.push({ index, message: parsed });
      return;
    }
    const key = `${raw.type}:${parsed.name}(${parsed.paramKeys.join(",")})`;
    keys.push(key);
    if (raw.type === "function") items.push({ fn: internFunction(key, parsed, interner) });
    else items.push({ ev: internEvent(key, parsed, interner) });
  });

  const abiKey = keys.join("\n");
  let abi = interner.abis.get(abiKey);
  if (!abi) {
    const functionsBySelector = new Map<string, AbiFunction>();
    const eventsByTopic0 = new Map<string, AbiEvent>();
    for (const item of items) {
      if ("fn" in item) {
        if (!functionsBySelector.has(item.fn.selector)) functionsBySelector.set(item.fn.selector, item.fn);
      } else if (!eventsByTopic0.has(item.ev.topic0)) {
        eventsByTopic0.set(item.ev.topic0, item.ev);
      }
    }
    abi = { functionsBySelector, eventsByTopic0 };
    interner.abis.set(abiKey, abi);
  }
  const result = { abi, issues };
  interner.bySpec.set(spec, result);
  interner.byShape.set(shape, result);
  return result;
}

/**
 * A key determining `compileAbi`'s result: for each item, in order, exactly the fields compiling reads (`type`,
 * `name`, `inputs[]` with their `type`, `name`, `indexed` and tuple `components`), strings length-prefixed so that
 * the key is unambiguous. Items other than functions and events only hold their place (issues name item indexes).
 */
export function abiShapeKey(spec: readonly unknown[]): string {
  let key = "";
  for (const raw of spec) {
    if (!isRecord(raw) || (raw.type !== "function" && raw.type !== "event")) {
      key += "_";
      continue;
    }
    const event = raw.type === "event";
    key += `${event ? "E" : "F"}${text(raw.name)}(`;
    const inputs = raw.inputs ?? [];
    key += Array.isArray(inputs) ? paramsKey(inputs, event) : "#";
    key += ")";
  }
  return key;
}

function paramsKey(params: readonly unknown[], event: boolean): string {
  let key = "";
  for (const param of params) {
    if (!isRecord(param)) {
      key += "#,";
      continue;
    }
    const kind = param.type;
    key += `${text(kind)}${typeof param.name === "string" ? text(param.name) : "-"}`;
    if (event && param.indexed === true) key += "!";
    if (typeof kind === "string" && kind.startsWith("tuple")) {
      const components = param.components;
      key += Array.isArray(components) ? `{${paramsKey(components, false)}}` : "#";
    }
    key += ",";
  }
  return key;
}

/** A string length-prefixed (unambiguous inside a key); anything else by its type only (compiling rejects it). */
function text(value: unknown): string {
  return typeof value === "string" ? `${value.length}:${value}` : `#${typeof value}`;
}

interface ParsedItem {
  name: string;
  inputs: AbiParam[];
  paramKeys: string[];
}

function parseItem(raw: Record<string, unknown>, itemType: "function" | "event"): ParsedItem | string {
  const name = raw.name;
  if (typeof name !== "string" || name === "") return `${itemType} item has no name`;
  const rawInputs = raw.inputs ?? [];
  if (!Array.isArray(rawInputs)) return `${itemType} '${name}': "inputs" is not an array`;
  const inputs: AbiParam[] = [];
  const paramKeys: string[] = [];
  for (const [i, input] of rawInputs.entries()) {
    const parsed = parseParam(input);
    if (typeof parsed === "string") return `${itemType} '${name}', input ${i}: ${parsed}`;
    inputs.push({ ...parsed.param, indexed: itemType === "event" && isRecord(input) && input.indexed === true });
    paramKeys.push(`${parsed.key}${inputs[i]?.indexed ? " indexed" : ""}`);
  }
  return { name, inputs, paramKeys };
}

function parseParam(raw: unknown): { param: Omit<AbiParam, "indexed">; key: string } | string {
  if (!isRecord(raw)) return "not an object";
  const kind = raw.type;
  if (typeof kind !== "string") return 'missing "type"';
  const name = typeof raw.name === "string" ? raw.name : "";
  const type = parseType(kind, raw.components);
  if (typeof type === "string") return type;
  return { param: { name, kind, type: type.type }, key: `${type.key} ${JSON.stringify(name)}` };
}

const ARRAY_SUFFIX = /\[(\d*)\]$/;

/** Parses an ABI `type` string (plus `components` for tuples) into a type tree and a shape key for interning. */
function parseType(kind: string, components: unknown): { type: AbiType; key: string } | string {
  const suffix = ARRAY_SUFFIX.exec(kind);
  if (suffix) {
    const inner = parseType(kind.slice(0, suffix.index), components);
    if (typeof inner === "string") return inner;
    const length = suffix[1] === "" ? null : Number(suffix[1]);
    if (length !== null && !Number.isSafeInteger(length)) return `array length out of range in '${kind}'`;
    const element = inner.type;
    const dynamic = length === null || element.dynamic;
    const type: AbiType = {
      tag: "array",
      element,
      length,
      canonical: `${element.canonical}[${length ?? ""}]`,
      dynamic,
      headSize: dynamic ? 32 : (length ?? 0) * element.headSize,
    };
    return { type, key: `${inner.key}[${length ?? ""}]` };
  }

  if (kind === "tuple") {
    if (!Array.isArray(components)) return "tuple without components";
    const parts: AbiType[] = [];
    const keys: string[] = [];
    for (const component of components) {
      const parsed = parseParam(component);
      if (typeof parsed === "string") return `tuple component: ${parsed}`;
      parts.push(parsed.param.type);
      keys.push(parsed.key);
    }
    const dynamic = parts.some((p) => p.dynamic);
    const type: AbiType = {
      tag: "tuple",
      components: parts,
      canonical: `(${parts.map((p) => p.canonical).join(",")})`,
      dynamic,
      headSize: dynamic ? 32 : parts.reduce((sum, p) => sum + p.headSize, 0),
    };
    return { type, key: `(${keys.join(",")})` };
  }

  const elementary = parseElementary(kind);
  if (!elementary) return `unsupported type '${kind}'`;
  return { type: elementary, key: elementary.canonical };
}

function parseElementary(kind: string): ElementaryType | undefined {
  switch (kind) {
    case "address":
    case "bool":
      return staticType(kind, kind, 0);
    case "function":
      return staticType("function", "function", 24);
    case "bytes":
    case "string":
      return { tag: kind, canonical: kind, size: 0, dynamic: true, headSize: 32 };
    case "uint":
      return staticType("uint", "uint256", 0);
    case "int":
      return staticType("int", "int256", 0);
  }
  const integer = INTEGER_TYPE.exec(kind);
  if (integer) {
    const bits = Number(integer[2]);
    if (bits < 8 || bits > 256 || bits % 8 !== 0 || integer[2]?.startsWith("0")) return undefined;
    return staticType(integer[1] === "u" ? "uint" : "int", kind, 0);
  }
  const bytes = FIXED_BYTES_TYPE.exec(kind);
  if (bytes) {
    const size = Number(bytes[1]);
    if (size < 1 || size > 32 || bytes[1]?.startsWith("0")) return undefined;
    return staticType("fixedBytes", kind, size);
  }
  return undefined;
}

const INTEGER_TYPE = /^(u?)int(\d+)$/;
const FIXED_BYTES_TYPE = /^bytes(\d+)$/;

function staticType(tag: ElementaryType["tag"], canonical: string, size: number): ElementaryType {
  return { tag, canonical, size, dynamic: false, headSize: 32 };
}

function internFunction(key: string, item: ParsedItem, interner: AbiInterner): AbiFunction {
  const existing = interner.functions.get(key);
  if (existing) return existing;
  const signature = canonicalSignature(item);
  const fn: AbiFunction = Object.freeze({
    signature,
    signatureKey: signatureKey(signature, interner),
    selector: hashSignature(signature, interner).slice(2, 10),
    inputs: Object.freeze(item.inputs),
  });
  interner.functions.set(key, fn);
  return fn;
}

function internEvent(key: string, item: ParsedItem, interner: AbiInterner): AbiEvent {
  const existing = interner.events.get(key);
  if (existing) return existing;
  const signature = canonicalSignature(item);
  const ev: AbiEvent = Object.freeze({
    signature,
    signatureKey: signatureKey(signature, interner),
    topic0: hashSignature(signature, interner),
    inputs: Object.freeze(item.inputs),
  });
  interner.events.set(key, ev);
  return ev;
}

function canonicalSignature(item: ParsedItem): string {
  return `${item.name}(${item.inputs.map((input) => input.type.canonical).join(",")})`;
}

function hashSignature(signature: string, interner: AbiInterner): string {
  let hash = interner.hashes.get(signature);
  if (hash === undefined) {
    hash = keccak256(stringToBytes(signature));
    interner.hashes.set(signature, hash);
  }
  return hash;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
