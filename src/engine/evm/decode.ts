/**
 * ABI decoding straight into OZ's display format (§3.3 "Value formatting"), working on lowercase hex text.
 *
 * Top-level values: address / bytes / fixed bytes / function → `0x…` lowercase; integers → decimal; bool →
 * `true`/`false`; string → raw text. Inside arrays (`[…]`) and tuples (`(…)`): strings and hex values are quoted
 * (`"…"`, no escaping), numbers and bools bare, no spaces. Decoding never trusts offsets or lengths: anything that
 * points outside the data is a `DecodeFailure`, so hostile calldata cannot make the decoder loop or allocate.
 */

import type { EvmMatchArg } from "../types.js";
import type { AbiEvent, AbiFunction, AbiParam, AbiType } from "./abi.js";

/** Thrown internally for malformed data; callers of the exported functions get `null` instead. */
class DecodeFailure extends Error {}

const utf8 = new TextDecoder("utf-8");

/**
 * Decodes call data (`input` without the `0x` prefix and without the 4-byte selector, lowercase) as the function's
 * inputs. Returns `null` when the data does not decode. Trailing bytes are ignored.
 */
export function decodeFunctionArgs(fn: AbiFunction, argsHex: string): EvmMatchArg[] | null {
  return decodeCallAt(fn, argsHex, 0, false);
}

/**
 * Decodes a transaction's call data as OZ does (`input` as the node sent it, selector included): like
 * `decodeFunctionArgs` on the lowercase data after `0x` and the selector, without copying canonical input.
 */
export function decodeCallInput(fn: AbiFunction, input: string): EvmMatchArg[] | null {
  if (LOWER_HEX_DATA.test(input) && input.length >= 10) return decodeCallAt(fn, input, 10, true);
  return decodeFunctionArgs(fn, dataBody(input).slice(8));
}

function decodeCallAt(fn: AbiFunction, hex: string, start: number, validated: boolean): EvmMatchArg[] | null {
  try {
    const reader = new HexReader(hex, start, validated);
    const values = reader.sequence(
      fn.inputs.map((input) => input.type),
      0,
      false,
    );
    return fn.inputs.map((input, i) => arg(input, values[i] ?? ""));
  } catch (error) {
    if (error instanceof DecodeFailure) return null;
    throw error;
  }
}

/** `0x` + lowercase hex digits: data the decoder can read in place. */
const LOWER_HEX_DATA = /^0x[0-9a-f]*$/;
const LOWER_HEX_TOPIC = /^0x[0-9a-f]{64}$/;

/** Hex data without its `0x` prefix, lowercase (OZ reads hex case-insensitively). */
export function dataBody(hex: string | undefined): string {
  if (hex === undefined) return "";
  return (hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex).toLowerCase();
}

/**
 * Decodes a log: indexed inputs from `topics[1..]` (value types decoded; strings, bytes, arrays and tuples are
 * hashed by Solidity, so their value is the topic itself), the others from `data`. `topics` and `dataHex` are
 * lowercase, `dataHex` without `0x`. Returns `null` when the log does not fit the event.
 */
export function decodeEventArgs(ev: AbiEvent, topics: readonly string[], dataHex: string): EvmMatchArg[] | null {
  return decodeLogAt(ev, topics, dataHex, 0, false);
}

/**
 * Decodes a log as the node sent it (topics and `0x` data in any case): like `decodeEventArgs` on lowercase topics
 * and the lowercase data after `0x`, without copying canonical input.
 */
export function decodeRpcLog(ev: AbiEvent, topics: readonly string[], data: string | undefined): EvmMatchArg[] | null {
  if (data !== undefined && LOWER_HEX_DATA.test(data)) return decodeLogAt(ev, topics, data, 2, true);
  return decodeLogAt(ev, topics, dataBody(data), 0, false);
}

function decodeLogAt(
  ev: AbiEvent,
  topics: readonly string[],
  data: string,
  dataStart: number,
  dataValidated: boolean,
): EvmMatchArg[] | null {
  try {
    const indexedValues: string[] = [];
    const dataTypes: AbiType[] = [];
    let topicIndex = 1;
    for (const input of ev.inputs) {
      if (!input.indexed) {
        dataTypes.push(input.type);
        continue;
      }
      let topic = topics[topicIndex++];
      if (topic === undefined || topic.length !== 66) throw new DecodeFailure("missing topic");
      const canonical = LOWER_HEX_TOPIC.test(topic);
      if (!canonical) topic = topic.toLowerCase();
      indexedValues.push(isValueType(input.type) ? topicValue(input.type, topic, canonical) : topic);
    }
    const dataValues =
      dataTypes.length === 0 ? [] : new HexReader(data, dataStart, dataValidated).sequence(dataTypes, 0, false);
    let nextIndexed = 0;
    let nextData = 0;
    return ev.inputs.map((input) =>
      arg(input, (input.indexed ? indexedValues[nextIndexed++] : dataValues[nextData++]) ?? ""),
    );
  } catch (error) {
    if (error instanceof DecodeFailure) return null;
    throw error;
  }
}

/**
 * Reads single top-level parameters of a log without decoding the others, for the predicate index's probes.
 * A value it returns is the one `decodeRpcLog` gives that parameter whenever the whole log decodes; `undefined`
 * means the parameter cannot be read (the log then does not decode either).
 */
export class LogValueReader {
  private ev: AbiEvent;
  private topics: readonly string[];
  private data: string;
  /** Where the data's hex digits start (after `0x`). */
  private dataStart: number;
  private placement: EventPlacement;
  /** Values read so far, per parameter (`null`: unreadable). */
  private readonly values: Array<string | null | undefined> = [];
  /** Parsed integers per parameter, for the predicate index (see `TriggerValues`). */
  integers?: Array<bigint | null | undefined>;

  constructor(ev: AbiEvent, topics: readonly string[], data: string) {
    this.ev = ev;
    this.topics = topics;
    this.data = data;
    this.dataStart = dataStartOf(data);
    this.placement = placement(ev);
  }

  /** Reads another log (the reader is reused across logs to spare allocations). */
  reset(ev: AbiEvent, topics: readonly string[], data: string): this {
    this.ev = ev;
    this.topics = topics;
    this.data = data;
    this.dataStart = dataStartOf(data);
    this.placement = placement(ev);
    this.values.length = 0;
    if (this.integers) this.integers.length = 0;
    return this;
  }

  value(param: number): string | undefined {
    let value = this.values[param];
    if (value === undefined) {
      value = this.read(param) ?? null;
      this.values[param] = value;
    }
    return value ?? undefined;
  }

  /**
   * The integer of a `uint*`/`int*` parameter, without rendering it as text. (Hex is not validated beforehand:
   * `BigInt` rejects non-hex digits, and reads upper-case digits as the decoder reads their lowercase form.)
   */
  integer(param: number): bigint | undefined {
    const input = this.ev.inputs[param];
    if (input === undefined || (input.type.tag !== "uint" && input.type.tag !== "int")) return undefined;
    let raw: bigint;
    try {
      if (input.indexed) {
        const topic = this.topics[this.placement.topics[param] as number];
        if (topic === undefined || topic.length !== 66) return undefined;
        raw =
          topic.charCodeAt(0) === 0x30 && (topic.charCodeAt(1) | 0x20) === 0x78 ? BigInt(topic) : topicInteger(topic);
      } else {
        const start = this.dataStart + (this.placement.heads[param] as number) * 2;
        if (start + 64 > this.data.length) return undefined;
        raw = BigInt(`0x${this.data.slice(start, start + 64)}`);
      }
    } catch {
      return undefined; // not hex: the log does not decode
    }
    return input.type.tag === "int" ? BigInt.asIntN(256, raw) : raw;
  }

  private read(param: number): string | undefined {
    const input = this.ev.inputs[param];
    if (input === undefined) return undefined;
    if (input.indexed) {
      const topic = this.topics[this.placement.topics[param] as number];
      if (topic === undefined || topic.length !== 66) return undefined;
      const canonical = LOWER_HEX_TOPIC.test(topic);
      const lower = canonical ? topic : topic.toLowerCase();
      if (!isValueType(input.type)) return lower;
      if (!canonical && !TOPIC_WORD.test(lower)) return undefined;
      return wordValue(input.type, lower, 2);
    }
    if (!isWordType(input.type)) return this.decodeData(param);
    const word = this.word(this.placement.heads[param] as number);
    return word === undefined ? undefined : wordValue(input.type, word, 0);
  }

  /**
   * The 64 lowercase hex digits of the data word at byte `head`, `undefined` when absent or not hex (the log then
   * does not decode).
   */
  private word(head: number): string | undefined {
    const start = this.dataStart + head * 2;
    if (start + 64 > this.data.length) return undefined;
    const word = this.data.slice(start, start + 64);
    if (WORD.test(word)) return word;
    const lower = word.toLowerCase();
    return WORD.test(lower) ? lower : undefined;
  }

  /** Other data parameters (dynamic or composite): through the full data decoder. */
  private decodeData(param: number): string | undefined {
    const input = this.ev.inputs[param] as AbiParam;
    try {
      const data = this.data;
      const reader = LOWER_HEX_DATA.test(data) ? new HexReader(data, 2, true) : new HexReader(dataBody(data), 0, false);
      const head = this.placement.heads[param] as number;
      return input.type.dynamic
        ? reader.value(input.type, reader.offsetAt(head), false)
        : reader.value(input.type, head, false);
    } catch (error) {
      if (error instanceof DecodeFailure) return undefined;
      throw error;
    }
  }
}

const WORD = /^[0-9a-f]{64}$/;

function dataStartOf(data: string): number {
  return data.length >= 2 && data.charCodeAt(0) === 0x30 && (data.charCodeAt(1) | 0x20) === 0x78 ? 2 : 0;
}

/** Types whose top-level value is one word (and renders like `HexReader.value` at top level). */
function isWordType(type: AbiType): boolean {
  return (
    type.tag === "uint" ||
    type.tag === "int" ||
    type.tag === "bool" ||
    type.tag === "address" ||
    type.tag === "fixedBytes" ||
    type.tag === "function"
  );
}

/**
 * A one-word value at top level from 64 lowercase hex digits at `at` of `text`, exactly as `HexReader.value`
 * renders it (`uint`: decimal; `int`: two's complement; `bool`; `address`, `bytesN`, `function`: `0x` + hex).
 */
function wordValue(type: AbiType, text: string, at: number): string {
  switch (type.tag) {
    case "uint":
      return BigInt(`0x${text.slice(at, at + 64)}`).toString();
    case "int":
      return BigInt.asIntN(256, BigInt(`0x${text.slice(at, at + 64)}`)).toString();
    case "bool":
      return ZERO_WORD.test(text.slice(at, at + 64)) ? "false" : "true";
    case "address":
      return `0x${text.slice(at + 24, at + 64)}`;
    case "fixedBytes":
    case "function":
      return `0x${text.slice(at, at + type.size * 2)}`;
    default:
      throw new DecodeFailure(`not a one-word type: ${type.canonical}`);
  }
}

const ZERO_WORD = /^0+$/;

/** Where each input of an event is: its topic (indexed inputs) or its head offset in the data (the others). */
interface EventPlacement {
  readonly topics: readonly number[];
  readonly heads: readonly number[];
}

const placements = new WeakMap<AbiEvent, EventPlacement>();

function placement(ev: AbiEvent): EventPlacement {
  let found = placements.get(ev);
  if (!found) {
    const topics: number[] = [];
    const heads: number[] = [];
    let topic = 1;
    let head = 0;
    for (const input of ev.inputs) {
      topics.push(input.indexed ? topic++ : -1);
      heads.push(input.indexed ? -1 : head);
      if (!input.indexed) head += input.type.headSize;
    }
    found = { topics, heads };
    placements.set(ev, found);
  }
  return found;
}

/**
 * A value type from a lowercase 66-character topic: its last 64 characters are the word (the first two, `0x` from
 * any node, are not checked, as before).
 */
function topicValue(type: AbiType, topic: string, validated: boolean): string {
  if (!validated && !TOPIC_WORD.test(topic)) throw new DecodeFailure("malformed hex");
  return wordValue(type, topic, 2);
}

function topicInteger(topic: string): bigint {
  return BigInt(topic.charCodeAt(0) === 0x30 && topic.charCodeAt(1) === 0x78 ? topic : `0x${topic.slice(2)}`);
}

const TOPIC_WORD = /^[\s\S]{2}[0-9a-f]{64}$/;

function arg(input: AbiParam, value: string): EvmMatchArg {
  return Object.freeze({ name: input.name, value, indexed: input.indexed, kind: input.kind });
}

function isValueType(type: AbiType): boolean {
  return type.tag !== "array" && type.tag !== "tuple" && type.tag !== "bytes" && type.tag !== "string";
}

/** Reads ABI-encoded data from lowercase hex text, starting at character `start` of `hex`. */
class HexReader {
  private readonly hex: string;
  private readonly start: number;
  private readonly byteLength: number;

  /** `validated`: the caller checked that `hex` holds only lowercase hex digits from `start`. */
  constructor(hex: string, start = 0, validated = false) {
    const digits = hex.length - start;
    if (digits % 2 !== 0 || (!validated && !LOWER_HEX_DIGITS.test(hex))) throw new DecodeFailure("malformed hex");
    this.hex = hex;
    this.start = start;
    this.byteLength = digits / 2;
  }

  /** Decodes consecutive values laid out as a tuple whose head starts at byte `base`. */
  sequence(types: readonly AbiType[], base: number, nested: boolean): string[] {
    const out: string[] = [];
    let head = base;
    for (const type of types) {
      if (type.dynamic) {
        const offset = this.offset(head);
        out.push(this.value(type, base + offset, nested));
      } else {
        out.push(this.value(type, head, nested));
      }
      head += type.headSize;
    }
    return out;
  }

  /** Decodes one value located at byte `at` (for dynamic types: where its tail starts). */
  value(type: AbiType, at: number, nested: boolean): string {
    switch (type.tag) {
      case "uint":
        return this.uint(at).toString();
      case "int":
        return BigInt.asIntN(256, this.uint(at)).toString();
      case "bool":
        return /^0+$/.test(this.word(at)) ? "false" : "true";
      case "address":
        return quote(`0x${this.word(at).slice(24)}`, nested);
      case "fixedBytes":
      case "function":
        return quote(`0x${this.word(at).slice(0, type.size * 2)}`, nested);
      case "bytes":
        return quote(`0x${this.bytes(at)}`, nested);
      case "string": {
        const text = utf8.decode(hexToBytes(this.bytes(at)));
        return nested ? `"${text}"` : text;
      }
      case "array": {
        let length = type.length;
        let base = at;
        if (length === null) {
          length = this.length(at);
          base = at + 32;
        }
        // Each element occupies at least one byte of head (32 for dynamic ones): bounds the loop by the data size.
        if (length * Math.max(type.element.headSize, 1) > this.byteLength - base) {
          throw new DecodeFailure("array length exceeds data");
        }
        const types = new Array<AbiType>(length).fill(type.element);
        return `[${this.sequence(types, base, true).join(",")}]`;
      }
      case "tuple":
        return `(${this.sequence(type.components, at, true).join(",")})`;
    }
  }

  private word(at: number): string {
    const start = this.start + at * 2;
    if (at < 0 || start + 64 > this.hex.length) throw new DecodeFailure("read past end of data");
    return this.hex.slice(start, start + 64);
  }

  uint(at: number): bigint {
    return BigInt(`0x${this.word(at)}`);
  }

  /** An offset or length word, bounded by the data size. */
  private length(at: number): number {
    const value = this.uint(at);
    if (value > BigInt(this.byteLength)) throw new DecodeFailure("offset or length exceeds data");
    return Number(value);
  }

  private offset(at: number): number {
    return this.length(at);
  }

  /** Where the tail of a dynamic top-level value whose head is at `head` starts. */
  offsetAt(head: number): number {
    return this.offset(head);
  }

  private bytes(at: number): string {
    const length = this.length(at);
    const start = this.start + (at + 32) * 2;
    const end = start + length * 2;
    if (end > this.hex.length) throw new DecodeFailure("bytes exceed data");
    return this.hex.slice(start, end);
  }
}

const LOWER_HEX_DIGITS = /^[0-9a-f]*$/;

function quote(text: string, nested: boolean): string {
  return nested ? `"${text}"` : text;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
