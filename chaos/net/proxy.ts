/**
 * A TCP forwarder from the chaos namespaces to a store on loopback: listens on `host:0`, pipes
 * every connection to `127.0.0.1:targetPort`. `reset()` is what a store restart looks like to
 * its clients: every connection dropped, new ones refused until `restore()`. `delay()` holds
 * back every chunk from and to one client address (or all) by a delay with jitter, in order:
 * the kernel here has no netem qdisc, so the delay is made where the bytes pass anyway.
 */
import net from 'node:net';

export interface Delay {
  readonly delayMs: number;
  readonly jitterMs: number;
}

/** Writes chunks to `to` each after its delay, never overtaking an earlier one. */
function delayedPipe(from: net.Socket, to: net.Socket, delayOf: () => Delay | undefined): void {
  let lastDue = 0;
  from.on('data', (chunk: Buffer) => {
    const delay = delayOf();
    if (delay === undefined && lastDue <= performance.now()) return void to.write(chunk);
    const wanted = delay === undefined ? 0 : delay.delayMs + (Math.random() * 2 - 1) * delay.jitterMs;
    const due = Math.max(lastDue, performance.now() + Math.max(0, wanted));
    lastDue = due;
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, due - performance.now());
  });
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, lastDue - performance.now())));
}

export class StoreProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  /** Client address -> its delay; '*' for every client. */
  readonly #delays = new Map<string, Delay>();
  #refusing = false;

  private constructor(targetPort: number) {
    this.#server = net.createServer((client) => {
      if (this.#refusing) return void client.resetAndDestroy();
      const upstream = net.connect(targetPort, '127.0.0.1');
      const address = client.remoteAddress ?? '';
      const delayOf = () => this.#delays.get(address) ?? this.#delays.get('*');
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        this.#sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.#sockets.delete(a);
          b.destroy();
        });
        delayedPipe(a, b, delayOf);
      }
    });
  }

  static async start(host: string, targetPort: number): Promise<StoreProxy> {
    const proxy = new StoreProxy(targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, host, () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Delays the traffic of one client address (`*`: all), or stops delaying it (null). */
  delay(address: string, delay: Delay | null): void {
    if (delay === null) this.#delays.delete(address);
    else this.#delays.set(address, delay);
  }

  reset(): void {
    this.#refusing = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#refusing = false;
  }

  close(): Promise<void> {
    this.reset();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
