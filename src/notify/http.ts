/**
 * One HTTP request for an HTTP channel (Slack, Discord, Telegram, webhook): `node:http`/`node:https` with the
 * address guard pinned into the socket's `lookup`, no redirects, a whole-exchange timeout and a capped response.
 *
 * Why not `fetch`: fetch upper-cases `post` to `POST`, while OZ sends a configured method verbatim (spec §9.3), and
 * Node 20's global fetch offers no supported hook to pin the connection to the checked address.
 */
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import {
  type AddressGuardOptions,
  assertAddressAllowed,
  bareHost,
  createGuardedLookup,
  NetAddressForbiddenError,
  NetHostNotFoundError,
} from "../net/index.js";
import { NotifyError } from "./errors.js";
import { scrub, urlOrigin } from "./redact.js";

export interface HttpAttemptRequest {
  /** The destination; a secret (only its origin is ever shown). */
  url: string;
  /** Sent verbatim, case included. */
  method: string;
  /** In order; names are unique case-insensitively. `Content-Length` is added. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array;
}

export interface HttpAttemptOptions {
  /** Names the destination in messages, e.g. `Slack webhook on https://hooks.slack.com`. */
  label: string;
  /** Scrubbed from every message (see `redact.ts`). */
  secrets: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  guard: AddressGuardOptions;
  /** Response bytes kept; the rest is discarded and the connection closed. @default 65536 */
  maxResponseBytes?: number;
}

export type HttpAttemptResult =
  | { kind: "response"; status: number; headers: IncomingHttpHeaders; body: string }
  | { kind: "failed"; error: NotifyError };

/** RFC 9110 token characters: what a method may consist of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Certificate and handshake failures: the same attempt fails the same way again. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_MISMATCH)/;

class TimeoutMarker extends Error {}
class AbortMarker extends Error {}

/** Performs one request. Never throws: every failure comes back classified as a `NotifyError`. */
export function sendHttp(request: HttpAttemptRequest, options: HttpAttemptOptions): Promise<HttpAttemptResult> {
  const fail = (error: NotifyError): Promise<HttpAttemptResult> => Promise.resolve({ kind: "failed", error });
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return fail(
      new NotifyError("NOTIFY_URL_INVALID", `${options.label}: the URL does not parse.`, { retryable: false }),
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return fail(
      new NotifyError("NOTIFY_URL_INVALID", `${options.label}: the URL must be http or https, got ${url.protocol}`, {
        retryable: false,
      }),
    );
  }
  if (!TOKEN.test(request.method)) {
    return fail(
      new NotifyError(
        "NOTIFY_URL_INVALID",
        `${options.label}: invalid HTTP method ${JSON.stringify(request.method)}.`,
        {
          retryable: false,
        },
      ),
    );
  }
  const host = bareHost(url.hostname);
  if (isIP(host) !== 0) {
    try {
      assertAddressAllowed(host, host, options.guard);
    } catch (error) {
      return fail(classifyError(error, options));
    }
  }
  if (options.signal?.aborted) return fail(aborted(options));

  const headers: OutgoingHttpHeaders = {};
  const names = new Set<string>();
  for (const [name, value] of request.headers) {
    headers[name] = value;
    names.add(name.toLowerCase());
  }
  if (!names.has("content-length")) headers["Content-Length"] = String(request.body.byteLength);
  let auth: string | undefined;
  if ((url.username !== "" || url.password !== "") && !names.has("authorization")) {
    auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  }

  return new Promise<HttpAttemptResult>((resolve) => {
    let settled = false;
    const maxBytes = options.maxResponseBytes ?? 65_536;
    const finish = (result: HttpAttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const client = url.protocol === "https:" ? https : http;
    const req = client.request({
      protocol: url.protocol,
      hostname: host,
      port: url.port === "" ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: request.method.toUpperCase(),
      headers,
      auth,
      agent: false,
      lookup: createGuardedLookup(options.guard),
    });
    // Node upper-cases the method it was given; the request line is written lazily, so this sends it verbatim.
    req.method = request.method;
    const timer = setTimeout(() => req.destroy(new TimeoutMarker()), options.timeoutMs);
    const onAbort = () => req.destroy(new AbortMarker());
    options.signal?.addEventListener("abort", onAbort, { once: true });

    req.on("error", (error) => finish({ kind: "failed", error: classifyError(error, options) }));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        finish({
          kind: "response",
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      res.on("data", (chunk: Buffer) => {
        if (size >= maxBytes) return;
        chunks.push(chunk.subarray(0, maxBytes - size));
        size += chunk.length;
        if (size >= maxBytes) {
          done();
          res.destroy();
        }
      });
      res.on("end", done);
      // The status arrived; a body cut short (timeout, reset) still leaves a usable answer.
      res.on("error", done);
      res.on("close", done);
    });
    req.end(request.body);
  });
}

function aborted(options: HttpAttemptOptions): NotifyError {
  return new NotifyError("NOTIFY_ABORTED", `${options.label}: the attempt was aborted.`, { retryable: true });
}

function classifyError(error: unknown, options: HttpAttemptOptions): NotifyError {
  if (error instanceof TimeoutMarker) {
    return new NotifyError("NOTIFY_TIMEOUT", `${options.label} did not answer within ${options.timeoutMs} ms.`, {
      retryable: true,
    });
  }
  if (error instanceof AbortMarker) return aborted(options);
  if (error instanceof NetAddressForbiddenError) {
    return new NotifyError("NOTIFY_URL_FORBIDDEN", `${options.label}: ${error.message}`, {
      retryable: false,
      hint: error.hint,
      causeCode: error.code,
    });
  }
  if (error instanceof NetHostNotFoundError) {
    return new NotifyError("NOTIFY_NETWORK", `${options.label}: ${error.message}`, {
      retryable: error.retryable,
      causeCode: error.code,
    });
  }
  const code = (error as { code?: unknown }).code;
  const causeCode = typeof code === "string" ? code : undefined;
  const detail = scrub(error instanceof Error ? error.message : String(error), options.secrets);
  if (causeCode !== undefined && TLS_CODE.test(causeCode)) {
    return new NotifyError("NOTIFY_TLS", `${options.label}: TLS failed (${causeCode}: ${detail}).`, {
      retryable: false,
      causeCode,
      hint: "Check the receiver's certificate (expired, self-signed, or issued for another name).",
    });
  }
  return new NotifyError("NOTIFY_NETWORK", `${options.label}: network error (${causeCode ?? detail}).`, {
    retryable: true,
    causeCode,
  });
}

/** `Slack webhook on https://hooks.slack.com`: how messages name an HTTP destination. */
export function httpLabel(what: string, url: string): string {
  return `${what} on ${urlOrigin(url)}`;
}
