/**
 * SEP-48 contract specs of the synthetic Stellar mainnet, in stellar-xdr's serde JSON (what `fetchContractSpec`
 * returns and what users paste as `contract_spec`):
 *
 * - `TOKEN_SPEC`: a SEP-41 token interface plus the admin `mint`/`set_admin`, functions only (like OZ's
 *   `contract_spec.json` fixture);
 * - `PAIR_SPEC`: an AMM pair with Protocol-23 `event_v0` entries (`Swap` with prefix topics `pair`/`swap` and map
 *   data, `Sync` with vector data), like OZ's `contract_spec_with_events.json`;
 * - `ROUTER_SPEC`: a Soroswap-style router (`path: Vec<Address>`);
 * - `AGGREGATOR_SPEC`: an aggregator whose swap takes a `Map<Symbol,U64>` of parameters;
 * - `ORACLE_SPEC`, `LENDING_SPEC`: price feed and lending pool (the lending `submit` takes a UDT, which OZ's
 *   function matching can never resolve: realistic noise).
 */
import type {
  StellarContractSpecEntry,
  StellarSpecEventParamV0,
  StellarSpecFunctionInputV0,
  StellarSpecTypeDef,
} from "../../../src/engine/stellar-ledger.js";

function input(name: string, type_: StellarSpecTypeDef): StellarSpecFunctionInputV0 {
  return { doc: "", name, type_ };
}

function fn(name: string, inputs: StellarSpecFunctionInputV0[], outputs: StellarSpecTypeDef[] = []) {
  return { function_v0: { doc: "", name, inputs, outputs } } satisfies StellarContractSpecEntry;
}

function param(name: string, type_: StellarSpecTypeDef, location: "data" | "topic_list"): StellarSpecEventParamV0 {
  return { doc: "", name, type_, location };
}

const vecOf = (element_type: StellarSpecTypeDef): StellarSpecTypeDef => ({ vec: { element_type } });

/** SEP-41 token interface with the usual admin functions. */
export const TOKEN_SPEC: StellarContractSpecEntry[] = [
  fn("allowance", [input("from", "address"), input("spender", "address")], ["i128"]),
  fn("approve", [
    input("from", "address"),
    input("spender", "address"),
    input("amount", "i128"),
    input("expiration_ledger", "u32"),
  ]),
  fn("balance", [input("id", "address")], ["i128"]),
  fn("transfer", [input("from", "address"), input("to", "address"), input("amount", "i128")]),
  fn("transfer_from", [
    input("spender", "address"),
    input("from", "address"),
    input("to", "address"),
    input("amount", "i128"),
  ]),
  fn("burn", [input("from", "address"), input("amount", "i128")]),
  fn("burn_from", [input("spender", "address"), input("from", "address"), input("amount", "i128")]),
  fn("decimals", [], ["u32"]),
  fn("name", [], ["string"]),
  fn("symbol", [], ["string"]),
  fn("mint", [input("to", "address"), input("amount", "i128")]),
  fn("set_admin", [input("new_admin", "address")]),
];

/** An AMM pair with Protocol-23 event specs. */
export const PAIR_SPEC: StellarContractSpecEntry[] = [
  {
    event_v0: {
      doc: "",
      lib: "",
      name: "Swap",
      prefix_topics: ["pair", "swap"],
      params: [
        param("to", "address", "topic_list"),
        param("amount_0_in", "i128", "data"),
        param("amount_1_in", "i128", "data"),
        param("amount_0_out", "i128", "data"),
        param("amount_1_out", "i128", "data"),
      ],
      data_format: "map",
    },
  },
  {
    event_v0: {
      doc: "",
      lib: "",
      name: "Sync",
      prefix_topics: ["pair", "sync"],
      params: [param("new_reserve_0", "i128", "data"), param("new_reserve_1", "i128", "data")],
      data_format: "vec",
    },
  },
  {
    event_v0: {
      doc: "",
      lib: "",
      name: "Deposit",
      prefix_topics: ["pair", "deposit"],
      params: [
        param("to", "address", "topic_list"),
        param("amount_0", "i128", "data"),
        param("amount_1", "i128", "data"),
        param("liquidity", "i128", "data"),
      ],
      data_format: "map",
    },
  },
  fn("swap", [input("amount_0_out", "i128"), input("amount_1_out", "i128"), input("to", "address")]),
  fn("deposit", [input("to", "address")], ["i128"]),
  fn("withdraw", [input("to", "address")], [{ tuple: { value_types: ["i128", "i128"] } }]),
  fn("get_reserves", [], [{ tuple: { value_types: ["i128", "i128"] } }]),
  fn("token_0", [], ["address"]),
  fn("token_1", [], ["address"]),
];

/** A Soroswap-style router. */
export const ROUTER_SPEC: StellarContractSpecEntry[] = [
  fn(
    "swap_exact_tokens_for_tokens",
    [
      input("amount_in", "i128"),
      input("amount_out_min", "i128"),
      input("path", vecOf("address")),
      input("to", "address"),
      input("deadline", "u64"),
    ],
    [vecOf("i128")],
  ),
  fn(
    "swap_tokens_for_exact_tokens",
    [
      input("amount_out", "i128"),
      input("amount_in_max", "i128"),
      input("path", vecOf("address")),
      input("to", "address"),
      input("deadline", "u64"),
    ],
    [vecOf("i128")],
  ),
  fn(
    "add_liquidity",
    [
      input("token_a", "address"),
      input("token_b", "address"),
      input("amount_a_desired", "i128"),
      input("amount_b_desired", "i128"),
      input("amount_a_min", "i128"),
      input("amount_b_min", "i128"),
      input("to", "address"),
      input("deadline", "u64"),
    ],
    [{ tuple: { value_types: ["i128", "i128", "i128"] } }],
  ),
  fn("router_pair_for", [input("token_a", "address"), input("token_b", "address")], ["address"]),
];

/** An aggregator: the route as `Vec<Address>`, the amounts as a `Map<Symbol,U64>`. */
export const AGGREGATOR_SPEC: StellarContractSpecEntry[] = [
  fn(
    "swap_routed",
    [
      input("user", "address"),
      input("route", vecOf("address")),
      input("params", { map: { key_type: "symbol", value_type: "u64" } }),
    ],
    [vecOf("i128")],
  ),
  fn("get_protocols", [], [vecOf("symbol")]),
];

/** A price oracle. */
export const ORACLE_SPEC: StellarContractSpecEntry[] = [
  fn("set_price", [input("updates", vecOf("i128")), input("timestamp", "u64")]),
  fn("lastprice", [input("asset", "address")], [{ option: { value_type: "i128" } }]),
  fn("decimals", [], ["u32"]),
];

/** A lending pool whose entry point takes a UDT (never resolvable by OZ's function matching). */
export const LENDING_SPEC: StellarContractSpecEntry[] = [
  {
    udt_struct_v0: {
      doc: "",
      lib: "",
      name: "Request",
      fields: [
        { doc: "", name: "address", type_: "address" },
        { doc: "", name: "amount", type_: "i128" },
        { doc: "", name: "request_type", type_: "u32" },
      ],
    },
  },
  fn(
    "submit",
    [
      input("from", "address"),
      input("spender", "address"),
      input("to", "address"),
      input("requests", vecOf({ udt: { name: "Request" } })),
    ],
    [{ udt: { name: "Request" } }],
  ),
  fn("claim", [input("from", "address"), input("reserve_token_ids", vecOf("u32")), input("to", "address")], ["i128"]),
];

/** OZ-style signatures of the specs above, as monitors write them. */
export const SIGNATURES = {
  transferCall: "transfer(Address,Address,I128)",
  approveCall: "approve(Address,Address,I128,U32)",
  mintCall: "mint(Address,I128)",
  burnCall: "burn(Address,I128)",
  /** SEP-41 transfer event of a Stellar Asset Contract (4 topics), decoded without a spec. */
  sacTransferEvent: "transfer(Address,Address,String,I128)",
  /** Transfer event of a WASM token (3 topics), decoded with a functions-only spec. */
  tokenTransferEvent: "transfer(Address,Address,I128)",
  routerSwapCall: "swap_exact_tokens_for_tokens(I128,I128,Vec<Address>,Address,U64)",
  aggregatorSwapCall: "swap_routed(Address,Vec<Address>,Map<Symbol,U64>)",
  pairSwapEvent: "Swap(Address,I128,I128,I128,I128)",
  pairSyncEvent: "Sync(I128,I128)",
  lendingSupplyEvent: "supply(Address,Address,Vec<I128>)",
} as const;
