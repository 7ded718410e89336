/**
 * What a chaos node does while it holds a role or an item: it "works" by writing to the protected
 * register with its fencing token. The first write of a term is a `begin`, and the node works
 * only once the register accepted it; when the term's signal aborts it stops at once and sends
 * `end`. Before every write it reads `signal.aborted` through the held object's getter, which
 * checks the term's deadline on the monotonic clock first. (A signal destructured once, as in
 * `({ token, signal }) => ...`, is the plain AbortSignal: it aborts only when a timer or an event
 * runs, so a process resumed after a freeze could still write for a moment; fencing refuses such
 * writes, and the register counts them as stale writes refused.)
 *
 * The register stamps what it receives, and messages of two nodes may reach it in either order:
 * so a node hands a role or an item over only once the register has its `end` (`ended(key)`, from
 * the released / stopped listeners, which baton awaits before it releases). Then the old holder's
 * end is recorded before the successor can win, let alone begin.
 */
import type { Key } from '../history.js';
import type { RegisterClient } from '../register/register-client.js';

/**
 * How often a holder writes, ms: often enough that a holder resumed after a freeze writes (and is
 * refused) within a fraction of the TTL, rare enough that 40 keys x 5 nodes stay a light load.
 */
export const WORK_INTERVAL_MS = 250;

/** What a node holds: a term's token, and its signal read through the getter that judges it. */
export interface Held {
  readonly token: number;
  readonly signal: AbortSignal;
}

interface Term {
  readonly held: Held;
  readonly token: number;
  working: boolean;
}

/** The abort reason as `CODE: message` (the checker tells a graceful release by it). */
function reasonOf(signal: AbortSignal): string {
  const reason = signal.reason as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const code = typeof reason?.code === 'string' ? reason.code : typeof reason?.name === 'string' ? reason.name : 'unknown';
  return typeof reason?.message === 'string' ? `${code}: ${reason.message.slice(0, 120)}` : code;
}

export class Acting {
  readonly #register: RegisterClient;
  readonly #node: string;
  readonly #terms = new Map<Key, Term>();
  /** The last `end` sent per key, resolved once the register recorded it. */
  readonly #ends = new Map<Key, Promise<void>>();
  readonly #timer: NodeJS.Timeout;

  constructor(register: RegisterClient, node: string) {
    this.#register = register;
    this.#node = node;
    this.#timer = setInterval(() => this.#work(), WORK_INTERVAL_MS);
  }

  /** A term of `key` was won: begin it (unless it is the one already held). */
  hold(key: Key, held: Held): void {
    const current = this.#terms.get(key);
    if (current !== undefined && current.token === held.token && !current.held.signal.aborted) return;
    if (held.signal.aborted) return;
    const term: Term = { held, token: held.token, working: false };
    this.#terms.set(key, term);
    held.signal.addEventListener('abort', () => this.#end(key, term), { once: true });
    void this.#register.op('begin', key, this.#node, term.token).then((result) => {
      // Work only on an accepted begin, and only if the term did not end meanwhile.
      if (result === 'accepted' && this.#terms.get(key) === term && !term.held.signal.aborted) term.working = true;
    });
  }

  holds(key: Key): boolean {
    return this.#terms.has(key);
  }

  /** Resolves once the register has recorded the end of the key's last term (at once if none). */
  ended(key: Key): Promise<void> {
    const term = this.#terms.get(key);
    if (term !== undefined) this.#end(key, term);
    return this.#ends.get(key) ?? Promise.resolve();
  }

  #end(key: Key, term: Term): void {
    if (this.#terms.get(key) !== term) return;
    term.working = false;
    this.#terms.delete(key);
    const reason = term.held.signal.aborted ? reasonOf(term.held.signal) : 'released by the node';
    this.#ends.set(key, this.#register.op('end', key, this.#node, term.token, reason).then(() => undefined));
  }

  #work(): void {
    for (const [key, term] of this.#terms) {
      if (term.held.signal.aborted) continue; // the abort listener ends it
      if (term.working) void this.#register.op('write', key, this.#node, term.token);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
