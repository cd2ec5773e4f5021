import { type Abi, decodeEventLog, decodeFunctionData, type Hex, keccak256, serializeTransaction } from "viem";
import { describe, expect, it } from "vitest";
import { generateBlock, population } from "../../../bench/engine/generate-block.js";
import { generateMonitors } from "../../../bench/engine/generate-monitors.js";
import { evmBlockFromPayload } from "../../../bench/engine/rpc-block.js";
import { main } from "../../../bench/engine/run.js";

const pop = population();
const abiByAddress = new Map<string, Abi>(
  [...pop.watchable].filter((contract) => contract.abi.length > 0).map((contract) => [contract.address, contract.abi]),
);

describe("generateBlock", () => {
  it("is deterministic: the same seed and number give byte-identical JSON", () => {
    const a = generateBlock({ seed: 7, number: 21_000_000 });
    const b = generateBlock({ seed: 7, number: 21_000_000 });
    expect(a.rpcPayloadText).toBe(b.rpcPayloadText);
    expect(JSON.stringify(a.block)).toBe(JSON.stringify(b.block));
  });

  it("gives different blocks for different seeds", () => {
    const a = generateBlock({ seed: 7, number: 21_000_000 });
    const b = generateBlock({ seed: 8, number: 21_000_000 });
    expect(a.block.hash).not.toBe(b.block.hash);
    expect(a.rpcPayloadText).not.toBe(b.rpcPayloadText);
  });

  it("has about 250 transactions and 600 logs (±15%) per block", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { block, receipts } = generateBlock({ seed, number: 21_000_000 + seed });
      const logs = receipts.reduce((sum, receipt) => sum + receipt.logs.length, 0);
      expect(block.transactions).toHaveLength(250);
      expect(logs).toBeGreaterThanOrEqual(510);
      expect(logs).toBeLessThanOrEqual(690);
    }
  });

  it("honours the transaction count option", () => {
    expect(generateBlock({ seed: 1, number: 1, transactions: 40 }).block.transactions).toHaveLength(40);
  });

  it("aligns receipts with transactions and numbers logs across the block", () => {
    const { block, receipts } = generateBlock({ seed: 11, number: 21_000_011 });
    expect(receipts).toHaveLength(block.transactions.length);
    let expectedLogIndex = 0;
    let cumulative = 0n;
    block.transactions.forEach((tx, i) => {
      const receipt = receipts[i];
      expect(receipt?.transactionHash).toBe(tx.hash);
      expect(tx.transactionIndex).toBe(`0x${i.toString(16)}`);
      expect(receipt?.transactionIndex).toBe(tx.transactionIndex);
      expect(tx.blockHash).toBe(block.hash);
      expect(receipt?.blockHash).toBe(block.hash);
      expect(receipt?.from).toBe(tx.from);
      expect(receipt?.to).toBe(tx.to);
      cumulative += BigInt(receipt?.gasUsed ?? "0x0");
      expect(BigInt(String(receipt?.cumulativeGasUsed))).toBe(cumulative);
      for (const log of receipt?.logs ?? []) {
        expect(log.logIndex).toBe(`0x${(expectedLogIndex++).toString(16)}`);
        expect(log.transactionHash).toBe(tx.hash);
        expect(log.blockNumber).toBe(block.number);
        expect(log.removed).toBe(false);
      }
    });
    expect(BigInt(block.gasUsed as string)).toBe(cumulative);
  });

  it("uses node shapes: type-2 fee fields and signatures, status, blooms, contract creations, reverts", () => {
    const { block, receipts } = generateBlock({ seed: 12, number: 21_000_012 });
    const type2 = block.transactions.filter((tx) => tx.type === "0x2");
    const legacy = block.transactions.filter((tx) => tx.type === "0x0");
    expect(type2.length).toBeGreaterThan(150);
    expect(legacy.length).toBeGreaterThan(0);
    for (const tx of type2) {
      expect(tx).toMatchObject({ chainId: "0x1", accessList: expect.any(Array) });
      for (const field of ["maxFeePerGas", "maxPriorityFeePerGas", "gasPrice", "v", "r", "s", "yParity", "nonce"]) {
        expect(tx[field]).toMatch(/^0x[0-9a-f]+$/);
      }
    }
    for (const receipt of receipts) {
      expect(["0x0", "0x1"]).toContain(receipt.status);
      expect(receipt.logsBloom).toMatch(/^0x[0-9a-f]{512}$/);
      expect(receipt.effectiveGasPrice).toMatch(/^0x[0-9a-f]+$/);
      if (receipt.status === "0x0") expect(receipt.logs).toEqual([]);
    }
    expect(receipts.some((receipt) => receipt.status === "0x0")).toBe(true);
    expect(
      block.transactions.some((tx) => tx.input === "0x" && receipts.some((r) => r.transactionHash === tx.hash)),
    ).toBe(true);
    expect(block.logsBloom).toMatch(/^0x[0-9a-f]{512}$/);
    expect(block).toMatchObject({ baseFeePerGas: expect.any(String), withdrawals: expect.any(Array), uncles: [] });
  });

  it("hashes each transaction as keccak256 of its serialised form", () => {
    const { block } = generateBlock({ seed: 13, number: 21_000_013, transactions: 30 });
    for (const tx of block.transactions.filter((t) => t.type === "0x2")) {
      const serialized = serializeTransaction(
        {
          type: "eip1559",
          chainId: 1,
          nonce: Number(tx.nonce),
          gas: BigInt(tx.gas as Hex),
          maxFeePerGas: BigInt(tx.maxFeePerGas as Hex),
          maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas as Hex),
          value: BigInt(tx.value as Hex),
          data: tx.input as Hex,
          accessList: tx.accessList as [],
          ...(tx.to ? { to: tx.to } : {}),
        },
        {
          r: `0x${BigInt(tx.r as Hex)
            .toString(16)
            .padStart(64, "0")}`,
          s: `0x${BigInt(tx.s as Hex)
            .toString(16)
            .padStart(64, "0")}`,
          yParity: Number(tx.yParity),
        },
      );
      expect(keccak256(serialized)).toBe(tx.hash);
    }
  });

  it("emits logs that decode with their contract's ABI (viem decodeEventLog)", () => {
    const { receipts } = generateBlock({ seed: 14, number: 21_000_014 });
    const names = new Set<string>();
    let decoded = 0;
    for (const log of receipts.flatMap((receipt) => receipt.logs)) {
      const abi = abiByAddress.get(log.address);
      if (!abi) continue;
      const event = decodeEventLog({ abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      names.add(String(event.eventName));
      decoded++;
    }
    expect(decoded).toBeGreaterThan(400);
    for (const name of ["Transfer", "Approval", "Deposit", "Withdrawal", "Swap", "Sync"]) expect(names).toContain(name);
  });

  it("decodes Uniswap V3 swaps with signed amounts and a tick in range", () => {
    const { receipts } = generateBlock({ seed: 15, number: 21_000_015 });
    const v3 = new Set(pop.pools.filter((pool) => pool.kind === "uniswapV3Pool").map((pool) => pool.address));
    const swaps = receipts
      .flatMap((receipt) => receipt.logs)
      .filter((log) => v3.has(log.address))
      .map((log) => decodeEventLog({ abi: pop.pools[0]?.abi ?? [], data: log.data, topics: log.topics as [Hex] }))
      .filter((event) => event.eventName === "Swap");
    expect(swaps.length).toBeGreaterThan(5);
    for (const swap of swaps) {
      const args = swap.args as unknown as { amount0: bigint; amount1: bigint; tick: number; sqrtPriceX96: bigint };
      expect(args.amount0 > 0n !== args.amount1 > 0n).toBe(true);
      expect(Math.abs(args.tick)).toBeLessThanOrEqual(887272);
      expect(args.sqrtPriceX96 > 0n).toBe(true);
    }
  });

  it("encodes calldata that decodes with the called contract's ABI (viem decodeFunctionData)", () => {
    const { block } = generateBlock({ seed: 16, number: 21_000_016 });
    const names = new Set<string>();
    for (const tx of block.transactions) {
      const abi = tx.to ? abiByAddress.get(tx.to) : undefined;
      if (!abi) continue;
      names.add(decodeFunctionData({ abi, data: tx.input as Hex }).functionName);
    }
    for (const name of ["transfer", "approve", "deposit", "swapExactTokensForTokens", "exactInputSingle"]) {
      expect(names).toContain(name);
    }
  });

  it("produces a batch JSON-RPC payload that rebuilds the engine's EvmBlock", () => {
    const generated = generateBlock({ seed: 17, number: 21_000_017 });
    const parsed = JSON.parse(generated.rpcPayloadText) as { id: number; jsonrpc: string; result: unknown }[];
    expect(parsed.map((response) => [response.jsonrpc, response.id])).toEqual([
      ["2.0", 1],
      ["2.0", 2],
    ]);
    const block = evmBlockFromPayload(generated.rpcPayloadText);
    expect(block.number).toBe(21_000_017n);
    expect(block.hash).toBe(generated.block.hash);
    expect(block.header).not.toHaveProperty("transactions");
    expect(block.transactions).toHaveLength(250);
    block.transactions.forEach((entry, i) => {
      expect(entry.receipt?.transactionHash).toBe(entry.transaction.hash);
      expect(entry.logs).toEqual(generated.receipts[i]?.logs);
    });
  });
});

describe("generateMonitors", () => {
  it("is deterministic and prefix-stable", () => {
    const a = generateMonitors({ seed: 3, count: 200 });
    expect(JSON.stringify(generateMonitors({ seed: 3, count: 200 }))).toBe(JSON.stringify(a));
    expect(JSON.stringify(generateMonitors({ seed: 3, count: 50 }))).toBe(JSON.stringify(a.slice(0, 50)));
  });

  it("builds OZ monitor objects with unique ids spread over tenants", () => {
    const definitions = generateMonitors({ seed: 4, count: 2000, tenants: 1000 });
    expect(new Set(definitions.map((d) => d.id)).size).toBe(2000);
    const tenants = new Set(definitions.map((d) => d.tenantId));
    expect(tenants.size).toBeGreaterThan(300);
    expect(tenants.size).toBeLessThanOrEqual(1000);
    for (const { version, monitor } of definitions) {
      expect(version).toBe(1);
      expect(monitor).toMatchObject({
        networks: ["ethereum_mainnet"],
        paused: false,
        trigger_conditions: [],
        triggers: [],
        chain_configurations: [],
      });
      expect(monitor.addresses.length).toBeGreaterThan(0);
      for (const { address } of monitor.addresses) expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
      const { functions, events, transactions } = monitor.match_conditions;
      for (const condition of [...functions, ...events]) expect(condition.signature).toMatch(/^\w+\(.*\)$/);
      for (const condition of transactions) expect(["Any", "Success", "Failure"]).toContain(condition.status);
    }
  });

  it("skews towards hot contracts but watches many contracts and some never-seen addresses", () => {
    const definitions = generateMonitors({ seed: 5, count: 3000 });
    const counts = new Map<string, number>();
    for (const { monitor } of definitions) {
      for (const { address } of monitor.addresses) {
        const key = address.toLowerCase();
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const known = new Set<string>([...pop.watchable.map((c) => c.address), ...pop.eoas.map((e) => e.address)]);
    const hottest = Math.max(...counts.values());
    expect(hottest).toBeGreaterThan(150);
    expect(counts.size).toBeGreaterThan(500);
    expect([...counts.keys()].filter((address) => !known.has(address)).length).toBeGreaterThan(100);
  });

  it("references real signatures of the watched contracts' ABIs", () => {
    const definitions = generateMonitors({ seed: 6, count: 500 });
    for (const { monitor } of definitions) {
      const specs = monitor.addresses.flatMap((a) => a.contract_spec ?? []);
      if (specs.length === 0) continue;
      const signatures = new Set(
        specs
          .filter((item) => item.type === "event" || item.type === "function")
          .map((item) => {
            const inputs = "inputs" in item ? item.inputs : [];
            const type = (p: { type: string; components?: readonly unknown[] }): string =>
              p.type === "tuple" ? `(${(p.components as { type: string }[]).map(type).join(",")})` : p.type;
            return `${"name" in item ? item.name : ""}(${inputs.map(type).join(",")})`;
          }),
      );
      const { functions, events } = monitor.match_conditions;
      for (const condition of [...functions, ...events]) expect(signatures).toContain(condition.signature);
    }
  });
});

describe("bench run --quick", () => {
  it("prints one JSON document with the expected keys to stdout", () => {
    let stdout = "";
    let stderr = "";
    const report = main(["--quick", "--blocks", "2", "--monitors", "10,200"], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    const roundTripped = JSON.parse(stdout) as typeof report;
    expect(roundTripped).toEqual(JSON.parse(JSON.stringify(report)));
    expect(stderr).toContain("monitors");
    expect(roundTripped).toMatchObject({
      benchmark: "engine-evm",
      node: process.version,
      blocks: 2,
      target: { ratioAt10000: 3, met: null },
    });
    expect(roundTripped.results.map((result) => result.monitors)).toEqual([10, 200]);
    for (const result of roundTripped.results) {
      for (const key of [
        "tenants",
        "compileMs",
        "evalMsMedian",
        "evalMsP90",
        "parseMsMedian",
        "ratioMedian",
        "naiveMsMedian",
        "speedupMedian",
        "matchesMedian",
      ] as const) {
        expect(typeof result[key]).toBe("number");
      }
      expect(result.naiveAgrees).toBe(true);
    }
    expect(roundTripped.results[1]?.naiveExtrapolated).toBe(true);
  }, 120_000);
});
