import { describe, expect, it } from "vitest";
import { isMethodUnsupported } from "../../../../src/chains/evm/index.js";
import { parseBlock, parseLogs, parseOptionalReceipt } from "../../../../src/chains/evm/normalize.js";
import { RpcAllEndpointsFailedError, RpcHttpError, RpcResponseError } from "../../../../src/chains/rpc/index.js";

const HASH = `0x${"ab".repeat(32)}`;

describe("parseBlock()", () => {
  const block = {
    number: "0x10",
    hash: HASH,
    parentHash: HASH,
    timestamp: "0x1",
    extraField: { kept: true },
    transactions: [{ hash: HASH, from: "0xABCDEFabcdef0123456789ABCDEF012345678901", to: null, custom: 1 }],
  };

  it("keeps unknown fields, lowercases addresses, keeps a null `to` (contract creation)", () => {
    const parsed = parseBlock("eth_getBlockByNumber", block);
    expect(parsed?.extraField).toEqual({ kept: true });
    expect(parsed?.transactions[0]).toEqual({
      hash: HASH,
      from: "0xabcdefabcdef0123456789abcdef012345678901",
      to: null,
      custom: 1,
    });
  });

  it("returns null for null", () => {
    expect(parseBlock("eth_getBlockByNumber", null)).toBeNull();
  });

  it.each([
    ["a non-hex number", { ...block, number: 16 }, ["number"]],
    ["a missing hash", { ...block, hash: undefined }, ["hash"]],
    ["transaction hashes instead of objects", { ...block, transactions: [HASH] }, ["transactions", 0]],
    ["a transaction without hash", { ...block, transactions: [{ from: "0x01" }] }, ["transactions", 0, "hash"]],
    ["a non-address from", { ...block, transactions: [{ hash: HASH, from: 42 }] }, ["transactions", 0, "from"]],
  ])("rejects %s with EVM_INVALID_RESPONSE and the field's path", (_name, value, path) => {
    expect(() => parseBlock("eth_getBlockByNumber", value)).toThrowError(
      expect.objectContaining({ code: "EVM_INVALID_RESPONSE", path, retryable: true }),
    );
  });
});

describe("parseOptionalReceipt() / parseLogs()", () => {
  it("lowercases receipt and log addresses", () => {
    const receipt = parseOptionalReceipt("eth_getTransactionReceipt", {
      transactionHash: HASH,
      from: "0xAAAA000000000000000000000000000000000000",
      contractAddress: null,
      logs: [{ address: "0xBBBB000000000000000000000000000000000000", topics: [HASH], data: "0x" }],
    });
    expect(receipt?.from).toBe("0xaaaa000000000000000000000000000000000000");
    expect(receipt?.contractAddress).toBeNull();
    expect(receipt?.logs[0]?.address).toBe("0xbbbb000000000000000000000000000000000000");
    expect(parseOptionalReceipt("eth_getTransactionReceipt", null)).toBeNull();
  });

  it("rejects logs without topics array", () => {
    expect(() => parseLogs("eth_getLogs", [{ address: "0x01", data: "0x" }])).toThrowError(
      expect.objectContaining({ code: "EVM_INVALID_RESPONSE", path: [0, "topics"] }),
    );
    expect(() => parseLogs("eth_getLogs", { not: "an array" })).toThrowError(
      expect.objectContaining({ code: "EVM_INVALID_RESPONSE" }),
    );
  });
});

describe("isMethodUnsupported()", () => {
  const response = (code: number, message: string) =>
    new RpcResponseError({ method: "eth_getBlockReceipts", endpoint: "http://x/", code, message });

  it.each([
    [response(-32601, "the method eth_getBlockReceipts does not exist/is not available"), true],
    [response(-32004, "Method eth_getBlockReceipts is not supported"), true],
    [response(-32602, "unsupported method"), true],
    [response(-32600, "eth_getBlockReceipts does not exist"), true],
    [response(-32602, "invalid argument 0: hex string without 0x prefix"), false],
    [response(-32000, "header not found"), false],
    [new RpcHttpError({ method: "eth_getBlockReceipts", endpoint: "http://x/", status: 404 }), false],
  ])("classifies %o as %s", (error, expected) => {
    expect(isMethodUnsupported(error)).toBe(expected);
  });

  it("treats 'every endpoint said unsupported' as unsupported", () => {
    const causes = [
      { endpoint: "a", error: response(-32601, "not found") },
      { endpoint: "b", error: response(-32004, "not supported") },
    ];
    expect(isMethodUnsupported(new RpcAllEndpointsFailedError({ method: "m", attempts: 1, causes }))).toBe(true);
    const mixed = [...causes, { endpoint: "c", error: response(-32000, "header not found") }];
    expect(isMethodUnsupported(new RpcAllEndpointsFailedError({ method: "m", attempts: 1, causes: mixed }))).toBe(
      false,
    );
  });
});
