// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OZ notification templates use ${…} placeholders in plain strings
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  buildTemplateVariables,
  type DeliverOptions,
  deliver,
  deliverWithRetry,
  renderDiscordBody,
  renderSlackBody,
  renderTelegramBody,
} from "../../../src/notify/index.js";
import {
  closedPort,
  startDiscordReceiver,
  startSlackReceiver,
  startTelegramReceiver,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../support/receivers.js";
import {
  discordTrigger,
  expectNoSecrets,
  FAST_RETRY,
  failed,
  MESSAGE,
  slackTrigger,
  TELEGRAM_TOKEN,
  telegramTrigger,
  usdcMatch,
  webhookTrigger,
} from "./support.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function track<T extends WebhookReceiver>(receiver: Promise<T>): Promise<T> {
  const started = await receiver;
  cleanups.push(() => started.close());
  return started;
}

/** Tests talk to 127.0.0.1 receivers, which the address guard refuses unless the operator allows it. */
const LOCAL: DeliverOptions = { allowPrivateNetworks: true, timeoutMs: 5_000 };
const match = usdcMatch();
const vars = buildTemplateVariables(match);

describe("Slack, Discord and Telegram deliveries", () => {
  it("posts the Slack body byte for byte to the webhook URL", async () => {
    const slack = await track(startSlackReceiver());
    const outcome = await deliver({ id: "d-1", trigger: slackTrigger(slack.webhookUrl), match }, LOCAL);
    expect(outcome).toMatchObject({ ok: true, channel: "slack", status: 200, responseBodySnippet: "ok" });
    const [request] = await slack.waitForRequests(1);
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(new URL(slack.webhookUrl).pathname);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.body.toString("utf8")).toBe(renderSlackBody(MESSAGE, vars).body);
    expect(JSON.parse(request?.body.toString("utf8") ?? "").blocks[0].text.text).toMatch(
      /^\*Mint USDC Token matched\*\n\nTransfer of 8181710000 to 0xf423d9c1ffeb6386639d024f3b241dab2331b635 in 0xd5069b22/,
    );
  });

  it("posts the Discord content and accepts 204 No Content", async () => {
    const discord = await track(startDiscordReceiver());
    const outcome = await deliver({ id: "d-2", trigger: discordTrigger(discord.webhookUrl), match }, LOCAL);
    expect(outcome).toMatchObject({ ok: true, channel: "discord", status: 204 });
    expect(outcome).not.toHaveProperty("truncation");
    const [request] = await discord.waitForRequests(1);
    expect(request?.body.toString("utf8")).toBe(renderDiscordBody(MESSAGE, vars).body);
  });

  it("reports a Discord message cut to 2,000 characters in the outcome", async () => {
    const discord = await track(startDiscordReceiver());
    const trigger = discordTrigger(discord.webhookUrl, { title: "T", body: `${"${functions}".repeat(20)}` });
    const outcome = await deliver({ id: "d-3", trigger, match }, LOCAL);
    expect(outcome.ok).toBe(true);
    expect(outcome.truncation).toMatchObject({ field: "content", deliveredLength: 2000, limit: 2000 });
    const [request] = await discord.waitForRequests(1);
    expect(JSON.parse(request?.body.toString("utf8") ?? "").content).toHaveLength(2000);
  });

  it("calls sendMessage on the configured Bot API base with the escaped MarkdownV2 body", async () => {
    const telegram = await track(startTelegramReceiver());
    const outcome = await deliver(
      { id: "d-4", trigger: telegramTrigger(), match },
      { ...LOCAL, telegramApiBaseUrl: telegram.apiBaseUrl },
    );
    expect(outcome).toMatchObject({ ok: true, channel: "telegram", status: 200 });
    const [request] = await telegram.waitForRequests(1);
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/bot${TELEGRAM_TOKEN}/sendMessage`);
    const expected = renderTelegramBody(
      { chat_id: "-1001234", disable_web_preview: true, message: MESSAGE },
      buildTemplateVariables(match),
    ).body;
    expect(request?.body.toString("utf8")).toBe(expected);
    expect(expected).toMatch(
      /^\{"chat_id":"-1001234","disable_web_page_preview":true,"parse_mode":"MarkdownV2","text":"\*Mint USDC Token matched\* \\n\\n/,
    );
  });
});

describe("webhook deliveries", () => {
  it("signs with OZ's X-Signature and the Standard Webhooks headers over exactly the bytes sent", async () => {
    const hook = await track(startWebhookReceiver());
    const secret = "webhook-secret-0123456789";
    const nowMs = 1_732_000_000_123;
    const trigger = webhookTrigger(`${hook.url}/hooks/argus?tenant=t1`, {
      secret: { type: "Plain", value: secret },
      headers: { Authorization: "Bearer abc", "X-Custom": "yes" },
    });
    const outcome = await deliver({ id: "msg_0123", trigger, match }, { ...LOCAL, now: () => nowMs });
    expect(outcome).toMatchObject({ ok: true, channel: "webhook", status: 200 });

    const [request] = await hook.waitForRequests(1);
    if (request === undefined) throw new Error("no request");
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/hooks/argus?tenant=t1");
    const body = request.body;
    expect(JSON.parse(body.toString("utf8"))).toEqual({
      title: "Mint USDC Token matched",
      body: expect.stringContaining("Transfer of 8181710000"),
    });
    expect(body.toString("utf8").startsWith('{"body":')).toBe(true);

    // OZ: hex HMAC-SHA256(secret, body + ms timestamp)
    expect(request.headers["x-timestamp"]).toBe("1732000000123");
    const oz = createHmac("sha256", secret)
      .update(Buffer.concat([body, Buffer.from("1732000000123")]))
      .digest("hex");
    expect(request.headers["x-signature"]).toBe(oz);

    // Standard Webhooks: base64 HMAC-SHA256(secret, "<id>.<seconds>.<body>")
    expect(request.headers["webhook-id"]).toBe("msg_0123");
    expect(request.headers["webhook-timestamp"]).toBe("1732000000");
    const signed = Buffer.concat([Buffer.from("msg_0123.1732000000."), body]);
    const standard = createHmac("sha256", secret).update(signed).digest("base64");
    expect(request.headers["webhook-signature"]).toBe(`v1,${standard}`);

    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers.authorization).toBe("Bearer abc");
    expect(request.headers["x-custom"]).toBe("yes");
    expect(request.headers["content-length"]).toBe(String(body.length));
  });

  it("sends a lowercase method exactly as configured", async () => {
    const hook = await track(startWebhookReceiver());
    await deliver({ id: "d", trigger: webhookTrigger(hook.url, { method: "post" }), match }, LOCAL);
    await deliver({ id: "d", trigger: webhookTrigger(hook.url, { method: "put" }), match }, LOCAL);
    await deliver({ id: "d", trigger: webhookTrigger(hook.url, { method: "DELETE" }), match }, LOCAL);
    const requests = await hook.waitForRequests(3);
    expect(requests.map((r) => r.method)).toEqual(["post", "put", "DELETE"]);
  });

  it("sends GET with the body, as OZ does", async () => {
    const hook = await track(startWebhookReceiver());
    await deliver({ id: "d", trigger: webhookTrigger(hook.url, { method: "GET" }), match }, LOCAL);
    const [request] = await hook.waitForRequests(1);
    expect(request?.method).toBe("GET");
    expect(JSON.parse(request?.body.toString("utf8") ?? "")).toHaveProperty("title");
  });

  it("raw mode sends the match JSON", async () => {
    const hook = await track(startWebhookReceiver());
    await deliver({ id: "d", trigger: webhookTrigger(hook.url, { payload_mode: "raw" }), match }, LOCAL);
    const [request] = await hook.waitForRequests(1);
    expect(request?.body.toString("utf8")).toBe(JSON.stringify(match));
    expect(Object.keys(JSON.parse(request?.body.toString("utf8") ?? "{}"))).toEqual(["EVM"]);
  });

  it("lets custom headers override Content-Type", async () => {
    const hook = await track(startWebhookReceiver());
    const trigger = webhookTrigger(hook.url, { headers: { "content-type": "text/plain; charset=utf-8" } });
    await deliver({ id: "d", trigger, match }, LOCAL);
    const [request] = await hook.waitForRequests(1);
    expect(request?.rawHeaders.filter(([name]) => name.toLowerCase() === "content-type")).toEqual([
      ["content-type", "text/plain; charset=utf-8"],
    ]);
  });

  it("sends URL credentials as Basic authorization and keeps them out of failures", async () => {
    const hook = await track(startWebhookReceiver());
    const url = `http://hook-user:pa%40ss-word-99@127.0.0.1:${hook.port}/in`;
    await deliver({ id: "d", trigger: webhookTrigger(url), match }, LOCAL);
    const [request] = await hook.waitForRequests(1);
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from("hook-user:pa@ss-word-99").toString("base64")}`);

    hook.respondWith({ status: 500, body: "hook-user:pa@ss-word-99 rejected" });
    const outcome = failed(await deliver({ id: "d", trigger: webhookTrigger(url), match }, LOCAL));
    expectNoSecrets(outcome, ["pa@ss-word-99", "pa%40ss-word-99"]);
  });

  it("N18: an empty secret fails the delivery without sending anything", async () => {
    const hook = await track(startWebhookReceiver());
    const trigger = webhookTrigger(hook.url, { secret: { type: "Plain", value: "" } });
    const outcome = failed(await deliver({ id: "d", trigger, match }, LOCAL));
    expect(outcome.error.code).toBe("NOTIFY_WEBHOOK_SECRET_EMPTY");
    expect(outcome.retryable).toBe(false);
    expect(hook.requests).toHaveLength(0);
  });

  it("resolves Environment secrets at delivery time and fails cleanly when missing", async () => {
    const hook = await track(startWebhookReceiver());
    const trigger = webhookTrigger(hook.url, { secret: { type: "Environment", value: "ARGUS_TEST_HOOK_SECRET" } });
    const ok = await deliver({ id: "d", trigger, match }, { ...LOCAL, env: { ARGUS_TEST_HOOK_SECRET: "from-env" } });
    expect(ok.ok).toBe(true);
    const missing = failed(await deliver({ id: "d", trigger, match }, { ...LOCAL, env: {} }));
    expect(missing.error.code).toBe("NOTIFY_SECRET_UNRESOLVED");
    expect(missing.retryable).toBe(false);
  });
});

describe("delivery outcomes", () => {
  it("retries a 500 and succeeds, with the same webhook-id on every attempt", async () => {
    const hook = await track(startWebhookReceiver());
    hook.respondWith({ status: 500, body: "boom" });
    const report = await deliverWithRetry({ id: "stable-id", trigger: webhookTrigger(hook.url), match }, LOCAL);
    expect(report.ok).toBe(true);
    expect(report.attempts).toHaveLength(2);
    const first = failed(report.attempts[0] ?? report.final);
    expect(first).toMatchObject({ retryable: true, status: 500, responseBodySnippet: "boom" });
    expect(first.error.code).toBe("NOTIFY_HTTP_STATUS");
    expect(report.final).toMatchObject({ ok: true, status: 200 });
    expect(hook.requests.map((r) => r.headers["webhook-id"])).toEqual(["stable-id", "stable-id"]);
  });

  it("reads Retry-After on a 429 and waits at least that long before retrying", async () => {
    const hook = await track(startWebhookReceiver());
    hook.respondWith({ status: 429, headers: { "Retry-After": "1" } });
    const single = failed(await deliver({ id: "d", trigger: webhookTrigger(hook.url), match }, LOCAL));
    expect(single).toMatchObject({ retryable: true, status: 429, retryAfterMs: 1000 });

    hook.respondWith({ status: 429, headers: { "Retry-After": "1" } });
    const report = await deliverWithRetry({ id: "d", trigger: webhookTrigger(hook.url), match }, LOCAL);
    expect(report.attempts.map((a) => a.status)).toEqual([429, 200]);
    const [, rateLimited, retried] = hook.requests;
    expect((retried?.receivedAt ?? 0) - (rateLimited?.receivedAt ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it("stops retrying when Retry-After exceeds max_backoff and hands the wait to the caller", async () => {
    const hook = await track(startWebhookReceiver());
    hook.respondWith({ status: 503, headers: { "Retry-After": "120" } });
    const report = await deliverWithRetry({ id: "d", trigger: webhookTrigger(hook.url), match }, LOCAL);
    expect(report.attempts).toHaveLength(1);
    expect(failed(report.final)).toMatchObject({ retryable: true, retryAfterMs: 120_000, status: 503 });
  });

  it("treats a 400 as permanent: one attempt, the answer kept", async () => {
    const hook = await track(startWebhookReceiver());
    hook.respondWith({ status: 400, body: '{"error":"invalid_payload"}' });
    const report = await deliverWithRetry({ id: "d", trigger: webhookTrigger(hook.url), match }, LOCAL);
    expect(report.attempts).toHaveLength(1);
    const outcome = failed(report.final);
    expect(outcome).toMatchObject({
      retryable: false,
      status: 400,
      responseBodySnippet: '{"error":"invalid_payload"}',
    });
    expect(outcome.error.message).toBe(`Webhook on ${hook.url} answered HTTP 400: {"error":"invalid_payload"}`);
  });

  it("gives up after max_retries on a receiver that keeps failing", async () => {
    const hook = await track(startWebhookReceiver({ defaultResponse: { status: 502 } }));
    const report = await deliverWithRetry({ id: "d", trigger: webhookTrigger(hook.url), match }, LOCAL);
    expect(report.attempts).toHaveLength(FAST_RETRY.max_retries + 1);
    expect(failed(report.final).retryable).toBe(true);
    expect(hook.requests).toHaveLength(4);
  });

  it("treats 408 as retryable and does not follow redirects", async () => {
    const hook = await track(startWebhookReceiver());
    hook.respondWith({ status: 408 }, { status: 302, headers: { Location: `${hook.url}/elsewhere` } });
    const timeout = failed(await deliver({ id: "d", trigger: webhookTrigger(hook.url), match }, LOCAL));
    expect(timeout).toMatchObject({ retryable: true, status: 408 });
    const redirect = failed(await deliver({ id: "d", trigger: webhookTrigger(hook.url), match }, LOCAL));
    expect(redirect).toMatchObject({ retryable: false, status: 302 });
    expect(redirect.error.hint).toMatch(/Redirects are not followed/);
    expect(hook.requests.map((r) => r.path)).toEqual(["/", "/"]);
  });

  it("times out a receiver that does not answer", async () => {
    const hook = await track(startWebhookReceiver());
    hook.respondWith({ hang: true });
    const outcome = failed(
      await deliver({ id: "d", trigger: webhookTrigger(hook.url), match }, { ...LOCAL, timeoutMs: 200 }),
    );
    expect(outcome.error.code).toBe("NOTIFY_TIMEOUT");
    expect(outcome.retryable).toBe(true);
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(190);
    expect(outcome.latencyMs).toBeLessThan(3_000);
  });

  it("reports a refused connection as a retryable network error", async () => {
    const port = await closedPort();
    const outcome = failed(
      await deliver({ id: "d", trigger: webhookTrigger(`http://127.0.0.1:${port}/hook`), match }, LOCAL),
    );
    expect(outcome.error.code).toBe("NOTIFY_NETWORK");
    expect(outcome.error.causeCode).toBe("ECONNREFUSED");
    expect(outcome.retryable).toBe(true);
  });

  it("aborts an attempt in flight when the signal fires", async () => {
    const hook = await track(startWebhookReceiver());
    hook.respondWith({ hang: true });
    const controller = new AbortController();
    const pending = deliver(
      { id: "d", trigger: webhookTrigger(hook.url), match },
      { ...LOCAL, signal: controller.signal },
    );
    await hook.waitForRequests(1);
    controller.abort();
    const outcome = failed(await pending);
    expect(outcome.error.code).toBe("NOTIFY_ABORTED");
  });
});

describe("secrets in outcomes", () => {
  it("never shows webhook paths, tokens or secrets, even when the receiver echoes them", async () => {
    const slack = await track(startSlackReceiver());
    const slackPath = new URL(slack.webhookUrl).pathname;
    slack.respondWith({ status: 404, body: `no_service for ${slackPath}` });
    const slackOutcome = failed(await deliver({ id: "d", trigger: slackTrigger(slack.webhookUrl), match }, LOCAL));
    expect(slackOutcome.responseBodySnippet).toBe("no_service for ***");
    expectNoSecrets(slackOutcome, [slackPath, "slackSecretPath0123456789"]);

    const telegram = await track(startTelegramReceiver());
    telegram.respondWith({ status: 401, body: `{"ok":false,"description":"Unauthorized bot${TELEGRAM_TOKEN}"}` });
    const telegramOutcome = failed(
      await deliver({ id: "d", trigger: telegramTrigger(), match }, { ...LOCAL, telegramApiBaseUrl: telegram.url }),
    );
    expectNoSecrets(telegramOutcome, [TELEGRAM_TOKEN, "ABCdefGHIjklMNOpqrSTUvwxYZ123456789"]);

    const discordPort = await closedPort();
    const discordUrl = `http://127.0.0.1:${discordPort}/api/webhooks/1234/discordToken-secret-abcdefghij`;
    const discordOutcome = failed(await deliver({ id: "d", trigger: discordTrigger(discordUrl), match }, LOCAL));
    expect(discordOutcome.error.message).toContain(`127.0.0.1:${discordPort}`);
    expectNoSecrets(discordOutcome, ["discordToken-secret-abcdefghij", "/api/webhooks/1234"]);

    const hook = await track(startWebhookReceiver());
    const secret = "hook-secret-value-42";
    hook.respondWith({
      status: 500,
      body: `bad signature for secret ${secret} at /private/path-99 with header-secret-7 (application/json)`,
    });
    const hookOutcome = failed(
      await deliver(
        {
          id: "d",
          trigger: webhookTrigger(`${hook.url}/private/path-99?token=query-secret-1`, {
            secret: { type: "Plain", value: secret },
            headers: { Authorization: "Bearer header-secret-7" },
          }),
          match,
        },
        LOCAL,
      ),
    );
    expectNoSecrets(hookOutcome, [secret, "/private/path-99", "query-secret-1", "header-secret-7"]);
    expect(hookOutcome.responseBodySnippet).toBe("bad signature for secret *** at *** with *** (application/json)");
  });
});
