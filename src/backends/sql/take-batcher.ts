import type { SqlConnection } from './dialect.js';
import type { Permits } from '../../permits.js';
import { ElectionBatcher, type BatchedRequest } from './election-batcher.js';

/**
 * A take request's outcome: the term of the lease taken, `held` (a live session holds it), or
 * `dropped` (its campaign ended before it was sent).
 */
export type TakeOutcome = { readonly term: number } | 'held' | 'dropped';

/** What one campaign's take offers: the row leaseTakeOrInsertMany inserts or takes. */
interface TakeRow {
  readonly session: string;
  readonly nodeId: string;
  readonly infoText: string;
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
 * The takes of campaigns that are ready at the same time (a cold start: a node wants a
 * thousand items at once), in one statement for many elections (leaseTakeOrInsertMany), sent
 * by an ElectionBatcher (election-batcher.ts: when, how many, in which order). Each request
 * settles with its own election's outcome: its term if the row was taken, `held` if it was not
 * (the campaign then looks at the holder), or the statement's error. A request whose campaign
 * ended while it was in flight settles like any other: the campaign (sql-campaign.ts) releases
 * what it acquired too late.
 */
export class TakeBatcher {
  readonly #ctx: TakeBatcherContext;
  readonly #batcher: ElectionBatcher<TakeRow, Exclude<TakeOutcome, 'dropped'>>;

  constructor(ctx: TakeBatcherContext) {
    this.#ctx = ctx;
    this.#batcher = new ElectionBatcher({ permits: ctx.permits, closed: ctx.closed, send: (batch) => this.#send(batch) });
  }

  /**
   * Takes `election` for the session `session` in the next statement: resolves with the
   * outcome, `dropped` when `signal` aborted (or the backend closed) before it was sent;
   * rejects with the statement's error (StoreUnavailableError).
   */
  take(election: string, session: string, nodeId: string, infoText: string, signal?: AbortSignal): Promise<TakeOutcome> {
    return this.#batcher.submit(election, { session, nodeId, infoText }, signal);
  }

  /** One statement for `batch`; every request settles. */
  async #send(batch: readonly BatchedRequest<TakeRow, Exclude<TakeOutcome, 'dropped'>>[]): Promise<void> {
    const { connection, cluster, statement } = this.#ctx;
    const rows = JSON.stringify(batch.map(({ election, row }) => ({ n: election, h: row.session, o: row.nodeId, i: row.infoText })));
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
}
