/**
 * Contract ABIs of the benchmark's synthetic mainnet: the shapes users paste into `contract_spec` (Etherscan-style JSON
 * ABIs with the real contracts' parameter names, e.g. WETH9's `src`/`dst`/`wad`).
 */
import type { Abi, AbiEvent, AbiFunction, AbiParameter } from "viem";

type Input = readonly [type: string, name: string];
type EventInput = readonly [type: string, name: string, indexed: boolean];
type Mutability = AbiFunction["stateMutability"];

function param([type, name]: Input): AbiParameter {
  return { internalType: type, name, type };
}

function fn(
  name: string,
  inputs: readonly Input[],
  outputs: readonly Input[],
  stateMutability: Mutability,
): AbiFunction {
  return { inputs: inputs.map(param), name, outputs: outputs.map(param), stateMutability, type: "function" };
}

function ev(name: string, inputs: readonly EventInput[]): AbiEvent {
  return {
    anonymous: false,
    inputs: inputs.map(([type, paramName, indexed]) => ({ indexed, internalType: type, name: paramName, type })),
    name,
    type: "event",
  };
}

export const erc20Abi: Abi = [
  fn("name", [], [["string", ""]], "view"),
  fn("symbol", [], [["string", ""]], "view"),
  fn("decimals", [], [["uint8", ""]], "view"),
  fn("totalSupply", [], [["uint256", ""]], "view"),
  fn("balanceOf", [["address", "account"]], [["uint256", ""]], "view"),
  fn(
    "allowance",
    [
      ["address", "owner"],
      ["address", "spender"],
    ],
    [["uint256", ""]],
    "view",
  ),
  fn(
    "transfer",
    [
      ["address", "to"],
      ["uint256", "value"],
    ],
    [["bool", ""]],
    "nonpayable",
  ),
  fn(
    "approve",
    [
      ["address", "spender"],
      ["uint256", "value"],
    ],
    [["bool", ""]],
    "nonpayable",
  ),
  fn(
    "transferFrom",
    [
      ["address", "from"],
      ["address", "to"],
      ["uint256", "value"],
    ],
    [["bool", ""]],
    "nonpayable",
  ),
  ev("Transfer", [
    ["address", "from", true],
    ["address", "to", true],
    ["uint256", "value", false],
  ]),
  ev("Approval", [
    ["address", "owner", true],
    ["address", "spender", true],
    ["uint256", "value", false],
  ]),
];

/** WETH9 as verified on Etherscan (parameter names `src`, `dst`, `guy`, `wad`). */
export const wethAbi: Abi = [
  fn("name", [], [["string", ""]], "view"),
  fn(
    "approve",
    [
      ["address", "guy"],
      ["uint256", "wad"],
    ],
    [["bool", ""]],
    "nonpayable",
  ),
  fn("totalSupply", [], [["uint256", ""]], "view"),
  fn(
    "transferFrom",
    [
      ["address", "src"],
      ["address", "dst"],
      ["uint256", "wad"],
    ],
    [["bool", ""]],
    "nonpayable",
  ),
  fn("withdraw", [["uint256", "wad"]], [], "nonpayable"),
  fn("decimals", [], [["uint8", ""]], "view"),
  fn("balanceOf", [["address", ""]], [["uint256", ""]], "view"),
  fn("symbol", [], [["string", ""]], "view"),
  fn(
    "transfer",
    [
      ["address", "dst"],
      ["uint256", "wad"],
    ],
    [["bool", ""]],
    "nonpayable",
  ),
  fn("deposit", [], [], "payable"),
  fn(
    "allowance",
    [
      ["address", ""],
      ["address", ""],
    ],
    [["uint256", ""]],
    "view",
  ),
  ev("Approval", [
    ["address", "src", true],
    ["address", "guy", true],
    ["uint256", "wad", false],
  ]),
  ev("Transfer", [
    ["address", "src", true],
    ["address", "dst", true],
    ["uint256", "wad", false],
  ]),
  ev("Deposit", [
    ["address", "dst", true],
    ["uint256", "wad", false],
  ]),
  ev("Withdrawal", [
    ["address", "src", true],
    ["uint256", "wad", false],
  ]),
];

export const uniswapV2PairAbi: Abi = [
  fn("token0", [], [["address", ""]], "view"),
  fn("token1", [], [["address", ""]], "view"),
  fn(
    "getReserves",
    [],
    [
      ["uint112", "_reserve0"],
      ["uint112", "_reserve1"],
      ["uint32", "_blockTimestampLast"],
    ],
    "view",
  ),
  fn(
    "swap",
    [
      ["uint256", "amount0Out"],
      ["uint256", "amount1Out"],
      ["address", "to"],
      ["bytes", "data"],
    ],
    [],
    "nonpayable",
  ),
  fn(
    "transfer",
    [
      ["address", "to"],
      ["uint256", "value"],
    ],
    [["bool", ""]],
    "nonpayable",
  ),
  ev("Approval", [
    ["address", "owner", true],
    ["address", "spender", true],
    ["uint256", "value", false],
  ]),
  ev("Transfer", [
    ["address", "from", true],
    ["address", "to", true],
    ["uint256", "value", false],
  ]),
  ev("Mint", [
    ["address", "sender", true],
    ["uint256", "amount0", false],
    ["uint256", "amount1", false],
  ]),
  ev("Burn", [
    ["address", "sender", true],
    ["uint256", "amount0", false],
    ["uint256", "amount1", false],
    ["address", "to", true],
  ]),
  ev("Swap", [
    ["address", "sender", true],
    ["uint256", "amount0In", false],
    ["uint256", "amount1In", false],
    ["uint256", "amount0Out", false],
    ["uint256", "amount1Out", false],
    ["address", "to", true],
  ]),
  ev("Sync", [
    ["uint112", "reserve0", false],
    ["uint112", "reserve1", false],
  ]),
];

export const uniswapV3PoolAbi: Abi = [
  fn("token0", [], [["address", ""]], "view"),
  fn("token1", [], [["address", ""]], "view"),
  fn("fee", [], [["uint24", ""]], "view"),
  fn(
    "swap",
    [
      ["address", "recipient"],
      ["bool", "zeroForOne"],
      ["int256", "amountSpecified"],
      ["uint160", "sqrtPriceLimitX96"],
      ["bytes", "data"],
    ],
    [
      ["int256", "amount0"],
      ["int256", "amount1"],
    ],
    "nonpayable",
  ),
  ev("Swap", [
    ["address", "sender", true],
    ["address", "recipient", true],
    ["int256", "amount0", false],
    ["int256", "amount1", false],
    ["uint160", "sqrtPriceX96", false],
    ["uint128", "liquidity", false],
    ["int24", "tick", false],
  ]),
  ev("Mint", [
    ["address", "sender", false],
    ["address", "owner", true],
    ["int24", "tickLower", true],
    ["int24", "tickUpper", true],
    ["uint128", "amount", false],
    ["uint256", "amount0", false],
    ["uint256", "amount1", false],
  ]),
];

export const uniswapV2RouterAbi: Abi = [
  fn("WETH", [], [["address", ""]], "view"),
  fn(
    "swapExactTokensForTokens",
    [
      ["uint256", "amountIn"],
      ["uint256", "amountOutMin"],
      ["address[]", "path"],
      ["address", "to"],
      ["uint256", "deadline"],
    ],
    [["uint256[]", "amounts"]],
    "nonpayable",
  ),
  fn(
    "swapExactETHForTokens",
    [
      ["uint256", "amountOutMin"],
      ["address[]", "path"],
      ["address", "to"],
      ["uint256", "deadline"],
    ],
    [["uint256[]", "amounts"]],
    "payable",
  ),
  fn(
    "swapExactTokensForETH",
    [
      ["uint256", "amountIn"],
      ["uint256", "amountOutMin"],
      ["address[]", "path"],
      ["address", "to"],
      ["uint256", "deadline"],
    ],
    [["uint256[]", "amounts"]],
    "nonpayable",
  ),
];

const exactInputSingleParams: AbiParameter = {
  components: [
    { internalType: "address", name: "tokenIn", type: "address" },
    { internalType: "address", name: "tokenOut", type: "address" },
    { internalType: "uint24", name: "fee", type: "uint24" },
    { internalType: "address", name: "recipient", type: "address" },
    { internalType: "uint256", name: "deadline", type: "uint256" },
    { internalType: "uint256", name: "amountIn", type: "uint256" },
    { internalType: "uint256", name: "amountOutMinimum", type: "uint256" },
    { internalType: "uint160", name: "sqrtPriceLimitX96", type: "uint160" },
  ],
  internalType: "struct ISwapRouter.ExactInputSingleParams",
  name: "params",
  type: "tuple",
};

export const uniswapV3RouterAbi: Abi = [
  {
    inputs: [exactInputSingleParams],
    name: "exactInputSingle",
    outputs: [{ internalType: "uint256", name: "amountOut", type: "uint256" }],
    stateMutability: "payable",
    type: "function",
  },
  fn("multicall", [["bytes[]", "data"]], [["bytes[]", "results"]], "payable"),
];

export const erc721Abi: Abi = [
  fn("ownerOf", [["uint256", "tokenId"]], [["address", ""]], "view"),
  fn(
    "transferFrom",
    [
      ["address", "from"],
      ["address", "to"],
      ["uint256", "tokenId"],
    ],
    [],
    "nonpayable",
  ),
  fn(
    "safeTransferFrom",
    [
      ["address", "from"],
      ["address", "to"],
      ["uint256", "tokenId"],
    ],
    [],
    "nonpayable",
  ),
  fn(
    "setApprovalForAll",
    [
      ["address", "operator"],
      ["bool", "approved"],
    ],
    [],
    "nonpayable",
  ),
  fn("mint", [["uint256", "quantity"]], [], "payable"),
  ev("Transfer", [
    ["address", "from", true],
    ["address", "to", true],
    ["uint256", "tokenId", true],
  ]),
  ev("Approval", [
    ["address", "owner", true],
    ["address", "approved", true],
    ["uint256", "tokenId", true],
  ]),
  ev("ApprovalForAll", [
    ["address", "owner", true],
    ["address", "operator", true],
    ["bool", "approved", false],
  ]),
];

/** Looks an ABI item up by type and name (the generators only ask for items that exist). */
export function abiFunction(abi: Abi, name: string): AbiFunction {
  const item = abi.find((entry): entry is AbiFunction => entry.type === "function" && entry.name === name);
  if (!item) throw new Error(`no function ${name} in ABI`);
  return item;
}

export function abiEvent(abi: Abi, name: string): AbiEvent {
  const item = abi.find((entry): entry is AbiEvent => entry.type === "event" && entry.name === name);
  if (!item) throw new Error(`no event ${name} in ABI`);
  return item;
}
