import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runArgus, runArgusInProcess, sharedFixtures } from "../../support/cli.js";
import { readFixtureJson, type TempConfigDir, tempConfigDir } from "../../support/config-dir.js";
import { type StellarFixtureRpc, startStellarFixtureRpc } from "../../support/stellar-fixture-rpc.js";

const MONITOR = `${sharedFixtures}/stellar/monitors/monitor.json`;

interface StellarMatch {
  Stellar: {
    monitor: { name: string };
    transaction: { txHash: string; decoded: unknown };
    ledger: { sequence: number };
    network_slug: string;
    matched_on: Record<"functions" | "events" | "transactions", unknown[]>;
    matched_on_args: {
      functions: { signature: string; args: { name: string; value: string; kind: string }[] }[] | null;
      events: { signature: string; args: { name: string; value: string; kind: string }[] }[] | null;
    };
  };
}

function stellarConfig(url: string): TempConfigDir {
  const config = tempConfigDir();
  const network = readFixtureJson("stellar/networks/network.json");
  network.rpc_urls = [{ type_: "rpc", url: { type: "Plain", value: url }, weight: 100 }];
  config.write("networks/stellar_testnet.json", network);
  config.write("triggers/trigger.json", readFixtureJson("stellar/triggers/trigger.json"));
  return config;
}

describe("argus test-monitor on Stellar, through a Stellar-RPC server serving OZ's recorded data", () => {
  let rpc: StellarFixtureRpc;
  let config: TempConfigDir;

  beforeAll(async () => {
    // OZ's harness: every recorded transaction and event is served for the ledger under test (172627).
    rpc = await startStellarFixtureRpc({ mode: "conformance" });
    config = stellarConfig(rpc.url);
  });

  afterAll(async () => {
    config?.close();
    await rpc?.close();
  });

  it("EX-ST-01: monitor.json on ledger 172627 gives the SEP-41 transfer and the upsert_data call (a real process)", async () => {
    const run = await runArgus([
      "test-monitor",
      "--config-dir",
      config.dir,
      "--monitor",
      MONITOR,
      "--network",
      "stellar_testnet",
      "--block",
      "172627",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const matches = JSON.parse(run.stdout) as StellarMatch[];
    expect(matches.map((m) => m.Stellar.transaction.txHash.slice(0, 8))).toEqual(["2c89fc33", "FAKE5a3a"]);
    const [transfer, upsert] = matches.map((m) => m.Stellar);
    expect(transfer?.network_slug).toBe("stellar_testnet");
    expect(transfer?.ledger.sequence).toBe(172627);
    expect(transfer?.matched_on.functions).toEqual([
      { signature: "transfer(Address,Address,I128)", expression: "amount > 1000" },
    ]);
    expect(transfer?.matched_on.events.length).toBeGreaterThan(0);
    expect(transfer?.matched_on.transactions.length).toBe(1);
    expect(transfer?.matched_on_args.functions?.[0]?.args).toEqual([
      {
        name: "from",
        value: "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY",
        kind: "Address",
        indexed: false,
      },
      {
        name: "to",
        value: "CC7YMFMYZM2HE6O3JT5CNTFBHVXCZTV7CEYT56IGBHR4XFNTGTN62CPT",
        kind: "Address",
        indexed: false,
      },
      { name: "amount", value: "2240", kind: "I128", indexed: false },
    ]);
    expect(upsert?.matched_on.functions).toEqual([
      {
        signature: "upsert_data(Map<String,String>)",
        expression: "data.myKey1 >= 1234 AND data.myKey2 == 'Hello, world!'",
      },
    ]);
    expect(upsert?.matched_on.events).toEqual([]);
    // The specs came from the chain: getLedgerEntries was asked for the monitored contracts.
    expect(rpc.callsOf("getLedgerEntries").length).toBeGreaterThan(0);
  });

  it("exits 1 with a clear message for a ledger outside the RPC's retention window", async () => {
    const run = await runArgusInProcess([
      "test-monitor",
      "--config-dir",
      config.dir,
      "--monitor",
      MONITOR,
      "--network",
      "stellar_testnet",
      "--block",
      "5",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/retention|oldest ledger/i);
  });
});
