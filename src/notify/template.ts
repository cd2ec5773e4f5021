/**
 * OZ's notification templates (spec §9.1, §9.2): the variables a match offers (`monitor.name`,
 * `transaction.hash`, `functions.0.args.amount`, …) and the `${…}` substitution with the `${functions}` /
 * `${events}` match-reasons blocks. Pure.
 */

import { type MonitorMatch, toMatchJson } from "../engine/index.js";

/** Flattened template variables: dot path → string value. */
export type TemplateVariables = ReadonlyMap<string, string>;

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** OZ flattens JSON with every leaf rendered as a string (strings verbatim, other values as JSON text). */
function leafString(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(value) ?? "null";
}

function stringField(record: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = record[name];
    if (typeof value === "string") return value;
  }
  return undefined;
}

/** EVM `value` is a hex quantity in the match JSON; the variable is decimal wei. */
function decimalWei(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return BigInt(value).toString();
  if (typeof value !== "string" || value === "") return "0";
  try {
    return BigInt(value).toString();
  } catch {
    return value;
  }
}

/**
 * Adds `<prefix>.<i>.signature` for each `matched_on.<prefix>[i]` and `<prefix>.<i>.args.<name>` from
 * `matched_on_args.<prefix>[i]` (same index; a missing entry or `args: null` adds no args). Duplicate arg names:
 * the last one wins.
 */
function addMatchedOn(vars: Map<string, string>, payload: Record<string, unknown>, prefix: "functions" | "events") {
  const matchedOn = isRecord(payload.matched_on) ? payload.matched_on[prefix] : undefined;
  if (!Array.isArray(matchedOn)) return;
  const matchedArgs = isRecord(payload.matched_on_args) ? payload.matched_on_args[prefix] : undefined;
  matchedOn.forEach((record: unknown, i) => {
    if (!isRecord(record)) return;
    vars.set(`${prefix}.${i}.signature`, leafString(record.signature));
    const entry: unknown = Array.isArray(matchedArgs) ? matchedArgs[i] : undefined;
    if (!isRecord(entry) || !Array.isArray(entry.args)) return;
    for (const arg of entry.args as unknown[]) {
      if (!isRecord(arg) || typeof arg.name !== "string") continue;
      vars.set(`${prefix}.${i}.args.${arg.name}`, leafString(arg.value));
    }
  });
}

/** The JSON form of a match: `toMatchJson(match)` for an engine `MonitorMatch`, anything else as given. */
export function matchJsonOf(match: object): object {
  const candidate = match as Partial<MonitorMatch>;
  return typeof candidate.chain === "string" && typeof candidate.payload === "object" && candidate.payload !== null
    ? toMatchJson(match as MonitorMatch)
    : match;
}

/**
 * The template variables of a match (an engine `MonitorMatch` or its JSON form (`toMatchJson(match)`: `{"EVM": {…}}`, `{"Stellar": {…}}`,
 * `{"Solana": {…}}` or `{"Midnight": {…}}`), per spec §9.1:
 *
 * - all chains: `monitor.name`, `functions.<i>.signature`, `functions.<i>.args.<name>`, `events.<i>.signature`,
 *   `events.<i>.args.<name>` (arg values are the match params' `value` strings; Stellar arg names may be `0`, `1`…);
 * - EVM: `transaction.hash` (lowercase), `transaction.from` (lowercase, the zero address when absent),
 *   `transaction.value` (decimal wei), `transaction.to` (only when present);
 * - Stellar / Midnight: `transaction.hash` (the RPC's hash, verbatim); Solana: `transaction.signature`.
 *
 * No other fields become variables (`${transaction.status}` stays literal text).
 *
 * @example
 * buildTemplateVariables(toMatchJson(match)).get("functions.0.args.amount") // "8181710000"
 */
export function buildTemplateVariables(match: object): Map<string, string> {
  const vars = new Map<string, string>();
  const tagged = matchJsonOf(match) as Record<string, unknown>;
  const chain = ["EVM", "Stellar", "Solana", "Midnight"].find((tag) => isRecord(tagged[tag]));
  if (chain === undefined) return vars;
  const payload = tagged[chain] as Record<string, unknown>;
  const monitor = isRecord(payload.monitor) ? payload.monitor : {};
  vars.set("monitor.name", leafString(monitor.name ?? ""));
  const tx = isRecord(payload.transaction) ? payload.transaction : {};
  switch (chain) {
    case "EVM": {
      vars.set("transaction.hash", (stringField(tx, "hash") ?? "").toLowerCase());
      vars.set("transaction.from", (stringField(tx, "from") ?? ZERO_ADDRESS).toLowerCase());
      vars.set("transaction.value", decimalWei(tx.value));
      const to = stringField(tx, "to");
      if (to !== undefined) vars.set("transaction.to", to.toLowerCase());
      break;
    }
    case "Stellar":
      vars.set("transaction.hash", stringField(tx, "txHash", "hash", "transaction_hash") ?? "");
      break;
    case "Midnight":
      vars.set("transaction.hash", stringField(tx, "hash", "tx_hash", "txHash") ?? "");
      break;
    case "Solana": {
      const inner = isRecord(tx.transaction) ? tx.transaction : {};
      const signatures = Array.isArray(inner.signatures) ? inner.signatures : [];
      const first: unknown = signatures[0];
      vars.set("transaction.signature", stringField(tx, "signature") ?? (typeof first === "string" ? first : ""));
      break;
    }
  }
  addMatchedOn(vars, payload, "functions");
  addMatchedOn(vars, payload, "events");
  return vars;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * The match-reasons block OZ substitutes for `${functions}` / `${events}` (spec §9.2), or `""` when the
 * variables have no `<prefix>.<i>.signature`. Indexes ascend numerically; params are sorted by name (byte order).
 */
export function formatMatchReasons(vars: TemplateVariables, prefix: "functions" | "events"): string {
  const indexes: number[] = [];
  for (const key of vars.keys()) {
    const parts = key.split(".");
    if (parts.length === 3 && parts[0] === prefix && parts[2] === "signature" && /^\d+$/.test(parts[1] ?? "")) {
      indexes.push(Number(parts[1]));
    }
  }
  if (indexes.length === 0) return "";
  indexes.sort((a, b) => a - b);
  const title = prefix === "functions" ? "Functions" : "Events";
  let out = `\n\n*Matched ${title}:*\n`;
  indexes.forEach((index, n) => {
    out += `\n*Reason ${n + 1}*\n`;
    out += `\n*Signature:* \`${vars.get(`${prefix}.${index}.signature`) ?? ""}\`\n`;
    out += "\n*Params:*\n";
    const argPrefix = `${prefix}.${index}.args.`;
    const names = [...vars.keys()]
      .filter((key) => key.startsWith(argPrefix))
      .map((key) => key.slice(argPrefix.length))
      .sort(byteOrder);
    for (const name of names) out += `\n${name}: \`${vars.get(argPrefix + name) ?? ""}\``;
    if (n < indexes.length - 1) out += "\n";
  });
  return out;
}

/**
 * OZ's `format(template, vars)` (spec §9.2): each `${k}` naming a variable becomes its value; `${functions}` and
 * `${events}` become the match-reasons blocks (or `""`); any other `${…}` stays as written.
 *
 * Argus substitutes in one left-to-right pass over the template, so a value that itself contains `${…}` (on-chain
 * text is attacker-controlled) is never expanded. OZ replaces variable by variable, in an unspecified order, which
 * gives the same result for every template whose values do not contain `${` (the spec calls those unsupported).
 *
 * @example
 * formatTemplate("Large transfer: ${functions.0.args.amount} (${monitor.name}) ${unknown}", vars)
 * // "Large transfer: 8181710000 (Mint USDC Token) ${unknown}"
 */
export function formatTemplate(template: string, vars: TemplateVariables | Readonly<Record<string, string>>): string {
  const map: TemplateVariables = vars instanceof Map ? vars : new Map(Object.entries(vars));
  let blocks: { functions?: string; events?: string } | undefined;
  let out = "";
  let at = 0;
  for (;;) {
    const open = template.indexOf("${", at);
    if (open < 0) break;
    const close = template.indexOf("}", open + 2);
    if (close < 0) break;
    const name = template.slice(open + 2, close);
    let value = map.get(name);
    if (value === undefined && (name === "functions" || name === "events")) {
      blocks ??= {};
      value = blocks[name] ??= formatMatchReasons(map, name);
    }
    if (value === undefined) {
      // Not a placeholder we know: keep "${" and rescan from there (an inner "${k}" may still be one).
      out += template.slice(at, open + 2);
      at = open + 2;
      continue;
    }
    out += template.slice(at, open) + value;
    at = close + 1;
  }
  return out + template.slice(at);
}
