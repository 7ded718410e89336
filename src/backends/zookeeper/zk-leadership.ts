import type { CallOptions, Fence, Leadership } from '../../backend/contract.js';
import { LeadershipEndedError, type LeadershipEndReason } from '../../errors.js';
import type { ZkClient, ZkEvent } from './zk-client.js';
import { isZkError, toContractError } from './zookeeper-error.js';

/**
 * One held term: the session's candidate znode is the lowest of its election. The term is that
 * znode's czxid. The term ends (signal aborts with LeadershipEndedError) when the znode is
 * deleted by anyone (watched), when the session is lost or closed, or on resign.
 */
export class ZkLeadership implements Leadership {
  readonly election: string;
  readonly term: number;
  readonly fence: Fence;
  /** The candidate znode and its data version, checked by fenced writes. */
  readonly path: string;
  readonly version: number;
  readonly #client: ZkClient;
  readonly #ended = new AbortController();
  readonly #onEnd: (leadership: ZkLeadership) => void;
  readonly #watcher = (event: ZkEvent) => this.#onEvent(event);
  #resigning: Promise<void> | undefined;

  constructor(params: { election: string; term: number; sessionId: string; path: string; version: number; client: ZkClient; onEnd: (l: ZkLeadership) => void }) {
    this.election = params.election;
    this.term = params.term;
    this.fence = Object.freeze({ election: params.election, term: params.term, sessionId: params.sessionId });
    this.path = params.path;
    this.version = params.version;
    this.#client = params.client;
    this.#onEnd = params.onEnd;
  }

  get signal(): AbortSignal {
    return this.#ended.signal;
  }

  held(): boolean {
    return !this.signal.aborted;
  }

  /** The watcher to pass to the `exists` call that confirmed the znode (no gap in watching). */
  get watcher(): (event: ZkEvent) => void {
    return this.#watcher;
  }

  /** Ends the term (idempotent): the holder must stop acting at once. */
  end(reason: LeadershipEndReason, cause?: unknown): void {
    if (this.#ended.signal.aborted) return;
    this.#client.removeWatcher(this.#watcher);
    this.#ended.abort(new LeadershipEndedError(this.election, this.term, reason, { cause }));
    this.#onEnd(this);
  }

  /** 1. End the term locally (stop acting first); 2. delete the znode so the next candidate leads at once. */
  resign(options: CallOptions = {}): Promise<void> {
    this.end('resigned');
    this.#resigning ??= this.#deleteNode(options);
    return this.#resigning;
  }

  async #deleteNode(options: CallOptions): Promise<void> {
    if (this.#client.state === 'closed' || this.#client.state === 'expired') return; // the session took the znode with it
    try {
      await this.#client.delete(this.path, options);
    } catch (error) {
      if (isZkError(error, 'NO_NODE', 'SESSION_EXPIRED') || (error as { code?: string }).code === 'CLOSED') return;
      this.#resigning = undefined; // let a later resign() try again
      throw toContractError(error);
    }
  }

  #onEvent(event: ZkEvent): void {
    if (this.#ended.signal.aborted) return;
    if (event.type === 'deleted') {
      this.end('taken-over');
      return;
    }
    // Data changed (someone rewrote the info): keep watching; gone by now also ends the term.
    this.#client.exists(this.path, { watch: this.#watcher, signal: this.#ended.signal }).then(
      (stat) => {
        if (stat === null) this.end('taken-over');
      },
      (error: unknown) => {
        // Connection trouble: the session's own deadline decides; a vanished znode ends the term.
        if (isZkError(error, 'NO_NODE')) this.end('taken-over', error);
      },
    );
  }
}
