/**
 * The synthetic Stellar mainnet the benchmark ledgers are drawn from: Stellar Asset Contracts (classic assets wrapped
 * for Soroban, ids computed as on mainnet), WASM SEP-41 tokens, AMM pairs with Protocol-23 event specs, a router, an
 * aggregator, oracles, lending pools, other contracts and accounts. Each list is ordered by popularity rank (index 0
 * is the hottest) and sampled with a Zipf-like skew.
 */
import { createHash } from "node:crypto";
import { Asset, Networks, StrKey } from "@stellar/stellar-sdk";
import type { StellarContractSpecEntry } from "../../../src/engine/stellar-ledger.js";
import { createRng, createZipf, mixSeed, type Zipf } from "../prng.js";
import { AGGREGATOR_SPEC, LENDING_SPEC, ORACLE_SPEC, PAIR_SPEC, ROUTER_SPEC, TOKEN_SPEC } from "./specs.js";

export type StellarContractKind = "sac" | "token" | "pair" | "router" | "aggregator" | "oracle" | "lending" | "other";

export interface StellarContract {
  kind: StellarContractKind;
  label: string;
  /** `C…` strkey. */
  contractId: string;
  /** What `fetchContractSpec` returns for it: the WASM's spec, or `[]` (Stellar Asset Contracts have no WASM). */
  spec: StellarContractSpecEntry[];
}

export interface StellarToken extends StellarContract {
  kind: "sac" | "token";
  symbol: string;
  /** log10 of the token's USD price. Every token has 7 decimals, as classic assets do. */
  priceExp: number;
  /** SAC only: the classic asset (`null` for XLM). */
  asset: { code: string; issuer: string } | null;
  /** SAC only: the asset name its events carry (`native` or `CODE:ISSUER`); `null` for WASM tokens. */
  assetName: string | null;
}

export interface StellarPair extends StellarContract {
  kind: "pair";
  token0: number;
  token1: number;
  /** log10 of the USD value of each reserve (hot pairs are deeper); ledgers jitter it slightly. */
  reserveUsdExp: number;
}

export interface StellarPopulation {
  seed: number;
  /** Tokens by popularity: `tokens[0]` is the XLM SAC. */
  tokens: StellarToken[];
  pairs: StellarPair[];
  router: StellarContract;
  aggregator: StellarContract;
  oracles: StellarContract[];
  lending: StellarContract[];
  /** Contracts without a spec of interest (games, NFTs, bridges…). */
  others: StellarContract[];
  accounts: string[];
  /** Accounts that pay fees for others (fee-bump sponsors, wallets' relayers). */
  sponsors: string[];
  /** Market makers and pool accounts on the classic DEX. */
  makers: string[];
  /** Contract id → the spec `fetchContractSpec` gives (every contract of the population). */
  specs: ReadonlyMap<string, StellarContractSpecEntry[]>;
  zipf: { tokens: Zipf; pairs: Zipf; others: Zipf; accounts: Zipf; sponsors: Zipf; makers: Zipf };
}

export interface StellarPopulationSize {
  sacs: number;
  wasmTokens: number;
  pairs: number;
  oracles: number;
  lending: number;
  others: number;
  accounts: number;
  sponsors: number;
  makers: number;
}

export const DEFAULT_STELLAR_POPULATION_SEED = 1;
export const DEFAULT_STELLAR_POPULATION_SIZE: StellarPopulationSize = {
  sacs: 24,
  wasmTokens: 16,
  pairs: 30,
  oracles: 3,
  lending: 4,
  others: 60,
  accounts: 3000,
  sponsors: 12,
  makers: 40,
};

/** Classic assets for the hottest SAC ranks: code and rough log10 USD price (issuers are synthetic). */
const KNOWN_ASSETS: ReadonlyArray<readonly [code: string, priceExp: number]> = [
  ["XLM", -0.6],
  ["USDC", 0],
  ["AQUA", -3.2],
  ["EURC", 0.03],
  ["yXLM", -0.6],
  ["yUSDC", 0],
  ["SHX", -2.3],
  ["BTC", 4.8],
  ["ETH", 3.5],
  ["VELO", -2],
];

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** A deterministic account id (`G…`). */
export function derivedAccount(seed: number, kind: string, index: number): string {
  return StrKey.encodeEd25519PublicKey(sha256(`argus-bench-stellar:${seed}:${kind}:${index}`));
}

/** A deterministic contract id (`C…`). */
export function derivedContract(seed: number, kind: string, index: number): string {
  return StrKey.encodeContract(sha256(`argus-bench-stellar:${seed}:contract:${kind}:${index}`));
}

const cache = new Map<string, StellarPopulation>();

/** The population for `seed` (memoised; treat the result as read-only). */
export function stellarPopulation(
  seed: number = DEFAULT_STELLAR_POPULATION_SEED,
  size: Partial<StellarPopulationSize> = {},
): StellarPopulation {
  const sizes: StellarPopulationSize = { ...DEFAULT_STELLAR_POPULATION_SIZE, ...size };
  const key = `${seed}:${JSON.stringify(sizes)}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const built = buildPopulation(seed, sizes);
  cache.set(key, built);
  return built;
}

function buildPopulation(seed: number, sizes: StellarPopulationSize): StellarPopulation {
  const rng = createRng(mixSeed(seed, 0x5713));

  const sacs: StellarToken[] = [];
  for (let i = 0; i < sizes.sacs; i++) {
    const [code, priceExp] = KNOWN_ASSETS[i] ?? [`AST${i}`, -5 + rng.next() * 5];
    if (code === "XLM") {
      sacs.push({
        kind: "sac",
        label: "XLM (SAC)",
        contractId: Asset.native().contractId(Networks.PUBLIC),
        spec: [],
        symbol: "XLM",
        priceExp,
        asset: null,
        assetName: "native",
      });
      continue;
    }
    const issuer = derivedAccount(seed, "issuer", i);
    sacs.push({
      kind: "sac",
      label: `${code} (SAC)`,
      contractId: new Asset(code, issuer).contractId(Networks.PUBLIC),
      spec: [],
      symbol: code,
      priceExp,
      asset: { code, issuer },
      assetName: `${code}:${issuer}`,
    });
  }
  const wasmTokens: StellarToken[] = Array.from({ length: sizes.wasmTokens }, (_, i) => ({
    kind: "token",
    label: `TKN${i}`,
    contractId: derivedContract(seed, "token", i),
    spec: TOKEN_SPEC,
    symbol: `TKN${i}`,
    priceExp: -4 + rng.next() * 4,
    asset: null,
    assetName: null,
  }));
  // Popularity: the first five SACs, then SACs and WASM tokens interleaved.
  const tokens: StellarToken[] = sacs.slice(0, 5);
  for (let i = 5, j = 0; i < sacs.length || j < wasmTokens.length; ) {
    if (j < wasmTokens.length && (i >= sacs.length || rng.chance(0.45))) tokens.push(wasmTokens[j++] as StellarToken);
    else tokens.push(sacs[i++] as StellarToken);
  }
  const tokenZipf = createZipf(tokens.length, 1.1);

  const pairs: StellarPair[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; pairs.length < sizes.pairs && attempt < sizes.pairs * 50; attempt++) {
    const a = pairs.length === 0 ? 1 : tokenZipf.sample(rng);
    const b = rng.chance(0.6) ? 0 : rng.chance(0.5) ? 1 : tokenZipf.sample(rng);
    if (a === b) continue;
    const [token0, token1] = a < b ? [a, b] : [b, a];
    if (seen.has(`${token0}:${token1}`)) continue;
    seen.add(`${token0}:${token1}`);
    pairs.push({
      kind: "pair",
      label: `pair ${tokens[token0]?.symbol}/${tokens[token1]?.symbol}`,
      contractId: derivedContract(seed, "pair", pairs.length),
      spec: PAIR_SPEC,
      token0,
      token1,
      reserveUsdExp: Math.max(4, 7.8 - pairs.length * 0.1 + (rng.next() - 0.5) * 0.6),
    });
  }

  const router: StellarContract = {
    kind: "router",
    label: "router",
    contractId: derivedContract(seed, "router", 0),
    spec: ROUTER_SPEC,
  };
  const aggregator: StellarContract = {
    kind: "aggregator",
    label: "aggregator",
    contractId: derivedContract(seed, "aggregator", 0),
    spec: AGGREGATOR_SPEC,
  };
  const oracles = Array.from({ length: sizes.oracles }, (_, i) => ({
    kind: "oracle" as const,
    label: `oracle ${i}`,
    contractId: derivedContract(seed, "oracle", i),
    spec: ORACLE_SPEC,
  }));
  const lending = Array.from({ length: sizes.lending }, (_, i) => ({
    kind: "lending" as const,
    label: `lending pool ${i}`,
    contractId: derivedContract(seed, "lending", i),
    spec: LENDING_SPEC,
  }));
  const others = Array.from({ length: sizes.others }, (_, i) => ({
    kind: "other" as const,
    label: `contract ${i}`,
    contractId: derivedContract(seed, "other", i),
    spec: [],
  }));
  const accounts = Array.from({ length: sizes.accounts }, (_, i) => derivedAccount(seed, "account", i));
  const sponsors = Array.from({ length: sizes.sponsors }, (_, i) => derivedAccount(seed, "sponsor", i));
  const makers = Array.from({ length: sizes.makers }, (_, i) => derivedAccount(seed, "maker", i));

  const specs = new Map<string, StellarContractSpecEntry[]>();
  for (const contract of [...tokens, ...pairs, router, aggregator, ...oracles, ...lending, ...others]) {
    specs.set(contract.contractId, contract.spec);
  }

  return {
    seed,
    tokens,
    pairs,
    router,
    aggregator,
    oracles,
    lending,
    others,
    accounts,
    sponsors,
    makers,
    specs,
    zipf: {
      tokens: tokenZipf,
      pairs: createZipf(pairs.length, 1.1),
      others: createZipf(others.length, 1.0),
      accounts: createZipf(accounts.length, 0.9),
      sponsors: createZipf(sponsors.length, 1.2),
      makers: createZipf(makers.length, 1.0),
    },
  };
}
