// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OZ notification templates use ${…} placeholders in plain strings
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DISCORD_CONTENT_LIMIT,
  ozSignature,
  renderDiscordBody,
  renderEmail,
  renderMarkdown,
  renderSlackBody,
  renderTelegramBody,
  renderWebhookBody,
  SLACK_SECTION_TEXT_LIMIT,
  smtpTlsModeForPort,
  standardWebhookKey,
  standardWebhookSignature,
  TELEGRAM_TEXT_LIMIT,
  TRUNCATION_MARKER,
  telegramSendMessageUrl,
  truncateText,
  webhookHeaders,
} from "../../../src/notify/index.js";

const message = { title: "Test Title", body: "Test Message" };
const none = new Map<string, string>();
const vars = new Map([
  ["monitor.name", "Large Transfer"],
  ["functions.0.signature", "transfer(address,uint256)"],
  ["functions.0.args.amount", "1000"],
]);

describe("Slack body", () => {
  it("is one mrkdwn section of *title* and body, keys sorted", () => {
    expect(renderSlackBody(message, none)).toEqual({
      body: '{"blocks":[{"text":{"text":"*Test Title*\\n\\nTest Message","type":"mrkdwn"},"type":"section"}]}',
    });
  });

  it("templates title and body", () => {
    const { body } = renderSlackBody({ title: "${monitor.name}", body: "amount ${functions.0.args.amount}" }, vars);
    expect(JSON.parse(body).blocks[0].text.text).toBe("*Large Transfer*\n\namount 1000");
  });

  it("cuts text beyond Slack's 3,000-character section limit and reports it", () => {
    const rendered = renderSlackBody({ title: "T", body: "x".repeat(5000) }, none);
    const text: string = JSON.parse(rendered.body).blocks[0].text.text;
    expect(text).toHaveLength(SLACK_SECTION_TEXT_LIMIT);
    expect(text.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(rendered.truncation).toEqual({ field: "text", originalLength: 5005, deliveredLength: 3000, limit: 3000 });
  });
});

describe("Discord body", () => {
  it("N07: is {content: *title*\\n\\nbody}", () => {
    expect(renderDiscordBody(message, none)).toEqual({ body: '{"content":"*Test Title*\\n\\nTest Message"}' });
  });

  it("keeps content of exactly 2,000 characters whole", () => {
    const body = "y".repeat(DISCORD_CONTENT_LIMIT - "*T*\n\n".length);
    const rendered = renderDiscordBody({ title: "T", body }, none);
    expect(JSON.parse(rendered.body).content).toHaveLength(2000);
    expect(rendered.truncation).toBeUndefined();
  });

  it("cuts content that substitution grew past 2,000 characters, ending in the marker, and reports it", () => {
    const long = new Map([["functions.0.args.data", "z".repeat(2500)]]);
    const rendered = renderDiscordBody({ title: "T", body: "data ${functions.0.args.data}" }, long);
    const content: string = JSON.parse(rendered.body).content;
    expect(content).toHaveLength(2000);
    expect(content.startsWith("*T*\n\ndata zzz")).toBe(true);
    expect(content.at(-1)).toBe("…");
    expect(rendered.truncation).toEqual({ field: "content", originalLength: 2510, deliveredLength: 2000, limit: 2000 });
  });
});

describe("truncateText()", () => {
  it("never splits a surrogate pair", () => {
    const text = `${"a".repeat(8)}😀😀`; // 12 code units
    expect(truncateText(text, 10)).toBe(`${"a".repeat(8)}…`);
    expect(truncateText(text, 11)).toBe(`${"a".repeat(8)}😀…`);
    expect(truncateText(text, 12)).toBe(text);
  });
});

describe("Telegram body", () => {
  const config = { chat_id: "-100123", disable_web_preview: false, message };

  it("has sorted keys, MarkdownV2 parse mode and the bold title followed by a space", () => {
    expect(renderTelegramBody(config, none)).toEqual({
      body: '{"chat_id":"-100123","disable_web_page_preview":false,"parse_mode":"MarkdownV2","text":"*Test Title* \\n\\nTest Message"}',
    });
  });

  it("escapes the templated title and body and carries disable_web_preview", () => {
    const rendered = renderTelegramBody(
      {
        chat_id: "42",
        disable_web_preview: true,
        message: { title: "Alert: ${monitor.name}!", body: "Value: ${functions.0.args.amount}.0 (see *bold*)" },
      },
      vars,
    );
    expect(JSON.parse(rendered.body)).toEqual({
      chat_id: "42",
      disable_web_page_preview: true,
      parse_mode: "MarkdownV2",
      text: "*Alert: Large Transfer\\!* \n\nValue: 1000\\.0 \\(see *bold*\\)",
    });
  });

  it("escapes the match-reasons block, keeping its bold and code spans", () => {
    const rendered = renderTelegramBody({ ...config, message: { title: "T", body: "${functions}" } }, vars);
    expect(JSON.parse(rendered.body).text).toBe(
      "*T* \n\n\n\n*Matched Functions:*\n\n*Reason 1*\n\n*Signature:* `transfer(address,uint256)`\n\n*Params:*\n\namount: `1000`",
    );
  });

  it("cuts the body so the visible text stays within 4,096 characters", () => {
    const rendered = renderTelegramBody({ ...config, message: { title: "T", body: "a.".repeat(3000) } }, none);
    const text: string = JSON.parse(rendered.body).text;
    expect(rendered.truncation).toEqual({ field: "text", originalLength: 6004, deliveredLength: 4096, limit: 4096 });
    const visible = text.replace(/\\(.)/g, "$1").replace(/^\*T\*/, "T");
    expect(visible).toHaveLength(TELEGRAM_TEXT_LIMIT);
    expect(text.endsWith("a\\.a…")).toBe(true);
  });

  it("builds the sendMessage URL from a configurable API base", () => {
    expect(telegramSendMessageUrl("123456789:abc")).toBe("https://api.telegram.org/bot123456789:abc/sendMessage");
    expect(telegramSendMessageUrl("1:x", "http://127.0.0.1:9/")).toBe("http://127.0.0.1:9/bot1:x/sendMessage");
  });
});

describe("webhook body", () => {
  const match = { EVM: { monitor: { name: "M" }, transaction: { hash: "0x1" }, network_slug: "ethereum_mainnet" } };

  it("N09: template mode is {title, body}, templated, keys sorted", () => {
    const body = renderWebhookBody({ payload_mode: "template", message }, none, match);
    expect(body).toBe('{"body":"Test Message","title":"Test Title"}');
    expect(JSON.parse(body)).toEqual({ title: "Test Title", body: "Test Message" });
    expect(
      renderWebhookBody({ payload_mode: "template", message: { title: "${monitor.name}", body: "${x}" } }, vars, match),
    ).toBe('{"body":"${x}","title":"Large Transfer"}');
  });

  it("raw mode is the match JSON as it is", () => {
    expect(renderWebhookBody({ payload_mode: "raw", message: { title: "", body: "" } }, vars, match)).toBe(
      JSON.stringify(match),
    );
  });
});

describe("webhook headers", () => {
  const body = '{"body":"Test Message","title":"Test Title"}';
  const nowMs = 1_700_000_000_000;

  it("N18: X-Signature is hex HMAC-SHA256(secret, body + ms timestamp), known answer", () => {
    expect(ozSignature("s", body, "1700000000000")).toBe(
      "4077ea6d2c66f6b94dd92ddb5508994b8e18b4360aac26479e1723b501717a4c",
    );
    const headers = webhookHeaders({ deliveryId: "msg_2a", body, nowMs, secret: "s" });
    expect(headers).toEqual([
      ["Content-Type", "application/json"],
      ["X-Signature", "4077ea6d2c66f6b94dd92ddb5508994b8e18b4360aac26479e1723b501717a4c"],
      ["X-Timestamp", "1700000000000"],
      ["webhook-id", "msg_2a"],
      ["webhook-timestamp", "1700000000"],
      ["webhook-signature", "v1,v3p44Jh881loec/+aW1azbvpnQMhgu1j6V+LsB4J/KI="],
    ]);
  });

  it("without a secret sends no signatures, but still webhook-id and webhook-timestamp", () => {
    expect(webhookHeaders({ deliveryId: "d1", body, nowMs: 1_700_000_000_999 })).toEqual([
      ["Content-Type", "application/json"],
      ["webhook-id", "d1"],
      ["webhook-timestamp", "1700000000"],
    ]);
  });

  it("custom headers override built-in ones case-insensitively and come last", () => {
    const headers = webhookHeaders({
      deliveryId: "d1",
      body,
      nowMs,
      custom: { "content-type": "application/vnd.custom+json", Authorization: "Bearer t", "X-Api-Key": "k" },
    });
    expect(headers).toEqual([
      ["webhook-id", "d1"],
      ["webhook-timestamp", "1700000000"],
      ["content-type", "application/vnd.custom+json"],
      ["Authorization", "Bearer t"],
      ["X-Api-Key", "k"],
    ]);
  });

  it("signs Standard Webhooks with the decoded key of a whsec_ secret", () => {
    const secret = "whsec_YXJndXMtc3RhbmRhcmQta2V5LTAxMjM0NTY3ODk=";
    expect(standardWebhookKey(secret).toString("utf8")).toBe("argus-standard-key-0123456789");
    expect(standardWebhookSignature(secret, "msg_2a", "1700000000", body)).toBe(
      "v1,H7qtmxsuGC4RrkT4XNnj8TJ4KjHZrQsU9cYyNaYpD+Q=",
    );
    const independent = createHmac("sha256", Buffer.from("YXJndXMtc3RhbmRhcmQta2V5LTAxMjM0NTY3ODk=", "base64"))
      .update(`msg_2a.1700000000.${body}`)
      .digest("base64");
    expect(standardWebhookSignature(secret, "msg_2a", "1700000000", body)).toBe(`v1,${independent}`);
  });

  it("signs the UTF-8 bytes of non-ASCII bodies", () => {
    const unicode = '{"body":"Über 1 000 €","title":"✓"}';
    const expected = createHmac("sha256", "k")
      .update(Buffer.from(`${unicode}123`, "utf8"))
      .digest("hex");
    expect(ozSignature("k", unicode, "123")).toBe(expected);
    expect(ozSignature("k", Buffer.from(unicode, "utf8"), "123")).toBe(expected);
  });
});

describe("email", () => {
  const config = {
    sender: "alerts@example.com",
    recipients: ["ops@example.com", "dev@example.com"],
    message: { title: "Alert: ${monitor.name}", body: "## Hi ${name}" },
  };

  it("N19: renders the templated body from Markdown to HTML", () => {
    const email = renderEmail(config, new Map([["name", "Bob"]]));
    expect(email.html).toBe("<h2>Hi Bob</h2>\n");
    expect(email.text).toBe("## Hi Bob");
  });

  it("templates the subject (§15) and sets From, Reply-To and To", () => {
    const email = renderEmail(config, vars);
    expect(email).toMatchObject({
      from: "alerts@example.com",
      replyTo: "alerts@example.com",
      to: ["ops@example.com", "dev@example.com"],
      subject: "Alert: Large Transfer",
    });
  });

  it("keeps substituted line breaks out of the subject", () => {
    const email = renderEmail(config, new Map([["monitor.name", "evil\r\nBcc: victim@example.com"]]));
    expect(email.subject).toBe("Alert: evil Bcc: victim@example.com");
  });

  it("renders GitHub-flavoured Markdown: tables, strikethrough, task lists, code", () => {
    expect(renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |")).toContain("<td>1</td>");
    expect(renderMarkdown("~~gone~~")).toBe("<p><del>gone</del></p>\n");
    expect(renderMarkdown("- [x] done")).toContain('<input checked="" disabled="" type="checkbox">');
    expect(renderMarkdown("amount: `1000`")).toBe("<p>amount: <code>1000</code></p>\n");
  });

  it("shows raw HTML as text instead of passing markup through", () => {
    expect(renderMarkdown('token <img src="https://evil.example/p.gif">')).toBe(
      "<p>token &lt;img src=&quot;https://evil.example/p.gif&quot;&gt;</p>\n",
    );
  });

  it("chooses implicit TLS for port 465 and STARTTLS otherwise", () => {
    expect(smtpTlsModeForPort(465)).toBe("implicit");
    expect(smtpTlsModeForPort(587)).toBe("starttls");
    expect(smtpTlsModeForPort(25)).toBe("starttls");
  });
});
