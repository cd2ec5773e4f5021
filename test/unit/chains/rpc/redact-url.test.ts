import { describe, expect, it } from "vitest";
import { redactUrl } from "../../../../src/chains/rpc/index.js";
import { scrubSecrets, urlSecrets } from "../../../../src/chains/rpc/redact-url.js";

describe("redactUrl()", () => {
  it.each([
    ["https://eth.example.com/", "https://eth.example.com/"],
    ["https://user:pa55word@eth.example.com/rpc", "https://***@eth.example.com/rpc"],
    ["https://eth.example.com/rpc?apikey=s3cret&chain=1", "https://eth.example.com/rpc?apikey=***&chain=***"],
    ["https://eth-mainnet.g.alchemy.com/v2/AbCdEf0123456789xyzw", "https://eth-mainnet.g.alchemy.com/v2/***"],
    ["https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef", "https://mainnet.infura.io/v3/***"],
    ["http://127.0.0.1:8545", "http://127.0.0.1:8545/"],
    ["https://rpc.example.com/mainnet-archive-node/", "https://rpc.example.com/mainnet-archive-node/"],
    ["https://rpc.example.com/?s3cretOnly", "https://rpc.example.com/?s3cretOnly=***"],
    ["not a url", "<invalid url>"],
  ])("redacts %s as %s", (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it("keeps port and protocol so endpoints stay distinguishable", () => {
    expect(redactUrl("https://a:b@node.example.com:8443/x?k=v")).toBe("https://***@node.example.com:8443/x?k=***");
  });
});

describe("scrubSecrets()", () => {
  it("removes every secret of a URL from free text, raw or URL-decoded", () => {
    const url = "https://bob:p%40ss@x.example/v2/Key0123456789abcdefgh?apikey=Q1Q2Q3";
    const text = "connect failed for bob p@ss p%40ss Key0123456789abcdefgh Q1Q2Q3";
    const scrubbed = scrubSecrets(text, urlSecrets(url));
    for (const secret of ["bob", "p@ss", "p%40ss", "Key0123456789abcdefgh", "Q1Q2Q3"]) {
      expect(scrubbed).not.toContain(secret);
    }
  });
});
