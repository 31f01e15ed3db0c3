import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of LogUp that closes idle connections the way a server or a
 * load balancer with a short idle timeout does, without announcing it: a connection
 * that has carried nothing for `idleMs` is closed when the next request arrives on it,
 * and that request is never forwarded. So the client's pooled socket looks alive until
 * it is used, which is the race a real server's idle close makes, made deterministic.
 */
export class IdleClosingProxy {
  /** Requests refused because their connection had been idle too long (none reached LogUp). */
  dropped = 0;
  /** Connections opened by the client. */
  connections = 0;
  /** Connections the client closed itself (its end came first). */
  closedByClient = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(targetPort: number, idleMs: number) {
    this.#server = createServer((client) => this.#pipe(client, targetPort, idleMs));
  }

  /** Starts a proxy on 127.0.0.1 port 0 to `targetPort`. */
  static async start(targetPort: number, idleMs: number): Promise<IdleClosingProxy> {
    const proxy = new IdleClosingProxy(targetPort, idleMs);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The base URL to give the library instead of LogUp's. */
  get url(): string {
    const address = this.#server.address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #pipe(client: Socket, targetPort: number, idleMs: number): void {
    this.connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    let lastActivity = Date.now();
    let used = false;
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      if (used && Date.now() - lastActivity >= idleMs) {
        // The server side "closed" this connection while it was idle: nothing forwarded.
        this.dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      used = true;
      lastActivity = Date.now();
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      lastActivity = Date.now();
      client.write(chunk);
    });
    client.on('end', () => {
      if (!upstream.destroyed) this.closedByClient++;
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
