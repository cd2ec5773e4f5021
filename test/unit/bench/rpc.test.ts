import { describe, expect, it } from "vitest";
import { addRequest, emptyCounts, methodsOf } from "../../../bench/rpc/proxy.js";
import { parseArgs, phaseResult } from "../../../bench/rpc/run.js";

describe("RPC benchmark helpers", () => {
  it("methodsOf() counts each call of a batch and names head polls by their block tag", () => {
    expect(methodsOf('{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}')).toEqual(["eth_blockNumber"]);
    expect(
      methodsOf(
        JSON.stringify([
          { id: 1, method: "eth_getTransactionReceipt", params: ["0xab"] },
          { id: 2, method: "eth_getTransactionReceipt", params: ["0xcd"] },
        ]),
      ),
    ).toEqual(["eth_getTransactionReceipt", "eth_getTransactionReceipt"]);
    expect(methodsOf('{"method":"eth_getBlockByNumber","params":["latest",false]}')).toEqual([
      "eth_getBlockByNumber(latest)",
    ]);
    expect(methodsOf('{"method":"eth_getBlockByNumber","params":["0x10",true]}')).toEqual(["eth_getBlockByNumber"]);
    expect(methodsOf("not json")).toEqual(["(invalid)"]);
  });

  it("addRequest() counts HTTP requests apart from calls", () => {
    const counts = emptyCounts();
    addRequest(counts, ["a", "a", "b"]);
    addRequest(counts, ["b"]);
    expect(counts).toEqual({ calls: 4, httpRequests: 2, methods: { a: 2, b: 2 } });
  });

  it("phaseResult() compares with one instance per tenant: the 1-tenant calls per block times N", () => {
    const baseline = phaseResult(1, 10, { calls: 40, httpRequests: 40, methods: { x: 40 } });
    expect(baseline).toMatchObject({ callsPerBlock: 4, ratioVsSeparateInstances: 1, vsOneTenant: 1 });
    const many = phaseResult(1_000, 10, { calls: 44, httpRequests: 44, methods: { x: 44 } }, baseline.callsPerBlock);
    expect(many).toMatchObject({
      callsPerBlock: 4.4,
      separateInstancesCallsPerBlock: 4_000,
      ratioVsSeparateInstances: 0.0011,
      vsOneTenant: 1.1,
      methodsPerBlock: { x: 4.4 },
    });
  });

  it("parseArgs() takes defaults, --quick and explicit tenant lists", () => {
    expect(parseArgs([])).toEqual({ tenants: [1, 100, 1_000], blocks: 30, intervalMs: 400 });
    expect(parseArgs(["--quick"])).toMatchObject({ tenants: [1, 10, 100], blocks: 10 });
    expect(parseArgs(["--tenants", "100,1,100", "--blocks", "5"])).toMatchObject({ tenants: [1, 100], blocks: 5 });
    expect(() => parseArgs(["--tenants", "0"])).toThrow(/positive integers/);
    expect(() => parseArgs(["--bogus"])).toThrow(/unknown argument/);
  });
});
