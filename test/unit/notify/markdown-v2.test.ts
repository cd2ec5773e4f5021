import { describe, expect, it } from "vitest";
import { escapeMarkdownV2 } from "../../../src/notify/index.js";

describe("escapeMarkdownV2()", () => {
  it.each([
    ["N11 brackets and braces", "(test) [test] {test} <test>", "\\(test\\) \\[test\\] \\{test\\} <test\\>"],
    ["N12 link: url escaped", "[link](https://example.com/test.html)", "[link](https://example\\.com/test\\.html)"],
    [
      "N13 not a link: everything escaped",
      "[test!*_]{link}](https://test.com/path[1])",
      "\\[test\\!\\*\\_\\]\\{link\\}\\]\\(https://test\\.com/path\\[1\\]\\)",
    ],
    ["N14 bold span copied verbatim", "*bold with [link](http://test.com)*", "*bold with [link](http://test.com)*"],
    ["N15 empty bold then a lone star", "***", "**\\*"],
    ["spec example", "Hello *world*!", "Hello *world*\\!"],
  ])("%s", (_name, input, expected) => {
    expect(escapeMarkdownV2(input)).toBe(expected);
  });

  it("N16: backslash-escapes every special character outside spans", () => {
    const specials = "_*[]()~`>#+-=|{}.!\\";
    expect(escapeMarkdownV2(specials)).toBe([...specials].map((c) => `\\${c}`).join(""));
  });

  it("leaves ordinary characters alone", () => {
    expect(escapeMarkdownV2("abc 123 :/ ? & % $ @ ' \" < , ; ü 😀")).toBe("abc 123 :/ ? & % $ @ ' \" < , ; ü 😀");
  });

  it("copies italic, strikethrough and inline code spans verbatim", () => {
    expect(escapeMarkdownV2("a _it.al_ b ~st-rike~ c `co.de` d.")).toBe("a _it.al_ b ~st-rike~ c `co.de` d\\.");
  });

  it("copies a code fence across lines verbatim, ending at the first closing fence", () => {
    expect(escapeMarkdownV2("x.\n```\nlet a = 1;\n```\ny.```z```")).toBe("x\\.\n```\nlet a = 1;\n```\ny\\.```z```");
  });

  it("prefers the code fence over inline code at the same position", () => {
    expect(escapeMarkdownV2("```a`b```!")).toBe("```a`b```\\!");
  });

  it("escapes the label of a link too", () => {
    expect(escapeMarkdownV2("[a.b!](https://x.io/a-b?c=d)")).toBe("[a\\.b\\!](https://x\\.io/a\\-b?c\\=d)");
  });

  it("takes the leftmost span: bold that starts before a link wins", () => {
    expect(escapeMarkdownV2("*[x](y)* [l](u.v)")).toBe("*[x](y)* [l](u\\.v)");
  });

  it("escapes unmatched markers", () => {
    expect(escapeMarkdownV2("a_b *c ~d `e")).toBe("a\\_b \\*c \\~d \\`e");
  });
});
