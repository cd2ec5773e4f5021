/**
 * The synthetic mainnet the benchmark blocks are drawn from: token contracts, Uniswap V2/V3 pools, routers, NFT
 * collections, MEV bots, other contracts and externally owned accounts. Each list is ordered by popularity rank
 * (index 0 is the hottest) and sampled with a Zipf-like skew, so a few contracts appear in most blocks while most
 * appear rarely.
 */
import { type Abi, getAddress, keccak256, stringToHex } from "viem";
import type { Hex } from "../../src/engine/evm-block.js";
import {
  erc20Abi,
  erc721Abi,
  uniswapV2PairAbi,
  uniswapV2RouterAbi,
  uniswapV3PoolAbi,
  uniswapV3RouterAbi,
  wethAbi,
} from "./abis.js";
import { createRng, createZipf, mixSeed, type Zipf } from "./prng.js";

export type ContractKind =
  | "erc20"
  | "weth"
  | "uniswapV2Pair"
  | "uniswapV3Pool"
  | "uniswapV2Router"
  | "uniswapV3Router"
  | "erc721"
  | "mevBot"
  | "other";

export interface Contract {
  kind: ContractKind;
  label: string;
  /** Lowercase, as nodes return addresses. */
  address: Hex;
  /** EIP-55 mixed case, as users paste addresses into configs. */
  checksumAddress: Hex;
  /** The verified ABI (`[]` for contracts without one: MEV bots, other contracts). */
  abi: Abi;
}

export interface Token extends Contract {
  kind: "erc20" | "weth";
  symbol: string;
  decimals: number;
  /** log10 of the token's USD price; amounts are drawn in USD and converted. */
  priceExp: number;
}

export interface Pool extends Contract {
  kind: "uniswapV2Pair" | "uniswapV3Pool";
  /** Indexes into `Population.tokens`; `token0` has the lower address, as in Uniswap. */
  token0: number;
  token1: number;
  /** V3 fee tier in hundredths of a bip (500, 3000, 10000); 3000 for V2. */
  fee: number;
}

export interface Account {
  address: Hex;
  checksumAddress: Hex;
}

export interface Population {
  seed: number;
  /** `tokens[0]` is WETH. */
  tokens: Token[];
  pools: Pool[];
  routers: { v2: Contract; v3: Contract };
  nfts: Contract[];
  bots: Contract[];
  others: Contract[];
  eoas: Account[];
  /** Every contract with a verified ABI (what monitors watch), hottest first within each kind. */
  watchable: Contract[];
  zipf: { tokens: Zipf; pools: Zipf; nfts: Zipf; bots: Zipf; others: Zipf; eoas: Zipf };
}

export interface PopulationSize {
  tokens: number;
  pools: number;
  nfts: number;
  bots: number;
  others: number;
  eoas: number;
}

export const DEFAULT_POPULATION_SEED = 1;
export const DEFAULT_POPULATION_SIZE: PopulationSize = {
  tokens: 50,
  pools: 30,
  nfts: 12,
  bots: 15,
  others: 120,
  eoas: 2000,
};

/** Real mainnet tokens for the hottest ranks (addresses, decimals, rough log10 USD price). */
const KNOWN_TOKENS: ReadonlyArray<readonly [symbol: string, address: string, decimals: number, priceExp: number]> = [
  ["WETH", "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", 18, 3.5],
  ["USDT", "0xdAC17F958D2ee523a2206206994597C13D831ec7", 6, 0],
  ["USDC", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6, 0],
  ["DAI", "0x6B175474E89094C44Da98b954EedeAC495271d0F", 18, 0],
  ["WBTC", "0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599", 8, 4.8],
  ["PEPE", "0x6982508145454Ce325dDbE47a25d4ec3d2311933", 18, -5],
  ["LINK", "0x514910771AF9Ca656af840dff83E8264EcF986CA", 18, 1.2],
  ["SHIB", "0x95aD61b0a150d79219dCF64E1E6Cc01f0B64C4cE", 18, -4.7],
  ["UNI", "0x1f9840a85d5aF5bf1D1762F925BDADdC4201F984", 18, 1],
  ["MKR", "0x9f8F72aA9304c8B593d555F12eF6589cC3A579A2", 18, 3.2],
  ["AAVE", "0x7Fc66500c84A76Ad7e9c93437bFc5Ac33E2DDaE9", 18, 2.2],
];

/** Real mainnet pools for the hottest ranks: [kind, address, tokenA symbol, tokenB symbol, fee]. */
const KNOWN_POOLS: ReadonlyArray<readonly [Pool["kind"], string, string, string, number]> = [
  ["uniswapV3Pool", "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640", "USDC", "WETH", 500],
  ["uniswapV2Pair", "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc", "USDC", "WETH", 3000],
  ["uniswapV3Pool", "0x11b815efB8f581194ae79006d24E0d814B7697F6", "WETH", "USDT", 500],
  ["uniswapV2Pair", "0x0d4a11d5EEaaC28EC3F61d100daF4d40471f1852", "WETH", "USDT", 3000],
  ["uniswapV3Pool", "0xCBCdF9626bC03E24f779434178A73a0B4bad62eD", "WBTC", "WETH", 3000],
  ["uniswapV2Pair", "0xA43fe16908251ee70EF74718545e4FE6C5cCEc9f", "PEPE", "WETH", 3000],
];

const UNISWAP_V2_ROUTER = "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D";
const UNISWAP_V3_ROUTER = "0xE592427A0AEce92De3Edee1F18E0157C05861564";

function account(address: string): Account {
  const checksumAddress = getAddress(address.toLowerCase());
  return { address: checksumAddress.toLowerCase() as Hex, checksumAddress };
}

function derivedAddress(seed: number, kind: string, index: number): Account {
  return account(`0x${keccak256(stringToHex(`argus-bench:${seed}:${kind}:${index}`)).slice(-40)}`);
}

function contract(kind: ContractKind, label: string, at: Account, abi: Abi): Contract {
  return { kind, label, address: at.address, checksumAddress: at.checksumAddress, abi };
}

const cache = new Map<string, Population>();

/** The population for `seed` (memoised; treat the result as read-only). */
export function population(seed: number = DEFAULT_POPULATION_SEED, size: Partial<PopulationSize> = {}): Population {
  const sizes: PopulationSize = { ...DEFAULT_POPULATION_SIZE, ...size };
  const key = `${seed}:${JSON.stringify(sizes)}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const built = buildPopulation(seed, sizes);
  cache.set(key, built);
  return built;
}

function buildPopulation(seed: number, sizes: PopulationSize): Population {
  const rng = createRng(mixSeed(seed, 0x9e3779b9));

  const tokens: Token[] = [];
  for (let i = 0; i < sizes.tokens; i++) {
    const known = KNOWN_TOKENS[i];
    if (known) {
      const [symbol, address, decimals, priceExp] = known;
      const kind = symbol === "WETH" ? "weth" : "erc20";
      const at = account(address);
      tokens.push({
        ...contract(kind, symbol, at, kind === "weth" ? wethAbi : erc20Abi),
        kind,
        symbol,
        decimals,
        priceExp,
      });
      continue;
    }
    const symbol = `TKN${i}`;
    const decimals = rng.chance(0.8) ? 18 : rng.pick([6, 8, 9]);
    tokens.push({
      ...contract("erc20", symbol, derivedAddress(seed, "token", i), erc20Abi),
      kind: "erc20",
      symbol,
      decimals,
      priceExp: -6 + rng.next() * 8,
    });
  }
  const bySymbol = new Map(tokens.map((token, index) => [token.symbol, index]));
  const tokenZipf = createZipf(tokens.length, 1.1);

  const pools: Pool[] = [];
  const seenPairs = new Set<string>();
  const addPool = (kind: Pool["kind"], at: Account, a: number, b: number, fee: number): void => {
    const [token0, token1] = (tokens[a]?.address ?? "") < (tokens[b]?.address ?? "") ? [a, b] : [b, a];
    seenPairs.add(`${kind}:${token0}:${token1}`);
    const label = `${kind === "uniswapV2Pair" ? "UNI-V2" : "UNI-V3"} ${tokens[token0]?.symbol}/${tokens[token1]?.symbol}`;
    pools.push({
      ...contract(kind, label, at, kind === "uniswapV2Pair" ? uniswapV2PairAbi : uniswapV3PoolAbi),
      kind,
      token0,
      token1,
      fee,
    });
  };
  for (const [kind, address, a, b, fee] of KNOWN_POOLS.slice(0, sizes.pools)) {
    const ia = bySymbol.get(a);
    const ib = bySymbol.get(b);
    if (ia !== undefined && ib !== undefined) addPool(kind, account(address), ia, ib, fee);
  }
  for (let i = pools.length; pools.length < sizes.pools && i < sizes.pools * 20; i++) {
    const kind: Pool["kind"] = i % 2 === 0 ? "uniswapV2Pair" : "uniswapV3Pool";
    const a = 1 + tokenZipf.sample(rng) + Math.floor(rng.next() * 4);
    if (a >= tokens.length) continue;
    const r = rng.next();
    const b = r < 0.6 ? 0 : r < 0.8 ? 2 : r < 0.9 ? 1 : tokenZipf.sample(rng);
    if (a === b) continue;
    const [x, y] = (tokens[a]?.address ?? "") < (tokens[b]?.address ?? "") ? [a, b] : [b, a];
    if (seenPairs.has(`${kind}:${x}:${y}`)) continue;
    addPool(
      kind,
      derivedAddress(seed, "pool", i),
      a,
      b,
      kind === "uniswapV3Pool" ? rng.pick([500, 3000, 10000]) : 3000,
    );
  }

  const routers = {
    v2: contract("uniswapV2Router", "Uniswap V2: Router 2", account(UNISWAP_V2_ROUTER), uniswapV2RouterAbi),
    v3: contract("uniswapV3Router", "Uniswap V3: Router", account(UNISWAP_V3_ROUTER), uniswapV3RouterAbi),
  };
  const nfts = Array.from({ length: sizes.nfts }, (_, i) =>
    contract("erc721", `NFT${i}`, derivedAddress(seed, "nft", i), erc721Abi),
  );
  const bots = Array.from({ length: sizes.bots }, (_, i) =>
    contract("mevBot", `MEV bot ${i}`, derivedAddress(seed, "bot", i), []),
  );
  const others = Array.from({ length: sizes.others }, (_, i) =>
    contract("other", `contract ${i}`, derivedAddress(seed, "other", i), []),
  );
  const eoas = Array.from({ length: sizes.eoas }, (_, i) => derivedAddress(seed, "eoa", i));

  return {
    seed,
    tokens,
    pools,
    routers,
    nfts,
    bots,
    others,
    eoas,
    watchable: [...tokens, ...pools, routers.v2, routers.v3, ...nfts],
    zipf: {
      tokens: tokenZipf,
      pools: createZipf(pools.length, 1.1),
      nfts: createZipf(nfts.length, 1.0),
      bots: createZipf(bots.length, 1.0),
      others: createZipf(others.length, 1.0),
      eoas: createZipf(eoas.length, 0.9),
    },
  };
}
