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
  try {
    const reader = new HexReader(argsHex);
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

/**
 * Decodes a log: indexed inputs from `topics[1..]` (value types decoded; strings, bytes, arrays and tuples are
 * hashed by Solidity, so their value is the topic itself), the others from `data`. `topics` and `dataHex` are
 * lowercase, `dataHex` without `0x`. Returns `null` when the log does not fit the event.
 */
export function decodeEventArgs(ev: AbiEvent, topics: readonly string[], dataHex: string): EvmMatchArg[] | null {
  try {
    const indexedValues: string[] = [];
    const dataTypes: AbiType[] = [];
    let topicIndex = 1;
    for (const input of ev.inputs) {
      if (!input.indexed) {
        dataTypes.push(input.type);
        continue;
      }
      const topic = topics[topicIndex++];
      if (topic === undefined || topic.length !== 66) throw new DecodeFailure("missing topic");
      indexedValues.push(isValueType(input.type) ? new HexReader(topic.slice(2)).value(input.type, 0, false) : topic);
    }
    const dataValues = dataTypes.length === 0 ? [] : new HexReader(dataHex).sequence(dataTypes, 0, false);
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

function arg(input: AbiParam, value: string): EvmMatchArg {
  return Object.freeze({ name: input.name, value, indexed: input.indexed, kind: input.kind });
}

function isValueType(type: AbiType): boolean {
  return type.tag !== "array" && type.tag !== "tuple" && type.tag !== "bytes" && type.tag !== "string";
}

class HexReader {
  private readonly hex: string;
  private readonly byteLength: number;

  constructor(hex: string) {
    if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) throw new DecodeFailure("malformed hex");
    this.hex = hex;
    this.byteLength = hex.length / 2;
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
    const start = at * 2;
    if (at < 0 || start + 64 > this.hex.length) throw new DecodeFailure("read past end of data");
    return this.hex.slice(start, start + 64);
  }

  private uint(at: number): bigint {
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

  private bytes(at: number): string {
    const length = this.length(at);
    const start = (at + 32) * 2;
    const end = start + length * 2;
    if (end > this.hex.length) throw new DecodeFailure("bytes exceed data");
    return this.hex.slice(start, end);
  }
}

function quote(text: string, nested: boolean): string {
  return nested ? `"${text}"` : text;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
