/**
 * Contract invocations as OZ's Stellar function matching sees them (§4.5): the runtime signature, the spec function
 * it resolves to, and the named, typed arguments expressions are evaluated against.
 */
import { type JsonValue, stellarDialect } from "../../expr/index.js";
import type { ScValue, StellarInvokeContractOperation } from "../stellar-ledger.js";
import { scValueJson, scValueJsonText, scValueKind } from "../stellar-values.js";
import { stellarSignatureKey } from "./normalize.js";
import type { CompiledStellarSpec, StellarSpecFunction, StellarSpecInput } from "./spec.js";
import type { StellarMatchArg, StellarMatchArgsEntry } from "./types.js";

/** An invocation resolved against one spec: what a function condition compares and evaluates. */
export interface ResolvedCall {
  /** The spec function's signature when the call is compatible with it, else `name(<runtime kinds>)`. */
  readonly signature: string;
  readonly signatureKey: string;
  readonly args: readonly StellarMatchArg[];
  /** `{signature, args}`, frozen: the `matched_on_args.functions` entry of every match on this call. */
  readonly entry: StellarMatchArgsEntry;
}

/** The runtime kinds of an invocation's arguments (§4.3), e.g. `["Address", "Address", "I128"]`. */
export function runtimeKinds(op: StellarInvokeContractOperation): string[] {
  return op.args.map(scValueKind);
}

const RELAXED_PREFIXES = ["Vec<", "Map<", "Tuple<"] as const;

/**
 * A spec input kind accepts a runtime kind when they are equal, or when both start with the same `Vec<`, `Map<` or
 * `Tuple<` (element types are not compared: `Map<String,U32,String>` fits `Map<String,String>`).
 */
export function kindsCompatible(specKind: string, runtimeKind: string): boolean {
  if (specKind === runtimeKind) return true;
  for (const prefix of RELAXED_PREFIXES) {
    if (specKind.startsWith(prefix) && runtimeKind.startsWith(prefix)) return true;
  }
  return false;
}

/**
 * Resolves an invocation against a contract spec: the signature is the spec's when a function of the same name and
 * arity accepts every runtime kind, else `name(<runtime kinds>)`; the call then needs a spec function with that
 * signature (normalised), otherwise it cannot match (`null`).
 */
export function resolveCall(
  op: StellarInvokeContractOperation,
  kinds: readonly string[],
  spec: CompiledStellarSpec,
): ResolvedCall | null {
  const compatible = spec.functionsByName
    .get(op.function)
    ?.find(
      (fn) =>
        fn.inputs.length === kinds.length &&
        fn.inputs.every((input, i) => kindsCompatible(input.kind, kinds[i] as string)),
    );
  const signature = compatible ? compatible.signature : `${op.function}(${kinds.join(",")})`;
  const signatureKey = compatible ? compatible.signatureKey : stellarSignatureKey(signature);
  const fn = spec.functionsBySignature.get(signatureKey);
  if (!fn) return null;
  const args = Object.freeze(callArgs(op.args, fn));
  return { signature, signatureKey, args, entry: Object.freeze({ signature, args }) };
}

/**
 * Arguments as OZ builds them from each value's JSON form: arrays → kind `Vec` with compact JSON; `{type, value}`
 * objects with string fields (128/256-bit integers) → that kind and value; other objects → kind `Map` with compact
 * JSON (sorted keys); anything else → the spec input's kind (or the JSON value's kind when the spec has no input
 * there) with the value's text. Names come from the spec inputs, else the position.
 */
export function callArgs(values: readonly ScValue[], fn: StellarSpecFunction | null): StellarMatchArg[] {
  return values.map((value, index) => callArg(value, index, fn?.inputs[index]));
}

function callArg(value: ScValue, index: number, input: StellarSpecInput | undefined): StellarMatchArg {
  const name = input ? input.name : String(index);
  const json = scValueJson(value);
  if (json.type === "array") return { name, value: scValueJsonText(value), kind: "Vec", indexed: false };
  if (json.type === "object") {
    const type = json.entries.get("type");
    const text = json.entries.get("value");
    if (type?.type === "string" && text?.type === "string") {
      return { name, value: text.value, kind: type.value, indexed: false };
    }
    return { name, value: scValueJsonText(value), kind: "Map", indexed: false };
  }
  return { name, value: scalarText(json), kind: input ? input.kind : stellarDialect.kindOfJson(json), indexed: false };
}

function scalarText(json: Exclude<JsonValue, { type: "array" | "object" }>): string {
  switch (json.type) {
    case "string":
      return json.value;
    case "number":
      return json.raw;
    case "bool":
      return json.value ? "true" : "false";
    case "null":
      return "";
  }
}
