/**
 * An in-test TCP proxy: clients connect to `port`, bytes flow to `target`. `cut()` destroys
 * every open connection and refuses (resets) new ones until `restore()`, which is how tests
 * simulate a network partition between one client and its store. `stall()` is the silent kind:
 * connections stay open but no byte is forwarded either way (new ones are accepted and stalled
 * too) until `unstall()`, which delivers everything held back, in order. `stall({ holdCloses:
 * true })` also holds back a peer's close (FIN or reset), as when the other host vanished: the
 * client never hears that the server gave up on it, until unstall(). `chunksToTarget`
 * counts what clients sent (one TCP read each: about one request each when clients wait for
 * answers), for benchmarks that count a client's store operations.
 */
import net from 'node:net';

export class TcpProxy {
  readonly #targetHost: string;
  readonly #targetPort: number;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #cut = false;
  #stalled = false;
  #holdCloses = false;
  /** Closes held back while stalled with holdCloses, run by unstall() after the held bytes. */
  readonly #heldCloses: (() => void)[] = [];
  /** Chunks held back while stalled, per destination socket, in arrival order. */
  readonly #held = new Map<net.Socket, Buffer[]>();
  #port = 0;
  #chunksToTarget = 0;

  private constructor(targetHost: string, targetPort: number) {
    this.#targetHost = targetHost;
    this.#targetPort = targetPort;
    this.#server = net.createServer((client) => this.#accept(client));
  }

  /** Starts a proxy on a free loopback port in front of `targetHost:targetPort`. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.#port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** Chunks of bytes received from clients so far (forwarded, held back or dropped). */
  get chunksToTarget(): number {
    return this.#chunksToTarget;
  }

  get isCut(): boolean {
    return this.#cut;
  }

  /** Drops every connection and refuses new ones. */
  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** Lets new connections through again. */
  restore(): void {
    this.#cut = false;
  }

  get isStalled(): boolean {
    return this.#stalled;
  }

  /**
   * Stops forwarding in both directions without closing anything (a silent blackhole). With
   * `holdCloses`, a side's close is not passed on either until unstall().
   */
  stall(options?: { holdCloses?: boolean }): void {
    this.#stalled = true;
    this.#holdCloses = options?.holdCloses === true;
  }

  /** Forwards again, first delivering every chunk held back while stalled. */
  unstall(): void {
    this.#stalled = false;
    for (const [socket, chunks] of this.#held) {
      if (!socket.destroyed) for (const chunk of chunks) socket.write(chunk);
    }
    this.#held.clear();
    this.#holdCloses = false;
    for (const close of this.#heldCloses.splice(0)) close();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    if (this.#cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.#targetPort, this.#targetHost);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => undefined); // a cut or reset is expected; the peer sees the close
      socket.on('close', () => {
        this.#sockets.delete(socket);
        this.#passClose(() => {
          client.destroy();
          upstream.destroy();
        });
      });
    }
    client.on('data', () => this.#chunksToTarget++);
    this.#forward(client, upstream);
    this.#forward(upstream, client);
  }

  #passClose(close: () => void): void {
    if (this.#stalled && this.#holdCloses) this.#heldCloses.push(close);
    else close();
  }

  #forward(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (this.#stalled || this.#held.has(to)) {
        const queue = this.#held.get(to) ?? [];
        queue.push(chunk);
        this.#held.set(to, queue);
      } else if (!to.destroyed) to.write(chunk);
    });
    from.on('end', () => this.#passClose(() => to.end()));
    to.on('close', () => this.#held.delete(to));
  }
}
