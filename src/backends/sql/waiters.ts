import { randomUUID } from 'node:crypto';
import type { SqlContext } from './sql-context.js';
import { releaseLease } from './lease-release.js';

/**
 * One waiting campaign's place in its election's queue of waiters, where the engine hands
 * leases over (dialect.ts handsOver): a graceful release gives the lease to the
 * longest-waiting waiter whose session is alive on the DB clock, at term + 1, in its one
 * statement (statements.ts leaseHandOver), and its announcement names that waiter's session,
 * ticket and term, so the waiter leads without a statement of its own.
 *
 * Why this is safe (docs/safety.md, "Handover to a waiter"):
 *  - one holder: the release moves the row from the releasing session (which stopped acting
 *    before it released, rule 5) to the waiter in one statement;
 *  - a live term only: the release chose the waiter because its member row was alive on the
 *    DB clock, so the row stays the waiter's until that session expires or releases it; the
 *    campaign takes the handed term only while its session's local deadline (which comes
 *    before that expiry, rule 3) has not passed, as it does with a take's answer;
 *  - this campaign's term only: the announcement must carry this campaign's ticket, a fresh
 *    id per campaign, so an announcement meant for an earlier campaign of the same session
 *    (which may have acted on its term, or whose clean-up may release it) is never taken;
 *  - nobody waits past the TTL: a handed lease nobody acts for (the campaign ended, or its
 *    process died while its session lives) is released by leave() below, else by the
 *    session's reconciliation (session-leases.ts) one retry period later, else it frees when
 *    the session expires.
 * A missed announcement costs nothing but time: the campaign's next look finds the row naming
 * its session and takes it at term + 1 (statements.ts leaseFree lets a session take its own
 * row), the term handed to it never acted for.
 */
/** The session side a place in the queue needs. */
export interface Waiter {
  readonly id: string;
  readonly nodeId: string;
  /** Whether the session campaigns for or holds `election` now. */
  busy(election: string): boolean;
}

export class WaiterPlace {
  readonly #ctx: SqlContext;
  readonly #who: Waiter;
  readonly #election: string;
  readonly #infoText: string;
  readonly #ticket = randomUUID();
  readonly #expected: ReturnType<SqlContext['feed']['expectHandover']>;
  /** The join statement, once sent (it succeeded, or is under way). */
  #joined: Promise<boolean> | undefined;

  constructor(ctx: SqlContext, who: Waiter, election: string, infoText: string) {
    this.#ctx = ctx;
    this.#who = who;
    this.#election = election;
    this.#infoText = infoText;
    this.#expected = ctx.feed.expectHandover(this.#ticket);
  }

  /**
   * Joins the back of the queue, once: after a look found a live holder. A join that failed
   * (the store unreachable) is tried again at the next look; a release meanwhile wakes the
   * campaign through its plain announcement, as if it had not joined. It holds one of the
   * backend's campaign permits, as an attempt does (sql-campaign.ts CAMPAIGN_ATTEMPTS_AT_ONCE):
   * thousands of campaigns joining at once must not queue the session's renewal behind them.
   */
  async join(signal: AbortSignal): Promise<void> {
    if (this.#joined !== undefined && (await this.#joined)) return;
    this.#joined = this.#insert(signal);
    await this.#joined;
  }

  async #insert(signal: AbortSignal): Promise<boolean> {
    const release = await this.#ctx.campaignPermits.acquire(signal);
    if (release === null) return false;
    const { connection, sql, cluster } = this.#ctx;
    try {
      await connection.run(sql.waiterJoin, [cluster, this.#election, this.#who.id, this.#who.nodeId, this.#ticket, this.#infoText]);
      return true;
    } catch {
      return false;
    } finally {
      release();
    }
  }

  /** The term handed to this campaign, if its announcement has arrived. */
  handedTerm(): number | undefined {
    const handed = this.#expected.handed();
    return handed?.holder === this.#who.id ? handed.term : undefined;
  }

  /**
   * The campaign ended: leave the queue.
   *  1. delete this campaign's row (after its join settled, so a join arriving late is not
   *     left behind). A release that chose it meanwhile locked the row: the delete waits for
   *     it to commit;
   *  2. without a lease, unless the session campaigns for or holds the election again: a
   *     lease handed to this session before step 1 is released at once (by its term, handing
   *     it to the next waiter): nobody acts for it. If that fails, or a release chose the row
   *     just before the delete, the session's reconciliation releases it.
   * A campaign that acquired does both in the background (its leader is not kept waiting for
   * the CPU this takes). One that did not resolves once step 1 is done, so its end means no
   * release can hand it the lease any more (a leader transfer's stand-by relies on that:
   * docs/safety.md rule 15); step 2 runs after it, once the session no longer counts the
   * campaign as under way. Never rejects.
   */
  async leave(acquired: boolean): Promise<void> {
    this.#expected.stop();
    if (this.#joined === undefined) return;
    if (acquired) {
      setImmediate(() => void this.#deleteRow().catch(() => undefined)); // else reconciled (session-leases.ts)
      return;
    }
    const deleted = await this.#deleteRow().then(() => true, () => false);
    if (deleted) setImmediate(() => void this.#releaseHanded().catch(() => undefined)); // else reconciled (session-leases.ts)
  }

  async #deleteRow(): Promise<void> {
    const { connection, sql, cluster } = this.#ctx;
    await this.#joined;
    await connection.run(sql.waiterLeave, [cluster, this.#election, this.#who.id, this.#ticket]);
  }

  async #releaseHanded(): Promise<void> {
    const { connection, sql, cluster } = this.#ctx;
    const election = this.#election;
    const session = this.#who.id;
    if (this.#who.busy(election)) return;
    const row = (await connection.run(sql.leaseMine, [cluster, election, session])).rows[0];
    if (row === undefined || this.#who.busy(election)) return;
    await releaseLease(this.#ctx, election, session, Number(row['term']));
  }
}
