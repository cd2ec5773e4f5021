/**
 * Seeded generator of OZ-format EVM monitors for the engine benchmark: a realistic multi-tenant mix of large-transfer
 * alerts, approval watches, function-call watches, DEX swap thresholds, wallet value watches and failure watches.
 *
 * Addresses are drawn from the block population with the same Zipf skew the blocks use (many monitors share the hot
 * contracts, most watch cold ones), plus addresses that never appear in blocks. Thresholds are mostly high, so matches
 * stay a small fraction of monitors per block. Monitor `i` depends only on `(seed, i)`, so a smaller set is a prefix
 * of a larger one.
 */
import { type Abi, maxUint256 } from "viem";
import type { Hex } from "../../src/engine/evm-block.js";
import {
  type Contract,
  DEFAULT_POPULATION_SEED,
  type Pool,
  type Population,
  population,
  type Token,
} from "./population.js";
import { createRng, createZipf, mixSeed, type Rng, type Zipf } from "./prng.js";

export type TransactionStatus = "Any" | "Success" | "Failure";

export interface OzFunctionCondition {
  signature: string;
  expression: string | null;
}

export interface OzEventCondition {
  signature: string;
  expression: string | null;
}

export interface OzTransactionCondition {
  status: TransactionStatus;
  expression: string | null;
}

/** An EVM `contract_spec`: a JSON ABI array. */
export type ContractSpec = Abi[number][];

/** An OZ v1.6.0 monitor JSON object, as found in `config/monitors/*.json`. */
export interface OzEvmMonitor {
  name: string;
  networks: string[];
  paused: boolean;
  addresses: { address: string; contract_spec: ContractSpec | null }[];
  match_conditions: {
    functions: OzFunctionCondition[];
    events: OzEventCondition[];
    transactions: OzTransactionCondition[];
  };
  /** The engine ignores trigger conditions and chain configurations; the generated monitors leave them empty. */
  trigger_conditions: never[];
  triggers: string[];
  chain_configurations: never[];
}

/** Same shape as the engine's `MonitorDefinition`. */
export interface BenchMonitorDefinition {
  id: string;
  tenantId: string;
  version: number;
  monitor: OzEvmMonitor;
}

export interface GenerateMonitorsOptions {
  seed: number;
  count: number;
  /** Tenants to spread the monitors over (Zipf-skewed: a few tenants own many monitors). Default 1000. */
  tenants?: number;
  /** Default `population(DEFAULT_POPULATION_SEED)`; must be the population the blocks are generated from. */
  population?: Population;
  /** Default `"ethereum_mainnet"`. */
  network?: string;
}

export type MonitorKind =
  | "large-transfer"
  | "approval"
  | "transfer-call-to"
  | "v2-swap"
  | "v3-swap"
  | "weth-wrap"
  | "router-call"
  | "wallet-value"
  | "failure-watch"
  | "multi-token-transfer"
  | "nft"
  | "never-seen";

const MIX: ReadonlyArray<readonly [MonitorKind, number]> = [
  ["large-transfer", 0.3],
  ["approval", 0.07],
  ["transfer-call-to", 0.1],
  ["v2-swap", 0.07],
  ["v3-swap", 0.07],
  ["weth-wrap", 0.05],
  ["router-call", 0.05],
  ["wallet-value", 0.1],
  ["failure-watch", 0.04],
  ["multi-token-transfer", 0.05],
  ["nft", 0.04],
  ["never-seen", 0.06],
];

interface Ctx {
  rng: Rng;
  pop: Population;
  tokenZipf: Zipf;
}

// ---------------------------------------------------------------------------------------------------------------------
// Helpers

function pickKind(rng: Rng): MonitorKind {
  let r = rng.next();
  for (const [kind, weight] of MIX) {
    r -= weight;
    if (r < 0) return kind;
  }
  return "large-transfer";
}

/** `10 ** exp10` as a decimal integer string with a couple of significant digits (what people type). */
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

function tokenThreshold(rng: Rng, token: Token): bigint {
  return roundUnits(thresholdUsdExp(rng) - token.priceExp + token.decimals);
}

/** Renders a threshold literal; now and then as hex or quoted, both valid OZ syntax. */
function literal(rng: Rng, value: bigint): string {
  const r = rng.next();
  if (r < 0.05) return `0x${value.toString(16)}`;
  if (r < 0.08) return `'${value}'`;
  return value.toString();
}

/** A fresh copy per monitor, as if each monitor's JSON had been parsed separately. */
function abiCopy(abi: Abi): ContractSpec {
  return JSON.parse(JSON.stringify(abi)) as ContractSpec;
}

/** Users paste addresses checksummed, lowercase, and occasionally upper-case hex. */
function spelled(rng: Rng, entity: { address: Hex; checksumAddress: Hex }): string {
  const r = rng.next();
  if (r < 0.6) return entity.checksumAddress;
  if (r < 0.95) return entity.address;
  return `0x${entity.address.slice(2).toUpperCase()}`;
}

function token(ctx: Ctx): Token {
  return ctx.pop.tokens[ctx.tokenZipf.sample(ctx.rng)] ?? (ctx.pop.tokens[0] as Token);
}

function poolOf(ctx: Ctx, kind: Pool["kind"]): Pool {
  const pools = ctx.pop.pools.filter((pool) => pool.kind === kind);
  const zipf = createZipf(pools.length, 1.1);
  return pools[zipf.sample(ctx.rng)] ?? (pools[0] as Pool);
}

/** A watched wallet: 10% with the blocks' skew (exchange hot wallets), otherwise uniform (mostly quiet wallets). */
function wallet(ctx: Ctx): { address: Hex; checksumAddress: Hex } {
  const index = ctx.rng.chance(0.1) ? ctx.pop.zipf.eoas.sample(ctx.rng) : ctx.rng.int(0, ctx.pop.eoas.length - 1);
  return ctx.pop.eoas[index] ?? (ctx.pop.eoas[0] as { address: Hex; checksumAddress: Hex });
}

function neverSeen(ctx: Ctx): { address: Hex; checksumAddress: Hex } {
  const address = `0x${ctx.rng.hex(20)}` as Hex;
  return { address, checksumAddress: address };
}

function entry(ctx: Ctx, contract: Contract): { address: string; contract_spec: ContractSpec } {
  return { address: spelled(ctx.rng, contract), contract_spec: abiCopy(contract.abi) };
}

/** Parameter names differ per ABI (WETH9: src/dst/wad; ERC-20: from/to/value). */
function transferNames(token: Token): { from: string; to: string; value: string } {
  return token.kind === "weth" ? { from: "src", to: "dst", value: "wad" } : { from: "from", to: "to", value: "value" };
}

const TRANSFER_EVENT = "Transfer(address,address,uint256)";
const TRANSFER_FUNCTION = "transfer(address,uint256)";

interface Body {
  label: string;
  addresses: OzEvmMonitor["addresses"];
  functions?: OzFunctionCondition[];
  events?: OzEventCondition[];
  transactions?: OzTransactionCondition[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Monitor kinds

function largeTransfer(ctx: Ctx): Body {
  const t = token(ctx);
  const names = transferNames(t);
  const threshold = `${names.value} > ${literal(ctx.rng, tokenThreshold(ctx.rng, t))}`;
  const r = ctx.rng.next();
  let expression = threshold;
  if (r < 0.1) expression = `${threshold} AND ${names.to} == ${wallet(ctx).address}`;
  else if (r < 0.2)
    expression = `${names.from} == ${wallet(ctx).checksumAddress} OR ${names.to} == ${wallet(ctx).address}`;
  else if (r < 0.25) expression = `(${threshold}) AND ${names.from} != 0x0000000000000000000000000000000000000000`;
  const body: Body = {
    label: `Large ${t.symbol} transfer`,
    addresses: [entry(ctx, t)],
    events: [{ signature: TRANSFER_EVENT, expression }],
  };
  if (ctx.rng.chance(0.3)) body.transactions = [{ status: "Success", expression: null }];
  if (ctx.rng.chance(0.05)) {
    body.functions = [{ signature: TRANSFER_FUNCTION, expression: `${names.value} > ${tokenThreshold(ctx.rng, t)}` }];
  }
  return body;
}

function approval(ctx: Ctx): Body {
  const t = token(ctx);
  const [owner, spender, value] = t.kind === "weth" ? ["src", "guy", "wad"] : ["owner", "spender", "value"];
  const r = ctx.rng.next();
  const expression =
    r < 0.6
      ? `${spender} == ${wallet(ctx).address}`
      : r < 0.9
        ? `${owner} == ${wallet(ctx).checksumAddress}`
        : `${value} == ${maxUint256} AND ${owner} == ${wallet(ctx).address}`;
  return {
    label: `${t.symbol} approval`,
    addresses: [entry(ctx, t)],
    events: [{ signature: "Approval(address,address,uint256)", expression }],
  };
}

function transferCallTo(ctx: Ctx): Body {
  const t = token(ctx);
  const names = transferNames(t);
  const to = wallet(ctx);
  return {
    label: `${t.symbol} transfer() to wallet`,
    addresses: [entry(ctx, t)],
    functions: [{ signature: TRANSFER_FUNCTION, expression: `${names.to} == ${spelled(ctx.rng, to)}` }],
  };
}

function v2Swap(ctx: Ctx): Body {
  const pool = poolOf(ctx, "uniswapV2Pair");
  const t0 = ctx.pop.tokens[pool.token0] as Token;
  const t1 = ctx.pop.tokens[pool.token1] as Token;
  const usd = thresholdUsdExp(ctx.rng);
  const in0 = roundUnits(usd - t0.priceExp + t0.decimals);
  const in1 = roundUnits(usd - t1.priceExp + t1.decimals);
  const expression = ctx.rng.chance(0.7)
    ? `amount0In > ${in0} OR amount1In > ${in1}`
    : `amount0Out >= ${in0} OR amount1Out >= ${in1}`;
  return {
    label: `${pool.label} whale swap`,
    addresses: [entry(ctx, pool)],
    events: [{ signature: "Swap(address,uint256,uint256,uint256,uint256,address)", expression }],
  };
}

function v3Swap(ctx: Ctx): Body {
  const pool = poolOf(ctx, "uniswapV3Pool");
  const t0 = ctx.pop.tokens[pool.token0] as Token;
  const t1 = ctx.pop.tokens[pool.token1] as Token;
  const usd = thresholdUsdExp(ctx.rng);
  const a0 = roundUnits(usd - t0.priceExp + t0.decimals);
  const a1 = roundUnits(usd - t1.priceExp + t1.decimals);
  const r = ctx.rng.next();
  const expression =
    r < 0.4
      ? `amount0 > ${a0} OR amount1 > ${a1}`
      : r < 0.8
        ? `amount0 < -${a0} OR amount1 < -${a1}`
        : `recipient == ${wallet(ctx).address}`;
  return {
    label: `${pool.label} whale swap`,
    addresses: [entry(ctx, pool)],
    events: [{ signature: "Swap(address,address,int256,int256,uint160,uint128,int24)", expression }],
  };
}

function wethWrap(ctx: Ctx): Body {
  const w = ctx.pop.tokens[0] as Token;
  const wad = roundUnits(thresholdUsdExp(ctx.rng) - w.priceExp + 18);
  const events: OzEventCondition[] = [
    { signature: "Deposit(address,uint256)", expression: `wad > ${literal(ctx.rng, wad)}` },
  ];
  if (ctx.rng.chance(0.6)) events.push({ signature: "Withdrawal(address,uint256)", expression: `wad > ${wad}` });
  return { label: "WETH wrap/unwrap", addresses: [entry(ctx, w)], events };
}

function routerCall(ctx: Ctx): Body {
  // Watch a less popular token's flow through the routers.
  const t = ctx.pop.tokens[Math.min(ctx.pop.tokens.length - 1, 4 + ctx.tokenZipf.sample(ctx.rng))] as Token;
  const cold = ctx.pop.tokens[ctx.rng.int(Math.min(15, ctx.pop.tokens.length - 1), ctx.pop.tokens.length - 1)] as Token;
  if (ctx.rng.chance(0.6)) {
    const router = ctx.pop.routers.v2;
    const r = ctx.rng.next();
    const functions: OzFunctionCondition[] =
      r < 0.5
        ? [
            {
              signature: "swapExactTokensForTokens(uint256,uint256,address[],address,uint256)",
              expression: `path contains '${cold.address}' AND amountIn > ${tokenThreshold(ctx.rng, t)}`,
            },
          ]
        : r < 0.8
          ? [
              {
                signature: "swapExactETHForTokens(uint256,address[],address,uint256)",
                expression: `path contains ${cold.checksumAddress}`,
              },
              {
                signature: "swapExactTokensForETH(uint256,uint256,address[],address,uint256)",
                expression: `path contains ${cold.checksumAddress}`,
              },
            ]
          : [
              {
                signature: "swapExactTokensForTokens(uint256,uint256,address[],address,uint256)",
                expression: `to == ${wallet(ctx).address}`,
              },
            ];
    return { label: `${t.symbol} via Uniswap V2 router`, addresses: [entry(ctx, router)], functions };
  }
  const router = ctx.pop.routers.v3;
  return {
    label: `${t.symbol} via Uniswap V3 router`,
    addresses: [entry(ctx, router)],
    functions: [
      {
        signature: "exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))",
        expression: `params contains '${ctx.rng.chance(0.5) ? wallet(ctx).address : cold.address}'`,
      },
    ],
    transactions: [{ status: "Success", expression: null }],
  };
}

function walletValue(ctx: Ctx): Body {
  const w = wallet(ctx);
  const eth = roundUnits(18 + 0.5 + ctx.rng.next() * 2.5);
  const r = ctx.rng.next();
  const transactions: OzTransactionCondition[] =
    r < 0.7
      ? [{ status: "Any", expression: `value > ${literal(ctx.rng, eth)}` }]
      : r < 0.9
        ? [{ status: "Success", expression: `value >= ${eth} AND from == ${w.address}` }]
        : [
            {
              status: "Success",
              expression: `to == ${w.address} AND gas_price > ${roundUnits(10.5 + ctx.rng.next())}`,
            },
          ];
  return {
    label: "Wallet value watch",
    addresses: [{ address: spelled(ctx.rng, w), contract_spec: null }],
    transactions,
  };
}

function failureWatch(ctx: Ctx): Body {
  const r = ctx.rng.next();
  const target: { address: string; contract_spec: ContractSpec | null } =
    r < 0.05
      ? entry(ctx, ctx.rng.chance(0.5) ? ctx.pop.routers.v2 : ctx.pop.routers.v3)
      : r < 0.25
        ? entry(ctx, ctx.pop.tokens[ctx.rng.int(0, ctx.pop.tokens.length - 1)] as Token)
        : { address: spelled(ctx.rng, wallet(ctx)), contract_spec: null };
  return {
    label: "Failed transaction watch",
    addresses: [target],
    transactions: [{ status: "Failure", expression: null }],
  };
}

function multiTokenTransfer(ctx: Ctx): Body {
  const count = ctx.rng.int(2, 5);
  const seen = new Set<Token>();
  for (let i = 0; i < count * 3 && seen.size < count; i++) seen.add(token(ctx));
  const tokens = [...seen].filter((t) => t.kind === "erc20");
  const addresses = tokens.map((t) => entry(ctx, t));
  if (ctx.rng.chance(0.3)) {
    addresses.push({ address: neverSeen(ctx).address, contract_spec: abiCopy(ctx.pop.tokens[1]?.abi ?? []) });
  }
  // One threshold for all: the largest per-token one, so no cheap token drowns the alert.
  const usd = thresholdUsdExp(ctx.rng);
  const threshold = tokens.reduce((max, t) => {
    const units = roundUnits(usd - t.priceExp + t.decimals);
    return units > max ? units : max;
  }, 1n);
  return {
    label: "Portfolio transfers",
    addresses,
    events: [{ signature: TRANSFER_EVENT, expression: `value > ${threshold}` }],
  };
}

function nft(ctx: Ctx): Body {
  const collection = ctx.pop.nfts[ctx.pop.zipf.nfts.sample(ctx.rng)] ?? (ctx.pop.nfts[0] as Contract);
  const expression = ctx.rng.chance(0.2)
    ? "from == 0x0000000000000000000000000000000000000000 AND tokenId < 100"
    : `to == ${wallet(ctx).address}`;
  return {
    label: `${collection.label} watch`,
    addresses: [entry(ctx, collection)],
    events: [{ signature: TRANSFER_EVENT, expression }],
  };
}

function neverSeenMonitor(ctx: Ctx): Body {
  const target = neverSeen(ctx);
  const abi = abiCopy(ctx.pop.tokens[1]?.abi ?? []);
  const r = ctx.rng.next();
  if (r < 0.2)
    return { label: "Anything on a new contract", addresses: [{ address: target.address, contract_spec: abi }] };
  return {
    label: "Transfers of a new token",
    addresses: [{ address: target.address, contract_spec: abi }],
    events: [
      { signature: TRANSFER_EVENT, expression: r < 0.6 ? null : `value > ${roundUnits(20 + ctx.rng.next() * 4)}` },
    ],
  };
}

const BUILDERS: Record<MonitorKind, (ctx: Ctx) => Body> = {
  "large-transfer": largeTransfer,
  approval,
  "transfer-call-to": transferCallTo,
  "v2-swap": v2Swap,
  "v3-swap": v3Swap,
  "weth-wrap": wethWrap,
  "router-call": routerCall,
  "wallet-value": walletValue,
  "failure-watch": failureWatch,
  "multi-token-transfer": multiTokenTransfer,
  nft,
  "never-seen": neverSeenMonitor,
};

// ---------------------------------------------------------------------------------------------------------------------

/** Generates `count` monitor definitions (version 1) spread over `tenants` tenants. */
export function generateMonitors(options: GenerateMonitorsOptions): BenchMonitorDefinition[] {
  const pop = options.population ?? population(DEFAULT_POPULATION_SEED);
  const tenants = options.tenants ?? 1000;
  const network = options.network ?? "ethereum_mainnet";
  const tenantZipf = createZipf(tenants, 0.8);
  const tokenZipf = pop.zipf.tokens;
  const definitions: BenchMonitorDefinition[] = [];
  for (let i = 0; i < options.count; i++) {
    const rng = createRng(mixSeed(options.seed, i, 0x6d6f6e));
    const kind = pickKind(rng);
    const body = BUILDERS[kind]({ rng, pop, tokenZipf });
    const tenant = tenantZipf.sample(rng);
    definitions.push({
      id: `mon-${String(i + 1).padStart(6, "0")}`,
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

/** The monitor kinds and their shares. */
export const MONITOR_MIX: ReadonlyArray<readonly [MonitorKind, number]> = MIX;
