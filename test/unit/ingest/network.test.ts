import { describe, expect, it } from "vitest";
import { type Network, parseNetwork } from "../../../src/config/index.js";
import { blockWatcherSettings, liveHeadUrls } from "../../../src/ingest/index.js";

function network(overrides: Record<string, unknown> = {}): Network {
  const parsed = parseNetwork(
    {
      network_type: "EVM",
      slug: "ethereum_mainnet",
      name: "Ethereum Mainnet",
      rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: "https://eth.example" }, weight: 100 }],
      chain_id: 1,
      block_time_ms: 12000,
      confirmation_blocks: 12,
      cron_schedule: "0 */1 * * * *",
      max_past_blocks: 18,
      store_blocks: false,
      ...overrides,
    },
    { now: new Date("2026-01-01T00:00:30Z") },
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

const url = (value: string, weight: number, type_ = "rpc") => ({ type_, url: { type: "Plain", value }, weight });

describe("blockWatcherSettings()", () => {
  it("takes confirmation_blocks, block_time_ms, cron_schedule and max_past_blocks from the network file", () => {
    expect(blockWatcherSettings(network())).toEqual({
      network: "ethereum_mainnet",
      confirmationBlocks: 12,
      maxPastBlocks: 18,
      blockTimeMs: 12000,
      cronSchedule: "0 */1 * * * *",
    });
    expect(blockWatcherSettings(network({ max_past_blocks: "unlimited" })).maxPastBlocks).toBe("unlimited");
  });

  it("defaults max_past_blocks to OZ's recommended value (blocks per cron interval + confirmations + 1)", () => {
    const settings = blockWatcherSettings(network({ max_past_blocks: undefined }), new Date("2026-01-01T00:00:30Z"));
    expect(settings.maxPastBlocks).toBe(5 + 12 + 1);
  });
});

describe("liveHeadUrls()", () => {
  it("picks the ws(s) entries of an EVM network, type_ rpc or ws_rpc, weight > 0, highest weight first", () => {
    const urls = liveHeadUrls(
      network({
        rpc_urls: [
          url("https://eth.example", 100),
          url("wss://b.example/ws", 50),
          url("ws://disabled.example", 0),
          url("wss://a.example/ws", 90, "ws_rpc"),
          url("wss://c.example/ws", 50),
        ],
      }),
    );
    expect(urls).toEqual(["wss://a.example/ws", "wss://b.example/ws", "wss://c.example/ws"]);
  });

  it("returns none for an HTTP-only network (it polls) and for other chains", () => {
    expect(liveHeadUrls(network())).toEqual([]);
    const stellar = network({
      network_type: "Stellar",
      slug: "stellar_testnet",
      name: "Stellar Testnet",
      rpc_urls: [url("wss://stellar.example", 100)],
      chain_id: undefined,
      network_passphrase: "Test SDF Network ; September 2015",
      block_time_ms: 5000,
      confirmation_blocks: 1,
    });
    expect(liveHeadUrls(stellar)).toEqual([]);
  });
});
