import type { SqlContext } from './sql-context.js';
import type { SqlLeadership } from './sql-leadership.js';
import { releaseLease } from './lease-release.js';

/** The store's count and sum of terms for a session, read just after noting the session's own. */
export interface LeasesDigest {
  /** The count and sum of the terms held, noted before the read. */
  readonly held: { readonly leases: number; readonly terms: number };
  readonly leases: number;
  readonly terms: number;
  /** The database clock at the read (epoch ms): the session's clock check where the renewal returns none (MySQL). */
  readonly dbNowMs: number;
}

/**
 * The leases one session holds, and their reconciliation with the store. A lease row lives as
 * long as its holder's member row, so no lease is renewed on its own; what a per-lease renewal
 * used to tell a holder (its row was taken or changed behind its back) comes from one read per
 * retry period per session instead, and so does the cure for rows a live session would
 * otherwise hold forever.
 */
export class SessionLeases {
  readonly #ctx: SqlContext;
  readonly #sessionId: string;
  readonly #held = new Map<string, SqlLeadership>();
  /**
   * The sum of the held terms, kept as they come and go: the digest is compared every retry
   * period, and copying 10,000 held terms to sum them each time cost more than its read.
   */
  #heldTerms = 0;
  readonly #campaigning = new Set<string>();
  #reconciling = false;

  constructor(ctx: SqlContext, sessionId: string) {
    this.#ctx = ctx;
    this.#sessionId = sessionId;
  }

  /** Whether the session campaigns for or holds `election`. */
  busy(election: string): boolean {
    return this.#campaigning.has(election) || this.#held.has(election);
  }

  campaigning(election: string, yes: boolean): void {
    if (yes) this.#campaigning.add(election);
    else this.#campaigning.delete(election);
  }

  add(leadership: SqlLeadership): void {
    this.#heldTerms += leadership.term - (this.#held.get(leadership.election)?.term ?? 0);
    this.#held.set(leadership.election, leadership);
  }

  /** Forgets `leadership` (when it ends), unless a newer term of its election replaced it. */
  remove(leadership: SqlLeadership): void {
    if (this.#held.get(leadership.election) !== leadership) return;
    this.#held.delete(leadership.election);
    this.#heldTerms -= leadership.term;
  }

  /** The terms held now. */
  all(): SqlLeadership[] {
    return [...this.#held.values()];
  }

  /**
   * Step 1 of reconcile: the count and sum of the terms held now, then the store's digest of
   * the session's rows, which may wait up to `batchWaitMs` for the polls' next round trip
   * (next-batch.ts).
   */
  async readDigest(batchWaitMs = 0): Promise<LeasesDigest> {
    const held = { leases: this.#held.size, terms: this.#heldTerms };
    const { connection, sql, cluster } = this.#ctx;
    const row = (await connection.runWithNextBatch(sql.sessionLeasesDigest, [cluster, this.#sessionId], batchWaitMs)).rows[0];
    return { held, leases: Number(row?.['leases']), terms: Number(row?.['terms']), dbNowMs: Number(row?.['now_ms']) };
  }

  /**
   * Compares what the store holds for this session with the terms it knows, and settles the
   * difference. Run after each successful renewal of the session's member row (one at a time):
   *  1. note the count and sum of the terms held now, and read the store's for this session
   *     (one indexed read: at rest, the only cost per retry period besides the renewal);
   *  2. equal: nothing changed. Else note the terms held now, then read the session's rows
   *     (election, term);
   *  3. a term noted in 2 that the store no longer names (another holder, another term) ends
   *     as taken over: someone changed the row behind its back. Noted before the read, every
   *     such term's row was written before the read, so its absence is a change; a term won
   *     while the read is under way is not judged by it;
   *  4. a row naming this session that no live term holds, whose election no campaign of this
   *     session is trying to win, is released, by holder and term. Nobody acts for it: it is a
   *     graceful end whose release failed or is in flight, a take that landed after its
   *     campaign was aborted, or one whose answer was lost. Left alone, the session's renewals
   *     would keep it held forever. A campaign that starts meanwhile takes the row with a
   *     higher term (leaseFree lets a session take its own row), which this release, bound to
   *     the old term, no longer matches. Where releases hand over, it may go to a waiter.
   * A failed read is tried again after the next renewal.
   */
  async reconcile(read?: LeasesDigest): Promise<void> {
    if (this.#reconciling) return;
    this.#reconciling = true;
    try {
      const { held, leases, terms } = read ?? (await this.readDigest());
      if (leases === held.leases && terms === held.terms) return;
      const { connection, sql, cluster } = this.#ctx;
      const known = this.all();
      const { rows } = await connection.run(sql.sessionLeases, [cluster, this.#sessionId]);
      const stored = new Map(rows.map((r) => [String(r['name']), Number(r['term'])]));
      for (const leadership of known) {
        if (stored.get(leadership.election) !== leadership.term) leadership.takenOver();
      }
      const orphans = [...stored].filter(([election, term]) => this.#held.get(election)?.term !== term && !this.#campaigning.has(election));
      // Lost in a server crash, the next reconciliation finds it again. Where releases hand
      // over, a waiter row of the session left behind (a campaign's delete that failed) goes
      // too, so that the next release does not hand the row back here.
      const release = async ([election, term]: [string, number]) => {
        if (connection.dialect.handsOver) await connection.run(sql.waiterLeaveElection, [cluster, election, this.#sessionId]);
        await releaseLease(this.#ctx, election, this.#sessionId, term);
      };
      await Promise.allSettled(orphans.map(release));
    } finally {
      this.#reconciling = false;
    }
  }
}
