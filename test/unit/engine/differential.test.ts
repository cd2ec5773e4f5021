/**
 * The predicate index changes the work, never the results: randomized monitors (the benchmark's realistic mix plus
 * adversarial ones — several conditions per list, mixed AND/OR, expression errors, Failure watches, quoted/hex/odd
 * literals, odd address spellings) on generated mainnet-shaped blocks (plus reverted and receipt-less transactions,
 * upper-case hex, undecodable calls and logs, out-of-range quantities) give exactly the same matches — full
 * payloads — and diagnostics as
 * 1. OZ's own loop (every monitor whose address gate passes, evaluated in full: the index's reference mode), and
 * 2. each monitor compiled and evaluated alone.
 */
import { describe, expect, it } from "vitest";
import { generateBlock } from "../../../bench/engine/generate-block.js";
import { generateMonitors } from "../../../bench/engine/generate-monitors.js";
import { type Contract, DEFAULT_POPULATION_SEED, population } from "../../../bench/engine/population.js";
import { createRng, type Rng } from "../../../bench/engine/prng.js";
import { evmBlockFromPayload } from "../../../bench/engine/rpc-block.js";
import type { EvmNetworkIndex } from "../../../src/engine/evm/compile.js";
import { evaluateEvmBlock } from "../../../src/engine/evm/evaluate.js";
import {
  compileMonitors,
  type EvaluateBlockResult,
  type EvmBlock,
  evaluateBlock,
  type Hex,
  type MonitorDefinition,
} from "../../../src/engine/index.js";

const NETWORK = "ethereum_mainnet";
const pop = population(DEFAULT_POPULATION_SEED);

type Monitor = MonitorDefinition["monitor"];
type AbiItem = { type: string; name?: string; inputs?: AbiInput[] };
type AbiInput = { name: string; type: string; indexed?: boolean; components?: AbiInput[] };

// ---------------------------------------------------------------------------------------------------------------------
// Blocks

function blocks(seed: number): EvmBlock[] {
  const generated = [0, 1, 2].map((i) =>
    evmBlockFromPayload(
      generateBlock({ seed: seed * 100 + i, number: 21_000_000 + i, transactions: 120, population: pop })
        .rpcPayloadText,
    ),
  );
  const [plain, failing, odd] = generated as [EvmBlock, EvmBlock, EvmBlock];
  return [plain, withFailuresAndMissingReceipts(failing), withOddEncodings(odd)];
}

/** Every 5th transaction reverted (status 0x0), every 7th without receipt (status unknown, no gas_used). */
function withFailuresAndMissingReceipts(block: EvmBlock): EvmBlock {
  return {
    ...block,
    transactions: block.transactions.map((entry, i) => {
      if (i % 7 === 3) return { ...entry, receipt: null };
      if (i % 5 === 1 && entry.receipt) return { ...entry, receipt: { ...entry.receipt, status: "0x0" as Hex } };
      return entry;
    }),
  };
}

/** Upper-case hex here and there, truncated call data, a log without topics, absurd quantities. */
function withOddEncodings(block: EvmBlock): EvmBlock {
  const upper = (hex: string) => `0x${hex.slice(2).toUpperCase()}` as Hex;
  return {
    ...block,
    transactions: block.transactions.map((entry, i) => {
      let { transaction, logs } = entry;
      if (i % 6 === 0) transaction = { ...transaction, to: transaction.to ? upper(transaction.to) : transaction.to };
      if (i % 6 === 1 && transaction.from) transaction = { ...transaction, from: upper(transaction.from) };
      if (i % 9 === 2 && transaction.input && transaction.input.length > 20) {
        transaction = { ...transaction, input: transaction.input.slice(0, 20) as Hex };
      }
      if (i % 13 === 4) transaction = { ...transaction, value: `0x1${"0".repeat(64)}` as Hex };
      if (i % 4 === 3) transaction = { ...transaction, input: transaction.input ? upper(transaction.input) : "0x" };
      logs = logs.map((log, k) => {
        if ((i + k) % 5 === 0) return { ...log, address: upper(log.address) };
        if ((i + k) % 7 === 1) return { ...log, topics: log.topics.map(upper), data: upper(log.data) };
        if ((i + k) % 11 === 2) return { ...log, data: log.data.slice(0, Math.max(2, log.data.length - 64)) as Hex };
        if ((i + k) % 17 === 3) return { ...log, topics: [] };
        return log;
      });
      return { ...entry, transaction, logs };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Adversarial monitors

interface Vocabulary {
  /** Addresses seen in the blocks (senders, recipients, emitters, indexed topics), lowercase. */
  addresses: string[];
  /** Contracts with an ABI that the blocks touch most. */
  contracts: Contract[];
}

function vocabulary(evmBlocks: EvmBlock[]): Vocabulary {
  const counts = new Map<string, number>();
  const bump = (address: string | null | undefined) => {
    if (address) counts.set(address.toLowerCase(), (counts.get(address.toLowerCase()) ?? 0) + 1);
  };
  for (const block of evmBlocks) {
    for (const { transaction, logs } of block.transactions) {
      bump(transaction.from);
      bump(transaction.to);
      for (const log of logs) {
        bump(log.address);
        for (const topic of log.topics.slice(1)) if (/^0x0{24}/i.test(topic)) bump(`0x${topic.slice(26)}`);
      }
    }
  }
  const addresses = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([address]) => address);
  const contracts = pop.watchable
    .filter((contract) => counts.has(contract.address))
    .sort((a, b) => (counts.get(b.address) ?? 0) - (counts.get(a.address) ?? 0))
    .slice(0, 25);
  return { addresses: addresses.slice(0, 60), contracts };
}

function spell(rng: Rng, address: string): string {
  const body = address.slice(2);
  switch (rng.int(0, 5)) {
    case 0:
      return `0X${body.toUpperCase()}`;
    case 1:
      return `0x${body.toUpperCase()}`;
    case 2:
      return body;
    default:
      return address;
  }
}

/** A literal for an integer comparison: usually sensible, sometimes odd or invalid. */
function integerLiteral(rng: Rng, signed: boolean): string {
  const magnitude = 10n ** BigInt(rng.int(0, 24));
  const value = rng.chance(0.3) ? 0n : magnitude * BigInt(rng.int(1, 9));
  switch (rng.int(0, 11)) {
    case 0:
      return `0x${value.toString(16)}`;
    case 1:
      return `'${value}'`;
    case 2:
      return `"0x${value.toString(16).toUpperCase()}"`;
    case 3:
      return signed ? `-${value}` : `-1`; // a ParseError for unsigned kinds
    case 4:
      return `'${value} '`; // trimmed by OZ
    case 5:
      return `${value}.5`; // not an integer
    case 6:
      return `${1n << 256n}`; // out of range
    case 7:
      return `+${value}`;
    case 8:
      return `00${value}`;
    default:
      return `${value}`;
  }
}

function atom(rng: Rng, inputs: AbiInput[], vocab: Vocabulary): string {
  if (rng.chance(0.04)) return rng.pick(["amount > 1", "value == true", "nope == 'x'", "missing != 0x00"]);
  const input = inputs.length > 0 && rng.chance(0.95) ? rng.pick(inputs) : undefined;
  if (!input) return "value >= 0";
  const name = input.name;
  const type = input.type;
  if (/^u?int\d*$/.test(type)) {
    const op = rng.pick([">", ">=", "<", "<=", "==", "!=", ">", ">"]);
    return `${name} ${op} ${integerLiteral(rng, type.startsWith("int"))}`;
  }
  if (type === "address") {
    const op = rng.chance(0.85) ? "==" : "!=";
    const target = rng.chance(0.9) ? rng.pick(vocab.addresses) : `0x${"0".repeat(40)}`;
    const spelled = spell(rng, target);
    const literal = rng.chance(0.2) ? `'${spelled}'` : rng.chance(0.05) ? "''" : spelled;
    return rng.chance(0.03) ? `${name} > 5` : `${name} ${op} ${literal}`;
  }
  if (type === "address[]" || type === "tuple") {
    if (rng.chance(0.1)) return `${name} == '[]'`;
    if (type === "tuple" && rng.chance(0.1)) return `${name}.0 == 1`;
    return `${name} contains ${rng.chance(0.5) ? `'${rng.pick(vocab.addresses)}'` : spell(rng, rng.pick(vocab.addresses))}`;
  }
  if (type === "bool") return `${name} == ${rng.pick(["true", "false", "TRUE", "1"])}`;
  if (type === "string" || type.startsWith("bytes")) {
    return `${name} ${rng.pick(["contains", "starts_with", "==", "!="])} '${rng.pick(["0x", "ab", "", "A"])}'`;
  }
  return `${name} == ${rng.pick(["1", "'x'", "true"])}`;
}

function expression(rng: Rng, inputs: AbiInput[], vocab: Vocabulary): string | null {
  if (rng.chance(0.15)) return null;
  if (rng.chance(0.03)) return rng.pick(["value >", "", "(value > 1"]); // does not parse
  const count = rng.int(1, 4);
  let text = atom(rng, inputs, vocab);
  for (let i = 1; i < count; i++) {
    const joined = `${text} ${rng.pick(["AND", "OR", "and", "OR"])} ${atom(rng, inputs, vocab)}`;
    text = rng.chance(0.3) ? `(${joined})` : joined;
  }
  return text;
}

const TRANSACTION_INPUTS: AbiInput[] = [
  { name: "value", type: "uint256" },
  { name: "from", type: "address" },
  { name: "to", type: "address" },
  { name: "gas_price", type: "uint256" },
  { name: "gas_used", type: "uint256" },
  { name: "nonce", type: "uint256" },
  { name: "transaction_index", type: "uint64" },
  { name: "input", type: "string" },
  { name: "hash", type: "string" },
];

function signatureOf(item: AbiItem): string {
  const type = (input: AbiInput): string =>
    input.type.startsWith("tuple")
      ? `(${(input.components ?? []).map(type).join(",")})${input.type.slice(5)}`
      : input.type;
  return `${item.name}(${(item.inputs ?? []).map(type).join(",")})`;
}

function adversarialMonitor(rng: Rng, vocab: Vocabulary, i: number): MonitorDefinition {
  const contract = rng.pick(vocab.contracts);
  const abi = contract.abi as unknown as AbiItem[];
  const events = abi.filter((item) => item.type === "event");
  const functions = abi.filter((item) => item.type === "function" && (item.inputs ?? []).length > 0);
  const addresses: Monitor["addresses"] = [
    { address: spell(rng, contract.address), contract_spec: structuredClone(abi) as never },
  ];
  if (rng.chance(0.15)) addresses.unshift({ address: contract.address, contract_spec: null as never });
  if (rng.chance(0.2)) addresses.push({ address: rng.pick(vocab.addresses), contract_spec: null as never });

  const conditions: Monitor["match_conditions"] = { functions: [], events: [], transactions: [] };
  // Condition signatures are compared without whitespace and case: vary both (and sometimes name nothing).
  const vary = (signature: string) =>
    rng.chance(0.2) ? ` ${signature.replace(/,/g, ", ").toUpperCase()} ` : rng.chance(0.1) ? "nope()" : signature;
  if (events.length > 0 && rng.chance(0.7)) {
    for (let k = rng.int(1, 3); k > 0; k--) {
      const ev = rng.pick(events);
      conditions.events.push({ signature: vary(signatureOf(ev)), expression: expression(rng, ev.inputs ?? [], vocab) });
    }
  }
  if (functions.length > 0 && rng.chance(0.5)) {
    for (let k = rng.int(1, 2); k > 0; k--) {
      const fn = rng.pick(functions);
      conditions.functions.push({
        signature: vary(signatureOf(fn)),
        expression: expression(rng, fn.inputs ?? [], vocab),
      });
    }
  }
  if (rng.chance(0.5)) {
    for (let k = rng.int(1, 2); k > 0; k--) {
      conditions.transactions.push({
        status: rng.pick(["Any", "Success", "Failure", "Any"] as const),
        expression: rng.chance(0.4) ? null : expression(rng, TRANSACTION_INPUTS, vocab),
      });
    }
  }
  const monitor = {
    name: `adversarial ${i}`,
    networks: [NETWORK],
    paused: false,
    addresses,
    match_conditions: conditions,
    trigger_conditions: [],
    triggers: [],
    chain_configurations: [],
  } as unknown as Monitor;
  return { id: `adv-${i}`, tenantId: `tenant-${i % 17}`, version: 1 + (i % 3), monitor };
}

/** Transaction-only and condition-less monitors on addresses the blocks use (senders, recipients, emitters). */
function walletMonitor(rng: Rng, vocab: Vocabulary, i: number): MonitorDefinition {
  const transactions: Monitor["match_conditions"]["transactions"] = [];
  for (let k = rng.int(0, 2); k > 0; k--) {
    transactions.push({
      status: rng.pick(["Any", "Success", "Failure"] as const),
      expression: rng.chance(0.3) ? null : expression(rng, TRANSACTION_INPUTS, vocab),
    });
  }
  const monitor = {
    name: `wallet ${i}`,
    networks: [NETWORK],
    paused: false,
    addresses: [{ address: spell(rng, rng.pick(vocab.addresses)), contract_spec: null }],
    match_conditions: { functions: [], events: [], transactions },
    trigger_conditions: [],
    triggers: [],
    chain_configurations: [],
  } as unknown as Monitor;
  return { id: `wallet-${i}`, tenantId: `tenant-${i % 5}`, version: 1, monitor };
}

// ---------------------------------------------------------------------------------------------------------------------

function evaluateAlone(definitions: readonly MonitorDefinition[], block: EvmBlock): EvaluateBlockResult {
  const matches: EvaluateBlockResult["matches"] = [];
  const diagnostics: EvaluateBlockResult["diagnostics"] = [];
  for (const definition of definitions) {
    const result = evaluateBlock(compileMonitors([definition]).compiled, NETWORK, block);
    matches.push(...result.matches);
    diagnostics.push(...result.diagnostics);
  }
  return { matches, diagnostics };
}

describe("evaluation with the predicate index (differential)", () => {
  it.each([1, 2, 3])(
    "equals OZ's loop and per-monitor evaluation on randomized monitors and blocks (seed %i)",
    (seed) => {
      const evmBlocks = blocks(seed);
      const vocab = vocabulary(evmBlocks);
      const rng = createRng(seed * 7919);
      const definitions: MonitorDefinition[] = [
        ...generateMonitors({ seed, count: 150, tenants: 40 }),
        ...Array.from({ length: 120 }, (_, i) => adversarialMonitor(rng, vocab, i)),
        ...Array.from({ length: 40 }, (_, i) => walletMonitor(rng, vocab, i)),
      ] as MonitorDefinition[];
      const { compiled } = compileMonitors(definitions);
      const index = compiled.networks.get(NETWORK) as unknown as EvmNetworkIndex;

      let matchCount = 0;
      const diagnosticKinds = new Set<string>();
      const statuses = new Set<string>();
      for (const block of evmBlocks) {
        const indexed = evaluateBlock(compiled, NETWORK, block);
        const reference = evaluateEvmBlock(index, block, { addressGateOnly: true });
        expect(indexed.matches).toEqual(reference.matches);
        expect(indexed.diagnostics).toEqual(reference.diagnostics);
        const alone = evaluateAlone(definitions, block);
        expect(indexed.matches).toEqual(alone.matches);
        expect(indexed.diagnostics).toEqual(alone.diagnostics);

        matchCount += indexed.matches.length;
        for (const d of indexed.diagnostics) diagnosticKinds.add(`${d.code}:${d.cause?.kind ?? ""}`);
        for (const m of indexed.matches) for (const t of m.payload.matched_on.transactions) statuses.add(t.status);
      }
      // The data exercise what it is meant to: matches, both statuses, and each kind of evaluation failure.
      expect(matchCount).toBeGreaterThan(50);
      expect(statuses).toEqual(new Set(["Success", "Failure"]));
      for (const kind of [
        "ENGINE_EXPRESSION_FAILED:VariableNotFound",
        "ENGINE_EXPRESSION_FAILED:TypeMismatch",
        "ENGINE_EXPRESSION_FAILED:ParseError",
      ]) {
        expect(diagnosticKinds).toContain(kind);
      }
    },
  );
});
