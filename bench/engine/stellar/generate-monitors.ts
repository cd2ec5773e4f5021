/**
 * Seeded generator of OZ-format Stellar monitors for the engine benchmark, spread over tenants (Zipf-skewed): large
 * SEP-41 transfer alerts (event `transfer(Address,Address,String,I128)` with thresholds on arg `3`), `transfer` call
 * watches (`amount > N`, `to == G…`), approvals and mints, router swaps (`path contains`), aggregator swaps (map
 * argument), AMM pair `Swap`/`Sync` events decoded with Protocol-23 event specs, wallet payment watches (transaction
 * conditions `value > N`, `to == G…`), failure watches, lending events and never-seen contracts.
 *
 * Contracts are drawn from the ledger population with the ledgers' skew. Some monitors carry the spec inline
 * (`contract_spec`), the others rely on the spec fetched from the chain (`stellarContractSpecsFor`). Thresholds are
 * mostly whale-sized, so matches stay a small fraction of monitors per ledger. Monitor `i` depends only on
 * `(seed, i)`, so a smaller set is a prefix of a larger one.
 */
import { StrKey } from "@stellar/stellar-sdk";
import type { StellarContractSpecEntry } from "../../../src/engine/stellar-ledger.js";
import { createRng, createZipf, mixSeed, type Rng } from "../prng.js";
import {
  DEFAULT_STELLAR_POPULATION_SEED,
  type StellarContract,
  type StellarPair,
  type StellarPopulation,
  type StellarToken,
  stellarPopulation,
} from "./population.js";
import { SIGNATURES, TOKEN_SPEC } from "./specs.js";

export type StellarTransactionStatus = "Any" | "Success" | "Failure";

export interface OzStellarCondition {
  signature: string;
  expression: string | null;
}

export interface OzStellarTransactionCondition {
  status: StellarTransactionStatus;
  expression: string | null;
}

/** An OZ v1.6.0 Stellar monitor JSON object. */
export interface OzStellarMonitor {
  name: string;
  networks: string[];
  paused: boolean;
  addresses: { address: string; contract_spec: StellarContractSpecEntry[] | null }[];
  match_conditions: {
    functions: OzStellarCondition[];
    events: OzStellarCondition[];
    transactions: OzStellarTransactionCondition[];
  };
  trigger_conditions: never[];
  triggers: string[];
  chain_configurations: never[];
}

/** Same shape as the engine's `MonitorDefinition`. */
export interface StellarBenchMonitorDefinition {
  id: string;
  tenantId: string;
  version: number;
  monitor: OzStellarMonitor;
}

export interface GenerateStellarMonitorsOptions {
  seed: number;
  count: number;
  /** Default 1000. */
  tenants?: number;
  /** Must be the population the ledgers are generated from. */
  population?: StellarPopulation;
  /** Default `"stellar_mainnet"`. */
  network?: string;
}

export type StellarMonitorKind =
  | "large-transfer"
  | "transfer-call"
  | "approve-mint-call"
  | "router-swap"
  | "pair-event"
  | "aggregator-call"
  | "wallet-payment"
  | "failure-watch"
  | "multi-token-transfer"
  | "lending-event"
  | "never-seen";

const MIX: ReadonlyArray<readonly [StellarMonitorKind, number]> = [
  ["large-transfer", 0.3],
  ["transfer-call", 0.14],
  ["approve-mint-call", 0.04],
  ["router-swap", 0.07],
  ["pair-event", 0.08],
  ["aggregator-call", 0.03],
  ["wallet-payment", 0.14],
  ["failure-watch", 0.05],
  ["multi-token-transfer", 0.06],
  ["lending-event", 0.03],
  ["never-seen", 0.06],
];

/** OZ's Stellar monitors watch contracts and accounts; signatures reference the watched contracts' specs. */
interface Ctx {
  rng: Rng;
  pop: StellarPopulation;
}

interface Body {
  label: string;
  addresses: OzStellarMonitor["addresses"];
  functions?: OzStellarCondition[];
  events?: OzStellarCondition[];
  transactions?: OzStellarTransactionCondition[];
}

function pickKind(rng: Rng): StellarMonitorKind {
  let r = rng.next();
  for (const [kind, weight] of MIX) {
    r -= weight;
    if (r < 0) return kind;
  }
  return "large-transfer";
}

/** `10 ** exp10` with two significant digits, as people type thresholds. */
function roundUnits(exp10: number): bigint {
  if (exp10 <= 0) return 1n;
  const whole = Math.floor(exp10);
  const lead = Math.round(10 ** (exp10 - whole) * 10);
  return whole >= 1 ? BigInt(lead) * 10n ** BigInt(whole - 1) : BigInt(Math.max(1, Math.round(lead / 10)));
}

/** A USD alert threshold as log10: 90% whale-sized ($6M–$100M), 10% $300k–$6M. */
function thresholdUsdExp(rng: Rng): number {
  return rng.chance(0.9) ? 6.8 + rng.next() * 1.2 : 5.5 + rng.next() * 1.3;
}

/** A threshold in stroops of `token` (7 decimals). */
function threshold(rng: Rng, token: StellarToken): bigint {
  return roundUnits(thresholdUsdExp(rng) - token.priceExp + 7);
}

/** Users paste strkeys as they are; now and then lowercased (OZ compares addresses case-insensitively). */
function spelled(rng: Rng, strkey: string): string {
  return rng.chance(0.03) ? strkey.toLowerCase() : strkey;
}

/** A fresh copy per monitor, as if each monitor's JSON had been parsed separately. */
function specCopy(spec: readonly StellarContractSpecEntry[]): StellarContractSpecEntry[] {
  return JSON.parse(JSON.stringify(spec)) as StellarContractSpecEntry[];
}

/**
 * An `addresses[]` entry. SACs have no WASM spec, so monitors with function conditions on them must carry one;
 * otherwise the spec is inline with probability `inline`, else left to the chain lookup.
 */
function entry(ctx: Ctx, contract: StellarContract, needsFunctions: boolean, inline = 0.3) {
  const spec =
    needsFunctions && contract.kind === "sac"
      ? TOKEN_SPEC
      : contract.spec.length > 0 && ctx.rng.chance(inline)
        ? contract.spec
        : null;
  return { address: spelled(ctx.rng, contract.contractId), contract_spec: spec ? specCopy(spec) : null };
}

function token(ctx: Ctx): StellarToken {
  return ctx.pop.tokens[ctx.pop.zipf.tokens.sample(ctx.rng)] as StellarToken;
}

/**
 * A watched wallet: 10% with the ledgers' skew but past the 20 hottest accounts (busy wallets, not exchange hot
 * wallets nobody alerts on), otherwise uniform (mostly quiet wallets).
 */
function wallet(ctx: Ctx): string {
  const { accounts } = ctx.pop;
  const index = ctx.rng.chance(0.1)
    ? Math.min(accounts.length - 1, 20 + ctx.pop.zipf.accounts.sample(ctx.rng))
    : ctx.rng.int(0, accounts.length - 1);
  return accounts[index] as string;
}

function neverSeenContract(ctx: Ctx): string {
  return StrKey.encodeContract(Buffer.from(ctx.rng.hex(32), "hex"));
}

/** The transfer event signature of a token and the position of its amount argument. */
function transferEvent(t: StellarToken): { signature: string; amount: string; asset: boolean } {
  return t.kind === "sac"
    ? { signature: SIGNATURES.sacTransferEvent, amount: "3", asset: true }
    : { signature: SIGNATURES.tokenTransferEvent, amount: "2", asset: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Monitor kinds

function largeTransfer(ctx: Ctx): Body {
  const t = token(ctx);
  const { signature, amount, asset } = transferEvent(t);
  const limit = `${amount} > ${threshold(ctx.rng, t)}`;
  const r = ctx.rng.next();
  let expression = limit;
  if (r < 0.1) expression = `${limit} AND 1 == ${wallet(ctx)}`;
  else if (r < 0.2) expression = `0 == ${wallet(ctx)} OR 1 == ${wallet(ctx)}`;
  else if (r < 0.25 && asset) expression = `2 == '${t.assetName}' AND ${limit}`;
  else if (r < 0.3) expression = `(${limit}) AND 0 != ${wallet(ctx)}`;
  const body: Body = {
    label: `Large ${t.symbol} transfer`,
    addresses: [entry(ctx, t, false)],
    events: [{ signature, expression }],
  };
  if (ctx.rng.chance(0.3)) body.transactions = [{ status: "Success", expression: null }];
  return body;
}

function transferCall(ctx: Ctx): Body {
  const t = token(ctx);
  const r = ctx.rng.next();
  const expression =
    r < 0.6
      ? `amount > ${threshold(ctx.rng, t)}`
      : r < 0.85
        ? `to == ${spelled(ctx.rng, wallet(ctx))}`
        : `from == ${wallet(ctx)} AND amount > ${threshold(ctx.rng, t) / 100n}`;
  return {
    label: `${t.symbol} transfer() watch`,
    addresses: [entry(ctx, t, true, 0.5)],
    functions: [{ signature: SIGNATURES.transferCall, expression }],
  };
}

function approveMintCall(ctx: Ctx): Body {
  const t = token(ctx);
  if (ctx.rng.chance(0.6)) {
    const expression = ctx.rng.chance(0.6)
      ? `amount > ${threshold(ctx.rng, t)}`
      : `spender == ${ctx.pop.router.contractId} AND from == ${wallet(ctx)}`;
    return {
      label: `${t.symbol} approvals`,
      addresses: [entry(ctx, t, true, 0.5)],
      functions: [{ signature: SIGNATURES.approveCall, expression }],
    };
  }
  const functions: OzStellarCondition[] = [
    { signature: SIGNATURES.mintCall, expression: `amount > ${threshold(ctx.rng, t)}` },
  ];
  if (ctx.rng.chance(0.5))
    functions.push({ signature: SIGNATURES.burnCall, expression: `amount > ${threshold(ctx.rng, t)}` });
  return { label: `${t.symbol} supply changes`, addresses: [entry(ctx, t, true, 0.5)], functions };
}

function routerSwap(ctx: Ctx): Body {
  // Watch a less popular token's flow through the router.
  const t = ctx.pop.tokens[
    Math.min(ctx.pop.tokens.length - 1, 3 + ctx.pop.zipf.tokens.sample(ctx.rng))
  ] as StellarToken;
  const r = ctx.rng.next();
  const expression =
    r < 0.5
      ? `path contains '${t.contractId}' AND amount_in > ${threshold(ctx.rng, ctx.pop.tokens[1] as StellarToken)}`
      : r < 0.8
        ? `path contains '${t.contractId.toLowerCase()}'`
        : `to == ${wallet(ctx)}`;
  const body: Body = {
    label: `${t.symbol} via router`,
    addresses: [entry(ctx, ctx.pop.router, true)],
    functions: [{ signature: SIGNATURES.routerSwapCall, expression }],
  };
  if (ctx.rng.chance(0.3)) body.transactions = [{ status: "Success", expression: null }];
  return body;
}

function pairEvent(ctx: Ctx): Body {
  const pair = ctx.pop.pairs[ctx.pop.zipf.pairs.sample(ctx.rng)] as StellarPair;
  const t0 = ctx.pop.tokens[pair.token0] as StellarToken;
  const t1 = ctx.pop.tokens[pair.token1] as StellarToken;
  const usd = thresholdUsdExp(ctx.rng);
  const in0 = roundUnits(usd - t0.priceExp + 7);
  const in1 = roundUnits(usd - t1.priceExp + 7);
  // Liquidity alert: a reserve drained to a tenth of the pair's depth or less.
  const drained = roundUnits(pair.reserveUsdExp - 1 - ctx.rng.next() * 0.5 - t0.priceExp + 7);
  const r = ctx.rng.next();
  const events: OzStellarCondition[] =
    r < 0.6
      ? [{ signature: SIGNATURES.pairSwapEvent, expression: `amount_0_in > ${in0} OR amount_1_in > ${in1}` }]
      : r < 0.8
        ? [{ signature: SIGNATURES.pairSwapEvent, expression: `to == ${wallet(ctx)}` }]
        : [{ signature: SIGNATURES.pairSyncEvent, expression: `new_reserve_0 < ${drained}` }];
  return { label: `${pair.label} watch`, addresses: [entry(ctx, pair, false)], events };
}

function aggregatorCall(ctx: Ctx): Body {
  const t = ctx.pop.tokens[1] as StellarToken;
  const expression = ctx.rng.chance(0.7) ? `params.amount_in > ${threshold(ctx.rng, t)}` : `user == ${wallet(ctx)}`;
  return {
    label: "Aggregator whale swaps",
    addresses: [entry(ctx, ctx.pop.aggregator, true)],
    functions: [{ signature: SIGNATURES.aggregatorSwapCall, expression }],
  };
}

function walletPayment(ctx: Ctx): Body {
  const w = wallet(ctx);
  const xlm = ctx.pop.tokens[0] as StellarToken;
  const r = ctx.rng.next();
  // `value` is the raw amount of any asset (OZ does not say which): whale thresholds well above XLM's.
  const transactions: OzStellarTransactionCondition[] =
    r < 0.25
      ? [{ status: "Success", expression: `value > ${threshold(ctx.rng, xlm) * 100n}` }]
      : r < 0.7
        ? [{ status: "Any", expression: `to == ${spelled(ctx.rng, w)}` }]
        : r < 0.9
          ? [{ status: "Success", expression: `to == ${w} AND value > ${threshold(ctx.rng, xlm) / 1000n}` }]
          : [{ status: "Any", expression: `from == ${w}` }];
  return {
    label: "Wallet payment watch",
    addresses: [{ address: spelled(ctx.rng, w), contract_spec: null }],
    transactions,
  };
}

function failureWatch(ctx: Ctx): Body {
  const r = ctx.rng.next();
  if (r < 0.5) {
    const w = wallet(ctx);
    return {
      label: "Failed transactions of a wallet",
      addresses: [{ address: w, contract_spec: null }],
      transactions: [{ status: "Failure", expression: `from == ${w}` }],
    };
  }
  if (r < 0.99) {
    // A team watching its own token: past the hottest ranks, uniformly.
    const { tokens } = ctx.pop;
    const contract = tokens[ctx.rng.int(Math.min(8, tokens.length - 1), tokens.length - 1)] as StellarToken;
    return {
      label: "Failed calls of a contract",
      addresses: [entry(ctx, contract, true)],
      functions: [{ signature: SIGNATURES.transferCall, expression: null }],
      transactions: [{ status: "Failure", expression: null }],
    };
  }
  // OZ has no address gate on Stellar: this matches every failed transaction of the ledger.
  return {
    label: "Network-wide failures",
    addresses: [{ address: wallet(ctx), contract_spec: null }],
    transactions: [{ status: "Failure", expression: null }],
  };
}

function multiTokenTransfer(ctx: Ctx): Body {
  const count = ctx.rng.int(2, 5);
  const seen = new Set<StellarToken>();
  for (let i = 0; i < count * 3 && seen.size < count; i++) {
    const t = token(ctx);
    if (t.kind === "sac") seen.add(t);
  }
  const tokens = [...seen];
  const usd = thresholdUsdExp(ctx.rng);
  const limit = tokens.reduce((max, t) => {
    const units = roundUnits(usd - t.priceExp + 7);
    return units > max ? units : max;
  }, 1n);
  return {
    label: "Portfolio transfers",
    addresses: tokens.map((t) => entry(ctx, t, false)),
    events: [{ signature: SIGNATURES.sacTransferEvent, expression: `3 > ${limit}` }],
  };
}

function lendingEvent(ctx: Ctx): Body {
  const pool = ctx.pop.lending[ctx.rng.int(0, ctx.pop.lending.length - 1)] as StellarContract;
  return {
    label: `${pool.label} supplies`,
    addresses: [entry(ctx, pool, false)],
    events: [
      {
        signature: SIGNATURES.lendingSupplyEvent,
        expression: ctx.rng.chance(0.5)
          ? `1 == ${wallet(ctx)}`
          : `0 == ${(ctx.pop.tokens[1] as StellarToken).contractId}`,
      },
    ],
  };
}

function neverSeen(ctx: Ctx): Body {
  const address = neverSeenContract(ctx);
  const r = ctx.rng.next();
  if (r < 0.5) {
    return {
      label: "Transfers of a new token",
      addresses: [{ address, contract_spec: null }],
      events: [{ signature: SIGNATURES.tokenTransferEvent, expression: r < 0.25 ? null : "2 > 1000000000" }],
    };
  }
  return {
    label: "Calls of a new token",
    addresses: [{ address, contract_spec: specCopy(TOKEN_SPEC) }],
    functions: [{ signature: SIGNATURES.transferCall, expression: "amount > 1000000000" }],
  };
}

const BUILDERS: Record<StellarMonitorKind, (ctx: Ctx) => Body> = {
  "large-transfer": largeTransfer,
  "transfer-call": transferCall,
  "approve-mint-call": approveMintCall,
  "router-swap": routerSwap,
  "pair-event": pairEvent,
  "aggregator-call": aggregatorCall,
  "wallet-payment": walletPayment,
  "failure-watch": failureWatch,
  "multi-token-transfer": multiTokenTransfer,
  "lending-event": lendingEvent,
  "never-seen": neverSeen,
};

/** Generates `count` monitor definitions (version 1) spread over `tenants` tenants. */
export function generateStellarMonitors(options: GenerateStellarMonitorsOptions): StellarBenchMonitorDefinition[] {
  const pop = options.population ?? stellarPopulation(DEFAULT_STELLAR_POPULATION_SEED);
  const tenants = options.tenants ?? 1000;
  const network = options.network ?? "stellar_mainnet";
  const tenantZipf = createZipf(tenants, 0.8);
  const definitions: StellarBenchMonitorDefinition[] = [];
  for (let i = 0; i < options.count; i++) {
    const rng = createRng(mixSeed(options.seed, i, 0x57e11a));
    const body = BUILDERS[pickKind(rng)]({ rng, pop });
    const tenant = tenantZipf.sample(rng);
    definitions.push({
      id: `xlm-mon-${String(i + 1).padStart(6, "0")}`,
      tenantId: `tenant-${String(tenant + 1).padStart(4, "0")}`,
      version: 1,
      monitor: {
        name: `${body.label} #${i + 1}`,
        networks: [network],
        paused: false,
        addresses: body.addresses,
        match_conditions: {
          functions: body.functions ?? [],
          events: body.events ?? [],
          transactions: body.transactions ?? [],
        },
        trigger_conditions: [],
        triggers: [],
        chain_configurations: [],
      },
    });
  }
  return definitions;
}

/**
 * The specs the chain lookup gives for the monitored addresses without an inline spec (what `fetchContractSpec`
 * returns; `[]` for Stellar Asset Contracts, accounts and unknown contracts, as the lookup records a failed fetch),
 * keyed by the address as configured: the `stellarContractSpecs` entry of `compileMonitors` for `definitions`.
 */
export function stellarContractSpecsFor(
  definitions: readonly StellarBenchMonitorDefinition[],
  population: StellarPopulation = stellarPopulation(DEFAULT_STELLAR_POPULATION_SEED),
): Map<string, StellarContractSpecEntry[]> {
  const byKey = new Map<string, StellarContractSpecEntry[]>();
  for (const [contractId, spec] of population.specs) byKey.set(contractId.toLowerCase(), spec);
  const specs = new Map<string, StellarContractSpecEntry[]>();
  for (const { monitor } of definitions) {
    for (const { address, contract_spec } of monitor.addresses) {
      if (contract_spec !== null || specs.has(address)) continue;
      specs.set(address, byKey.get(address.trim().toLowerCase()) ?? []);
    }
  }
  return specs;
}

/** The monitor kinds and their shares. */
export const STELLAR_MONITOR_MIX: ReadonlyArray<readonly [StellarMonitorKind, number]> = MIX;
