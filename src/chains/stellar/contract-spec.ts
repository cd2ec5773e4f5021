import { cereal, xdr } from "@stellar/stellar-sdk";
import type { StellarContractSpecEntry } from "../../engine/stellar-ledger.js";
import { xdrFromJson, xdrToJson } from "./xdr-json.js";

/**
 * SEP-48 contract specs: the `contractspecv0` custom section of a contract's WASM holds a stream of `ScSpecEntry`
 * XDR values; OZ configs hold the same entries as stellar-xdr serde JSON (`{"function_v0": {...}}`). Pure
 * conversions both ways, plus the WASM section reader and writer.
 */

/** Name of the WASM custom section that holds a Soroban contract's spec. */
export const CONTRACT_SPEC_SECTION = "contractspecv0";

/** Spec entries as stellar-xdr JSON, exactly as stellar-xdr's serde writes them (`doc`/`lib` included). */
export function contractSpecFromXdr(entries: readonly xdr.ScSpecEntry[]): StellarContractSpecEntry[] {
  return entries.map((entry) => xdrToJson(xdr.ScSpecEntry, entry) as unknown as StellarContractSpecEntry);
}

/** Reads a stream of `ScSpecEntry` XDR values (the payload of a `contractspecv0` section). Throws on bad XDR. */
export function readContractSpecStream(bytes: Uint8Array): xdr.ScSpecEntry[] {
  const reader = new cereal.XdrReader(Buffer.from(bytes));
  const entries: xdr.ScSpecEntry[] = [];
  while (!reader.eof) {
    entries.push((xdr.ScSpecEntry as unknown as { read(r: unknown): xdr.ScSpecEntry }).read(reader));
  }
  return entries;
}

type Json = Record<string, unknown>;

function withDoc(value: unknown, lib = false): Json {
  const object = { ...(value as Json) };
  object.doc ??= "";
  if (lib) object.lib ??= "";
  return object;
}

function mapList(value: unknown, fn: (item: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map(fn) : value;
}

/** Fills the `doc`/`lib` strings hand-written specs omit (XDR has no optional strings there). */
function completeEntry(entry: StellarContractSpecEntry): unknown {
  const [kind, body] = Object.entries(entry)[0] ?? [];
  if (kind === undefined || typeof body !== "object" || body === null) return entry;
  switch (kind) {
    case "function_v0": {
      const fn = withDoc(body);
      fn.inputs = mapList(fn.inputs, (input) => withDoc(input));
      return { function_v0: fn };
    }
    case "udt_struct_v0": {
      const struct = withDoc(body, true);
      struct.fields = mapList(struct.fields, (field) => withDoc(field));
      return { udt_struct_v0: struct };
    }
    case "udt_union_v0": {
      const union = withDoc(body, true);
      union.cases = mapList(union.cases, (unionCase) => {
        const [caseKind, caseBody] = Object.entries(unionCase as Json)[0] ?? [];
        return caseKind === undefined ? unionCase : { [caseKind]: withDoc(caseBody) };
      });
      return { udt_union_v0: union };
    }
    case "udt_enum_v0":
    case "udt_error_enum_v0": {
      const enumBody = withDoc(body, true);
      enumBody.cases = mapList(enumBody.cases, (enumCase) => withDoc(enumCase));
      return { [kind]: enumBody };
    }
    case "event_v0": {
      const event = withDoc(body, true);
      event.params = mapList(event.params, (param) => withDoc(param));
      return { event_v0: event };
    }
    default:
      return entry;
  }
}

/**
 * Spec JSON → `ScSpecEntry` XDR values (missing `doc`/`lib` become `""`). Throws `TypeError` naming the JSON path of
 * the first entry that is not a valid spec entry.
 */
export function contractSpecToXdr(spec: readonly StellarContractSpecEntry[]): xdr.ScSpecEntry[] {
  return spec.map(
    (entry, i) => xdrFromJson(xdr.ScSpecEntry, completeEntry(entry), `$[${i}]`) as unknown as xdr.ScSpecEntry,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// WASM custom sections

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const WASM_VERSION = [0x01, 0x00, 0x00, 0x00];

/** Why a WASM module's spec section cannot be read. */
export class WasmSectionError extends Error {
  override name = "WasmSectionError";
}

/**
 * The payloads of every custom section named `name`, in module order. Validates the header and every section's
 * bounds; a truncated or garbled module throws `WasmSectionError`.
 */
export function wasmCustomSections(wasm: Uint8Array, name: string): Uint8Array[] {
  let offset = 0;
  const need = (length: number) => {
    if (offset + length > wasm.length) {
      throw new WasmSectionError(`the module is truncated at byte ${offset} (needs ${length} more)`);
    }
  };
  const u32 = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      need(1);
      const byte = wasm[offset++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) break;
        return value;
      }
    }
    throw new WasmSectionError(`invalid LEB128 number before byte ${offset}`);
  };
  need(8);
  if (WASM_MAGIC.some((b, i) => wasm[i] !== b)) throw new WasmSectionError("not a WASM module (bad magic number)");
  if (WASM_VERSION.some((b, i) => wasm[4 + i] !== b)) throw new WasmSectionError("unsupported WASM version");
  offset = 8;
  const found: Uint8Array[] = [];
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  while (offset < wasm.length) {
    const id = wasm[offset++] as number;
    const size = u32();
    need(size);
    const end = offset + size;
    if (id === 0) {
      const nameLength = u32();
      if (offset + nameLength > end) throw new WasmSectionError(`custom section name overruns its section`);
      let sectionName: string | undefined;
      try {
        sectionName = utf8.decode(wasm.subarray(offset, offset + nameLength));
      } catch {
        sectionName = undefined;
      }
      if (sectionName === name) found.push(wasm.subarray(offset + nameLength, end));
    }
    offset = end;
  }
  return found;
}

/** The contract spec in a contract's WASM: every `contractspecv0` section, read as one entry stream. */
export function parseContractSpecWasm(wasm: Uint8Array): StellarContractSpecEntry[] {
  const sections = wasmCustomSections(wasm, CONTRACT_SPEC_SECTION);
  if (sections.length === 0) throw new WasmSectionError(`the module has no ${CONTRACT_SPEC_SECTION} section`);
  let entries: xdr.ScSpecEntry[];
  try {
    entries = readContractSpecStream(Buffer.concat(sections));
  } catch (error) {
    throw new WasmSectionError(
      `the ${CONTRACT_SPEC_SECTION} section is not a stream of ScSpecEntry XDR (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return contractSpecFromXdr(entries);
}

function leb128(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return out;
}

/**
 * A minimal valid WASM module (header + one `contractspecv0` custom section) holding `spec`. For tests and tools
 * that need chain-shaped contract code; a real contract has code sections as well.
 */
export function buildContractSpecWasm(spec: readonly StellarContractSpecEntry[]): Buffer {
  const payload = Buffer.concat(contractSpecToXdr(spec).map((entry) => entry.toXDR()));
  const name = Buffer.from(CONTRACT_SPEC_SECTION, "utf8");
  const body = Buffer.concat([Buffer.from(leb128(name.length)), name, payload]);
  return Buffer.concat([
    Buffer.from(WASM_MAGIC),
    Buffer.from(WASM_VERSION),
    Buffer.from([0]),
    Buffer.from(leb128(body.length)),
    body,
  ]);
}
