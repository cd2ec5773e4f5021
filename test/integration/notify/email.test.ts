// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OZ notification templates use ${…} placeholders in plain strings

import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Trigger } from "../../../src/config/index.js";
import { type DeliverOptions, deliver, deliverWithRetry } from "../../../src/notify/index.js";
import { closedPort, type SmtpReceiver, type SmtpReceiverOptions, startSmtpReceiver } from "../../support/receivers.js";
import { expectNoSecrets, FAST_RETRY, failed, plain, usdcMatch } from "./support.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function smtp(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const receiver = await startSmtpReceiver(options);
  cleanups.push(() => receiver.close());
  return receiver;
}

const match = usdcMatch();
const PASSWORD = "smtp-password";

function emailTrigger(receiver: SmtpReceiver, overrides: { password?: string; body?: string } = {}): Trigger {
  return {
    name: "Email",
    trigger_type: "email",
    config: {
      host: receiver.host,
      port: receiver.port,
      username: plain("argus"),
      password: plain(overrides.password ?? PASSWORD),
      message: {
        title: "${monitor.name}: ${functions.0.args.value} moved",
        body: overrides.body ?? "## Hi ${name}\n\nTransfer of **${functions.0.args.value}** in `${transaction.hash}`",
      },
      sender: "alerts@argus.example",
      recipients: ["ops@argus.example", "dev@argus.example"],
      retry_policy: FAST_RETRY,
    },
  };
}

/** Tests talk to a 127.0.0.1 server with a throwaway certificate: both need explicit test settings. */
function local(receiver: SmtpReceiver, extra: DeliverOptions = {}): DeliverOptions {
  return { allowPrivateNetworks: true, smtpTls: { ca: receiver.cert }, timeoutMs: 5_000, ...extra };
}

const variables = (() => {
  const vars = new Map<string, string>([["name", "Bob"]]);
  return vars;
})();

/** The text of a MIME part (quoted-printable or base64 decoded), line breaks as LF (SMTP sends CRLF). */
function mimePart(raw: string, contentType: string): string {
  return decodePart(raw, contentType).replace(/\r\n/g, "\n");
}

function decodePart(raw: string, contentType: string): string {
  const start = raw.indexOf(`Content-Type: ${contentType}`);
  if (start < 0) throw new Error(`no ${contentType} part`);
  const headerEnd = raw.indexOf("\r\n\r\n", start);
  const headers = raw.slice(start, headerEnd);
  const next = raw.indexOf("\r\n--", headerEnd);
  const body = raw.slice(headerEnd + 4, next < 0 ? undefined : next);
  if (/Content-Transfer-Encoding: base64/i.test(headers)) return Buffer.from(body, "base64").toString("utf8");
  if (/Content-Transfer-Encoding: quoted-printable/i.test(headers)) {
    const bytes = body
      .replace(/=\r\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

describe("email over SMTP", () => {
  it("sends over STARTTLS with AUTH: templated subject, Markdown rendered to HTML, text alternative", async () => {
    const receiver = await smtp({ tls: "starttls" });
    const vars = new Map([...variables, ["monitor.name", "Mint USDC Token"], ["functions.0.args.value", "8181710000"]]);
    vars.set("transaction.hash", "0xd5069b22");
    const outcome = await deliver(
      { id: "e-1", trigger: emailTrigger(receiver), match, variables: vars },
      local(receiver, { smtpTlsMode: "starttls" }),
    );
    expect(outcome).toMatchObject({ ok: true, channel: "email", status: 250 });
    expect(receiver.messages).toHaveLength(1);
    const [message] = receiver.messages;
    expect(message).toMatchObject({
      from: "alerts@argus.example",
      to: ["ops@argus.example", "dev@argus.example"],
      user: "argus",
      secure: true,
    });
    const raw = message?.raw ?? "";
    expect(raw).toMatch(/^Subject: Mint USDC Token: 8181710000 moved\r$/m);
    expect(raw).toMatch(/^From: alerts@argus\.example\r$/m);
    expect(raw).toMatch(/^Reply-To: alerts@argus\.example\r$/m);
    expect(raw).toMatch(/^To: ops@argus\.example, dev@argus\.example\r$/m);
    expect(mimePart(raw, "text/html")).toBe(
      "<h2>Hi Bob</h2>\n<p>Transfer of <strong>8181710000</strong> in <code>0xd5069b22</code></p>\n",
    );
    expect(mimePart(raw, "text/plain")).toBe("## Hi Bob\n\nTransfer of **8181710000** in `0xd5069b22`");
  });

  it("picks STARTTLS by default on a port other than 465", async () => {
    const receiver = await smtp({ tls: "starttls" });
    const outcome = await deliver({ id: "e-2", trigger: emailTrigger(receiver), match }, local(receiver));
    expect(outcome.ok).toBe(true);
    expect(receiver.messages[0]?.secure).toBe(true);
  });

  it("sends over implicit TLS when configured, with the match's own variables", async () => {
    const receiver = await smtp({ tls: "implicit" });
    const outcome = await deliver(
      { id: "e-3", trigger: emailTrigger(receiver), match },
      local(receiver, { smtpTlsMode: "implicit" }),
    );
    expect(outcome).toMatchObject({ ok: true, status: 250 });
    const raw = receiver.messages[0]?.raw ?? "";
    expect(raw).toMatch(/^Subject: Mint USDC Token: 8181710000 moved\r$/m);
    expect(mimePart(raw, "text/html")).toContain("<h2>Hi ${name}</h2>");
  });

  it("fails permanently on bad credentials, without showing them", async () => {
    const receiver = await smtp({ tls: "starttls" });
    const wrong = "wrong-password-xyz";
    const outcome = failed(
      await deliver({ id: "e-4", trigger: emailTrigger(receiver, { password: wrong }), match }, local(receiver)),
    );
    expect(outcome.error.code).toBe("NOTIFY_SMTP_AUTH");
    expect(outcome).toMatchObject({ retryable: false, status: 535 });
    expect(receiver.rejectedLogins).toEqual(["argus"]);
    expect(receiver.messages).toHaveLength(0);
    expectNoSecrets(outcome, [wrong]);
  });

  it("refuses a certificate it does not trust, unless verification is explicitly skipped", async () => {
    const receiver = await smtp({ tls: "starttls" });
    const untrusted = failed(
      await deliver(
        { id: "e-5", trigger: emailTrigger(receiver), match },
        { allowPrivateNetworks: true, timeoutMs: 5_000 },
      ),
    );
    expect(untrusted.error.code).toBe("NOTIFY_TLS");
    expect(untrusted.retryable).toBe(false);
    expect(receiver.messages).toHaveLength(0);

    const skipped = await deliver(
      { id: "e-5", trigger: emailTrigger(receiver), match },
      { allowPrivateNetworks: true, timeoutMs: 5_000, smtpTls: { rejectUnauthorized: false } },
    );
    expect(skipped.ok).toBe(true);
  });

  it("retries a 4xx reply and succeeds; a 5xx reply is permanent", async () => {
    const receiver = await smtp({ tls: "starttls" });
    receiver.rejectNextMessages({ code: 451, message: "Try again later" });
    const report = await deliverWithRetry({ id: "e-6", trigger: emailTrigger(receiver), match }, local(receiver));
    expect(report.ok).toBe(true);
    expect(report.attempts).toHaveLength(2);
    const first = failed(report.attempts[0] ?? report.final);
    expect(first).toMatchObject({ retryable: true, status: 451 });
    expect(first.error.code).toBe("NOTIFY_SMTP_REJECTED");

    receiver.rejectNextMessages({ code: 550, message: "Mailbox unavailable" });
    const permanent = await deliverWithRetry({ id: "e-7", trigger: emailTrigger(receiver), match }, local(receiver));
    expect(permanent.attempts).toHaveLength(1);
    expect(failed(permanent.final)).toMatchObject({ retryable: false, status: 550 });
    expect(receiver.messages).toHaveLength(1);
  });

  it("times out a server that never greets, and reports a refused connection as retryable", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const address = silent.address();
    if (address === null || typeof address === "string") throw new Error("no address");
    const fake = { host: "127.0.0.1", port: address.port, cert: "" } as SmtpReceiver;
    const timeout = failed(
      await deliver({ id: "e-9", trigger: emailTrigger(fake), match }, { allowPrivateNetworks: true, timeoutMs: 300 }),
    );
    expect(timeout.error.code).toBe("NOTIFY_TIMEOUT");
    expect(timeout.retryable).toBe(true);
    expect(timeout.latencyMs).toBeLessThan(3_000);

    const refused = failed(
      await deliver(
        { id: "e-10", trigger: emailTrigger({ ...fake, port: await closedPort() }), match },
        { allowPrivateNetworks: true, timeoutMs: 2_000 },
      ),
    );
    expect(refused.error.code).toBe("NOTIFY_NETWORK");
    expect(refused.error.causeCode).toBe("ECONNREFUSED");
    expect(refused.retryable).toBe(true);
  });

  it("refuses a private SMTP host unless the operator allows private networks", async () => {
    const receiver = await smtp({ tls: "starttls" });
    const outcome = failed(
      await deliver({ id: "e-8", trigger: emailTrigger(receiver), match }, { smtpTls: { ca: receiver.cert } }),
    );
    expect(outcome.error.code).toBe("NOTIFY_URL_FORBIDDEN");
    expect(outcome.error.message).toBe(
      `SMTP server 127.0.0.1:${receiver.port}: Refused to connect to 127.0.0.1: it is a loopback address.`,
    );
    expect(receiver.messages).toHaveLength(0);
  });
});
