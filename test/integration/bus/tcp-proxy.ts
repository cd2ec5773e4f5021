/**
 * Test support: a TCP proxy in front of the shared NATS server. `stop()` cuts every connection and stops listening,
 * which a client cannot tell from a server restart; `start()` listens again on the same port.
 */
import net from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Client connections accepted so far. */
  readonly connections: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let server: net.Server | null = null;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const created = net.createServer((client) => {
        connections++;
        const upstream = net.connect(targetPort, targetHost);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.on("error", () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      created.once("error", reject);
      created.listen(port, "127.0.0.1", () => {
        port = (created.address() as net.AddressInfo).port;
        server = created;
        resolve();
      });
    });

  await listen();
  return {
    get port() {
      return port;
    },
    get connections() {
      return connections;
    },
    start: listen,
    async stop() {
      const current = server;
      server = null;
      // Stop accepting first: a client reconnecting in between would otherwise keep `close` waiting.
      const closed = current ? new Promise<void>((resolve) => current.close(() => resolve())) : Promise.resolve();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
