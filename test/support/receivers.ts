/**
 * Real loopback receivers for notification tests: an HTTP receiver (also shaped as Slack, Discord and the Telegram
 * Bot API) and an SMTP server with STARTTLS or implicit TLS and required authentication.
 *
 * The HTTP receiver is a minimal HTTP/1.1 server on `node:net` rather than `node:http`: Node's HTTP parser refuses
 * methods that are not upper case, and OZ sends a configured method verbatim (`post`), which tests must observe.
 * It reads one request per connection and answers with `Connection: close`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";

export interface RecordedRequest {
  method: string;
  /** Request target as sent (path and query). */
  path: string;
  /** Header names lowercased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Headers as sent: names in their original case, in order. */
  rawHeaders: Array<[string, string]>;
  /** The body bytes exactly as received. */
  body: Buffer;
  /** `Date.now()` when the request was complete. */
  receivedAt: number;
}

export interface ReceiverResponse {
  /** @default 200 */
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the connection stays open until the client gives up or the receiver closes). */
  hang?: boolean;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Queues responses for the next requests, in order; once used up, the default response answers. */
  respondWith(...responses: ReceiverResponse[]): void;
  setDefaultResponse(response: ReceiverResponse): void;
  /**
   * Answers per request (after queued responses, before the default one); `undefined` falls through to the default.
   * Lets a test fail some deliveries (e.g. those naming a given transaction) and accept the rest.
   */
  setResponder(responder: ((request: RecordedRequest) => ReceiverResponse | undefined) | undefined): void;
  /** Resolves once `count` requests arrived (all of them so far); rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

interface ParsedRequest {
  request: RecordedRequest;
  rest: Buffer;
}

/** Parses one complete request from `buffer`, or returns undefined when more bytes are needed. */
function parseRequest(buffer: Buffer): ParsedRequest | undefined {
  const headEnd = buffer.indexOf("\r\n\r\n");
  if (headEnd < 0) return undefined;
  const lines = buffer.subarray(0, headEnd).toString("latin1").split("\r\n");
  const [method = "", target = ""] = (lines[0] ?? "").split(" ");
  const rawHeaders: Array<[string, string]> = [];
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    rawHeaders.push([name, value]);
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  let at = headEnd + 4;
  let body: Buffer;
  if ((headers["transfer-encoding"] ?? "").toLowerCase().includes("chunked")) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buffer.indexOf("\r\n", at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(buffer.subarray(at, lineEnd).toString("latin1"), 16);
      if (buffer.length < lineEnd + 2 + size + 2) return undefined;
      at = lineEnd + 2;
      if (size === 0) {
        at += 2;
        break;
      }
      parts.push(buffer.subarray(at, at + size));
      at += size + 2;
    }
    body = Buffer.concat(parts);
  } else {
    const length = Number(headers["content-length"] ?? "0");
    if (buffer.length < at + length) return undefined;
    body = Buffer.from(buffer.subarray(at, at + length));
    at += length;
  }
  return {
    request: { method, path: target, headers, rawHeaders, body, receivedAt: Date.now() },
    rest: buffer.subarray(at),
  };
}

function writeResponse(socket: Socket, response: ReceiverResponse): void {
  const status = response.status ?? 200;
  const body = Buffer.from(response.body ?? "", "utf8");
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}\r\n`;
  for (const [name, value] of Object.entries(response.headers ?? {})) head += `${name}: ${value}\r\n`;
  head += `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, "latin1"), body]));
}

/** Starts an HTTP receiver on 127.0.0.1 (port 0) that records every request and answers as programmed. */
export async function startWebhookReceiver(
  options: {
    defaultResponse?: ReceiverResponse;
    /** Listen on this port (e.g. one a client was already failing to reach); default any free port. */
    port?: number;
  } = {},
): Promise<WebhookReceiver> {
  const requests: RecordedRequest[] = [];
  const queue: ReceiverResponse[] = [];
  let defaultResponse: ReceiverResponse = options.defaultResponse ?? { status: 200, body: "ok" };
  let responder: ((request: RecordedRequest) => ReceiverResponse | undefined) | undefined;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffer = Buffer.alloc(0);
    let answered = false;
    socket.on("data", (chunk: Buffer) => {
      if (answered) return;
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parseRequest(buffer);
      if (parsed === undefined) return;
      answered = true;
      requests.push(parsed.request);
      for (const waiter of waiters) waiter();
      const response = queue.shift() ?? responder?.(parsed.request) ?? defaultResponse;
      if (response.hang === true) return;
      if (response.delayMs !== undefined && response.delayMs > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!socket.destroyed) writeResponse(socket, response);
        }, response.delayMs);
        timers.add(timer);
      } else {
        writeResponse(socket, response);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("receiver has no TCP address");
  const port = address.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respondWith: (...responses) => {
      queue.push(...responses);
    },
    setDefaultResponse: (response) => {
      defaultResponse = response;
    },
    setResponder: (next) => {
      responder = next;
    },
    waitForRequests: (count, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(requests.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} request(s) within ${timeoutMs} ms, got ${requests.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A receiver answering like Slack's incoming webhooks (`200 ok`), with a Slack-shaped webhook URL. */
export async function startSlackReceiver(): Promise<WebhookReceiver & { webhookUrl: string }> {
  const receiver = await startWebhookReceiver({
    defaultResponse: { status: 200, body: "ok", headers: { "Content-Type": "text/plain" } },
  });
  return Object.assign(receiver, {
    webhookUrl: `${receiver.url}/services/T0ARGUS01/B0ARGUS02/slackSecretPath0123456789`,
  });
}

/** A receiver answering like Discord's webhooks (`204 No Content`), with a Discord-shaped webhook URL. */
export async function startDiscordReceiver(): Promise<WebhookReceiver & { webhookUrl: string }> {
  const receiver = await startWebhookReceiver({ defaultResponse: { status: 204 } });
  return Object.assign(receiver, {
    webhookUrl: `${receiver.url}/api/webhooks/112233445566778899/discordSecretToken-abcdefghijklmnopqrstuvwxyz0123456789`,
  });
}

/** A receiver answering like the Telegram Bot API; `apiBaseUrl` replaces `https://api.telegram.org`. */
export async function startTelegramReceiver(): Promise<WebhookReceiver & { apiBaseUrl: string }> {
  const receiver = await startWebhookReceiver({
    defaultResponse: {
      status: 200,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ok: true, result: { message_id: 1 } }),
    },
  });
  return Object.assign(receiver, { apiBaseUrl: receiver.url });
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

export interface TestCertificate {
  /** PEM */
  key: string;
  /** PEM; self-signed, so it is also the CA to trust. Valid for `localhost` and `127.0.0.1`. */
  cert: string;
}

let certificate: Promise<TestCertificate> | undefined;

/** A throwaway self-signed certificate (openssl CLI), generated once per test process. */
export function testCertificate(): Promise<TestCertificate> {
  certificate ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "argus-cert-"));
    try {
      const keyPath = path.join(dir, "key.pem");
      const certPath = path.join(dir, "cert.pem");
      await promisify(execFile)("openssl", [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        keyPath,
        "-out",
        certPath,
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ]);
      return { key: await readFile(keyPath, "utf8"), cert: await readFile(certPath, "utf8") };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return certificate;
}

export interface ReceivedEmail {
  /** MAIL FROM */
  from: string;
  /** RCPT TO, in order */
  to: string[];
  /** The authenticated user. */
  user: string | undefined;
  /** Whether the session was encrypted when the message was sent. */
  secure: boolean;
  /** The message as received (headers and MIME body). */
  raw: string;
}

export interface SmtpReceiverOptions {
  /** `implicit`: TLS from the first byte; `starttls`: plain start, STARTTLS offered. */
  tls: "implicit" | "starttls";
  /** Accepted credentials. @default { username: "argus", password: "smtp-password" } */
  credentials?: { username: string; password: string };
}

export interface SmtpReceiver {
  host: "127.0.0.1";
  port: number;
  /** The certificate the server presents (trust it with `smtpTls: { ca: receiver.cert }`). */
  cert: string;
  messages: ReceivedEmail[];
  /** Failed AUTH attempts (usernames). */
  rejectedLogins: string[];
  /** Makes the next DATA commands fail with these SMTP replies, in order (e.g. `{ code: 451, message: "try later" }`). */
  rejectNextMessages(...replies: Array<{ code: number; message: string }>): void;
  close(): Promise<void>;
}

/** Starts an SMTP server on 127.0.0.1 (port 0) that requires AUTH (over TLS only) and records messages. */
export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const { key, cert } = await testCertificate();
  const credentials = options.credentials ?? { username: "argus", password: "smtp-password" };
  const messages: ReceivedEmail[] = [];
  const rejectedLogins: string[] = [];
  const rejections: Array<{ code: number; message: string }> = [];
  const addresses = (list: SMTPServerAddress[] | false | undefined) => (list === false || !list ? [] : list);

  const server = new SMTPServer({
    secure: options.tls === "implicit",
    key,
    cert,
    logger: false,
    disableReverseLookup: true,
    authMethods: ["PLAIN", "LOGIN"],
    authOptional: false,
    allowInsecureAuth: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.username && auth.password === credentials.password) {
        callback(null, { user: auth.username });
        return;
      }
      rejectedLogins.push(auth.username ?? "");
      const error = Object.assign(new Error("Authentication credentials invalid"), { responseCode: 535 });
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const rejection = rejections.shift();
        if (rejection !== undefined) {
          callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
          return;
        }
        messages.push({
          from: addresses([session.envelope.mailFrom as SMTPServerAddress])[0]?.address ?? "",
          to: addresses(session.envelope.rcptTo).map((a) => a.address),
          user: typeof session.user === "string" ? session.user : undefined,
          secure: session.secure,
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("SMTP receiver has no TCP address");
  return {
    host: "127.0.0.1",
    port: address.port,
    cert,
    messages,
    rejectedLogins,
    rejectNextMessages: (...replies) => {
      rejections.push(...replies);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
