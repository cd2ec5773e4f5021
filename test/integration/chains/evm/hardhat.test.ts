import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvmClient, eth_blockNumber, eth_chainId, fetchEvmBlock } from "../../../../src/chains/evm/index.js";
import { createRpcTransport } from "../../../../src/chains/rpc/index.js";
import { type HardhatNode, startHardhat } from "../../../../src/devchain/index.js";

/** Against a real node: hardhat 2 lacks eth_getBlockReceipts (it answers -32004 "Method … is not supported"). */
describe("fetchEvmBlock() against a hardhat node", () => {
  let node: HardhatNode;
  beforeAll(async () => {
    node = await startHardhat();
  });
  afterAll(async () => {
    await node?.close();
  });

  it("learns the node lacks eth_getBlockReceipts and returns the transfer with its receipt, within 3 HTTP requests", async () => {
    const accounts = await node.rpc<string[]>("eth_accounts");
    const hash = await node.rpc<string>("eth_sendTransaction", [{ from: accounts[0], to: accounts[1], value: "0x1" }]);
    const transport = createRpcTransport({ endpoints: [{ url: node.url, weight: 100 }] });
    try {
      const client = createEvmClient({ transport });
      expect(await eth_chainId(client)).toBe(31337);
      const head = await eth_blockNumber(client);
      const before = transport.stats().requests;

      const block = await fetchEvmBlock(client, head);
      expect(transport.stats().requests - before).toBeLessThanOrEqual(3);
      expect(client.capabilities.blockReceipts).toBe(false);
      expect(block.number).toBe(head);
      expect(block.transactions).toHaveLength(1);
      const [tx] = block.transactions;
      expect(tx?.transaction.hash).toBe(hash);
      expect(tx?.transaction.from).toBe(accounts[0]?.toLowerCase());
      expect(tx?.transaction.to).toBe(accounts[1]?.toLowerCase());
      expect(tx?.receipt?.status).toBe("0x1");
      expect(tx?.logs).toEqual([]);

      const again = transport.stats().requests;
      expect(await fetchEvmBlock(client, head)).toEqual(block);
      expect(transport.stats().requests - again).toBe(2);
    } finally {
      transport.close();
    }
  });
});
