import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runArgus, runArgusInProcess, sharedFixtures } from "../../support/cli.js";
import { evmFixtureConfig, readFixtureJson, type TempConfigDir } from "../../support/config-dir.js";
import { type EvmFixtureRpc, startEvmFixtureRpc } from "../../support/evm-fixture-rpc.js";

const USDC_TRANSFER = "0xd5069b22a3a89a36d592d5a1f72a281bc5d11d6d0bac6f0a878c13abb764b6d8";
const SWAP = "0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0";
const INCREMENT = "0x6fb716f3fc4e2edec31f01c8bb67e565e3efacba965090a38835d3f297232bf6";
const NESTED_STRUCT = "0xf4b47a82f9fb401042e75e745b980d7cd7954d2de091da1942432c765000ea26";
const MONITOR = `${sharedFixtures}/evm/monitors/monitor.json`;

interface Match {
  EVM: {
    monitor: { name: string; addresses: { address: string; contract_spec: unknown }[] };
    transaction: { hash: string };
    receipt: { status: string; transactionHash: string } | null;
    logs: unknown[];
    network_slug: string;
    matched_on: Record<
      "functions" | "events" | "transactions",
      { signature?: string; status?: string; expression: string | null }[]
    >;
    matched_on_args: {
      functions:
        | {
            signature: string;
            hex_signature: string;
            args: { name: string; value: string; kind: string; indexed: boolean }[];
          }[]
        | null;
      events:
        | {
            signature: string;
            hex_signature: string;
            args: { name: string; value: string; kind: string; indexed: boolean }[];
          }[]
        | null;
    };
  };
}

let rpc: EvmFixtureRpc;
let config: TempConfigDir;

beforeAll(async () => {
  rpc = await startEvmFixtureRpc();
  config = evmFixtureConfig(rpc.url);
});

afterAll(async () => {
  config?.close();
  await rpc?.close();
});

async function testMonitor(monitorFile: string, block: string | number, network = "ethereum_mainnet") {
  return runArgusInProcess([
    "test-monitor",
    "--config-dir",
    config.dir,
    "--monitor",
    monitorFile,
    "--network",
    network,
    "--block",
    String(block),
  ]);
}

async function matchesOf(monitorFile: string, block: string | number): Promise<Match[]> {
  const run = await testMonitor(monitorFile, block);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Match[];
}

function monitorVariant(name: string, change: (monitor: Record<string, unknown>) => void): string {
  const monitor = readFixtureJson("evm/monitors/monitor.json");
  change(monitor);
  return config.write(`variants/${name}.json`, monitor);
}

describe("argus test-monitor on OZ's EVM fixtures, through a JSON-RPC server", () => {
  it("prints OZ's MonitorMatch JSON for monitor.json on block 21306058 (a real ./bin/argus process)", async () => {
    const run = await runArgus([
      "test-monitor",
      "--config-dir",
      config.dir,
      "--monitor",
      MONITOR,
      "--network",
      "ethereum_mainnet",
      "--block",
      "21306058",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const matches = JSON.parse(run.stdout) as Match[];
    expect(matches).toHaveLength(1);
    const match = matches[0]!.EVM;
    expect(match.transaction.hash).toBe(USDC_TRANSFER);
    expect(match.network_slug).toBe("ethereum_mainnet");
    expect(match.monitor.name).toBe("Mint USDC Token");
    expect(match.monitor.addresses.every((a) => a.contract_spec === null)).toBe(true);
    expect(match.receipt?.transactionHash).toBe(USDC_TRANSFER);
    expect(match.receipt?.status).toBe("0x1");
    expect(match.logs).toHaveLength(1);
    expect(match.matched_on.functions).toEqual([{ signature: "transfer(address,uint256)", expression: "value > 0" }]);
    expect(match.matched_on.transactions).toEqual([{ status: "Success", expression: "value >= 0" }]);
    expect(match.matched_on.events.map((e) => e.signature)).toEqual(["Transfer(address,address,uint256)"]);
    expect(match.matched_on_args.events?.[0]?.args).toEqual([
      { name: "from", value: "0x58b704065b7aff3ed351052f8560019e05925023", kind: "address", indexed: true },
      { name: "to", value: "0xf423d9c1ffeb6386639d024f3b241dab2331b635", kind: "address", indexed: true },
      { name: "value", value: "8181710000", kind: "uint256", indexed: false },
    ]);
    expect(match.matched_on_args.functions).toEqual([
      {
        signature: "transfer(address,uint256)",
        hex_signature: "0xa9059cbb",
        args: [
          { name: "to", value: "0xf423d9c1ffeb6386639d024f3b241dab2331b635", kind: "address", indexed: false },
          { name: "value", value: "8181710000", kind: "uint256", indexed: false },
        ],
      },
    ]);
    // Logs go to stderr, so stdout is exactly the JSON array.
    expect(run.stdout.trimStart().startsWith("[")).toBe(true);
  });

  it("prints the same matches whether the node serves eth_getBlockReceipts, batches, or neither", async () => {
    const reference = await matchesOf(MONITOR, 21306058);
    for (const options of [{ blockReceipts: false }, { blockReceipts: false, batch: false }]) {
      const other = await startEvmFixtureRpc(options);
      const otherConfig = evmFixtureConfig(other.url);
      try {
        const run = await runArgusInProcess([
          "test-monitor",
          "--config-dir",
          otherConfig.dir,
          "--monitor",
          MONITOR,
          "--network",
          "ethereum_mainnet",
          "--block",
          "0x1451aca",
        ]);
        expect(run.code, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout)).toEqual(reference);
      } finally {
        otherConfig.close();
        await other.close();
      }
    }
  });

  it("matches increment() through the monitor's second address on block 8219488", async () => {
    const matches = await matchesOf(MONITOR, 8219488);
    expect(matches.map((m) => m.EVM.transaction.hash)).toEqual([INCREMENT]);
    expect(matches[0]!.EVM.matched_on_args.functions?.map((f) => [f.signature, f.hex_signature])).toEqual([
      ["increment()", "0xd09de08a"],
    ]);
  });

  it("decodes the nested struct call of monitor_with_tuples.json on block 26966585", async () => {
    const matches = await matchesOf(`${sharedFixtures}/evm/monitors/monitor_with_tuples.json`, 26966585);
    expect(matches.map((m) => m.EVM.transaction.hash)).toEqual([NESTED_STRUCT]);
    const fn = matches[0]!.EVM.matched_on_args.functions?.[0];
    expect(fn?.signature).toMatch(
      /^inputNestedStruct\(\(bool,string,string,uint256,address,string\[\],\(string,uint256\)\)\)$/,
    );
    expect(fn?.args[0]?.kind).toBe("tuple");
    expect(fn?.args[0]?.value).toMatch(
      /^\(true,"[^"]*","[^"]*",\d+,"0x[0-9a-f]{40}",\[("[^"]*",?)*\],\("[^"]*",\d+\)\)$/,
    );
  });

  it("EVM-05: a Success condition without expression matches only the USDC transfer", async () => {
    const file = monitorVariant("evm-05", (m) => {
      m.match_conditions = { functions: [], events: [], transactions: [{ status: "Success", expression: null }] };
    });
    const matches = await matchesOf(file, 21306058);
    expect(matches.map((m) => m.EVM.transaction.hash)).toEqual([USDC_TRANSFER]);
    expect(matches[0]!.EVM.matched_on).toEqual({
      functions: [],
      events: [],
      transactions: [{ status: "Success", expression: null }],
    });
  });

  it("EVM-11: no receipt in the match when no condition needs one", async () => {
    const file = monitorVariant("evm-11", (m) => {
      (m.match_conditions as { transactions: unknown[] }).transactions = [];
    });
    const matches = await matchesOf(file, 21306058);
    expect(matches).toHaveLength(1);
    expect(matches[0]!.EVM.receipt).toBeNull();
    expect(matches[0]!.EVM.logs.length).toBeGreaterThan(0);
    expect(matches[0]!.EVM.matched_on_args.functions?.[0]?.hex_signature).toBe("0xa9059cbb");
  });

  it("EVM-18: no addresses never match; the swap sender's address gates its transaction in", async () => {
    const none = monitorVariant("evm-18a", (m) => {
      m.addresses = [];
      m.match_conditions = { functions: [], events: [], transactions: [{ status: "Any", expression: null }] };
    });
    expect(await matchesOf(none, 21306058)).toEqual([]);
    const sender = monitorVariant("evm-18b", (m) => {
      m.addresses = [{ address: "0x8654155e325ef0778428e7c0ddd1559efbc20523" }];
      m.match_conditions = { functions: [], events: [], transactions: [{ status: "Any", expression: null }] };
    });
    expect((await matchesOf(sender, 21306058)).map((m) => m.EVM.transaction.hash)).toEqual([SWAP]);
  });

  it("EVM-19: a WETH Transfer emitted inside the router swap", async () => {
    const file = monitorVariant("evm-19", (m) => {
      m.addresses = [
        {
          address: "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
          contract_spec: [
            {
              anonymous: false,
              type: "event",
              name: "Transfer",
              inputs: [
                { indexed: true, name: "src", type: "address" },
                { indexed: true, name: "dst", type: "address" },
                { indexed: false, name: "wad", type: "uint256" },
              ],
            },
          ],
        },
      ];
      m.match_conditions = {
        functions: [],
        events: [{ signature: "Transfer(address,address,uint256)", expression: null }],
        transactions: [],
      };
    });
    const matches = await matchesOf(file, 21306058);
    expect(matches.map((m) => m.EVM.transaction.hash)).toEqual([SWAP]);
    expect(matches[0]!.EVM.matched_on_args.events?.[0]?.args.map((a) => [a.name, a.value])).toEqual([
      ["src", "0x80a64c6d7f12c47b7c66c5b4e20e72bc1fcd5d9e"],
      ["dst", "0x60af8cf92e5aa9ead4a592d657cd6debecfbc616"],
      ["wad", "1500000000000000000"],
    ]);
  });

  it("EVM-02b: an event threshold equal to the value does not match", async () => {
    const file = monitorVariant("evm-02b", (m) => {
      m.match_conditions = {
        functions: [],
        events: [{ signature: "Transfer(address,address,uint256)", expression: "value > 8181710000" }],
        transactions: [],
      };
    });
    expect(await matchesOf(file, 21306058)).toEqual([]);
  });

  it("prints [] for a block without matching transactions", async () => {
    expect(await matchesOf(`${sharedFixtures}/evm/monitors/monitor_with_tuples.json`, 21306058)).toEqual([]);
  });
});

describe("argus test-monitor failures", () => {
  it("exits 2 naming the known networks when --network is unknown", async () => {
    const run = await testMonitor(MONITOR, 21306058, "ethereum_mainet");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown network 'ethereum_mainet'. Expected one of ['ethereum_mainnet']");
  });

  it("exits 2 on a malformed block number and on missing options", async () => {
    const bad = await testMonitor(MONITOR, "12x");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--block must be a non-negative integer");
    const missing = await runArgusInProcess(["test-monitor", "--config-dir", config.dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required option --monitor");
  });

  it("exits 1 with one `<file>: <json path>: <message>` line per problem of an invalid monitor file", async () => {
    const file = monitorVariant("invalid", (m) => {
      m.paused = "no";
      (m.match_conditions as { transactions: { status: string }[] }).transactions[0]!.status = "success";
    });
    const run = await testMonitor(file, 21306058);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.startsWith(`${file}: $.`))).toBe(true);
    expect(run.stderr).toContain("$.paused:");
    expect(run.stderr).toContain("$.match_conditions.transactions[0].status:");
    expect(run.stdout).toBe("");
  });

  it("exits 1 with a clear message when the block does not exist", async () => {
    const run = await testMonitor(MONITOR, 123);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/block 123 .*not found|not found.*block 123/i);
  });

  it("exits 1 naming the endpoint without its credentials when the RPC is unreachable", async () => {
    const down = evmFixtureConfig("https://user:secret@127.0.0.1:2/v2/abcdef0123456789abcdef");
    try {
      const run = await runArgusInProcess([
        "test-monitor",
        "--config-dir",
        down.dir,
        "--monitor",
        MONITOR,
        "--network",
        "ethereum_mainnet",
        "--block",
        "1",
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("127.0.0.1:2");
      expect(run.stderr).not.toContain("secret");
      expect(run.stderr).not.toContain("abcdef0123456789abcdef");
    } finally {
      down.close();
    }
  }, 60_000);
});
