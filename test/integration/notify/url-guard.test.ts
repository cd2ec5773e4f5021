// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OZ notification templates use ${…} placeholders in plain strings
import { afterEach, describe, expect, it } from "vitest";
import type { HostResolver } from "../../../src/net/index.js";
import { deliver } from "../../../src/notify/index.js";
import { startTelegramReceiver, startWebhookReceiver, type WebhookReceiver } from "../../support/receivers.js";
import { expectNoSecrets, failed, slackTrigger, telegramTrigger, usdcMatch, webhookTrigger } from "./support.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  cleanups.push(() => started.close());
  return started;
}

const match = usdcMatch();

/** A DNS that knows hostnames real DNS does not, to simulate tenant hosts resolving to internal addresses. */
const fakeDns =
  (table: Record<string, string>): HostResolver =>
  async (hostname) => {
    const address = table[hostname];
    if (address === undefined) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return [{ address, family: address.includes(":") ? 6 : 4 }];
  };

describe("address guard on deliveries", () => {
  it("refuses a loopback IP literal by default and sends nothing", async () => {
    const hook = await receiver();
    const outcome = failed(await deliver({ id: "d", trigger: webhookTrigger(`${hook.url}/secret-path-123`), match }));
    expect(outcome.error.code).toBe("NOTIFY_URL_FORBIDDEN");
    expect(outcome.retryable).toBe(false);
    expect(outcome.error.message).toBe(
      `Webhook on ${hook.url}: Refused to connect to 127.0.0.1: it is a loopback address.`,
    );
    expect(outcome.error.hint).toMatch(/allowPrivateNetworks/);
    expectNoSecrets(outcome, ["secret-path-123"]);
    expect(hook.requests).toHaveLength(0);
  });

  it("refuses localhost, whose name resolves to a loopback address", async () => {
    const hook = await receiver();
    const url = `http://localhost:${hook.port}/hook`;
    const outcome = failed(await deliver({ id: "d", trigger: webhookTrigger(url), match }));
    expect(outcome.error.code).toBe("NOTIFY_URL_FORBIDDEN");
    expect(outcome.error.message).toMatch(/Refused to connect to localhost: it resolves to (127\.0\.0\.1|::1)/);
    expect(hook.requests).toHaveLength(0);
  });

  it.each([
    ["IPv6 loopback", "http://[::1]:9/hook"],
    ["IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]:9/hook"],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
    ["IPv4-mapped metadata", "http://[::ffff:169.254.169.254]/latest"],
    ["AWS IPv6 metadata", "http://[fd00:ec2::254]/latest"],
    ["private network", "https://10.1.2.3/hook"],
    ["link-local", "http://169.254.10.10/hook"],
    ["IPv6 link-local", "http://[fe80::1]/hook"],
    ["unique local IPv6", "http://[fd12::1]/hook"],
    ["CGNAT", "http://100.64.1.1/hook"],
    ["unspecified", "http://0.0.0.0:9/hook"],
    ["decimal IPv4 for loopback", "http://2130706433:9/hook"],
  ])("refuses %s (%s)", async (_name, url) => {
    const outcome = failed(await deliver({ id: "d", trigger: webhookTrigger(url), match }, { timeoutMs: 1_000 }));
    expect(outcome.error.code).toBe("NOTIFY_URL_FORBIDDEN");
  });

  it("refuses a public-looking hostname that resolves to a private address (Slack URL too)", async () => {
    const resolve = fakeDns({ "hooks.attacker.example": "10.0.0.5" });
    const outcome = failed(
      await deliver(
        { id: "d", trigger: slackTrigger("https://hooks.attacker.example/services/T1/B2/tokentokentoken1"), match },
        { resolve },
      ),
    );
    expect(outcome.error.code).toBe("NOTIFY_URL_FORBIDDEN");
    expect(outcome.error.message).toBe(
      "Slack webhook on https://hooks.attacker.example: Refused to connect to hooks.attacker.example: it resolves to 10.0.0.5, which is a private-network address.",
    );
  });

  it("connects to the address the guard checked (the socket uses the guarded lookup)", async () => {
    const hook = await receiver();
    const resolve = fakeDns({ "receiver.argus.test": "127.0.0.1" });
    const url = `http://receiver.argus.test:${hook.port}/pinned`;
    const refused = failed(await deliver({ id: "d", trigger: webhookTrigger(url), match }, { resolve }));
    expect(refused.error.code).toBe("NOTIFY_URL_FORBIDDEN");
    expect(hook.requests).toHaveLength(0);

    const allowed = await deliver(
      { id: "d", trigger: webhookTrigger(url), match },
      { resolve, allowPrivateNetworks: true },
    );
    expect(allowed).toMatchObject({ ok: true, status: 200 });
    const [request] = await hook.waitForRequests(1);
    expect(request?.path).toBe("/pinned");
    expect(request?.headers.host).toBe(`receiver.argus.test:${hook.port}`);
  });

  it("allows loopback receivers when the operator setting is on", async () => {
    const hook = await receiver();
    const outcome = await deliver(
      { id: "d", trigger: webhookTrigger(hook.url), match },
      { allowPrivateNetworks: true },
    );
    expect(outcome.ok).toBe(true);
    expect(hook.requests).toHaveLength(1);
  });

  it("guards the Telegram API base too", async () => {
    const telegram = await startTelegramReceiver();
    cleanups.push(() => telegram.close());
    const outcome = failed(
      await deliver({ id: "d", trigger: telegramTrigger(), match }, { telegramApiBaseUrl: telegram.apiBaseUrl }),
    );
    expect(outcome.error.code).toBe("NOTIFY_URL_FORBIDDEN");
    expect(telegram.requests).toHaveLength(0);
  });

  it("rejects URLs that are not http(s)", async () => {
    const outcome = failed(await deliver({ id: "d", trigger: webhookTrigger("ftp://files.example/x"), match }));
    expect(outcome.error.code).toBe("NOTIFY_URL_INVALID");
    expect(outcome.retryable).toBe(false);
  });
});
