import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { Clock } from '../../clock.js';
import type { EtcdClient, Message } from './etcd-client.js';
import { METHODS } from './etcd-proto.js';
import { toNumber } from './etcd-layout.js';

/** One change etcd reported: the key, and whether it was written or deleted, at which revision. */
export interface EtcdEvent {
  readonly type: 'PUT' | 'DELETE';
  readonly key: string;
  readonly modRevision: number;
}

export interface WatchSpec {
  readonly key: Buffer;
  /** Absent: the one key. */
  readonly rangeEnd?: Buffer | undefined;
  /**
   * The first revision to report. Watches resume here after a stream breaks, so no change
   * between a read and the watch is missed: pass the read's revision + 1. 0 means "from now" as
   * etcd sees it when the create request arrives, later than the call: a write in between is
   * missed, so callers that must see every change after the call never pass 0.
   */
  readonly startRevision: number;
  /** Report deletions only (etcd's NOPUT filter): puts are not even sent. */
  readonly deletesOnly?: boolean | undefined;
  /** Called with the events of one response, in revision order. */
  readonly onEvents: (events: readonly EtcdEvent[]) => void;
  /**
   * Called when events may have been missed (the revision to resume from was compacted away):
   * read again. The watch goes on from the compaction revision, `resumeAt`.
   */
  readonly onGap: (resumeAt: number) => void;
}

/**
 * After a broken watch stream, how long to wait before opening it again (on the next member),
 * ms on the clock. Short: watches resume from their revision, so nothing is missed meanwhile;
 * a quarter second keeps a dead cluster from being hammered.
 */
const REOPEN_DELAY_MS = 250;

interface Watcher {
  readonly spec: WatchSpec;
  /** The revision to resume from: one past the last event delivered. */
  next: number;
  id: string | undefined;
  cancelled: boolean;
}

/**
 * Every watch of one client, multiplexed on one Watch stream (etcd's own client does the
 * same). Creates are answered in the order sent, which is how a reply is matched to its
 * watcher. A broken stream (member gone, or it lost its raft leader: the stream asks for one)
 * is opened again on the next member and every watch is created again from its revision.
 */
export class EtcdWatches {
  readonly #client: EtcdClient;
  readonly #clock: Clock;
  readonly #watchers = new Set<Watcher>();
  readonly #byId = new Map<string, Watcher>();
  /** Creates sent on the current stream and not answered yet, in order. */
  #awaitingCreate: Watcher[] = [];
  #stream: { call: ClientDuplexStream<object, Message>; endpoint: string } | undefined;
  #reopening = false;

  constructor(client: EtcdClient, clock: Clock) {
    this.#client = client;
    this.#clock = clock;
  }

  /** Watches until `signal` aborts. */
  watch(spec: WatchSpec, signal: AbortSignal): void {
    if (signal.aborted || this.#client.closed.aborted) return;
    const watcher: Watcher = { spec, next: spec.startRevision, id: undefined, cancelled: false };
    this.#watchers.add(watcher);
    signal.addEventListener('abort', () => this.#cancel(watcher), { once: true });
    const stream = this.#open();
    if (stream) this.#create(stream.call, watcher);
  }

  /** Ends every watch (the client is closing). */
  close(): void {
    for (const watcher of [...this.#watchers]) this.#cancel(watcher);
    this.#stream?.call.cancel();
    this.#stream = undefined;
  }

  #open(): { call: ClientDuplexStream<object, Message>; endpoint: string } | undefined {
    if (this.#stream || this.#reopening) return this.#stream;
    let opened: { call: ClientDuplexStream<object, Message>; endpoint: string };
    try {
      opened = this.#client.stream(METHODS.watch, { requireLeader: true });
    } catch {
      return undefined; // closed
    }
    this.#stream = opened;
    this.#awaitingCreate = [];
    this.#byId.clear();
    opened.call.on('data', (response: Message) => this.#onResponse(opened.call, response));
    opened.call.on('error', () => this.#broken(opened.call, opened.endpoint));
    opened.call.on('end', () => this.#broken(opened.call, opened.endpoint));
    return opened;
  }

  #create(call: ClientDuplexStream<object, Message>, watcher: Watcher): void {
    this.#awaitingCreate.push(watcher);
    const { key, rangeEnd, deletesOnly } = watcher.spec;
    // fragment: etcd splits the events of one revision over several answers rather than send
    // them in one (a lease that expires deletes all its keys at one revision).
    call.write({ create_request: { key, ...(rangeEnd ? { range_end: rangeEnd } : {}), start_revision: watcher.next, ...(deletesOnly ? { filters: ['NOPUT'] } : {}), fragment: true } });
  }

  #onResponse(call: ClientDuplexStream<object, Message>, response: Message): void {
    if (this.#stream?.call !== call) return;
    const id = String(response['watch_id']);
    if (response['created'] === true) {
      const watcher = this.#awaitingCreate.shift();
      if (!watcher) return;
      if (watcher.cancelled) return void call.write({ cancel_request: { watch_id: id } });
      watcher.id = id;
      this.#byId.set(id, watcher);
      // Created "from now": resume after the revision it started at.
      if (watcher.next === 0) watcher.next = toNumber((response['header'] as Message | undefined)?.['revision']) + 1;
    }
    const watcher = this.#byId.get(id);
    if (!watcher) return;
    if (response['canceled'] === true) return this.#onCancelled(call, watcher, toNumber(response['compact_revision']));
    const events = (response['events'] as Message[] | undefined) ?? [];
    if (events.length === 0) return;
    const parsed = events.map(parseEvent);
    // A fragment leaves more of its revision to come: until the last one, resume AT that revision.
    const done = response['fragment'] === true ? 0 : 1;
    watcher.next = Math.max(watcher.next, (parsed[parsed.length - 1]?.modRevision ?? 0) + done);
    if (!watcher.cancelled) watcher.spec.onEvents(parsed);
  }

  /** The member cancelled a watch: compacted (resume at the compaction, after a hint) or refused. */
  #onCancelled(call: ClientDuplexStream<object, Message>, watcher: Watcher, compactRevision: number): void {
    if (watcher.id !== undefined) this.#byId.delete(watcher.id);
    watcher.id = undefined;
    if (watcher.cancelled) return;
    if (compactRevision > 0) {
      watcher.next = compactRevision;
      watcher.spec.onGap(compactRevision);
      this.#create(call, watcher);
      return;
    }
    // Refused for another reason (permissions, a member shutting down): break the stream, so it
    // is opened again after a pause, maybe on another member.
    this.#broken(call, this.#stream?.endpoint ?? '');
  }

  #broken(call: ClientDuplexStream<object, Message>, endpoint: string): void {
    if (this.#stream?.call !== call) return;
    this.#stream = undefined;
    call.cancel();
    if (this.#watchers.size === 0 || this.#client.closed.aborted) return;
    this.#client.failover(endpoint);
    this.#reopening = true;
    void this.#clock
      .sleep(REOPEN_DELAY_MS, { signal: this.#client.closed })
      .then(() => this.#client.reauthenticate())
      .then(() => {
        this.#reopening = false;
        if (this.#watchers.size === 0) return;
        const stream = this.#open();
        if (stream) for (const watcher of this.#watchers) this.#create(stream.call, watcher);
      })
      .catch(() => {
        this.#reopening = false; // closed
      });
  }

  #cancel(watcher: Watcher): void {
    if (watcher.cancelled) return;
    watcher.cancelled = true;
    this.#watchers.delete(watcher);
    const call = this.#stream?.call;
    if (watcher.id !== undefined) {
      this.#byId.delete(watcher.id);
      call?.write({ cancel_request: { watch_id: watcher.id } });
    }
    if (this.#watchers.size === 0 && call) {
      // Nothing left to watch: end the stream rather than keep it open.
      this.#stream = undefined;
      call.cancel();
    }
  }
}

function parseEvent(event: Message): EtcdEvent {
  const kv = (event['kv'] as Message | undefined) ?? {};
  return {
    type: event['type'] === 'DELETE' ? 'DELETE' : 'PUT',
    key: Buffer.isBuffer(kv['key']) ? kv['key'].toString('utf8') : '',
    modRevision: toNumber(kv['mod_revision']),
  };
}
