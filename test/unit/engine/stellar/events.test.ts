/**
 * Event decoding and matching (§4.6): the fixture's SEP-41 transfer event, and Protocol 23 event specs
 * (`contract_spec_with_events.json`) on synthetic events built with the SDK's XDR types.
 */
import { xdr } from "@stellar/stellar-sdk";
import { describe, expect, it } from "vitest";
import { decodeStellarContractEvent, topicStrings } from "../../../../src/engine/stellar/event.js";
import { compileStellarSpec } from "../../../../src/engine/stellar/spec.js";
import { loadStellarFixtures } from "../../../support/stellar-fixture-rpc.js";
import {
  CALLER_CONTRACT,
  COUNTER_CONTRACT,
  decodedEvent,
  FROM_ACCOUNT,
  fetchedSpecs,
  fixtureLedger,
  hashes,
  MONITOR_ADDRESSES,
  map,
  rpcEvent,
  run,
  SPEC,
  SPEC_WITH_EVENTS,
  stellarMonitor,
  string,
  symbol,
  TX_INCREMENT,
  TX_TRANSFER,
  USDC_SAC,
  u32,
  vec,
} from "./fixtures.js";

const SEP41 = "transfer(Address,Address,String,I128)";
const TRANSFER_EVENT_ARGS = [
  { name: "0", value: FROM_ACCOUNT, kind: "Address", indexed: true },
  { name: "1", value: "CC7YMFMYZM2HE6O3JT5CNTFBHVXCZTV7CEYT56IGBHR4XFNTGTN62CPT", kind: "Address", indexed: true },
  { name: "2", value: "USDC:GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5", kind: "String", indexed: true },
  { name: "3", value: "2240", kind: "I128", indexed: false },
];
const fixtureEvents = loadStellarFixtures().events;

function eventMonitor(conditions: Array<{ signature: string; expression: string | null }>, addresses = [USDC_SAC]) {
  return stellarMonitor(addresses, { events: conditions });
}

describe("the SEP-41 transfer event without an event spec", () => {
  it("decodes as transfer(Address,Address,String,I128) with positional args 0..3", () => {
    const { matches } = run([eventMonitor([{ signature: SEP41, expression: "3 >= 2240" }])]);
    expect(hashes(matches)).toEqual([TX_TRANSFER]);
    expect(matches[0]?.payload.matched_on).toEqual({
      functions: [],
      events: [{ signature: SEP41, expression: "3 >= 2240" }],
      transactions: [],
    });
    expect(matches[0]?.payload.matched_on_args).toEqual({
      functions: null,
      events: [{ signature: SEP41, args: TRANSFER_EVENT_ARGS }],
    });
  });

  it("decodes the same with a contract spec that has no events (monitor.json's condition matches)", () => {
    const expression = "0 == GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY AND 3 >= 2240";
    const monitor = eventMonitor([{ signature: SEP41, expression }], MONITOR_ADDRESSES);
    const { matches } = run([monitor], { specs: fetchedSpecs(MONITOR_ADDRESSES) });
    expect(hashes(matches)).toEqual([TX_TRANSFER]);
    expect(matches[0]?.payload.matched_on_args.events?.[0]?.args).toEqual(TRANSFER_EVENT_ARGS);
  });

  it("evaluates expressions on the positional args", () => {
    for (const [expression, matched] of [
      ["3 > 2240", false],
      ["3 == 2240 AND 1 starts_with 'cc7y'", true],
      ["2 == 'usdc:gbbd47if6lwk7p7mdevscwr7dpuwv3ny3dtqevfl4nat4aqh3zllfla5'", true],
      ["2 contains 'EURC'", false],
      ["0 != GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY OR 3 < 10", false],
      ["4 == 1", false],
    ] as const) {
      const { matches } = run([eventMonitor([{ signature: SEP41, expression }])]);
      expect(matches.length, expression).toBe(matched ? 1 : 0);
    }
  });

  it("needs the whole signature: other kinds or names do not match", () => {
    for (const signature of ["transfer(Address,Address,I128)", "transfer", "Transfer(Address,Address,String)"]) {
      expect(run([eventMonitor([{ signature, expression: null }])]).matches, signature).toEqual([]);
    }
    const spaced = run([eventMonitor([{ signature: " transfer(Address, Address, String, I128)", expression: null }])]);
    expect(hashes(spaced.matches)).toEqual([TX_TRANSFER]);
  });

  it("records a match without expression in matched_on.events but not in matched_on_args.events (OZ quirk)", () => {
    const { matches } = run([eventMonitor([{ signature: SEP41, expression: null }])]);
    expect(hashes(matches)).toEqual([TX_TRANSFER]);
    expect(matches[0]?.payload.matched_on.events).toEqual([{ signature: SEP41, expression: null }]);
    expect(matches[0]?.payload.matched_on_args).toEqual({ functions: null, events: [] });
  });

  it("tries every condition with the event's signature, recording each one that passes (no early stop)", () => {
    const { matches } = run([
      eventMonitor([
        { signature: SEP41, expression: "3 > 1000" },
        { signature: SEP41, expression: null },
        { signature: "mint(Address,I128)", expression: null },
        { signature: SEP41, expression: "3 > 5000" },
        { signature: SEP41, expression: "0 == GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY" },
      ]),
    ]);
    expect(matches[0]?.payload.matched_on.events).toEqual([
      { signature: SEP41, expression: "3 > 1000" },
      { signature: SEP41, expression: null },
      { signature: SEP41, expression: "0 == GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY" },
    ]);
    expect(matches[0]?.payload.matched_on_args.events?.map((entry) => entry.signature)).toEqual([SEP41, SEP41]);
  });

  it("ignores events of contracts the monitor does not list, and decodes those it lists", () => {
    expect(run([eventMonitor([{ signature: SEP41, expression: null }], [COUNTER_CONTRACT])]).matches).toEqual([]);
    const called = "contract_called(Address,String,String,Bytes32,Bytes128)";
    const { matches } = run([eventMonitor([{ signature: called, expression: "1 == 'ganache-0'" }], [CALLER_CONTRACT])]);
    expect(hashes(matches).map((hash) => hash.slice(0, 8))).toEqual(["5a7bf196"]);
    expect(matches[0]?.payload.matched_on_args.events?.[0]?.args.map((arg) => [arg.name, arg.kind])).toEqual([
      ["0", "Address"],
      ["1", "String"],
      ["2", "String"],
      ["3", "Bytes32"],
      ["4", "Bytes128"],
    ]);
  });

  it("adds one record per matching event of the transaction, in event order", () => {
    const second = { ...(fixtureEvents[1] as (typeof fixtureEvents)[1]), id: "0000741424189841409-0000000001" };
    const ledger = fixtureLedger([...fixtureEvents, second]);
    const { matches } = run([eventMonitor([{ signature: SEP41, expression: "3 == 2240" }])], { ledger });
    expect(matches).toHaveLength(1);
    expect(matches[0]?.payload.matched_on.events).toHaveLength(2);
    expect(matches[0]?.payload.matched_on_args.events).toHaveLength(2);
  });
});

describe("Protocol 23 event specs (contract_spec_with_events.json)", () => {
  const withEvents = { address: COUNTER_CONTRACT, contract_spec: SPEC_WITH_EVENTS };
  const eventsSpec = compileStellarSpec(SPEC_WITH_EVENTS).spec;
  const ledgerWith = (...events: Array<[xdr.ScVal[], xdr.ScVal]>) =>
    fixtureLedger([
      ...fixtureEvents,
      ...events.map(([topics, value], i) => rpcEvent(COUNTER_CONTRACT, TX_INCREMENT, topics, value, i)),
    ]);
  /** The last event of the ledger, decoded with the events spec; its signature must be `signature`. */
  const argsOf = (signature: string, ledger: ReturnType<typeof ledgerWith>, last = 1) => {
    const event = ledger.events.at(-last) as (typeof ledger.events)[number];
    const decoded = decodeStellarContractEvent(event, topicStrings(event.topicsXdr), eventsSpec);
    expect(decoded?.signature).toBe(signature);
    return decoded?.args;
  };
  const userAdded = (data: xdr.ScVal) => ledgerWith([[symbol("user"), symbol("add"), symbol("alice")], data]);

  it("selects the spec event by its prefix topics and names args from the spec params", () => {
    const ledger = userAdded(
      map([
        ["name", string("Alice")],
        ["age", u32(30)],
        ["email", string("alice@example.com")],
      ]),
    );
    const signature = "UserAdded(Symbol,String,U32,String)";
    const { matches } = run(
      [stellarMonitor([withEvents], { events: [{ signature, expression: "age >= 18 AND id == 'alice'" }] })],
      { ledger },
    );
    expect(hashes(matches)).toEqual([TX_INCREMENT]);
    expect(matches[0]?.payload.matched_on_args.events).toEqual([
      {
        signature,
        args: [
          { name: "id", value: "alice", kind: "Symbol", indexed: true },
          { name: "name", value: "Alice", kind: "String", indexed: false },
          { name: "age", value: "30", kind: "U32", indexed: false },
          { name: "email", value: "alice@example.com", kind: "String", indexed: false },
        ],
      },
    ]);
  });

  it("unpacks map data in spec order, skipping data params the map lacks and keys the spec does not name", () => {
    const ledger = userAdded(
      map([
        ["extra", u32(1)],
        ["email", string("e@x")],
        ["name", string("Bob")],
      ]),
    );
    const decoded = decodeStellarContractEvent(
      ledger.events.at(-1) as (typeof ledger.events)[number],
      topicStrings((ledger.events.at(-1) as (typeof ledger.events)[number]).topicsXdr),
      compileStellarSpec(SPEC_WITH_EVENTS).spec,
    );
    expect(decoded?.signature).toBe("UserAdded(Symbol,String,String)");
    expect(decoded?.args.map((arg) => [arg.name, arg.value])).toEqual([
      ["id", "alice"],
      ["name", "Bob"],
      ["email", "e@x"],
    ]);
  });

  it("skips an event whose map data has none of the spec's data params", () => {
    const ledger = userAdded(map([["unrelated", u32(1)]]));
    const event = ledger.events.at(-1) as (typeof ledger.events)[number];
    expect(
      decodeStellarContractEvent(event, topicStrings(event.topicsXdr), compileStellarSpec(SPEC_WITH_EVENTS).spec),
    ).toBeNull();
    // Without a spec the same event decodes (whole value as one arg).
    expect(decodeStellarContractEvent(event, topicStrings(event.topicsXdr), null)?.signature).toBe(
      "user(Symbol,Symbol,Map<String,U32>)",
    );
  });

  it("decodes a single-topic event (MessageEvent), its map data named by the param", () => {
    const ledger = ledgerWith([[symbol("message")], map([["message", string("hi")]])]);
    expect(argsOf("MessageEvent(String)", ledger)).toEqual([
      { name: "message", value: "hi", kind: "String", indexed: false },
    ]);
    const monitor = stellarMonitor([withEvents], {
      events: [{ signature: "MessageEvent(String)", expression: "message == 'HI'" }],
    });
    expect(hashes(run([monitor], { ledger }).matches)).toEqual([TX_INCREMENT]);
  });

  it("names scalar data by the first data param", () => {
    expect(argsOf("MessageEvent(String)", ledgerWith([[symbol("message")], string("plain")]))).toEqual([
      { name: "message", value: "plain", kind: "String", indexed: false },
    ]);
  });

  it("unpacks vector data positionally, named by the data params (else by position)", () => {
    const items = vec([string("a"), string("b")]);
    const ledger = ledgerWith(
      [[symbol("data"), symbol("list")], vec([items, u32(2)])],
      [[symbol("data"), symbol("list")], vec([items, u32(2), u32(9)])],
    );
    expect(argsOf("DataListEvent(Vec<String>,U32)", ledger, 2)).toEqual([
      { name: "items", value: "[a,b]", kind: "Vec<String>", indexed: false },
      { name: "count", value: "2", kind: "U32", indexed: false },
    ]);
    expect(argsOf("DataListEvent(Vec<String>,U32,U32)", ledger)?.map((arg) => arg.name)).toEqual([
      "items",
      "count",
      "2",
    ]);
  });

  it("falls back to the first topic string as name when no spec event's prefix matches", () => {
    const ledger = ledgerWith([[symbol("user"), symbol("remove"), symbol("alice")], u32(7)]);
    expect(argsOf("user(Symbol,Symbol,U32)", ledger)).toEqual([
      { name: "0", value: "remove", kind: "Symbol", indexed: true },
      { name: "1", value: "alice", kind: "Symbol", indexed: true },
      { name: "2", value: "7", kind: "U32", indexed: false },
    ]);
  });

  it("selects a spec event without prefix topics by its name, skipping no topic", () => {
    const spec = [
      {
        event_v0: {
          name: "Ping",
          prefix_topics: [],
          params: [
            { name: "who", type_: "symbol", location: "topic_list" },
            { name: "n", type_: "u32", location: "data" },
          ],
          data_format: "single_value",
        },
      },
    ];
    const ledger = ledgerWith([[symbol("Ping")], u32(5)]);
    const event = ledger.events.at(-1) as (typeof ledger.events)[number];
    const decoded = decodeStellarContractEvent(event, topicStrings(event.topicsXdr), compileStellarSpec(spec).spec);
    expect(decoded?.signature).toBe("Ping(Symbol,U32)");
    expect(decoded?.args.map((arg) => [arg.name, arg.value, arg.indexed])).toEqual([
      ["who", "Ping", true],
      ["n", "5", false],
    ]);
  });
});

describe("topicStrings()", () => {
  it("reads Symbol and String topics and stops at the first topic that is not text", () => {
    const event = decodedEvent(fixtureEvents[1] as (typeof fixtureEvents)[1]);
    expect(topicStrings(event.topicsXdr)[0]).toBe("transfer");
    expect(
      topicStrings([
        symbol("user").toXDR("base64"),
        string("add").toXDR("base64"),
        xdr.ScVal.scvVoid().toXDR("base64"),
        symbol("later").toXDR("base64"),
      ]),
    ).toEqual(["user", "add"]);
  });

  it("trims NUL padding and accepts an 8-byte topic as an empty string", () => {
    expect(topicStrings([symbol("abc").toXDR("base64")])).toEqual(["abc"]);
    expect(topicStrings([u32(5).toXDR("base64")])).toEqual([""]);
  });

  it("stops at invalid base64 and at bytes that are not UTF-8", () => {
    expect(topicStrings(["not base64!", symbol("x").toXDR("base64")])).toEqual([]);
    const invalidUtf8 = xdr.ScVal.scvBytes(Buffer.from([0xff, 0xfe])).toXDR("base64");
    expect(topicStrings([invalidUtf8])).toEqual([]);
    expect(topicStrings([])).toEqual([]);
  });

  it("skips events without any topic string", () => {
    const ledger = fixtureLedger([rpcEvent(COUNTER_CONTRACT, TX_INCREMENT, [xdr.ScVal.scvVoid()], u32(1))]);
    const event = ledger.events[0] as (typeof ledger.events)[number];
    expect(decodeStellarContractEvent(event, topicStrings(event.topicsXdr), null)).toBeNull();
    expect(
      run([eventMonitor([{ signature: "(U32)", expression: null }], [COUNTER_CONTRACT])], { ledger }).matches,
    ).toEqual([]);
  });
});

describe("event specs and SPEC together", () => {
  it("uses SPEC (no events) for the transfer event of a monitored contract", () => {
    const monitor = eventMonitor([{ signature: SEP41, expression: null }]);
    expect(hashes(run([monitor], { specs: fetchedSpecs([USDC_SAC], SPEC) }).matches)).toEqual([TX_TRANSFER]);
  });
});
