// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OZ notification templates use ${…} placeholders in plain strings
/**
 * `./bin/argus start` as a real process delivering one token transfer to every HTTP/SMTP channel at once: Slack-,
 * Discord- and Telegram-shaped receivers (reached through the operator's endpoint overrides), a real SMTP server
 * with STARTTLS and AUTH (its throwaway CA trusted through NODE_EXTRA_CA_CERTS), a signed webhook, and a second
 * webhook whose receiver is down for a while (connection refused), then comes up: retried, then delivered once.
 */
import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HardhatNode, startHardhat } from "../../src/devchain/index.js";
import { createStore, DEFAULT_TENANT_ID, deliveries, type Store } from "../../src/store/index.js";
import {
  closedPort,
  type SmtpReceiver,
  startDiscordReceiver,
  startSlackReceiver,
  startSmtpReceiver,
  startTelegramReceiver,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../support/receivers.js";
import { type DeployedToken, deployToken } from "../support/token.js";
import {
  type ArgusProcess,
  fastRetry,
  hardhatNetwork,
  metric,
  startArgusProcess,
  transferMonitor,
  waitFor,
  writeConfig,
} from "./argus-process.js";

const SLACK_PATH = "/services/T0ARGUS01/B0ARGUS02/slackSecretPath0123456789";
const DISCORD_PATH = "/api/webhooks/112233445566778899/discordSecretToken-abcdefghijklmnopqrstuvwxyz0123456789";
const TELEGRAM_TOKEN = "123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi";
const WEBHOOK_SECRET = `whsec_${Buffer.from("argus-e2e-standard-webhooks-key").toString("base64")}`;
const MESSAGE = {
  title: "${monitor.name} - ${events.0.args.value}",
  body: "Transfer of ${events.0.args.value} in ${transaction.hash} from ${transaction.from}",
};

type Receiver = WebhookReceiver & { webhookUrl?: string };

describe("argus start delivering to every channel", () => {
  let node: HardhatNode;
  let token: DeployedToken;
  let root: string;
  let slack: Receiver;
  let discord: Receiver;
  let telegram: Receiver;
  let webhook: WebhookReceiver;
  let smtp: SmtpReceiver;
  let flaky: WebhookReceiver | undefined;
  let argus: ArgusProcess | undefined;
  let store: Store | undefined;

  beforeAll(async () => {
    node = await startHardhat();
    token = await deployToken(node);
    [slack, discord, telegram, webhook, smtp] = await Promise.all([
      startSlackReceiver(),
      startDiscordReceiver(),
      startTelegramReceiver(),
      startWebhookReceiver(),
      startSmtpReceiver({ tls: "starttls" }),
    ]);
    root = await mkdtemp(path.join(tmpdir(), "argus-e2e-channels-"));
  }, 180_000);

  afterAll(async () => {
    await argus?.kill();
    await store?.close();
    for (const receiver of [slack, discord, telegram, webhook, flaky]) await receiver?.close();
    await smtp?.close();
    await node?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("sends OZ payloads to Slack, Discord, Telegram, email and webhooks; retries a down receiver until it is up", async () => {
    const flakyPort = await closedPort();
    const retry = fastRetry(3);
    const config = await writeConfig(root, {
      network: hardhatNetwork(node),
      triggers: {
        to_slack: {
          name: "Slack",
          trigger_type: "slack",
          config: {
            slack_url: { type: "Plain", value: `https://hooks.slack.com${SLACK_PATH}` },
            message: MESSAGE,
            retry_policy: retry,
          },
        },
        to_discord: {
          name: "Discord",
          trigger_type: "discord",
          config: {
            discord_url: { type: "Plain", value: `https://discord.com${DISCORD_PATH}` },
            message: MESSAGE,
            retry_policy: retry,
          },
        },
        to_telegram: {
          name: "Telegram",
          trigger_type: "telegram",
          config: {
            token: { type: "Environment", value: "E2E_TELEGRAM_TOKEN" },
            chat_id: "-100123456",
            disable_web_preview: true,
            message: MESSAGE,
            retry_policy: retry,
          },
        },
        to_email: {
          name: "Email",
          trigger_type: "email",
          config: {
            host: smtp.host,
            port: smtp.port,
            username: { type: "Plain", value: "argus" },
            password: { type: "Environment", value: "E2E_SMTP_PASSWORD" },
            message: MESSAGE,
            sender: "alerts@argus.example",
            recipients: ["ops@argus.example", "dev@argus.example"],
            retry_policy: retry,
          },
        },
        to_webhook: {
          name: "Webhook",
          trigger_type: "webhook",
          config: {
            url: { type: "Plain", value: `${webhook.url}/hook` },
            method: "POST",
            secret: { type: "Plain", value: WEBHOOK_SECRET },
            headers: { "X-Team": "e2e" },
            message: MESSAGE,
            retry_policy: retry,
          },
        },
        to_flaky: {
          name: "Webhook that is down for a while",
          trigger_type: "webhook",
          config: {
            url: { type: "Plain", value: `http://127.0.0.1:${flakyPort}/later` },
            message: MESSAGE,
            retry_policy: fastRetry(30),
          },
        },
      },
      monitor: transferMonitor(token.address, [
        "to_slack",
        "to_discord",
        "to_telegram",
        "to_email",
        "to_webhook",
        "to_flaky",
      ]),
    });
    const caFile = path.join(root, "smtp-ca.pem");
    await writeFile(caFile, smtp.cert);
    const data = path.join(root, "data");
    argus = startArgusProcess(config, data, {
      ARGUS_SLACK_BASE_URL: slack.url,
      ARGUS_DISCORD_BASE_URL: discord.url,
      ARGUS_TELEGRAM_API_BASE_URL: telegram.url,
      E2E_TELEGRAM_TOKEN: TELEGRAM_TOKEN,
      E2E_SMTP_PASSWORD: "smtp-password",
      NODE_EXTRA_CA_CERTS: caFile,
    });
    const url = await argus.url;
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 30_000 }).toBe(200);

    const [, alice] = token.accounts as [Address, Address];
    const sent = await token.transfer(alice, 4242n);
    await node.rpc("evm_mine"); // one confirmation
    const from = token.accounts[0]!.toLowerCase();
    const title = "Token transfers - 4242";
    const body = `Transfer of 4242 in ${sent.hash} from ${from}`;

    const why = () => argus?.output() ?? "";
    await Promise.all([slack, discord, telegram, webhook].map((r) => r.waitForRequests(1, 30_000)));
    await waitFor(
      () => smtp.messages.length >= 1,
      () => `no e-mail arrived\n${why()}`,
    );

    // The down receiver was tried (connection refused) and is being retried; now it comes up.
    await waitFor(
      async () =>
        (await metric(url, 'argus_delivery_attempts_total{channel="webhook",outcome="retryable_failure"}')) >= 2,
      () => `the down webhook was not retried\n${why()}`,
    );
    flaky = await startWebhookReceiver({ port: flakyPort });
    await flaky.waitForRequests(1, 30_000);
    // Time for a duplicate to show up, if there were one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await argus.stop()).toBe(0);

    // Slack: one mrkdwn section, keys sorted as OZ serialises them.
    const [toSlack] = slack.requests;
    expect(slack.requests).toHaveLength(1);
    expect(toSlack?.method).toBe("POST");
    expect(toSlack?.path).toBe(SLACK_PATH);
    expect(toSlack?.headers["content-type"]).toBe("application/json");
    expect(toSlack?.body.toString()).toBe(
      JSON.stringify({ blocks: [{ text: { text: `*${title}*\n\n${body}`, type: "mrkdwn" }, type: "section" }] }),
    );

    // Discord: `content`.
    expect(discord.requests).toHaveLength(1);
    expect(discord.requests[0]?.path).toBe(DISCORD_PATH);
    expect(discord.requests[0]?.body.toString()).toBe(JSON.stringify({ content: `*${title}*\n\n${body}` }));

    // Telegram: sendMessage with MarkdownV2 escaping ("-" is reserved), the token only in the path.
    expect(telegram.requests).toHaveLength(1);
    expect(telegram.requests[0]?.path).toBe(`/bot${TELEGRAM_TOKEN}/sendMessage`);
    expect(JSON.parse(telegram.requests[0]?.body.toString() ?? "")).toEqual({
      chat_id: "-100123456",
      disable_web_page_preview: true,
      parse_mode: "MarkdownV2",
      text: `*Token transfers \\- 4242* \n\n${body}`,
    });

    // Email: STARTTLS, AUTH, templated subject, every recipient, HTML and text parts naming the transaction.
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail).toMatchObject({
      from: "alerts@argus.example",
      to: ["ops@argus.example", "dev@argus.example"],
      user: "argus",
      secure: true,
    });
    const unfolded = mail.raw.replace(/=\r\n/g, "").replace(/\r\n[ \t]+/g, " ");
    expect(unfolded).toContain(`Subject: ${title}`);
    expect(unfolded).toMatch(/Content-Type: text\/html/);
    expect(unfolded).toMatch(/Content-Type: text\/plain/);
    expect(unfolded).toContain(sent.hash);

    // Webhook: OZ body, custom header, OZ signature and Standard Webhooks headers over the exact bytes.
    expect(webhook.requests).toHaveLength(1);
    const hook = webhook.requests[0]!;
    expect(hook.path).toBe("/hook");
    expect(JSON.parse(hook.body.toString())).toEqual({ title, body });
    expect(hook.headers["x-team"]).toBe("e2e");
    const id = hook.headers["webhook-id"]!;
    const seconds = hook.headers["webhook-timestamp"]!;
    expect(seconds).toMatch(/^\d+$/);
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(120);
    const key = Buffer.from(WEBHOOK_SECRET.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key).update(`${id}.${seconds}.`).update(hook.body).digest("base64");
    expect(hook.headers["webhook-signature"]).toBe(`v1,${expected}`);
    const ozExpected = createHmac("sha256", WEBHOOK_SECRET)
      .update(hook.body)
      .update(hook.headers["x-timestamp"] ?? "")
      .digest("hex");
    expect(hook.headers["x-signature"]).toBe(ozExpected);

    // The down receiver got the same notification once, after the retries.
    expect(flaky?.requests).toHaveLength(1);
    expect(JSON.parse(flaky?.requests[0]?.body.toString() ?? "")).toEqual({ title, body });

    // The delivery log agrees: six deliveries, all delivered; the webhook's id is its delivery id; the flaky one
    // failed with connection errors first.
    store = await createStore({ dataDir: data });
    const log = (await deliveries.list(store, { tenantId: DEFAULT_TENANT_ID, limit: 50 })).items;
    expect(log.map((d) => d.status)).toEqual(Array(6).fill("delivered"));
    expect(log.map((d) => d.id)).toContain(id);
    expect(log.map((d) => d.id)).toContain(flaky?.requests[0]?.headers["webhook-id"]);
    const flakyDelivery = log.find((d) => d.id === flaky?.requests[0]?.headers["webhook-id"])!;
    const attempts = await deliveries.attempts(store, DEFAULT_TENANT_ID, flakyDelivery.id);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.at(-1)?.outcome).toBe("delivered");
    for (const failed of attempts.slice(0, -1)) {
      expect(failed.outcome).toBe("retryable_failure");
      expect(failed.error).toMatch(/refused|ECONNREFUSED/i);
    }
    for (const other of log.filter((d) => d.id !== flakyDelivery.id)) expect(other.attempts).toBe(1);
  }, 120_000);
});
