import type { EtcdEvent, EtcdWatches } from './etcd-watches.js';
import { bytes, prefixEnd } from './etcd-layout.js';

/** What a wait for one key's deletion is told. */
export interface DeletionHandlers {
  /** The key was deleted at or after the wait's first revision. Called once; the wait ends. */
  readonly onDeleted: () => void;
  /** A deletion may have been missed (compaction, or it came before what is remembered): read the key again. The wait goes on. */
  readonly onGap: () => void;
}

interface Waiter {
  readonly from: number;
  readonly handlers: DeletionHandlers;
}

/**
 * How many recent deletions are remembered for a wait that starts at a revision the shared
 * watch has already passed (the read it follows raced the watch's events). A lease that
 * expires deletes all its keys at one revision: a node holding more items than this makes
 * such late waits read their key once (onGap) instead of being answered from memory.
 */
const REMEMBERED_DELETIONS = 8192;

/**
 * Deletions of single keys under one prefix (every election's candidates), from ONE watch of
 * the whole prefix that reports deletions only (etcd's NOPUT filter), handed to whoever waits
 * for a key.
 *
 * Why not a watch per key, as etcd's election recipe has it: etcd keeps a watcher per watch,
 * and a node holds a term per bucket and partition. 100,000 held items made 100,000 watchers;
 * when a stream fell behind, etcd re-synced thousands of slow watchers from its store in a loop
 * and slowed down for everyone (docs/benchmarks.md, Scale). One watch per
 * node keeps etcd's watcher count with the nodes, not with the items. The cost: a node hears
 * of every candidate deleted in the cluster, a small event each, and puts are not sent at all.
 *
 * Nothing is missed: the shared watch starts at the first wait's revision and delivers every
 * deletion from then on, in revision order. A later wait may start at a revision the watch has
 * already passed: the deletions since then are answered from the ones remembered, and if
 * those do not reach back that far, the wait is told of a gap (its owner reads the key).
 */
export class KeyDeletions {
  readonly #watches: EtcdWatches;
  readonly #prefix: string;
  readonly #closed: AbortSignal;
  readonly #waiters = new Map<string, Set<Waiter>>();
  /** Key -> revision of its latest deletion seen, oldest first: every deletion at revision >= #rememberedFrom is here. */
  readonly #remembered = new Map<string, number>();
  #rememberedFrom = 0;
  #started = false;

  constructor(watches: EtcdWatches, prefix: string, closed: AbortSignal) {
    this.#watches = watches;
    this.#prefix = prefix;
    this.#closed = closed;
  }

  /** Waits until `key` (under the prefix) is deleted at revision `from` or later, or until `signal` aborts. */
  wait(key: string, from: number, handlers: DeletionHandlers, signal: AbortSignal): void {
    if (signal.aborted || this.#closed.aborted) return;
    if (!key.startsWith(this.#prefix)) throw new Error(`key "${key}" is not under "${this.#prefix}"`);
    if (!this.#started) this.#start(from);
    if (from < this.#rememberedFrom) {
      queueMicrotask(() => {
        if (!signal.aborted) handlers.onGap();
      });
    } else if ((this.#remembered.get(key) ?? -1) >= from) {
      queueMicrotask(() => {
        if (!signal.aborted) handlers.onDeleted();
      });
      return;
    }
    const waiter: Waiter = { from, handlers };
    let waiters = this.#waiters.get(key);
    if (!waiters) this.#waiters.set(key, (waiters = new Set()));
    waiters.add(waiter);
    signal.addEventListener('abort', () => this.#forget(key, waiter), { once: true });
  }

  #start(from: number): void {
    this.#started = true;
    this.#rememberedFrom = from;
    this.#watches.watch(
      {
        key: bytes(this.#prefix),
        rangeEnd: prefixEnd(this.#prefix),
        startRevision: from,
        deletesOnly: true,
        onEvents: (events) => this.#onDeletions(events),
        onGap: (resumeAt) => this.#onGap(resumeAt),
      },
      this.#closed,
    );
  }

  #onDeletions(events: readonly EtcdEvent[]): void {
    for (const event of events) {
      if (event.type !== 'DELETE') continue;
      this.#remember(event);
      const waiters = this.#waiters.get(event.key);
      if (!waiters) continue;
      for (const waiter of [...waiters]) {
        if (event.modRevision < waiter.from) continue;
        this.#forget(event.key, waiter);
        waiter.handlers.onDeleted();
      }
    }
  }

  #remember(event: EtcdEvent): void {
    this.#remembered.delete(event.key); // re-inserted last: the map stays in revision order
    this.#remembered.set(event.key, event.modRevision);
    if (this.#remembered.size <= REMEMBERED_DELETIONS) return;
    for (const [key, revision] of this.#remembered) {
      if (this.#remembered.size <= REMEMBERED_DELETIONS / 2) break;
      this.#remembered.delete(key);
      this.#rememberedFrom = revision + 1;
    }
  }

  /** Deletions before `resumeAt` were compacted away unseen: every wait reads its key again. */
  #onGap(resumeAt: number): void {
    this.#remembered.clear();
    this.#rememberedFrom = resumeAt;
    for (const waiters of [...this.#waiters.values()]) for (const waiter of [...waiters]) waiter.handlers.onGap();
  }

  #forget(key: string, waiter: Waiter): void {
    const waiters = this.#waiters.get(key);
    if (!waiters?.delete(waiter)) return;
    if (waiters.size === 0) this.#waiters.delete(key);
  }
}
