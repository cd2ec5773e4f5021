import { describe, expect, it } from "vitest";
import * as evm from "../../../../src/chains/evm/index.js";

describe("chains/evm public surface", () => {
  it("exports exactly these names", () => {
    expect(Object.keys(evm).sort()).toMatchInlineSnapshot(`
      [
        "BLOCK_RECEIPTS_UNSUPPORTED_CODES",
        "BlockNotFoundError",
        "EVM_PASS_THROUGH_CODES",
        "EvmInvalidResponseError",
        "InconsistentBlockError",
        "assembleEvmBlock",
        "createEvmClient",
        "eth_blockNumber",
        "eth_chainId",
        "eth_getBlockByNumber",
        "eth_getBlockReceipts",
        "eth_getLogs",
        "eth_getTransactionReceipt",
        "fetchEvmBlock",
        "isMethodUnsupported",
        "toQuantity",
      ]
    `);
  });
});
