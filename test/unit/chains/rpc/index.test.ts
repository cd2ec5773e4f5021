import { describe, expect, it } from "vitest";
import * as rpc from "../../../../src/chains/rpc/index.js";

describe("chains/rpc public surface", () => {
  it("exports exactly these names", () => {
    expect(Object.keys(rpc).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_RETRY_POLICY",
        "RpcAllEndpointsFailedError",
        "RpcConfigError",
        "RpcHttpError",
        "RpcMalformedResponseError",
        "RpcNetworkError",
        "RpcResponseError",
        "RpcTimeoutError",
        "RpcTransportClosedError",
        "backoffDelay",
        "createRpcTransport",
        "parseRetryAfter",
        "redactUrl",
      ]
    `);
  });
});
