import type { SqlConnection } from './dialect.js';
import type { Permits } from '../../permits.js';
import { ClosedError } from '../../errors.js';
import { ElectionBatcher, type BatchedRequest } from './election-batcher.js';

/** What one release asks: the session giving the lease up and the term it holds. */
interface ReleaseRow {
  readonly session: string;
  readonly term: number;
}

/** What the batcher needs of its backend. */
export interface ReleaseBatcherContext {
  readonly connection: SqlConnection;
  readonly cluster: string;
  /**
   * statements.ts leaseHandOverMany where the engine hands over (dialect.ts handsOver), else
   * leaseReleaseMany.
   */
  readonly statement: string;
  /** The backend's campaign permits: one per statement under way. */
  readonly permits: Permits;
  /** Aborts when the backend closes: releases still waiting are refused (ClosedError). */
  readonly closed: AbortSignal;
}

/**
 * The releases that are ready at the same time (a node leaving gives up thousands of items
 * once each one's work has stopped), in one statement for many elections, sent by an
 * ElectionBatcher (election-batcher.ts: when, how many, in which order). Each election in the
 * statement is released exactly as releaseLease releases one (lease-release.ts): only if the
 * row still names the releasing session at its term, handed to that election's own
 * longest-waiting live waiter where the engine hands over, and announced as its own topic.
 * A release is asked for by its caller only once the term's holder has stopped (its stop
 * callbacks settled: docs/safety.md rule 5); the batcher only groups what was asked.
 */
export class ReleaseBatcher {
  readonly #ctx: ReleaseBatcherContext;
  readonly #batcher: ElectionBatcher<ReleaseRow, 'sent'>;

  constructor(ctx: ReleaseBatcherContext) {
    this.#ctx = ctx;
    this.#batcher = new ElectionBatcher({ permits: ctx.permits, closed: ctx.closed, send: (batch) => this.#send(batch) });
  }

  /**
   * Releases the lease of `election` that `session` holds at `term`, in the next statement:
   * resolves once that statement committed (whether or not the row still matched); rejects
   * with its error, or with a ClosedError when the backend closed before it was sent.
   */
  async release(election: string, session: string, term: number): Promise<void> {
    const outcome = await this.#batcher.submit(election, { session, term });
    if (outcome === 'dropped') throw new ClosedError('sql backend');
  }

  /** One statement for `batch`; every request settles. */
  async #send(batch: readonly BatchedRequest<ReleaseRow, 'sent'>[]): Promise<void> {
    const { connection, cluster, statement } = this.#ctx;
    const rows = JSON.stringify(batch.map(({ election, row }) => ({ n: election, h: row.session, t: row.term })));
    const handover = connection.dialect.handsOver;
    try {
      // Not durable unless it hands a lease over (lease-release.ts says why).
      await connection.runAndAnnounce(statement, [rows, cluster], cluster, { durable: false, topicPerRow: true, handover });
      for (const request of batch) request.settle('sent');
    } catch (error) {
      for (const request of batch) request.fail(error);
    }
  }
}
