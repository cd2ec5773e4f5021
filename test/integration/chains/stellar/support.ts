import { afterEach } from "vitest";
import {
  createRpcTransport,
  type RpcTransport,
  type RpcTransportEvent,
  type RpcTransportOptions,
} from "../../../../src/chains/rpc/index.js";
import {
  createStellarClient,
  type StellarClient,
  type StellarClientOptions,
} from "../../../../src/chains/stellar/index.js";
import {
  type StellarFixtureRpc,
  type StellarFixtureRpcOptions,
  startStellarFixtureRpc,
} from "../../../support/stellar-fixture-rpc.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function startServer(options: StellarFixtureRpcOptions = {}): Promise<StellarFixtureRpc> {
  const rpc = await startStellarFixtureRpc(options);
  cleanups.push(() => rpc.close());
  return rpc;
}

export interface Setup {
  rpc: StellarFixtureRpc;
  transport: RpcTransport;
  client: StellarClient;
  events: RpcTransportEvent[];
}

/** A fixture server and a client over a real transport with fast retries. */
export async function setup(
  serverOptions: StellarFixtureRpcOptions = {},
  clientOptions: Partial<StellarClientOptions> = {},
  transportOptions: Partial<RpcTransportOptions> = {},
): Promise<Setup> {
  const rpc = await startServer(serverOptions);
  const events: RpcTransportEvent[] = [];
  const transport = createRpcTransport({
    endpoints: [{ url: rpc.url, weight: 1 }],
    retry: { retries: 1, base: 2, initialDelayMs: 1, maxDelayMs: 2 },
    timeoutMs: 5_000,
    onEvent: (event) => events.push(event),
    ...transportOptions,
  });
  cleanups.push(() => transport.close());
  return { rpc, transport, client: createStellarClient({ transport, ...clientOptions }), events };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** Limits and cursors sent with each call of `method`. */
export function pagination(rpc: StellarFixtureRpc, method: string): Array<Record<string, unknown>> {
  return rpc.callsOf(method).map((params) => {
    const p = params as { startLedger?: number; pagination?: { cursor?: string; limit?: number } };
    return { startLedger: p.startLedger, cursor: p.pagination?.cursor, limit: p.pagination?.limit };
  });
}
