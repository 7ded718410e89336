/**
 * At most WINDOW_SIZE requests of one connection are out at once, waiting for their answers;
 * the rest wait here, in call order, and go out as answers come in.
 *
 * Why: ZooKeeper handles the requests of all its sessions in one pipeline (a standalone
 * server's, an ensemble leader's for writes and syncs), so a session's liveness probe (a
 * `sync`) waits behind whatever every session has sent. 50 nodes each running 64 campaigns of
 * up to 4 requests sent up to 12,800 at once: probes took 1-5 s at load 30, passed the read
 * timeout, connections were dropped, sessions lost, and no bucket was placed in 60 s (issue 12).
 * With a window per connection the server holds at most WINDOW_SIZE of each session's
 * requests, and the probe, which goes past the window, waits behind those alone. The order of
 * a connection's requests (which zk-campaign.ts relies on) is kept: they leave in call order.
 */

/**
 * Requests of one connection out at once. 32: enough to keep the server busy from one session
 * (a request's round trip on a local network is well under a millisecond of server time per
 * request in flight), while 50 sessions queue at most 1,600 requests ahead of a probe: well
 * under a second at the few thousand requests a second a loaded server handles, against the
 * probe's read timeout of a third of the session timeout.
 */
export const WINDOW_SIZE = 32;

/** A request in the window; `windowState` is the window's, the request only carries it. */
export interface WindowEntry {
  /** Sends the request; false when it settled (timed out, aborted) before its turn. */
  send(): boolean;
  windowState: 'waiting' | 'out' | 'done';
}

/** The window of one connection (see the module comment). */
export class RequestWindow {
  readonly #size: number;
  readonly #waiting: WindowEntry[] = [];
  #out = 0;

  constructor(size = WINDOW_SIZE) {
    this.#size = size;
  }

  /** Requests out now, waiting for their answers. */
  get out(): number {
    return this.#out;
  }

  /** Sends `entry` now if the window has room, else once it has; see `release`. */
  admit(entry: WindowEntry): void {
    entry.windowState = 'waiting';
    this.#waiting.push(entry);
    this.#pump();
  }

  /** Frees `entry`'s room: call it when the request settles (answered, failed, timed out or aborted; once is enough). */
  release(entry: WindowEntry): void {
    if (entry.windowState === 'out') this.#out -= 1;
    entry.windowState = 'done';
    this.#pump();
  }

  #pump(): void {
    while (this.#out < this.#size && this.#waiting.length > 0) {
      const entry = this.#waiting.shift() as WindowEntry;
      if (entry.windowState !== 'waiting') continue; // settled before its turn
      if (!entry.send()) {
        entry.windowState = 'done';
        continue;
      }
      entry.windowState = 'out';
      this.#out += 1;
    }
  }
}
