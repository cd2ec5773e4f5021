/**
 * The email channel: rendering (subject, Markdown → HTML, plain-text alternative) and one SMTP send with nodemailer
 * over a socket the address guard opened.
 */
import { isIP, connect as netConnect, type Socket } from "node:net";
import { Marked } from "marked";
import { createTransport } from "nodemailer";
import type { EmailConfig } from "../../config/index.js";
import {
  type AddressGuardOptions,
  assertAddressAllowed,
  createGuardedLookup,
  NetAddressForbiddenError,
} from "../../net/index.js";
import { NotifyError } from "../errors.js";
import { scrub } from "../redact.js";
import { formatTemplate, type TemplateVariables } from "../template.js";

export interface RenderedEmail {
  from: string;
  replyTo: string;
  to: string[];
  subject: string;
  /** The templated body rendered from Markdown (GFM). */
  html: string;
  /** The templated body as written (Markdown source): the plain-text alternative. */
  text: string;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * GitHub-flavoured Markdown (tables, strikethrough, task lists, autolinks). Raw HTML in the Markdown is shown as
 * text, not passed through: substituted values come from the chain (token names, memo strings…), and an
 * attacker-chosen `<img>` or `<a>` must not reach the recipients' mail clients as markup.
 */
const markdown = new Marked({
  gfm: true,
  async: false,
  renderer: { html: ({ text }) => escapeHtml(text) },
});

/** Markdown → HTML as the email body uses it. @example renderMarkdown("## Hi Bob") // "<h2>Hi Bob</h2>\n" */
export function renderMarkdown(source: string): string {
  return markdown.parse(source, { async: false });
}

/**
 * The email of a match (spec §9.3 with §15): From and Reply-To = `sender`, To = every recipient, Subject = the
 * templated title (Argus templates it; OZ sends it verbatim; line breaks a value brought in become spaces, so a
 * value cannot add header lines), HTML = the templated body rendered from Markdown, text = the templated body.
 */
export function renderEmail(
  config: Pick<EmailConfig, "sender" | "recipients" | "message">,
  vars: TemplateVariables,
): RenderedEmail {
  const text = formatTemplate(config.message.body, vars);
  return {
    from: config.sender,
    replyTo: config.sender,
    to: [...config.recipients],
    subject: formatTemplate(config.message.title, vars).replace(/\r\n|\r|\n/g, " "),
    html: renderMarkdown(text),
    text,
  };
}

/** How the SMTP session is secured. */
export type SmtpTlsMode = "implicit" | "starttls";

/**
 * §15: port 465 speaks TLS from the first byte (SMTPS); every other port starts in plain text and must upgrade with
 * STARTTLS before credentials are sent (a server that does not offer STARTTLS fails the attempt).
 */
export function smtpTlsModeForPort(port: number): SmtpTlsMode {
  return port === 465 ? "implicit" : "starttls";
}

export interface SmtpSendOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  /** @default smtpTlsModeForPort(port) */
  tlsMode?: SmtpTlsMode | undefined;
  /**
   * Certificate trust. Leave unset in production (system CAs, full verification). Tests pass their throwaway CA
   * (`ca`), or `rejectUnauthorized: false` to skip verification; both only when explicitly configured.
   */
  tls?: { ca?: string | Buffer | undefined; rejectUnauthorized?: boolean | undefined } | undefined;
  guard: AddressGuardOptions;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Names the server in messages. */
  label: string;
  secrets: readonly string[];
}

export type SmtpSendResult =
  | { ok: true; status: number | undefined; response: string }
  | { ok: false; error: NotifyError };

/**
 * Opens the TCP connection to a checked address of `host` (the guard runs inside the socket's lookup). Aborting
 * `signal` (the attempt's timeout or the caller) destroys a connection still being set up.
 */
function openGuardedSocket(
  host: string,
  port: number,
  guard: AddressGuardOptions,
  signal: AbortSignal,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    try {
      if (isIP(host) !== 0) assertAddressAllowed(host, host, guard);
    } catch (error) {
      reject(error);
      return;
    }
    const socket = netConnect({ host, port, lookup: createGuardedLookup(guard) });
    const cleanup = () => {
      socket.off("error", onError);
      signal.removeEventListener("abort", onAbort);
    };
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = () => onError(Object.assign(new Error("connection aborted"), { code: "EABORT" }));
    socket.once("error", onError);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      cleanup();
      resolve(socket);
    });
  });
}

interface SmtpErrorLike {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  name?: unknown;
  message?: unknown;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_MISMATCH)/;

function classifySmtpError(error: unknown, options: SmtpSendOptions, timedOut: boolean): NotifyError {
  if (error instanceof NetAddressForbiddenError) {
    return new NotifyError("NOTIFY_URL_FORBIDDEN", `${options.label}: ${error.message}`, {
      retryable: false,
      hint: error.hint,
      causeCode: error.code,
    });
  }
  const e = (typeof error === "object" && error !== null ? error : {}) as SmtpErrorLike;
  const code = typeof e.code === "string" ? e.code : undefined;
  const originalCode = typeof e.originalCode === "string" ? e.originalCode : undefined;
  const detail = scrub(typeof e.message === "string" ? e.message : String(error), options.secrets);
  if (code === "EABORT" || e.name === "AbortError") {
    return timedOut
      ? new NotifyError(
          "NOTIFY_TIMEOUT",
          `${options.label} did not complete the send within ${options.timeoutMs} ms.`,
          {
            retryable: true,
          },
        )
      : new NotifyError("NOTIFY_ABORTED", `${options.label}: the attempt was aborted.`, { retryable: true });
  }
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : undefined;
  if (responseCode !== undefined) {
    const retryable = responseCode >= 400 && responseCode < 500;
    return new NotifyError(
      code === "EAUTH" ? "NOTIFY_SMTP_AUTH" : "NOTIFY_SMTP_REJECTED",
      `${options.label} refused the message: ${detail}`,
      {
        retryable,
        status: responseCode,
        causeCode: code,
        hint: code === "EAUTH" ? "Check the trigger's SMTP username and password." : undefined,
      },
    );
  }
  const tlsCode = [originalCode, code].find((c) => c !== undefined && TLS_CODE.test(c));
  if (tlsCode !== undefined || code === "ETLS") {
    return new NotifyError("NOTIFY_TLS", `${options.label}: TLS failed (${detail}).`, {
      retryable: false,
      causeCode: tlsCode ?? code,
      hint: "Check the server's certificate and the TLS mode (port 465: implicit TLS; other ports: STARTTLS).",
    });
  }
  if (code === "EAUTH") {
    return new NotifyError("NOTIFY_SMTP_AUTH", `${options.label}: authentication failed (${detail}).`, {
      retryable: false,
      causeCode: code,
      hint: "Check the trigger's SMTP username and password, and that the server offers AUTH over TLS.",
    });
  }
  if (code === "ETIMEDOUT") {
    return new NotifyError("NOTIFY_TIMEOUT", `${options.label} timed out (${detail}).`, {
      retryable: true,
      causeCode: code,
    });
  }
  return new NotifyError("NOTIFY_NETWORK", `${options.label}: ${detail}`, {
    retryable: true,
    causeCode: originalCode ?? code,
  });
}

/** Sends one email: one SMTP session, one attempt. Never throws. */
export async function sendEmail(email: RenderedEmail, options: SmtpSendOptions): Promise<SmtpSendResult> {
  const tlsMode = options.tlsMode ?? smtpTlsModeForPort(options.port);
  const timeout = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    timeout.abort();
  }, options.timeoutMs);
  const signal = options.signal === undefined ? timeout.signal : AbortSignal.any([options.signal, timeout.signal]);
  const transport = createTransport({
    host: options.host,
    port: options.port,
    secure: tlsMode === "implicit",
    requireTLS: tlsMode === "starttls",
    auth: { user: options.username, pass: options.password },
    tls: {
      ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
      ...(options.tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.tls.rejectUnauthorized } : {}),
    },
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    logger: false,
    debug: false,
    getSocket: (_options, callback) => {
      openGuardedSocket(options.host, options.port, options.guard, signal).then(
        (connection) => callback(null, { connection }),
        (error: Error) => callback(error),
      );
    },
  });
  try {
    const info = await transport.sendMail({
      from: email.from,
      replyTo: email.replyTo,
      to: email.to,
      subject: email.subject,
      html: email.html,
      text: email.text,
      signal,
    });
    const response = scrub(String(info.response ?? ""), options.secrets);
    const status = Number(/^\d{3}/.exec(response)?.[0] ?? Number.NaN);
    return { ok: true, status: Number.isNaN(status) ? undefined : status, response };
  } catch (error) {
    return { ok: false, error: classifySmtpError(error, options, timedOut) };
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
