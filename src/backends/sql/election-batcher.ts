import type { Permits } from '../../permits.js';

/**
 * Elections one batched statement (a take or a release of many) carries at most. A statement
 * locks the rows it changes until it commits: 256 rows take a few ms of server time (tens on 2
 * busy cores), far inside the server-side statement and lock timeouts (postgres/connection.ts,
 * 3 s and 2 s) and SQLite's busy timeout for other processes (250 ms). A cold start of 1,000
 * items on a node is then 4 take statements, 3 of them under way at once
 * (CAMPAIGN_ATTEMPTS_AT_ONCE); a leave of 33,333 items is 131 release statements.
 */
export const ELECTIONS_PER_STATEMENT = 256;

/** One request waiting for a statement: its election, what the statement needs of it, how it settles. */
export interface BatchedRequest<T, O> {
  readonly election: string;
  readonly row: T;
  readonly signal: AbortSignal | undefined;
  readonly settle: (outcome: O) => void;
  readonly fail: (error: unknown) => void;
}

/** What a batcher needs of its backend. */
export interface ElectionBatcherOptions<T, O> {
  /** The backend's campaign permits: one per statement under way. */
  readonly permits: Permits;
  /** Aborts when the backend closes: requests still waiting are dropped. */
  readonly closed: AbortSignal;
  /**
   * Sends ONE statement for `batch` (one request per election, sorted by election: the order
   * statements lock rows in) and settles every request in it, with its outcome or the error.
   */
  readonly send: (batch: readonly BatchedRequest<T, O>[]) => Promise<void>;
}

/**
 * Coalesces per-election requests that are ready at the same time (a cold start's takes, a
 * leave's releases) into statements of many elections, so the store, the driver and every
 * node's LISTEN connection see one statement and a few NOTIFYs where they saw one of each per
 * item:
 *  1. a request joins the queue; the first one in a turn of the event loop schedules a flush
 *     for after it (setImmediate), so every request made in that turn is in the first batch;
 *  2. the flush takes a campaign permit per statement (at most CAMPAIGN_ATTEMPTS_AT_ONCE under
 *     way, one connection left for renewals), then the queue's first ELECTIONS_PER_STATEMENT
 *     requests, one per election (two sessions of one backend asking for the same name go in
 *     different statements: one statement may change a row only once), skipping those whose
 *     signal aborted meanwhile (`dropped`); requests queued while the statements run form the
 *     next;
 *  3. `send` settles each request with its own election's outcome, or the statement's error.
 * Only the statement decides, row by row on the DB clock; the batcher decides only when to
 * send, and sends only what was asked: a request is made once its caller may make it.
 */
export class ElectionBatcher<T, O> {
  readonly #options: ElectionBatcherOptions<T, O>;
  #queue: BatchedRequest<T, O | 'dropped'>[] = [];
  #flushing = false;

  constructor(options: ElectionBatcherOptions<T, O>) {
    this.#options = options;
  }

  /**
   * Asks for `row` of `election` in the next statement: resolves with its outcome, `dropped`
   * when `signal` aborted (or the backend closed) before it was sent; rejects with the
   * statement's error.
   */
  submit(election: string, row: T, signal?: AbortSignal): Promise<O | 'dropped'> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ election, row, signal, settle: resolve, fail: reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const release = await this.#options.permits.acquire(this.#options.closed);
      if (release === null) {
        this.#dropAll();
        break;
      }
      const batch = this.#nextBatch();
      if (batch.length === 0) {
        release();
        continue;
      }
      void this.#options.send(batch).finally(release);
    }
    this.#flushing = false;
  }

  /** Step 2: the next statement's requests, sorted by election (statements.ts: lock order). */
  #nextBatch(): BatchedRequest<T, O>[] {
    const batch: BatchedRequest<T, O>[] = [];
    const names = new Set<string>();
    const rest: BatchedRequest<T, O | 'dropped'>[] = [];
    for (const request of this.#queue) {
      if (request.signal?.aborted === true) request.settle('dropped');
      else if (batch.length < ELECTIONS_PER_STATEMENT && !names.has(request.election)) {
        names.add(request.election);
        batch.push(request);
      } else rest.push(request);
    }
    this.#queue = rest;
    return batch.sort((a, b) => (a.election < b.election ? -1 : a.election > b.election ? 1 : 0));
  }

  #dropAll(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const request of queue) request.settle('dropped');
  }
}
