import type { SqlConnection } from './dialect.js';
import type { Permits } from '../../permits.js';

/**
 * Elections one take statement offers at most. A statement locks the rows it takes until it
 * commits: 256 upserts take a few ms of server time (tens on 2 busy cores), far inside the
 * server-side statement and lock timeouts (postgres/connection.ts, 3 s and 2 s) and SQLite's
 * busy timeout for other processes (250 ms). A cold start of 1,000 items on a node is then 4
 * statements, 3 of them under way at once (CAMPAIGN_ATTEMPTS_AT_ONCE).
 */
export const ELECTIONS_PER_TAKE = 256;

/**
 * A take request's outcome: the term of the lease taken, `held` (a live session holds it), or
 * `dropped` (its campaign ended before it was sent).
 */
export type TakeOutcome = { readonly term: number } | 'held' | 'dropped';

/** One campaign's take, waiting for a statement. */
interface TakeRequest {
  readonly election: string;
  readonly session: string;
  readonly nodeId: string;
  readonly infoText: string;
  readonly signal: AbortSignal | undefined;
  readonly settle: (outcome: TakeOutcome) => void;
  readonly fail: (error: unknown) => void;
}

/** What the batcher needs of its backend. */
export interface TakeBatcherContext {
  readonly connection: SqlConnection;
  readonly cluster: string;
  /** statements.ts leaseTakeOrInsertMany. */
  readonly statement: string;
  /** The backend's campaign permits: one per statement under way. */
  readonly permits: Permits;
  /** Aborts when the backend closes: requests still waiting are dropped. */
  readonly closed: AbortSignal;
}

/**
 * Coalesces the takes of campaigns that are ready at the same time (a cold start: a node wants
 * a thousand items at once) into one statement for many elections (leaseTakeOrInsertMany), so
 * the store, the driver and every node's LISTEN connection see one statement and a few NOTIFYs
 * where they saw one of each per item:
 *  1. a take joins the queue; the first one in a turn of the event loop schedules a flush for
 *     after it (setImmediate), so every campaign started in that turn is in the first batch;
 *  2. the flush takes a campaign permit per statement (at most CAMPAIGN_ATTEMPTS_AT_ONCE under
 *     way, one connection left for renewals), then the queue's first ELECTIONS_PER_TAKE
 *     requests, one per election (two sessions of one backend campaigning for the same name
 *     go in different statements: one statement may change a row only once), skipping those
 *     whose campaign ended meanwhile; takes queued while the statements run form the next;
 *  3. each request settles with its own election's outcome: its term if the row was taken,
 *     `held` if it was not (the campaign then looks at the holder), or the statement's error.
 * Only the statement decides, on the DB clock, row by row; the batcher decides only when to
 * send. A request whose campaign ended while it was in flight settles like any other: the
 * campaign (sql-campaign.ts) releases what it acquired too late.
 */
export class TakeBatcher {
  readonly #ctx: TakeBatcherContext;
  #queue: TakeRequest[] = [];
  #flushing = false;

  constructor(ctx: TakeBatcherContext) {
    this.#ctx = ctx;
  }

  /**
   * Takes `election` for the session `session` in the next statement: resolves with the
   * outcome, `dropped` when `signal` aborted (or the backend closed) before it was sent;
   * rejects with the statement's error (StoreUnavailableError).
   */
  take(election: string, session: string, nodeId: string, infoText: string, signal?: AbortSignal): Promise<TakeOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ election, session, nodeId, infoText, signal, settle: resolve, fail: reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const release = await this.#ctx.permits.acquire(this.#ctx.closed);
      if (release === null) {
        this.#dropAll();
        break;
      }
      const batch = this.#nextBatch();
      if (batch.length === 0) {
        release();
        continue;
      }
      void this.#send(batch).finally(release);
    }
    this.#flushing = false;
  }

  /** Step 2: the next statement's requests, sorted by election (statements.ts: lock order). */
  #nextBatch(): TakeRequest[] {
    const batch: TakeRequest[] = [];
    const names = new Set<string>();
    const rest: TakeRequest[] = [];
    for (const request of this.#queue) {
      if (request.signal?.aborted === true) request.settle('dropped');
      else if (batch.length < ELECTIONS_PER_TAKE && !names.has(request.election)) {
        names.add(request.election);
        batch.push(request);
      } else rest.push(request);
    }
    this.#queue = rest;
    return batch.sort((a, b) => (a.election < b.election ? -1 : a.election > b.election ? 1 : 0));
  }

  /** Step 3: one statement for `batch`; every request settles. */
  async #send(batch: readonly TakeRequest[]): Promise<void> {
    const { connection, cluster, statement } = this.#ctx;
    const rows = JSON.stringify(batch.map((r) => ({ n: r.election, h: r.session, o: r.nodeId, i: r.infoText })));
    try {
      const result = await connection.runAndAnnounce(statement, [cluster, rows], cluster, { topicPerRow: true });
      const terms = new Map(result.rows.map((row) => [String(row['name']), Number(row['term'])]));
      for (const request of batch) {
        const term = terms.get(request.election);
        request.settle(term === undefined ? 'held' : { term });
      }
    } catch (error) {
      for (const request of batch) request.fail(error);
    }
  }

  #dropAll(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const request of queue) request.settle('dropped');
  }
}
