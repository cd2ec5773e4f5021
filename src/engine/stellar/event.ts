/**
 * Contract events as OZ's Stellar event matching decodes them (§4.6): the leading topics read as strings from their
 * raw XDR, the spec event they select, the indexed arguments from the remaining topics, the data unpacked per the
 * spec, and the runtime signature `name(<kinds>)`.
 */
import type { ScValue, StellarEvent } from "../stellar-ledger.js";
import { scMapKeyString, scValueDisplay, scValueKind } from "../stellar-values.js";
import { stellarSignatureKey } from "./normalize.js";
import type { CompiledStellarSpec, StellarSpecEvent } from "./spec.js";
import type { StellarMatchArg, StellarMatchArgsEntry } from "./types.js";

export interface DecodedStellarEvent {
  readonly signature: string;
  readonly signatureKey: string;
  readonly args: readonly StellarMatchArg[];
  /** `{signature, args}`, frozen: the `matched_on_args.events` entry of every match on this event. */
  readonly entry: StellarMatchArgsEntry;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The strings OZ reads from the leading topics: each topic's XDR bytes after the first 8 (the ScVal tag and the
 * length of a Symbol/String), as UTF-8 with NULs trimmed from both ends. The scan stops at the first topic that is
 * not base64, is shorter than 8 bytes, or is not UTF-8 after them.
 *
 * @example topicStrings(["AAAADwAAAAh0cmFuc2Zlcg==", …]) // ["transfer", …]
 */
export function topicStrings(topicsXdr: readonly string[]): string[] {
  const strings: string[] = [];
  for (const topic of topicsXdr) {
    const bytes = base64Bytes(topic);
    if (bytes === undefined || bytes.length < 8) break;
    let text: string;
    try {
      text = utf8.decode(bytes.subarray(8));
    } catch {
      break;
    }
    strings.push(trimNul(text));
  }
  return strings;
}

/** The first spec event whose prefix topics all equal the leading strings (or, without prefix topics, whose name is the first string). */
export function selectSpecEvent(spec: CompiledStellarSpec | null, strings: readonly string[]): StellarSpecEvent | null {
  if (spec === null) return null;
  for (const event of spec.events) {
    const prefix = event.prefixTopics;
    if (prefix.length === 0) {
      if (event.name === strings[0]) return event;
      continue;
    }
    if (prefix.length <= strings.length && prefix.every((topic, i) => topic === strings[i])) return event;
  }
  return null;
}

interface PendingArg {
  name: string | null;
  value: ScValue;
  indexed: boolean;
}

/**
 * Decodes an event with a contract's spec (or without one, `spec = null`). `strings` are the event's
 * `topicStrings`. `null` when OZ skips the event: no topic string at all, or a spec'd data value that unpacks to
 * nothing.
 */
export function decodeStellarContractEvent(
  event: StellarEvent,
  strings: readonly string[],
  spec: CompiledStellarSpec | null,
): DecodedStellarEvent | null {
  const first = strings[0];
  if (first === undefined) return null;
  const specEvent = selectSpecEvent(spec, strings);
  const name = specEvent ? specEvent.name : first;
  const skip = specEvent ? specEvent.prefixTopics.length : 1;

  const pending: PendingArg[] = [];
  for (let i = skip; i < event.topics.length; i++) {
    pending.push({ name: null, value: event.topics[i] as ScValue, indexed: true });
  }
  if (specEvent) {
    const data = unpackData(event.value, specEvent);
    if (data.length === 0) return null;
    pending.push(...data);
  } else {
    pending.push({ name: null, value: event.value, indexed: false });
  }

  const args: StellarMatchArg[] = pending.map((arg, position) => ({
    name: arg.name ?? specEvent?.params[position]?.name ?? String(position),
    value: scValueDisplay(arg.value),
    kind: scValueKind(arg.value),
    indexed: arg.indexed,
  }));
  const signature = `${name}(${args.map((arg) => arg.kind).join(",")})`;
  const frozenArgs = Object.freeze(args);
  return {
    signature,
    signatureKey: stellarSignatureKey(signature),
    args: frozenArgs,
    entry: Object.freeze({ signature, args: frozenArgs }),
  };
}

/**
 * Data per the spec's `data` params: a map gives one entry per data param present in it (spec order, named by the
 * param); a vector gives its items in order, named by the data param at the same position (else the position); any
 * other value is one entry named by the first data param (else `0`).
 */
function unpackData(value: ScValue, specEvent: StellarSpecEvent): PendingArg[] {
  const params = specEvent.dataParams;
  if (value.type === "map") {
    const byKey = new Map<string, ScValue>();
    for (const entry of value.entries) byKey.set(scMapKeyString(entry.key), entry.value);
    const out: PendingArg[] = [];
    for (const param of params) {
      const item = byKey.get(param.name);
      if (item !== undefined) out.push({ name: param.name, value: item, indexed: false });
    }
    return out;
  }
  if (value.type === "vec") {
    return value.items.map((item, i) => ({ name: params[i]?.name ?? String(i), value: item, indexed: false }));
  }
  return [{ name: params[0]?.name ?? "0", value, indexed: false }];
}

function trimNul(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === 0) start++;
  while (end > start && text.charCodeAt(end - 1) === 0) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

const BASE64_VALUES = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** Standard base64 with canonical padding (as Rust's `base64::STANDARD` requires); `undefined` when invalid. */
export function base64Bytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  let padding = 0;
  if (text.endsWith("==")) padding = 2;
  else if (text.endsWith("=")) padding = 1;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let chunk = 0;
    for (let j = 0; j < 4; j++) {
      const index = i + j;
      const code = text.charCodeAt(index);
      let sextet: number;
      if (code === 0x3d && index >= text.length - padding) sextet = 0;
      else {
        sextet = code < 128 ? (BASE64_VALUES[code] as number) : -1;
        if (sextet < 0) return undefined;
      }
      chunk = (chunk << 6) | sextet;
    }
    if (o < out.length) out[o++] = (chunk >> 16) & 0xff;
    if (o < out.length) out[o++] = (chunk >> 8) & 0xff;
    if (o < out.length) out[o++] = chunk & 0xff;
  }
  return out;
}
