import NodeWebSocket from "ws";
import { redactUrl } from "../chains/rpc/index.js";
import { IngestOptionsError, LiveHeadsError } from "./errors.js";
import { parseHeader } from "./evm-source.js";
import type { LiveHeadHandlers, LiveHeadSource, LiveHeadSubscription, SourceRequestOptions } from "./types.js";

/**
 * The part of the WHATWG `WebSocket` this module uses. Node ≥ 22's global `WebSocket`, Node 20's with
 * `--experimental-websocket`, and the `ws` package (≥ 7) all fit.
 */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: WebSocketEventLike) => void): void;
}

/** The fields of `open`/`message`/`close`/`error` events this module reads. */
export interface WebSocketEventLike {
  data?: unknown;
  code?: number;
  reason?: string;
  message?: string;
  error?: unknown;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * The WebSocket client for live heads: the runtime's own (`globalThis.WebSocket`, Node 22+), else the `ws` package's,
 * which speaks the same standard interface on Node 20.
 */
export function resolveWebSocket(): WebSocketConstructor {
  // Node 22+ has a standard global WebSocket; on Node 20 the `ws` package provides the same interface.
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === "function"
    ? (candidate as WebSocketConstructor)
    : (NodeWebSocket as unknown as WebSocketConstructor);
}

export interface EvmLiveHeadsOptions {
  /** `ws://` or `wss://` endpoints, in priority order; a failed subscription moves to the next one. */
  urls: readonly string[];
  /** The WebSocket client to use (see `resolveWebSocket`). */
  WebSocket: WebSocketConstructor;
  /** Time allowed to open the socket and confirm `eth_subscribe`, and to answer a heartbeat. @default 10_000 */
  timeoutMs?: number;
  /**
   * Interval of a JSON-RPC heartbeat (`net_version`); an unanswered heartbeat closes the subscription, so a half-open
   * connection is noticed without waiting for a stall. @default 30_000
   */
  heartbeatMs?: number;
}

/**
 * Live heads for EVM nodes: `eth_subscribe("newHeads")` over a WebSocket. Each `subscribe` opens its own connection
 * (no sharing between watchers); reconnecting is the watcher's job, which polls meanwhile.
 *
 * @example
 * const WebSocket = resolveWebSocket();
 * const liveHeads = WebSocket ? createEvmLiveHeads({ urls: ["wss://eth.example/ws"], WebSocket }) : undefined;
 */
export function createEvmLiveHeads(options: EvmLiveHeadsOptions): LiveHeadSource {
  const urls = [...options.urls];
  if (urls.length === 0) throw new IngestOptionsError("createEvmLiveHeads needs at least one ws(s) URL.", ["urls"]);
  for (const [i, url] of urls.entries()) {
    if (!/^wss?:\/\//i.test(url)) {
      throw new IngestOptionsError(`Live heads need a ws:// or wss:// URL, got ${redactUrl(url)}.`, ["urls", i]);
    }
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  let index = 0;
  const current = () => urls[index % urls.length] as string;

  return {
    get endpoint() {
      return redactUrl(current());
    },
    async subscribe(handlers, requestOptions = {}) {
      try {
        return await subscribeNewHeads(
          options.WebSocket,
          current(),
          handlers,
          { timeoutMs, heartbeatMs },
          requestOptions,
        );
      } catch (error) {
        index++;
        throw error;
      }
    },
  };
}

type Phase = "opening" | "subscribing" | "live" | "closed";

function subscribeNewHeads(
  WebSocketClass: WebSocketConstructor,
  url: string,
  handlers: LiveHeadHandlers,
  timing: { timeoutMs: number; heartbeatMs: number },
  { signal }: SourceRequestOptions,
): Promise<LiveHeadSubscription> {
  const endpoint = redactUrl(url);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let socket: WebSocketLike;
    try {
      socket = new WebSocketClass(url);
    } catch (error) {
      reject(new LiveHeadsError(endpoint, `cannot open a WebSocket (${describe(error)}).`, error));
      return;
    }
    let phase: Phase = "opening";
    let subscription: string | undefined;
    let nextId = 1;
    const subscribeId = nextId++;
    let heartbeatId: number | undefined;
    let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
    let deadline: ReturnType<typeof setTimeout> | undefined;

    const arm = (detail: string) => {
      clearTimeout(deadline);
      deadline = setTimeout(() => fail(new LiveHeadsError(endpoint, detail)), timing.timeoutMs);
    };
    const release = () => {
      clearTimeout(deadline);
      clearInterval(heartbeatTimer);
      signal?.removeEventListener("abort", onAbort);
      try {
        socket.close();
      } catch {
        // Already closing; nothing to release.
      }
    };
    const fail = (error: unknown) => {
      if (phase === "closed") return;
      const wasLive = phase === "live";
      phase = "closed";
      release();
      if (wasLive) handlers.onClose(toLiveHeadsError(endpoint, error));
      else reject(error);
    };
    const send = (message: Record<string, unknown>) => {
      try {
        socket.send(JSON.stringify({ jsonrpc: "2.0", ...message }));
      } catch (error) {
        fail(new LiveHeadsError(endpoint, `sending failed (${describe(error)}).`, error));
      }
    };
    const onAbort = () => fail(signal?.reason);
    const subscriptionHandle: LiveHeadSubscription = {
      close() {
        if (phase === "closed") return;
        phase = "closed";
        release();
      },
    };

    const onMessage = (event: WebSocketEventLike) => {
      if (phase === "closed") return;
      const text = messageText(event.data);
      if (text === undefined || text.trim() === "") return;
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch (error) {
        fail(new LiveHeadsError(endpoint, "received a message that is not JSON.", error));
        return;
      }
      if (typeof message !== "object" || message === null || Array.isArray(message)) return;
      const { id, result, error, method, params } = message as Record<string, unknown>;
      if (id === subscribeId && phase === "subscribing") {
        if (typeof result !== "string") {
          const detail = error === undefined ? "no subscription id" : JSON.stringify(error);
          fail(new LiveHeadsError(endpoint, `eth_subscribe("newHeads") was refused: ${detail}.`));
          return;
        }
        subscription = result;
        phase = "live";
        clearTimeout(deadline);
        heartbeatTimer = setInterval(() => {
          if (heartbeatId !== undefined) return;
          heartbeatId = nextId++;
          send({ id: heartbeatId, method: "net_version", params: [] });
          arm(`no answer to a heartbeat within ${timing.timeoutMs} ms.`);
        }, timing.heartbeatMs);
        resolve(subscriptionHandle);
        return;
      }
      if (id !== undefined && id === heartbeatId) {
        heartbeatId = undefined;
        clearTimeout(deadline);
        return;
      }
      if (method === "eth_subscription" && typeof params === "object" && params !== null) {
        const { subscription: from, result: header } = params as Record<string, unknown>;
        if (from !== subscription || phase !== "live") return;
        try {
          const ref = parseHeader("newHeads", header);
          if (ref !== null) handlers.onHead({ number: ref.number, hash: ref.hash });
        } catch (cause) {
          fail(new LiveHeadsError(endpoint, `received a malformed newHeads header (${describe(cause)}).`, cause));
        }
      }
    };

    socket.addEventListener("open", () => {
      if (phase !== "opening") return;
      phase = "subscribing";
      send({ id: subscribeId, method: "eth_subscribe", params: ["newHeads"] });
    });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", (event) =>
      fail(new LiveHeadsError(endpoint, `the connection closed (code ${event.code ?? "unknown"}).`)),
    );
    socket.addEventListener("error", (event) =>
      fail(new LiveHeadsError(endpoint, `connection error (${event.message ?? describe(event.error)}).`, event.error)),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    arm(`no confirmed subscription within ${timing.timeoutMs} ms.`);
  });
}

function messageText(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  return undefined;
}

function toLiveHeadsError(endpoint: string, error: unknown): LiveHeadsError {
  return error instanceof LiveHeadsError
    ? error
    : new LiveHeadsError(endpoint, `the subscription ended (${describe(error)}).`, error);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error === undefined) return "no detail";
  return String(error);
}
