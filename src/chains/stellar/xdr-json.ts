import { encodeMuxedAccountToAddress, StrKey, xdr } from "@stellar/stellar-sdk";
import type { StellarXdrJson } from "../../engine/stellar-ledger.js";

/**
 * Type-directed conversion between js-xdr values and the JSON form stellar-xdr (Rust, serde) gives them:
 * - structs → objects with snake_case field names (`type` → `type_`, as Rust names it);
 * - unions → the arm's snake_case name as a string for void arms, `{ "<name>": value }` otherwise; the name is the
 *   switch member without the prefix all members share (`scvU32` → `u32`, `envelopeTypeTxFeeBump` → `tx_fee_bump`);
 *   unions switched on an integer use `v<n>`;
 * - enums → snake_case member names without the shared prefix; 32-bit integers → numbers; 64-bit → decimal strings;
 * - opaque data → lowercase hex; strings → text; account ids, muxed accounts and `ScAddress` → strkeys;
 *   128/256-bit integer parts → decimal strings.
 * Close to stellar-xdr's JSON, not byte-exact: the engine only passes it through to users' scripts. Contract specs
 * (SEP-48) come out exactly as stellar-xdr writes them, which `contract-spec.ts` relies on.
 */

// js-xdr's type objects are untyped at runtime; these aliases describe what the converter reads from them.
type XdrClass = { name: string } & Record<string, unknown>;
type XdrInstance = Record<string, unknown>;
type XdrType = XdrClass | XdrInstance;

interface StructValue {
  _attributes: Record<string, unknown>;
}

interface UnionValue {
  switch(): unknown;
  arm(): unknown;
  armType(): unknown;
  value(): unknown;
}

interface EnumValue {
  name: string;
  value: number;
}

interface LargeIntValue {
  toBigInt(): bigint;
}

/** js-xdr primitive classes, found through the generated types so no private path into the package is imported. */
const primitives = (() => {
  const scValArms = (xdr.ScVal as unknown as { _arms: Record<string, XdrType> })._arms;
  const scAddressArms = (xdr.ScAddress as unknown as { _arms: Record<string, XdrType> })._arms;
  const skipList = (xdr.LedgerHeader as unknown as { _fields: Array<[string, XdrType]> })._fields.find(
    ([name]) => name === "skipList",
  )?.[1];
  const vec = scValArms.vec as { _childType: XdrInstance };
  return {
    Bool: scValArms.b,
    UnsignedInt: scValArms.u32,
    Int: scValArms.i32,
    UnsignedHyper: scValArms.u64,
    Hyper: scValArms.i64,
    String: (scValArms.str as XdrInstance).constructor,
    VarOpaque: (scValArms.bytes as XdrInstance).constructor,
    Opaque: (scAddressArms.contractId as XdrInstance).constructor,
    Option: (scValArms.vec as XdrInstance).constructor,
    VarArray: vec._childType.constructor,
    Array: (skipList as XdrInstance).constructor,
  };
})();

const prefixCache = new WeakMap<object, string>();

/** The part of an enum's member names they all share, cut at a word boundary (`scSpecType` for `scSpecTypeU32`…). */
function sharedPrefix(enumType: XdrClass): string {
  const cached = prefixCache.get(enumType);
  if (cached !== undefined) return cached;
  const names = Object.keys(enumType._members as Record<string, unknown>);
  let prefix = "";
  if (names.length > 1) {
    let end = 0;
    const first = names[0] as string;
    while (end < first.length && names.every((name) => name[end] === first[end])) end++;
    // Cut back so that every name continues with an uppercase letter (a camelCase word boundary).
    while (end > 0 && !names.every((name) => /[A-Z]/.test(name[end] ?? ""))) end--;
    prefix = first.slice(0, end);
  }
  prefixCache.set(enumType, prefix);
  return prefix;
}

/** `txFeeBump` → `tx_fee_bump`, `U32` → `u32`, `BytesN` → `bytes_n`. */
export function snakeCase(name: string): string {
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string;
    if (c >= "A" && c <= "Z") out += i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`;
    else out += c;
  }
  return out;
}

/** JSON name of an enum member. */
function memberJsonName(enumType: XdrClass, member: string): string {
  return snakeCase(member.slice(sharedPrefix(enumType).length));
}

function fieldJsonName(field: string): string {
  return field === "type" ? "type_" : snakeCase(field);
}

function isClass(type: XdrType): type is XdrClass {
  return typeof type === "function";
}

function bytesOf(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === "string") return Buffer.from(value, "utf8");
  throw new TypeError(`expected bytes, got ${typeof value}`);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Text of an XDR string; bytes that are not UTF-8 are escaped as `\xNN` (stellar-xdr escapes them too). */
function xdrString(value: unknown): string {
  const bytes = bytesOf(value);
  try {
    return utf8.decode(bytes);
  } catch {
    let out = "";
    for (const byte of bytes) {
      out += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${hex2(byte)}`;
    }
    return out;
  }
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

function bigintOf(value: unknown): bigint {
  return (value as LargeIntValue).toBigInt();
}

/** Strkey of an `ScAddress`, for every address type. */
export function scAddressStrkey(address: xdr.ScAddress): string {
  switch (address.switch().name) {
    case "scAddressTypeAccount":
      return StrKey.encodeEd25519PublicKey(address.accountId().ed25519());
    case "scAddressTypeContract":
      return StrKey.encodeContract(address.contractId() as unknown as Buffer);
    case "scAddressTypeMuxedAccount": {
      const muxed = address.muxedAccount();
      const id = Buffer.alloc(8);
      id.writeBigUInt64BE(muxed.id().toBigInt());
      return StrKey.encodeMed25519PublicKey(Buffer.concat([muxed.ed25519(), id]));
    }
    case "scAddressTypeClaimableBalance": {
      const balance = address.claimableBalanceId();
      return StrKey.encodeClaimableBalance(Buffer.concat([Buffer.from([balance.switch().value]), balance.v0()]));
    }
    case "scAddressTypeLiquidityPool":
      return StrKey.encodeLiquidityPool(address.liquidityPoolId() as unknown as Buffer);
    default:
      throw new TypeError(`unknown ScAddress type ${address.switch().name}`);
  }
}

function int128(hi: bigint, lo: bigint): bigint {
  return (hi << 64n) + lo;
}

/** Special renderings by XDR type name (strkeys, big integers). */
function specialToJson(name: string, value: unknown): StellarXdrJson | undefined {
  switch (name) {
    case "PublicKey":
      return StrKey.encodeEd25519PublicKey((value as xdr.PublicKey).ed25519());
    case "MuxedAccount":
      return encodeMuxedAccountToAddress(value as xdr.MuxedAccount, true);
    case "ScAddress":
      return scAddressStrkey(value as xdr.ScAddress);
    case "UInt128Parts":
    case "Int128Parts": {
      const parts = value as xdr.Int128Parts;
      return int128(bigintOf(parts.hi()), bigintOf(parts.lo())).toString();
    }
    case "UInt256Parts":
    case "Int256Parts": {
      const parts = value as xdr.Int256Parts;
      return int256(parts).toString();
    }
    default:
      return undefined;
  }
}

/** Value of 256-bit parts (`hiHi` is signed for `Int256Parts`, which `toBigInt` already reflects). */
export function int256(parts: xdr.Int256Parts | xdr.UInt256Parts): bigint {
  return (
    (bigintOf(parts.hiHi()) << 192n) +
    (bigintOf(parts.hiLo()) << 128n) +
    (bigintOf(parts.loHi()) << 64n) +
    bigintOf(parts.loLo())
  );
}

/**
 * Renders a decoded XDR value as stellar-xdr-style JSON, directed by its type (e.g. `xdr.TransactionEnvelope`).
 *
 * @example xdrToJson(xdr.ScVal, xdr.ScVal.scvU32(7)) // { u32: 7 }
 */
export function xdrToJson(type: unknown, value: unknown): StellarXdrJson {
  const t = type as XdrType;
  if (isClass(t)) {
    if (typeof t.structName === "string") {
      const special = specialToJson(t.structName, value);
      if (special !== undefined) return special;
      const out: { [field: string]: StellarXdrJson } = {};
      const attributes = (value as StructValue)._attributes;
      for (const [field, fieldType] of t._fields as Array<[string, unknown]>) {
        out[fieldJsonName(field)] = xdrToJson(fieldType, attributes[field]);
      }
      return out;
    }
    if (typeof t.unionName === "string") {
      const special = specialToJson(t.unionName, value);
      if (special !== undefined) return special;
      const union = value as UnionValue;
      const aSwitch = union.switch();
      const switchOn = t._switchOn as XdrClass;
      const name = typeof aSwitch === "number" ? `v${aSwitch}` : memberJsonName(switchOn, (aSwitch as EnumValue).name);
      if (typeof union.arm() !== "string") return name;
      return { [name]: xdrToJson(union.armType(), union.value()) };
    }
    if (typeof t.enumName === "string") return memberJsonName(t, (value as EnumValue).name);
    if (t === primitives.Bool) return value as boolean;
    if (t === primitives.Int || t === primitives.UnsignedInt) return value as number;
    if (t === primitives.Hyper || t === primitives.UnsignedHyper) return bigintOf(value).toString();
    if (t.name === "Void") return null;
    if (t.name === "Float" || t.name === "Double") return value as number;
    throw new TypeError(`unsupported XDR class ${t.name}`);
  }
  const ctor = t.constructor;
  if (ctor === primitives.String) return xdrString(value);
  if (ctor === primitives.Opaque || ctor === primitives.VarOpaque) return bytesOf(value).toString("hex");
  if (ctor === primitives.Option) return value === null || value === undefined ? null : xdrToJson(t._childType, value);
  if (ctor === primitives.VarArray || ctor === primitives.Array) {
    return (value as unknown[]).map((item) => xdrToJson(t._childType, item));
  }
  throw new TypeError(`unsupported XDR type ${String((ctor as { name?: unknown }).name)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// JSON → XDR, the inverse (used to encode contract specs and to build test data).

function fail(path: string, message: string): never {
  throw new TypeError(`${path === "" ? "$" : path}: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function memberFromJson(enumType: XdrClass, jsonName: string, path: string): EnumValue {
  const members = enumType._members as Record<string, EnumValue>;
  for (const [member, instance] of Object.entries(members)) {
    if (memberJsonName(enumType, member) === jsonName) return instance;
  }
  return fail(path, `unknown ${String(enumType.enumName)} member ${JSON.stringify(jsonName)}`);
}

function specialFromJson(name: string, json: unknown, path: string): unknown {
  switch (name) {
    case "PublicKey":
      if (typeof json !== "string" || !StrKey.isValidEd25519PublicKey(json)) fail(path, "expected a G… strkey");
      return xdr.PublicKey.publicKeyTypeEd25519(StrKey.decodeEd25519PublicKey(json));
    case "MuxedAccount":
      if (typeof json !== "string" || !StrKey.isValidEd25519PublicKey(json)) fail(path, "expected a G… strkey");
      return xdr.MuxedAccount.keyTypeEd25519(StrKey.decodeEd25519PublicKey(json));
    case "ScAddress":
      if (typeof json === "string" && StrKey.isValidEd25519PublicKey(json)) {
        return xdr.ScAddress.scAddressTypeAccount(
          xdr.PublicKey.publicKeyTypeEd25519(StrKey.decodeEd25519PublicKey(json)),
        );
      }
      if (typeof json === "string" && StrKey.isValidContract(json)) {
        return xdr.ScAddress.scAddressTypeContract(StrKey.decodeContract(json) as unknown as xdr.ContractId);
      }
      return fail(path, "expected a G… or C… strkey");
    case "UInt128Parts":
    case "Int128Parts": {
      const n = bigFromJson(json, path);
      const lo = BigInt.asUintN(64, n);
      const hi = n >> 64n;
      return name === "Int128Parts"
        ? new xdr.Int128Parts({ hi: new xdr.Int64(hi), lo: new xdr.Uint64(lo) })
        : new xdr.UInt128Parts({ hi: new xdr.Uint64(hi), lo: new xdr.Uint64(lo) });
    }
    case "UInt256Parts":
    case "Int256Parts": {
      const n = bigFromJson(json, path);
      const parts = {
        hiHi: n >> 192n,
        hiLo: new xdr.Uint64(BigInt.asUintN(64, n >> 128n)),
        loHi: new xdr.Uint64(BigInt.asUintN(64, n >> 64n)),
        loLo: new xdr.Uint64(BigInt.asUintN(64, n)),
      };
      return name === "Int256Parts"
        ? new xdr.Int256Parts({ ...parts, hiHi: new xdr.Int64(parts.hiHi) })
        : new xdr.UInt256Parts({ ...parts, hiHi: new xdr.Uint64(parts.hiHi) });
    }
    default:
      return undefined;
  }
}

function bigFromJson(json: unknown, path: string): bigint {
  if (typeof json === "number" && Number.isSafeInteger(json)) return BigInt(json);
  if (typeof json === "string" && /^-?\d+$/.test(json)) return BigInt(json);
  return fail(path, `expected an integer, got ${JSON.stringify(json)}`);
}

/**
 * Builds an XDR value of `type` from stellar-xdr-style JSON (the inverse of `xdrToJson`). Throws `TypeError` with the
 * JSON path of the first problem.
 *
 * @example xdrFromJson(xdr.ScSpecTypeDef, { vec: { element_type: "u32" } })
 */
export function xdrFromJson(type: unknown, json: unknown, path = ""): unknown {
  const t = type as XdrType;
  if (isClass(t)) {
    if (typeof t.structName === "string") {
      const special = specialFromJson(t.structName, json, path);
      if (special !== undefined) return special;
      if (!isObject(json)) return fail(path, `expected an object for ${t.structName}`);
      const attributes: Record<string, unknown> = {};
      for (const [field, fieldType] of t._fields as Array<[string, unknown]>) {
        const name = fieldJsonName(field);
        attributes[field] = xdrFromJson(fieldType, json[name], `${path}.${name}`);
      }
      return new (t as unknown as new (attributes: Record<string, unknown>) => unknown)(attributes);
    }
    if (typeof t.unionName === "string") {
      const special = specialFromJson(t.unionName, json, path);
      if (special !== undefined) return special;
      const Union = t as unknown as new (aSwitch: unknown, value: unknown) => UnionValue;
      const switchOn = t._switchOn as XdrClass;
      let name: string;
      let armJson: unknown;
      if (typeof json === "string") {
        name = json;
      } else if (isObject(json) && Object.keys(json).length === 1) {
        name = Object.keys(json)[0] as string;
        armJson = json[name];
      } else {
        return fail(path, `expected a ${t.unionName} arm name or a single-key object`);
      }
      let aSwitch: unknown;
      if (typeof switchOn.enumName === "string") {
        aSwitch = memberFromJson(switchOn, name, path);
      } else {
        if (!/^v\d+$/.test(name)) fail(path, `unknown ${t.unionName} arm ${JSON.stringify(name)}`);
        aSwitch = Number(name.slice(1));
      }
      const armFor = t.armForSwitch as (this: unknown, s: unknown) => unknown;
      let arm: unknown;
      try {
        arm = armFor.call(t, aSwitch);
      } catch {
        return fail(path, `unknown ${t.unionName} arm ${JSON.stringify(name)}`);
      }
      if (typeof arm !== "string") {
        if (typeof json !== "string") fail(path, `${t.unionName} arm ${name} carries no value`);
        return new Union(aSwitch, undefined);
      }
      if (typeof json === "string") fail(path, `${t.unionName} arm ${name} needs a value`);
      const armType = (t._arms as Record<string, unknown>)[arm];
      return new Union(aSwitch, xdrFromJson(armType, armJson, `${path}.${name}`));
    }
    if (typeof t.enumName === "string") {
      if (typeof json !== "string") return fail(path, `expected a ${t.enumName} name`);
      return memberFromJson(t, json, path);
    }
    if (t === primitives.Bool) {
      if (typeof json !== "boolean") fail(path, "expected a boolean");
      return json;
    }
    if (t === primitives.Int || t === primitives.UnsignedInt) {
      if (typeof json !== "number" || !Number.isInteger(json)) fail(path, "expected an integer");
      return json;
    }
    if (t === primitives.Hyper || t === primitives.UnsignedHyper) {
      return new (t as unknown as new (value: bigint) => unknown)(bigFromJson(json, path));
    }
    if (t.name === "Void") return undefined;
    return fail(path, `unsupported XDR class ${t.name}`);
  }
  const ctor = t.constructor;
  if (ctor === primitives.String) {
    if (typeof json !== "string") fail(path, "expected a string");
    return Buffer.from(json, "utf8");
  }
  if (ctor === primitives.Opaque || ctor === primitives.VarOpaque) {
    if (typeof json !== "string" || !/^([0-9a-fA-F]{2})*$/.test(json)) fail(path, "expected hex bytes");
    return Buffer.from(json, "hex");
  }
  if (ctor === primitives.Option) {
    return json === null || json === undefined ? null : xdrFromJson(t._childType, json, path);
  }
  if (ctor === primitives.VarArray || ctor === primitives.Array) {
    if (!Array.isArray(json)) fail(path, "expected an array");
    return json.map((item, i) => xdrFromJson(t._childType, item, `${path}[${i}]`));
  }
  return fail(path, `unsupported XDR type ${String((ctor as { name?: unknown }).name)}`);
}
