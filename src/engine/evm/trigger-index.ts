/**
 * The predicate index of one scope (the decoded calls of one function at one address, the decoded logs of one
 * event at one address, or the transactions touching one address): monitors' triggers grouped by comparison, so
 * one probe per group and scope occurrence yields the monitors whose triggers hold, whatever the number of
 * monitors sharing the scope.
 *
 * A monitor's triggers are conjunctions of atoms (see `predicates.ts`); each atom is an entry of the group of its
 * comparison shape, and a conjunction fires its monitor when all of its atoms hold in one occurrence (counted).
 *
 * Groups are sound, not necessarily exact: every monitor whose triggers hold is reported (monitors may be reported
 * in excess, e.g. when a value is not in the decoder's format), and the evaluator then evaluates the reported
 * monitors' conditions exactly as OZ does.
 */
import type { Atom, Conjunction, KeyKind } from "./predicates.js";

/** Monitor slots (positions in the network's monitor list) to consider for a scope occurrence. */
export interface TriggerIndex {
  /** Fire on every occurrence, without looking at values (no expression, or one the index cannot read). */
  readonly always: readonly number[];
  readonly groups: readonly TriggerGroup[];
  /** Monitor slot of each conjunction (group entries name conjunctions). */
  readonly conjunctionSlots: Int32Array;
  /** Number of atoms of each conjunction. */
  readonly conjunctionSizes: Uint8Array;
  /** Every slot that has a conjunction, once: fired when the values cannot be decoded (calls report that). */
  readonly grouped: readonly number[];
}

const ORDER = 0;
const KEY = 1;
const CONTAINS = 2;

/**
 * The atoms of one comparison shape (one class, so probing stays monomorphic); entries are conjunction numbers:
 * - order: `param OP threshold` for one operator; `thresholds` ascending, `entries[i]` belongs to `thresholds[i]`;
 * - key: `param == key` / `param != key` on a normalised value, entries by key;
 * - contains: `param contains 0x…` on arrays/tuples of hex, number and bool values, entries by address.
 */
export class TriggerGroup {
  constructor(
    readonly kind: typeof ORDER | typeof KEY | typeof CONTAINS,
    readonly param: number,
    /** Order: ">" | ">=" | "<" | "<="; key: "==" | "!="; contains: "contains". */
    readonly op: string,
    /** Values are the decoder's canonical text for the kind (read without a format check). */
    readonly trusted: boolean,
    /** Order groups: signed integers. */
    readonly signed: boolean,
    /** Key groups: how a value becomes a key. */
    readonly keying: KeyKind,
    readonly thresholds: readonly bigint[],
    /** `Number(thresholds[i])`: searched first (contiguous memory); exact comparisons only among equal ones. */
    readonly approximations: Float64Array,
    readonly entries: Int32Array,
    readonly byKey: ReadonlyMap<string, Int32Array>,
    /**
     * Large address-keyed groups (`==`, contains): a set of the keys' first 4 hex digits (see `prefixSet`), so that
     * most values (no key starts like them) are rejected without hashing. Empty for other groups.
     */
    readonly keyPrefixes: Uint32Array,
  ) {}
}

const NO_PREFIXES = new Uint32Array(0);

/** Below this many keys a map lookup is about as cheap as the prefix test. */
const PREFIX_SET_MIN_KEYS = 16;

/**
 * A bit set (8 KiB) of the 16-bit values of the keys' first 4 hex digits after `0x`; empty when there are few keys
 * or a key is not of that form.
 */
export function prefixSet(keys: Iterable<string>, count: number): Uint32Array {
  if (count < PREFIX_SET_MIN_KEYS) return NO_PREFIXES;
  const bits = new Uint32Array(0x10000 >>> 5);
  for (const key of keys) {
    const prefix = hexPrefix16(key, 2);
    if (prefix < 0) return NO_PREFIXES;
    bits[prefix >>> 5] = (bits[prefix >>> 5] as number) | (1 << (prefix & 31));
  }
  return bits;
}

/** Whether a prefix set (non-empty) holds the 16-bit value `prefix` (-1: not hex digits, never held). */
export function prefixSetHas(bits: Uint32Array, prefix: number): boolean {
  return prefix >= 0 && (((bits[prefix >>> 5] as number) >>> (prefix & 31)) & 1) === 1;
}

/** The 4 hex digits of `text` at `at` (either case) as a number, or -1 when they are not 4 hex digits. */
export function hexPrefix16(text: string, at: number): number {
  if (text.length < at + 4) return -1;
  let value = 0;
  for (let i = at; i < at + 4; i++) {
    const c = text.charCodeAt(i);
    const lower = c | 0x20;
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
    if (digit < 0) return -1;
    value = (value << 4) | digit;
  }
  return value;
}

// Storage is uniform (typed arrays, arrays built by `push`) so that probing code sees one shape per field.
const NO_THRESHOLDS: readonly bigint[] = [];
const NO_APPROXIMATIONS = new Float64Array(0);
const NO_ENTRIES = new Int32Array(0);
const NO_KEYS: ReadonlyMap<string, Int32Array> = new Map();

/** What fires a monitor slot for a scope: always, never (`[]`), or any of these conjunctions. */
export type SlotTriggers = "always" | readonly Conjunction[];

/** Collects slots and their triggers, then builds the immutable index. */
export class TriggerIndexBuilder {
  private readonly always: number[] = [];
  private readonly groups = new Map<string, { atom: Atom; entries: Array<{ atom: Atom; conjunction: number }> }>();
  private readonly slots: number[] = [];
  private readonly sizes: number[] = [];

  add(slot: number, triggers: SlotTriggers): void {
    if (triggers === "always") {
      this.always.push(slot);
      return;
    }
    for (const conjunction of triggers) {
      // Each atom once: a conjunction fires when its count of holding atoms reaches its size.
      const atoms = new Map(conjunction.map((atom) => [atomKey(atom), atom]));
      const number = this.slots.length;
      this.slots.push(slot);
      this.sizes.push(atoms.size);
      for (const atom of atoms.values()) {
        const key = groupKey(atom);
        let group = this.groups.get(key);
        if (!group) {
          group = { atom, entries: [] };
          this.groups.set(key, group);
        }
        group.entries.push({ atom, conjunction: number });
      }
    }
  }

  /** `null` when no slot can ever fire. */
  build(): TriggerIndex | null {
    if (this.always.length === 0 && this.groups.size === 0) return null;
    const groups: TriggerGroup[] = [];
    for (const { atom, entries } of this.groups.values()) groups.push(buildGroup(atom, entries));
    return {
      always: [...new Set(this.always)],
      groups,
      conjunctionSlots: Int32Array.from(this.slots),
      conjunctionSizes: Uint8Array.from(this.sizes),
      grouped: [...new Set(this.slots)],
    };
  }
}

function groupKey(atom: Atom): string {
  switch (atom.group) {
    case "order":
      return `order:${atom.param}:${atom.signed}:${atom.op}:${atom.trusted}`;
    case "key":
      return `key:${atom.param}:${atom.keying}:${atom.op}:${atom.trusted}`;
    case "contains":
      return `contains:${atom.param}`;
  }
}

function atomKey(atom: Atom): string {
  return `${groupKey(atom)}:${atom.group === "order" ? atom.threshold : atom.key}`;
}

function buildGroup(first: Atom, entries: ReadonlyArray<{ atom: Atom; conjunction: number }>): TriggerGroup {
  if (first.group === "order") {
    const sorted = entries
      .map(({ atom, conjunction }) => ({ threshold: (atom as Atom & { group: "order" }).threshold, conjunction }))
      .sort((a, b) => (a.threshold < b.threshold ? -1 : a.threshold > b.threshold ? 1 : a.conjunction - b.conjunction));
    const thresholds: bigint[] = [];
    for (const entry of sorted) thresholds.push(entry.threshold);
    const numbers = Int32Array.from(sorted, (entry) => entry.conjunction);
    return new TriggerGroup(
      ORDER,
      first.param,
      first.op,
      first.trusted,
      first.signed,
      "uint",
      thresholds,
      Float64Array.from(thresholds, (threshold) => Number(threshold)),
      numbers,
      NO_KEYS,
      NO_PREFIXES,
    );
  }
  const lists = new Map<string, number[]>();
  for (const { atom, conjunction } of entries) {
    const key = (atom as Atom & { key: string }).key;
    const list = lists.get(key);
    if (list) list.push(conjunction);
    else lists.set(key, [conjunction]);
  }
  const byKey = new Map<string, Int32Array>();
  for (const [key, list] of lists) byKey.set(key, Int32Array.from(list));
  if (first.group === "key") {
    // Only `==` probes look single keys up.
    const prefixes =
      first.keying === "address" && first.op === "==" ? prefixSet(byKey.keys(), byKey.size) : NO_PREFIXES;
    return new TriggerGroup(
      KEY,
      first.param,
      first.op,
      first.trusted,
      false,
      first.keying,
      NO_THRESHOLDS,
      NO_APPROXIMATIONS,
      NO_ENTRIES,
      byKey,
      prefixes,
    );
  }
  return new TriggerGroup(
    CONTAINS,
    first.param,
    "contains",
    true,
    false,
    "address",
    NO_THRESHOLDS,
    NO_APPROXIMATIONS,
    NO_ENTRIES,
    byKey,
    prefixSet(byKey.keys(), byKey.size),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Evaluation side

/** A scope's values as the index reads them; `integers` caches parsed integer values per parameter. */
export interface TriggerValues {
  /** The value text of a parameter (`undefined` when the scope has no such parameter). */
  value(param: number): string | undefined;
  /**
   * The integer of a decoded `uint*`/`int*` parameter, when the scope can read it without rendering its text
   * (`undefined`: unreadable). Only used for values in the decoder's format (trusted groups).
   */
  integer?(param: number): bigint | undefined;
  integers?: Array<bigint | null | undefined>;
}

/**
 * Counts, within one probe of a trigger index, how many atoms of each conjunction hold. Reused across probes (a
 * probe number marks stale counts), so probing allocates nothing.
 */
export class ConjunctionTally {
  private stamps = new Int32Array(64);
  private counts = new Uint8Array(64);
  private probe = 0;

  /** Starts a probe of an index with `size` conjunctions. */
  begin(size: number): void {
    if (this.stamps.length < size) {
      this.stamps = new Int32Array(Math.max(size, this.stamps.length * 2));
      this.counts = new Uint8Array(this.stamps.length);
      this.probe = 0;
    }
    if (++this.probe === 0x7fffffff) {
      this.stamps.fill(0);
      this.probe = 1;
    }
  }

  /** One more atom of conjunction `c` (of `size` atoms) holds; true when that completes it. */
  hit(c: number, size: number): boolean {
    if (size === 1) return true;
    if (this.stamps[c] !== this.probe) {
      this.stamps[c] = this.probe;
      this.counts[c] = 0;
    }
    const count = (this.counts[c] as number) + 1;
    this.counts[c] = count;
    return count === size;
  }
}

/**
 * Appends to `out` the slots of the conjunctions that the atoms of `group` complete for the scope's values (every
 * atom of the group is taken to hold when the value is not in the format the group reads). `tally` must have been
 * begun for `index`.
 */
export function collectSatisfied(
  index: TriggerIndex,
  group: TriggerGroup,
  values: TriggerValues,
  tally: ConjunctionTally,
  out: number[],
): void {
  if (group.kind === ORDER) {
    const v = integerValue(values, group);
    if (v === null) {
      pushAll(index, group, tally, out);
      return;
    }
    const { entries } = group;
    switch (group.op) {
      case ">": // t < v
        pushRange(index, entries, 0, lowerBound(group, v), tally, out);
        return;
      case ">=": // t <= v
        pushRange(index, entries, 0, upperBound(group, v), tally, out);
        return;
      case "<": // t > v
        pushRange(index, entries, upperBound(group, v), entries.length, tally, out);
        return;
      default: // "<=": t >= v
        pushRange(index, entries, lowerBound(group, v), entries.length, tally, out);
        return;
    }
  }
  const value = values.value(group.param);
  if (value === undefined) {
    pushAll(index, group, tally, out);
    return;
  }
  if (group.kind === KEY) {
    const key = group.trusted || group.keying === "text" ? textKey(group.keying, value) : keyOf(group.keying, value);
    if (key === null) {
      pushAll(index, group, tally, out);
      return;
    }
    if (group.op === "==") {
      // Address keys are `0x` + 40 hex digits: a value starting with 4 digits no key starts with has no entry.
      if (group.keyPrefixes.length > 0 && key.length === 42 && !prefixSetHas(group.keyPrefixes, hexPrefix16(key, 2))) {
        return;
      }
      const entries = group.byKey.get(key);
      if (entries) pushRange(index, entries, 0, entries.length, tally, out);
      return;
    }
    for (const [entryKey, entries] of group.byKey) {
      if (entryKey !== key) pushRange(index, entries, 0, entries.length, tally, out);
    }
    return;
  }
  // contains: each distinct address in the value once (an atom holds once per probe).
  let seen: string[] | undefined;
  HEX_STRING.lastIndex = 0;
  for (let found = HEX_STRING.exec(value); found !== null; found = HEX_STRING.exec(value)) {
    const digits = found[1] as string;
    if (group.keyPrefixes.length > 0 && !prefixSetHas(group.keyPrefixes, hexPrefix16(digits, 0))) continue;
    const key = `0x${digits.toLowerCase()}`;
    const entries = group.byKey.get(key);
    if (!entries) continue;
    seen ??= [];
    if (seen.includes(key)) continue;
    seen.push(key);
    pushRange(index, entries, 0, entries.length, tally, out);
  }
}

/** A quoted address-like string inside decoded array/tuple text (`"0x" + 40 hex digits`). */
const HEX_STRING = /"0[xX]([0-9a-fA-F]{40})"/g;

function pushAll(index: TriggerIndex, group: TriggerGroup, tally: ConjunctionTally, out: number[]): void {
  if (group.kind === ORDER) {
    pushRange(index, group.entries, 0, group.entries.length, tally, out);
    return;
  }
  for (const entries of group.byKey.values()) pushRange(index, entries, 0, entries.length, tally, out);
}

function pushRange(
  index: TriggerIndex,
  entries: Int32Array,
  from: number,
  to: number,
  tally: ConjunctionTally,
  out: number[],
): void {
  const { conjunctionSlots, conjunctionSizes } = index;
  for (let i = from; i < to; i++) {
    const c = entries[i] as number;
    if (tally.hit(c, conjunctionSizes[c] as number)) out.push(conjunctionSlots[c] as number);
  }
}

/**
 * First index whose threshold is ≥ v (`strict`) or > v. `Number()` is monotonic, so approximations order the
 * thresholds except among equal approximations, where the exact values decide.
 */
function bound(group: TriggerGroup, v: bigint, strict: boolean): number {
  const { approximations, thresholds } = group;
  const approximation = Number(v);
  // [lo, hi): the thresholds whose approximation equals v's; below lo all are < v, from hi on all are > v.
  let lo = 0;
  let hi = approximations.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((approximations[mid] as number) < approximation) lo = mid + 1;
    else hi = mid;
  }
  hi = approximations.length;
  let end = lo;
  while (end < hi) {
    const mid = (end + hi) >>> 1;
    if ((approximations[mid] as number) <= approximation) end = mid + 1;
    else hi = mid;
  }
  // Exact comparisons among the ties (many monitors may share one threshold).
  while (lo < end) {
    const mid = (lo + end) >>> 1;
    const t = thresholds[mid] as bigint;
    if (strict ? t < v : t <= v) lo = mid + 1;
    else end = mid;
  }
  return lo;
}

/** First index whose threshold is ≥ v. */
function lowerBound(group: TriggerGroup, v: bigint): number {
  return bound(group, v, true);
}

/** First index whose threshold is > v. */
function upperBound(group: TriggerGroup, v: bigint): number {
  return bound(group, v, false);
}

const UNSIGNED_TEXT = /^[0-9]{1,78}$/;
const SIGNED_TEXT = /^-?[0-9]{1,78}$/;
const U256_MAX = (1n << 256n) - 1n;
const I256_MIN = -(1n << 255n);
const I256_MAX = (1n << 255n) - 1n;

/** The value as the dialect reads an integer of that signedness, or `null` when it is not plain decimal text. */
function integerValue(values: TriggerValues, group: TriggerGroup): bigint | null {
  const { param, signed } = group;
  values.integers ??= [];
  const cached = values.integers[param];
  if (cached !== undefined) return cached;
  if (group.trusted && values.integer) {
    const parsed = values.integer(param) ?? null;
    values.integers[param] = parsed;
    return parsed;
  }
  const text = values.value(param);
  if (text === undefined) {
    values.integers[param] = null;
    return null;
  }
  if (group.trusted) {
    const parsed = BigInt(text);
    values.integers[param] = parsed;
    return parsed;
  }
  // Signed and unsigned groups on one parameter cannot both occur (the kind decides), so one cache slot suffices.
  let parsed = (signed ? SIGNED_TEXT : UNSIGNED_TEXT).test(text) ? BigInt(text) : null;
  // Out of the kind's range the dialect fails with an error: let the evaluator see it.
  if (parsed !== null && (signed ? parsed < I256_MIN || parsed > I256_MAX : parsed > U256_MAX)) parsed = null;
  values.integers[param] = parsed;
  return parsed;
}

/** Canonical decimals short enough to be in range for every kind (longer ones are left to the evaluator). */
const CANONICAL_UNSIGNED = /^(?:0|[1-9][0-9]{0,76})$/;
const CANONICAL_SIGNED = /^(?:0|-?[1-9][0-9]{0,75})$/;
const CANONICAL_ADDRESS = /^(?:0x[0-9a-f]{40})?$/;

/** The key of a value known to be in the form keys are made of. */
function textKey(keying: KeyKind, value: string): string {
  return keying === "text" ? value.toLowerCase() : value;
}

/** The group key of a value; `null` when the value is not in the form keys are made of. */
function keyOf(keying: KeyKind, value: string): string | null {
  switch (keying) {
    case "uint":
      return CANONICAL_UNSIGNED.test(value) ? value : null;
    case "int":
      return CANONICAL_SIGNED.test(value) ? value : null;
    case "address":
      // "" (no sender / contract creation) normalises to "", which no address literal equals.
      return CANONICAL_ADDRESS.test(value) ? value : null;
    case "text":
      return value.toLowerCase();
  }
}
