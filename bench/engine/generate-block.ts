/**
 * Seeded generator of mainnet-shaped EVM blocks, in the exact JSON-RPC shapes a node returns:
 * `eth_getBlockByNumber(n, true)` (full transaction objects) and `eth_getBlockReceipts(n)`.
 *
 * Calldata and logs are real ABI encodings (viem `encodeFunctionData`, `encodeEventTopics`, `encodeAbiParameters`) of
 * ERC-20, WETH9, Uniswap V2/V3, ERC-721 and router activity over the population in `population.ts`. Transaction
 * hashes are keccak256 of the serialised transaction, and log blooms are real blooms of the logs. The same
 * `(seed, number, transactions, population)` always gives byte-identical output.
 */
import {
  type Abi,
  type AbiEvent,
  type AbiParameter,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionData,
  hexToBytes,
  keccak256,
  maxUint256,
  numberToHex,
  serializeTransaction,
  stringToHex,
} from "viem";
import type { Hex, RpcBlockHeader, RpcLog, RpcReceipt, RpcTransaction } from "../../src/engine/evm-block.js";
import { abiEvent, abiFunction } from "./abis.js";
import { unitsFromExp, usdExp } from "./amounts.js";
import { DEFAULT_POPULATION_SEED, type Pool, type Population, population, type Token } from "./population.js";
import { createRng, mixSeed, type Rng } from "./prng.js";

export type { Contract, Pool, Population, Token } from "./population.js";
export { DEFAULT_POPULATION_SEED, population } from "./population.js";

export interface GenerateBlockOptions {
  /** Seed of this block's content. */
  seed: number;
  /** Block number. */
  number: number | bigint;
  /** Number of transactions (default 250). */
  transactions?: number;
  /** The address/ABI population (default `population(DEFAULT_POPULATION_SEED)`); monitors must use the same one. */
  population?: Population;
}

/** `eth_getBlockByNumber(n, true)` result. */
export interface RpcBlock extends RpcBlockHeader {
  transactions: RpcTransaction[];
}

export interface GeneratedBlock {
  block: RpcBlock;
  /** `eth_getBlockReceipts(n)` result, in transaction order. */
  receipts: RpcReceipt[];
  /** The two JSON-RPC response bodies (`eth_getBlockByNumber`, `eth_getBlockReceipts`) as one batch response text. */
  rpcPayloadText: string;
}

export const DEFAULT_TRANSACTIONS_PER_BLOCK = 250;

const ZERO_ADDRESS: Hex = "0x0000000000000000000000000000000000000000";
const EMPTY_UNCLES_HASH: Hex = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
const BUILDERS: ReadonlyArray<readonly [Hex, string]> = [
  ["0x95222290dd7278aa3ddd389cc1e1d165cc4bafe5", "beaverbuild.org"],
  ["0x4838b106fce9647bdf1e7877bf73ce8b0bad5f97", "Titan (titanbuilder.xyz)"],
  ["0x1f9090aae28b8a3dceadf281b0f12828e676c326", "rsync-builder.xyz"],
];
const OWNERSHIP_TRANSFERRED: AbiEvent = {
  anonymous: false,
  inputs: [
    { indexed: true, name: "previousOwner", type: "address" },
    { indexed: true, name: "newOwner", type: "address" },
  ],
  name: "OwnershipTransferred",
  type: "event",
};

interface LogDraft {
  address: Hex;
  topics: Hex[];
  data: Hex;
}

interface TxDraft {
  from: Hex;
  to: Hex | null;
  value: bigint;
  input: Hex;
  gasUsed: number;
  logs: LogDraft[];
  success: boolean;
  contractAddress?: Hex;
}

interface Ctx {
  rng: Rng;
  pop: Population;
  timestamp: number;
}

type Template = (ctx: Ctx) => TxDraft;

// ---------------------------------------------------------------------------------------------------------------------
// Value helpers

function tokenAmount(rng: Rng, token: Token, usd: number = usdExp(rng)): bigint {
  return unitsFromExp(rng, usd - token.priceExp + token.decimals);
}

function ethValue(rng: Rng): bigint {
  return unitsFromExp(rng, usdExp(rng) - 3.5 + 18);
}

function gasBetween(rng: Rng, min: number, max: number): number {
  return rng.int(min, max);
}

// ---------------------------------------------------------------------------------------------------------------------
// Encoding helpers

function call(abi: Abi, functionName: string, args: readonly unknown[]): Hex {
  const item = abiFunction(abi, functionName);
  return encodeFunctionData({ abi: [item], functionName, args });
}

function log(at: Hex, abi: Abi | AbiEvent, eventName: string, args: Record<string, unknown>): LogDraft {
  const event = Array.isArray(abi) ? abiEvent(abi, eventName) : (abi as AbiEvent);
  const topics = encodeEventTopics({ abi: [event], eventName, args }) as Hex[];
  const dataInputs = event.inputs.filter((input) => !input.indexed);
  const data =
    dataInputs.length === 0
      ? "0x"
      : encodeAbiParameters(
          dataInputs as AbiParameter[],
          dataInputs.map((input) => args[input.name ?? ""]),
        );
  return { address: at, topics, data };
}

function transferLog(token: Token, from: Hex, to: Hex, amount: bigint): LogDraft {
  // WETH9 names its Transfer parameters src/dst/wad; everything else from/to/value.
  return token.kind === "weth"
    ? log(token.address, token.abi, "Transfer", { src: from, dst: to, wad: amount })
    : log(token.address, token.abi, "Transfer", { from, to, value: amount });
}

// ---------------------------------------------------------------------------------------------------------------------
// Population sampling

function eoa(ctx: Ctx): Hex {
  return ctx.pop.eoas[ctx.pop.zipf.eoas.sample(ctx.rng)]?.address ?? ZERO_ADDRESS;
}

function otherEoa(ctx: Ctx, not: Hex): Hex {
  for (let i = 0; i < 8; i++) {
    const candidate = eoa(ctx);
    if (candidate !== not) return candidate;
  }
  return ctx.pop.eoas[ctx.rng.int(0, ctx.pop.eoas.length - 1)]?.address ?? ZERO_ADDRESS;
}

function token(ctx: Ctx): Token {
  return ctx.pop.tokens[ctx.pop.zipf.tokens.sample(ctx.rng)] ?? weth(ctx);
}

function weth(ctx: Ctx): Token {
  const first = ctx.pop.tokens[0];
  if (!first) throw new Error("population has no tokens");
  return first;
}

function poolOf(ctx: Ctx, kind: Pool["kind"]): Pool {
  for (let i = 0; i < 16; i++) {
    const pool = ctx.pop.pools[ctx.pop.zipf.pools.sample(ctx.rng)];
    if (pool && pool.kind === kind) return pool;
  }
  const fallback = ctx.pop.pools.find((pool) => pool.kind === kind);
  if (!fallback) throw new Error(`population has no ${kind}`);
  return fallback;
}

function tokenAt(ctx: Ctx, index: number): Token {
  return ctx.pop.tokens[index] ?? weth(ctx);
}

function pick<T>(items: readonly T[], zipfSample: number): T {
  const item = items[zipfSample] ?? items[0];
  if (item === undefined) throw new Error("empty population list");
  return item;
}

// ---------------------------------------------------------------------------------------------------------------------
// Swap building blocks (log order as the real contracts emit them)

interface Hop {
  pool: Pool;
  tokenIn: Token;
  tokenOut: Token;
  zeroForOne: boolean;
  amountIn: bigint;
  amountOut: bigint;
}

function hop(ctx: Ctx, pool: Pool, zeroForOne: boolean, usd: number): Hop {
  const tokenIn = tokenAt(ctx, zeroForOne ? pool.token0 : pool.token1);
  const tokenOut = tokenAt(ctx, zeroForOne ? pool.token1 : pool.token0);
  return {
    pool,
    tokenIn,
    tokenOut,
    zeroForOne,
    amountIn: tokenAmount(ctx.rng, tokenIn, usd),
    amountOut: tokenAmount(ctx.rng, tokenOut, usd - 0.0013),
  };
}

function reserves(ctx: Ctx, pool: Pool): [bigint, bigint] {
  const usd = 6 + ctx.rng.next() * 2.5;
  return [tokenAmount(ctx.rng, tokenAt(ctx, pool.token0), usd), tokenAmount(ctx.rng, tokenAt(ctx, pool.token1), usd)];
}

/** UniswapV2Pair.swap: Transfer(out), Sync, Swap. The input transfer into the pair is emitted by the caller. */
function v2SwapLogs(ctx: Ctx, h: Hop, sender: Hex, to: Hex): LogDraft[] {
  const [reserve0, reserve1] = reserves(ctx, h.pool);
  return [
    transferLog(h.tokenOut, h.pool.address, to, h.amountOut),
    log(h.pool.address, h.pool.abi, "Sync", { reserve0, reserve1 }),
    log(h.pool.address, h.pool.abi, "Swap", {
      sender,
      amount0In: h.zeroForOne ? h.amountIn : 0n,
      amount1In: h.zeroForOne ? 0n : h.amountIn,
      amount0Out: h.zeroForOne ? 0n : h.amountOut,
      amount1Out: h.zeroForOne ? h.amountOut : 0n,
      to,
    }),
  ];
}

const MIN_TICK = -887272;
const MAX_TICK = 887272;

/** UniswapV3Pool.swap: Transfer(out), [callback: payer's Transfer(in)], Swap. */
function v3SwapLogs(ctx: Ctx, h: Hop, sender: Hex, recipient: Hex, payIn: LogDraft[]): LogDraft[] {
  const token0 = tokenAt(ctx, h.pool.token0);
  const token1 = tokenAt(ctx, h.pool.token1);
  // Raw price of token0 in token1 units, jittered, as tick and sqrtPriceX96.
  const rawPriceLog10 =
    token0.priceExp - token1.priceExp + token1.decimals - token0.decimals + (ctx.rng.next() - 0.5) * 0.01;
  const tick = Math.max(MIN_TICK, Math.min(MAX_TICK, Math.floor((rawPriceLog10 * Math.LN10) / Math.log(1.0001))));
  const sqrtPrice = 10 ** (rawPriceLog10 / 2) * 2 ** 96;
  const sqrtPriceX96 = BigInt(Math.floor(Math.max(4295128739, Math.min(sqrtPrice, 1.4e48))));
  return [
    transferLog(h.tokenOut, h.pool.address, recipient, h.amountOut),
    ...payIn,
    log(h.pool.address, h.pool.abi, "Swap", {
      sender,
      recipient,
      amount0: h.zeroForOne ? h.amountIn : -h.amountOut,
      amount1: h.zeroForOne ? -h.amountOut : h.amountIn,
      sqrtPriceX96,
      liquidity: unitsFromExp(ctx.rng, 17 + ctx.rng.next() * 7),
      tick,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------------------------------
// Transaction templates

const ethTransfer: Template = (ctx) => {
  const from = eoa(ctx);
  return {
    from,
    to: otherEoa(ctx, from),
    value: ethValue(ctx.rng),
    input: "0x",
    gasUsed: 21000,
    logs: [],
    success: true,
  };
};

const erc20Transfer: Template = (ctx) => {
  const t = token(ctx);
  const from = eoa(ctx);
  const to = otherEoa(ctx, from);
  const amount = tokenAmount(ctx.rng, t);
  return {
    from,
    to: t.address,
    value: 0n,
    input: call(t.abi, "transfer", [to, amount]),
    gasUsed: gasBetween(ctx.rng, 29000, 65000),
    logs: [transferLog(t, from, to, amount)],
    success: true,
  };
};

const erc20Approve: Template = (ctx) => {
  const t = token(ctx);
  const owner = eoa(ctx);
  const r = ctx.rng.next();
  const spender = r < 0.45 ? ctx.pop.routers.v2.address : r < 0.85 ? ctx.pop.routers.v3.address : otherEoa(ctx, owner);
  const value = ctx.rng.chance(0.5) ? maxUint256 : tokenAmount(ctx.rng, t);
  const approval =
    t.kind === "weth"
      ? log(t.address, t.abi, "Approval", { src: owner, guy: spender, wad: value })
      : log(t.address, t.abi, "Approval", { owner, spender, value });
  return {
    from: owner,
    to: t.address,
    value: 0n,
    input: call(t.abi, "approve", [spender, value]),
    gasUsed: gasBetween(ctx.rng, 24000, 46500),
    logs: [approval],
    success: true,
  };
};

const erc20TransferFrom: Template = (ctx) => {
  const t = token(ctx);
  const spender = eoa(ctx);
  const owner = otherEoa(ctx, spender);
  const to = otherEoa(ctx, owner);
  const amount = tokenAmount(ctx.rng, t);
  return {
    from: spender,
    to: t.address,
    value: 0n,
    input: call(t.abi, "transferFrom", [owner, to, amount]),
    gasUsed: gasBetween(ctx.rng, 35000, 70000),
    logs: [transferLog(t, owner, to, amount)],
    success: true,
  };
};

const wethDeposit: Template = (ctx) => {
  const w = weth(ctx);
  const from = eoa(ctx);
  const wad = ethValue(ctx.rng);
  return {
    from,
    to: w.address,
    value: wad,
    input: call(w.abi, "deposit", []),
    gasUsed: gasBetween(ctx.rng, 27938, 44938),
    logs: [log(w.address, w.abi, "Deposit", { dst: from, wad })],
    success: true,
  };
};

const wethWithdraw: Template = (ctx) => {
  const w = weth(ctx);
  const from = eoa(ctx);
  const wad = ethValue(ctx.rng);
  return {
    from,
    to: w.address,
    value: 0n,
    input: call(w.abi, "withdraw", [wad]),
    gasUsed: gasBetween(ctx.rng, 30000, 36000),
    logs: [log(w.address, w.abi, "Withdrawal", { src: from, wad })],
    success: true,
  };
};

/** Uniswap V2 Router02 swap over one or two V2 pairs (ETH in/out via WETH when the path starts/ends with WETH). */
const v2RouterSwap: Template = (ctx) => {
  const router = ctx.pop.routers.v2;
  const user = eoa(ctx);
  const usd = usdExp(ctx.rng);
  const first = poolOf(ctx, "uniswapV2Pair");
  const hops = [hop(ctx, first, ctx.rng.chance(0.5), usd)];
  if (ctx.rng.chance(0.35)) {
    const via = hops[0]?.tokenOut;
    const viaIndex = ctx.pop.tokens.indexOf(via ?? weth(ctx));
    const candidates = ctx.pop.pools.filter(
      (pool) =>
        pool.kind === "uniswapV2Pair" && pool !== first && (pool.token0 === viaIndex || pool.token1 === viaIndex),
    );
    if (candidates.length > 0) {
      const second = ctx.rng.pick(candidates);
      hops.push(hop(ctx, second, second.token0 === viaIndex, usd));
    }
  }
  const firstHop = hops[0] as Hop;
  const lastHop = hops[hops.length - 1] as Hop;
  // Chain the amounts: each hop's input is the previous hop's output.
  for (let i = 1; i < hops.length; i++) {
    const previous = hops[i - 1] as Hop;
    (hops[i] as Hop).amountIn = previous.amountOut;
  }
  const path = [firstHop.tokenIn.address, ...hops.map((h) => h.tokenOut.address)];
  const deadline = BigInt(ctx.timestamp + ctx.rng.int(60, 1800));
  const amountOutMin = (lastHop.amountOut * 995n) / 1000n;
  const ethIn = firstHop.tokenIn.kind === "weth" && ctx.rng.chance(0.7);
  const ethOut = !ethIn && lastHop.tokenOut.kind === "weth" && ctx.rng.chance(0.7);
  const logs: LogDraft[] = [];
  let input: Hex;
  let value = 0n;
  if (ethIn) {
    value = firstHop.amountIn;
    input = call(router.abi, "swapExactETHForTokens", [amountOutMin, path, user, deadline]);
    logs.push(log(firstHop.tokenIn.address, firstHop.tokenIn.abi, "Deposit", { dst: router.address, wad: value }));
    logs.push(transferLog(firstHop.tokenIn, router.address, firstHop.pool.address, value));
  } else {
    const name = ethOut ? "swapExactTokensForETH" : "swapExactTokensForTokens";
    input = call(router.abi, name, [firstHop.amountIn, amountOutMin, path, user, deadline]);
    logs.push(transferLog(firstHop.tokenIn, user, firstHop.pool.address, firstHop.amountIn));
  }
  hops.forEach((h, i) => {
    const next = hops[i + 1];
    const to = next ? next.pool.address : ethOut ? router.address : user;
    logs.push(...v2SwapLogs(ctx, h, router.address, to));
  });
  if (ethOut) {
    logs.push(
      log(lastHop.tokenOut.address, lastHop.tokenOut.abi, "Withdrawal", {
        src: router.address,
        wad: lastHop.amountOut,
      }),
    );
  }
  return {
    from: user,
    to: router.address,
    value,
    input,
    gasUsed: gasBetween(ctx.rng, 95000, 180000) * hops.length,
    logs,
    success: true,
  };
};

/** Uniswap V3 SwapRouter.exactInputSingle (tuple calldata) over one V3 pool. */
const v3RouterSwap: Template = (ctx) => {
  const router = ctx.pop.routers.v3;
  const user = eoa(ctx);
  const pool = poolOf(ctx, "uniswapV3Pool");
  const h = hop(ctx, pool, ctx.rng.chance(0.5), usdExp(ctx.rng));
  const ethIn = h.tokenIn.kind === "weth" && ctx.rng.chance(0.6);
  const params = {
    tokenIn: h.tokenIn.address,
    tokenOut: h.tokenOut.address,
    fee: pool.fee,
    recipient: user,
    deadline: BigInt(ctx.timestamp + ctx.rng.int(60, 1800)),
    amountIn: h.amountIn,
    amountOutMinimum: (h.amountOut * 99n) / 100n,
    sqrtPriceLimitX96: 0n,
  };
  const payIn = ethIn
    ? [
        log(h.tokenIn.address, h.tokenIn.abi, "Deposit", { dst: router.address, wad: h.amountIn }),
        transferLog(h.tokenIn, router.address, pool.address, h.amountIn),
      ]
    : [transferLog(h.tokenIn, user, pool.address, h.amountIn)];
  return {
    from: user,
    to: router.address,
    value: ethIn ? h.amountIn : 0n,
    input: call(router.abi, "exactInputSingle", [params]),
    gasUsed: gasBetween(ctx.rng, 110000, 190000),
    logs: v3SwapLogs(ctx, h, router.address, user, payIn),
    success: true,
  };
};

/** An MEV bot's arbitrage: unknown calldata, several direct pool swaps (V2 and V3) in one transaction. */
const mevArbitrage: Template = (ctx) => {
  const bot = pick(ctx.pop.bots, ctx.pop.zipf.bots.sample(ctx.rng));
  const operator = ctx.pop.eoas[ctx.pop.bots.indexOf(bot) % 40]?.address ?? eoa(ctx);
  const swaps = ctx.rng.int(2, 4);
  const usd = 3 + ctx.rng.next() * 2.5;
  const logs: LogDraft[] = [];
  for (let i = 0; i < swaps; i++) {
    const kind = ctx.rng.chance(0.5) ? "uniswapV2Pair" : "uniswapV3Pool";
    const h = hop(ctx, poolOf(ctx, kind), ctx.rng.chance(0.5), usd);
    if (kind === "uniswapV2Pair") {
      logs.push(
        transferLog(h.tokenIn, bot.address, h.pool.address, h.amountIn),
        ...v2SwapLogs(ctx, h, bot.address, bot.address),
      );
    } else {
      logs.push(
        ...v3SwapLogs(ctx, h, bot.address, bot.address, [
          transferLog(h.tokenIn, bot.address, h.pool.address, h.amountIn),
        ]),
      );
    }
  }
  const words = ctx.rng.int(2, 8);
  return {
    from: operator,
    to: bot.address,
    value: 0n,
    input: `0x${ctx.rng.hex(4)}${ctx.rng.hex(32 * words)}`,
    gasUsed: gasBetween(ctx.rng, 90000, 140000) * swaps,
    logs,
    success: true,
  };
};

/** ERC-721 activity: mints (one Transfer per token), transfers (Approval reset + Transfer), approvals for all. */
const nftActivity: Template = (ctx) => {
  const nft = pick(ctx.pop.nfts, ctx.pop.zipf.nfts.sample(ctx.rng));
  const from = eoa(ctx);
  const r = ctx.rng.next();
  if (r < 0.4) {
    const quantity = ctx.rng.int(1, 5);
    const firstId = ctx.rng.int(1, 9000);
    return {
      from,
      to: nft.address,
      value: BigInt(quantity) * unitsFromExp(ctx.rng, 16 + ctx.rng.next()),
      input: call(nft.abi, "mint", [BigInt(quantity)]),
      gasUsed: gasBetween(ctx.rng, 60000, 90000) + quantity * 25000,
      logs: Array.from({ length: quantity }, (_, i) =>
        log(nft.address, nft.abi, "Transfer", { from: ZERO_ADDRESS, to: from, tokenId: BigInt(firstId + i) }),
      ),
      success: true,
    };
  }
  if (r < 0.85) {
    const to = otherEoa(ctx, from);
    const tokenId = BigInt(ctx.rng.int(1, 10000));
    return {
      from,
      to: nft.address,
      value: 0n,
      input: call(nft.abi, ctx.rng.chance(0.5) ? "safeTransferFrom" : "transferFrom", [from, to, tokenId]),
      gasUsed: gasBetween(ctx.rng, 50000, 85000),
      logs: [
        log(nft.address, nft.abi, "Approval", { owner: from, approved: ZERO_ADDRESS, tokenId }),
        log(nft.address, nft.abi, "Transfer", { from, to, tokenId }),
      ],
      success: true,
    };
  }
  const operator = otherEoa(ctx, from);
  return {
    from,
    to: nft.address,
    value: 0n,
    input: call(nft.abi, "setApprovalForAll", [operator, true]),
    gasUsed: gasBetween(ctx.rng, 29000, 47000),
    logs: [log(nft.address, nft.abi, "ApprovalForAll", { owner: from, operator, approved: true })],
    success: true,
  };
};

/** A call to a contract without a published ABI: unknown selector, unknown events. */
const otherContractCall: Template = (ctx) => {
  const target = pick(ctx.pop.others, ctx.pop.zipf.others.sample(ctx.rng));
  const logCount = ctx.rng.int(0, 3);
  const logs: LogDraft[] = Array.from({ length: logCount }, () => ({
    address: target.address,
    topics: Array.from({ length: ctx.rng.int(1, 3) }, () => `0x${ctx.rng.hex(32)}` as Hex),
    data: ctx.rng.chance(0.3) ? "0x" : (`0x${ctx.rng.hex(32 * ctx.rng.int(1, 4))}` as Hex),
  }));
  return {
    from: eoa(ctx),
    to: target.address,
    value: ctx.rng.chance(0.2) ? ethValue(ctx.rng) : 0n,
    input: `0x${ctx.rng.hex(4)}${ctx.rng.hex(32 * ctx.rng.int(0, 6))}`,
    gasUsed: gasBetween(ctx.rng, 30000, 250000),
    logs,
    success: true,
  };
};

const contractCreation: Template = (ctx) => {
  const from = eoa(ctx);
  const created = `0x${ctx.rng.hex(20)}` as Hex;
  return {
    from,
    to: null,
    value: 0n,
    input: `0x6080604052${ctx.rng.hex(ctx.rng.int(300, 3000))}`,
    gasUsed: gasBetween(ctx.rng, 250000, 2500000),
    logs: ctx.rng.chance(0.5)
      ? [log(created, OWNERSHIP_TRANSFERRED, "OwnershipTransferred", { previousOwner: ZERO_ADDRESS, newOwner: from })]
      : [],
    success: true,
    contractAddress: created,
  };
};

/** A reverted swap or transfer: calldata as usual, status 0x0, no logs, part of the gas used. */
const reverted: Template = (ctx) => {
  const r = ctx.rng.next();
  const draft = r < 0.45 ? v2RouterSwap(ctx) : r < 0.8 ? v3RouterSwap(ctx) : erc20Transfer(ctx);
  return { ...draft, logs: [], success: false, gasUsed: Math.floor(draft.gasUsed * (0.2 + ctx.rng.next() * 0.6)) };
};

/** Template mix (weights sum to 1): ~2.4 logs per transaction on average, like recent mainnet blocks. */
const MIX: ReadonlyArray<readonly [Template, number]> = [
  [ethTransfer, 0.13],
  [erc20Transfer, 0.24],
  [erc20Approve, 0.05],
  [erc20TransferFrom, 0.04],
  [wethDeposit, 0.04],
  [wethWithdraw, 0.03],
  [v2RouterSwap, 0.18],
  [v3RouterSwap, 0.125],
  [mevArbitrage, 0.04],
  [nftActivity, 0.045],
  [otherContractCall, 0.05],
  [contractCreation, 0.01],
  [reverted, 0.03],
];

/**
 * The block's templates: exact counts by weight (largest remainder), shuffled. Drawing a deck rather than independent
 * picks keeps the per-block log count close to the mean (~±8%) while the order stays random.
 */
function templateDeck(rng: Rng, count: number): Template[] {
  const exact = MIX.map(([, weight]) => weight * count);
  const counts = exact.map(Math.floor);
  let missing = count - counts.reduce((sum, n) => sum + n, 0);
  const byRemainder = exact.map((value, i) => [value - Math.floor(value), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) {
    if (missing <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
    missing--;
  }
  const deck: Template[] = [];
  MIX.forEach(([template], i) => {
    for (let n = 0; n < (counts[i] ?? 0); n++) deck.push(template);
  });
  for (let i = deck.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [deck[i], deck[j]] = [deck[j] as Template, deck[i] as Template];
  }
  return deck;
}

// ---------------------------------------------------------------------------------------------------------------------
// Blooms

function addToBloom(bloom: Uint8Array, value: Hex): void {
  const hash = keccak256(hexToBytes(value), "bytes");
  for (let i = 0; i < 6; i += 2) {
    const bit = (((hash[i] ?? 0) << 8) | (hash[i + 1] ?? 0)) & 2047;
    const index = 255 - (bit >> 3);
    bloom[index] = (bloom[index] ?? 0) | (1 << (bit & 7));
  }
}

function bloomHex(bloom: Uint8Array): Hex {
  let out = "0x";
  for (const byte of bloom) out += byte.toString(16).padStart(2, "0");
  return out as Hex;
}

// ---------------------------------------------------------------------------------------------------------------------
// Assembly

function quantity(value: bigint | number): Hex {
  return numberToHex(value);
}

function blockHashOf(seed: number, number: bigint): Hex {
  return keccak256(stringToHex(`argus-bench-block:${seed}:${number}`));
}

/** Generates one block and its receipts. */
export function generateBlock(options: GenerateBlockOptions): GeneratedBlock {
  const pop = options.population ?? population(DEFAULT_POPULATION_SEED);
  const number = BigInt(options.number);
  const count = options.transactions ?? DEFAULT_TRANSACTIONS_PER_BLOCK;
  const rng = createRng(mixSeed(options.seed, Number(number % 4294967296n), pop.seed));
  const timestamp = 1_717_281_407 + Number(number - 20_000_000n) * 12;
  const ctx: Ctx = { rng, pop, timestamp };

  const hash = blockHashOf(options.seed, number);
  const parentHash = blockHashOf(options.seed, number - 1n);
  const blockNumber = quantity(number);
  const baseFee = unitsFromExp(rng, 9 + 0.5 + rng.next());
  const [miner, builderName] = rng.pick(BUILDERS);
  const nonces = new Map<Hex, number>();

  const transactions: RpcTransaction[] = [];
  const receipts: RpcReceipt[] = [];
  const blockBloom = new Uint8Array(256);
  let cumulativeGasUsed = 0;
  let logIndex = 0;
  let size = 1200;

  const deck = templateDeck(rng, count);
  for (let index = 0; index < count; index++) {
    const draft = (deck[index] ?? ethTransfer)(ctx);
    const nonce = nonces.get(draft.from) ?? mixSeed(pop.seed, Number.parseInt(draft.from.slice(2, 10), 16)) % 25000;
    nonces.set(draft.from, nonce + 1);
    const legacy = rng.chance(0.1);
    const priorityFee = unitsFromExp(rng, 7 + rng.next() * 2.5);
    const maxFee = baseFee * 2n + priorityFee;
    const effectiveGasPrice = baseFee + priorityFee;
    const gasLimit = BigInt(draft.gasUsed === 21000 ? 21000 : Math.floor(draft.gasUsed * (1.1 + rng.next() * 0.5)));
    const accessList =
      !legacy && rng.chance(0.08)
        ? [{ address: draft.to ?? ZERO_ADDRESS, storageKeys: [`0x${rng.hex(32)}` as Hex, `0x${rng.hex(32)}` as Hex] }]
        : [];
    const r = `0x${rng.hex(32)}` as Hex;
    const s = `0x${rng.hex(32)}` as Hex;
    const yParity = rng.int(0, 1);
    const base = {
      chainId: 1,
      nonce,
      gas: gasLimit,
      value: draft.value,
      data: draft.input,
      ...(draft.to ? { to: draft.to } : {}),
    };
    const serialized = legacy
      ? serializeTransaction(
          { ...base, type: "legacy", gasPrice: effectiveGasPrice },
          { r, s, v: BigInt(37 + yParity) },
        )
      : serializeTransaction(
          { ...base, type: "eip1559", maxFeePerGas: maxFee, maxPriorityFeePerGas: priorityFee, accessList },
          { r, s, yParity },
        );
    size += (serialized.length - 2) / 2;
    const txHash = keccak256(serialized);
    const transactionIndex = quantity(index);

    const common = {
      blockHash: hash,
      blockNumber,
      from: draft.from,
      gas: quantity(gasLimit),
      gasPrice: quantity(effectiveGasPrice),
    };
    const tail = {
      hash: txHash,
      input: draft.input,
      nonce: quantity(nonce),
      to: draft.to,
      transactionIndex,
      value: quantity(draft.value),
    };
    transactions.push(
      legacy
        ? {
            ...common,
            ...tail,
            type: "0x0",
            chainId: "0x1",
            v: quantity(37 + yParity),
            r: quantity(BigInt(r)),
            s: quantity(BigInt(s)),
          }
        : {
            ...common,
            maxFeePerGas: quantity(maxFee),
            maxPriorityFeePerGas: quantity(priorityFee),
            ...tail,
            type: "0x2",
            accessList,
            chainId: "0x1",
            v: quantity(yParity),
            r: quantity(BigInt(r)),
            s: quantity(BigInt(s)),
            yParity: quantity(yParity),
          },
    );

    const bloom = new Uint8Array(256);
    const logs: RpcLog[] = draft.logs.map((entry) => {
      addToBloom(bloom, entry.address);
      for (const topic of entry.topics) addToBloom(bloom, topic);
      return {
        address: entry.address,
        topics: entry.topics,
        data: entry.data,
        blockNumber,
        transactionHash: txHash,
        transactionIndex,
        blockHash: hash,
        logIndex: quantity(logIndex++),
        removed: false,
      };
    });
    for (let i = 0; i < 256; i++) blockBloom[i] = (blockBloom[i] ?? 0) | (bloom[i] ?? 0);
    cumulativeGasUsed += draft.gasUsed;
    receipts.push({
      blockHash: hash,
      blockNumber,
      contractAddress: draft.contractAddress ?? null,
      cumulativeGasUsed: quantity(cumulativeGasUsed),
      effectiveGasPrice: quantity(effectiveGasPrice),
      from: draft.from,
      gasUsed: quantity(draft.gasUsed),
      logs,
      logsBloom: bloomHex(bloom),
      status: draft.success ? "0x1" : "0x0",
      to: draft.to,
      transactionHash: txHash,
      transactionIndex,
      type: legacy ? "0x0" : "0x2",
    });
  }

  const withdrawalIndex = Number(number) * 16;
  const withdrawals = Array.from({ length: 16 }, (_, i) => ({
    index: quantity(withdrawalIndex + i),
    validatorIndex: quantity(rng.int(0, 1_400_000)),
    address: pop.eoas[rng.int(0, pop.eoas.length - 1)]?.address ?? ZERO_ADDRESS,
    amount: quantity(rng.int(15_000_000, 19_500_000)),
  }));

  const block: RpcBlock = {
    baseFeePerGas: quantity(baseFee),
    blobGasUsed: quantity(131072 * rng.int(0, 6)),
    difficulty: "0x0",
    excessBlobGas: quantity(rng.int(0, 80_000_000)),
    extraData: stringToHex(builderName),
    gasLimit: quantity(36_000_000),
    gasUsed: quantity(cumulativeGasUsed),
    hash,
    logsBloom: bloomHex(blockBloom),
    miner,
    mixHash: `0x${rng.hex(32)}`,
    nonce: "0x0000000000000000",
    number: blockNumber,
    parentBeaconBlockRoot: `0x${rng.hex(32)}`,
    parentHash,
    receiptsRoot: `0x${rng.hex(32)}`,
    requestsHash: `0x${rng.hex(32)}`,
    sha3Uncles: EMPTY_UNCLES_HASH,
    size: quantity(size),
    stateRoot: `0x${rng.hex(32)}`,
    timestamp: quantity(timestamp),
    transactions,
    transactionsRoot: `0x${rng.hex(32)}`,
    uncles: [],
    withdrawals,
    withdrawalsRoot: `0x${rng.hex(32)}`,
  };

  const rpcPayloadText = JSON.stringify([
    { jsonrpc: "2.0", id: 1, result: block },
    { jsonrpc: "2.0", id: 2, result: receipts },
  ]);
  return { block, receipts, rpcPayloadText };
}
