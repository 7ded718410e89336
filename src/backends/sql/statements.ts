/**
 * Every statement the SQL backend runs, written once over a dialect's `now` expression and
 * quoting. `NOW` below is always the database server's clock (epoch ms); local clocks never
 * appear in SQL. Placeholders are `?`.
 */
import type { SqlDialect } from './dialect.js';
import type { TableNames } from './table-prefix.js';

export type Statements = ReturnType<typeof buildStatements>;

/**
 * The `expires_at` of a lease held by a session (9999-12-31T23:59:59.999Z in epoch ms): such a
 * lease lives as long as its holder's member row, not by a time of its own. A far-future value
 * rather than none, so that a process from before schema version 3 (which judged a lease by
 * `expires_at` alone and renewed each lease) never takes a lease held this way while a rolling
 * upgrade runs both; it gets the lease once it is released. Fits a JavaScript number, BIGINT
 * and SQLite's INTEGER.
 */
export const SESSION_BOUND_EXPIRES_AT = 253_402_300_799_999;

export function buildStatements(d: SqlDialect, t: TableNames) {
  const lease = d.quote(t.lease);
  const member = d.quote(t.member);
  const kv = d.quote(t.kv);
  const waiter = d.quote(t.waiter);
  const key = d.quote('key');
  const now = d.nowMs;
  const returning = (columns: string) => (d.returning ? ` RETURNING ${columns}` : '');
  /**
   * The session of the lease row `l` (a table name or alias) is alive on the DB clock: its
   * member row exists and has not expired. A lease lives as long as its holder's session, as a
   * ZooKeeper ephemeral does, so one member-row renewal keeps every lease of a node alive.
   */
  const sessionLive = (l: string) => `EXISTS (SELECT 1 FROM ${member} m WHERE m.cluster = ${l}.cluster AND m.session = ${l}.holder AND m.expires_at > ${now})`;
  /**
   * The lease row `l` is held: it names a holder, its own expiry has not passed (meaningful for
   * a row taken before schema version 3, whose holder renewed it; rows taken since carry
   * SESSION_BOUND_EXPIRES_AT there), and the holder's session is alive.
   */
  const leaseHeld = (l: string) => `${l}.holder IS NOT NULL AND ${l}.expires_at > ${now} AND ${sessionLive(l)}`;
  /**
   * The lease row may be taken by the session `taker` (`?`, or a column of the rows a statement
   * takes): nobody holds it (released), this very session holds it (a take of its own whose
   * answer was lost, or whose release failed: none of its terms is live, since a session
   * campaigns only for what it does not hold), a row taken before schema version 3 expired on
   * its own, or the holder's member row is GONE. An expired member row that still exists does
   * not count: see memberReap for why it is deleted first.
   */
  const leaseFreeFor = (taker: string) => `(${lease}.holder IS NULL OR ${lease}.holder = ${taker} OR ${lease}.expires_at <= ${now} OR NOT EXISTS (SELECT 1 FROM ${member} m WHERE m.cluster = ${lease}.cluster AND m.session = ${lease}.holder))`;
  const leaseFree = leaseFreeFor('?');
  /** The fence's term is held, its session alive on the DB clock (cluster, election, sessionId, term). */
  const fenceHeld = `cluster = ? AND name = ? AND holder = ? AND term = ? AND ${leaseHeld(lease)}`;
  /**
   * Inside a KV write: the fence holds, and the lease row stays share-locked until that one
   * statement commits, so no takeover can commit between the check and the write (PostgreSQL
   * and MySQL would otherwise check a snapshot taken when the statement began). The lock never
   * outlives the statement, which the server bounds (see each connection's timeouts).
   *
   * The member row is read, not locked. Every end of a term in the store is a write of the
   * LEASE row (a take or a release); the member row only decides whether a take may happen. A
   * takeover after the holder's session expired must still update the lease row, so it waits
   * for this statement's share lock and commits after the write: the write is ordered before
   * any later term, which is all fencing promises (the same as a lease that expired while the
   * statement ran, before sessions held leases). Locking the member row too would only make
   * every fenced write wait for (and block) the holder's own renewals.
   */
  const fenceHolds = `EXISTS (SELECT 1 FROM ${lease} WHERE ${fenceHeld}${d.lockLease})`;
  /** The key at exactly the version the writer read (cluster, key, version). */
  const kvAt = `cluster = ? AND ${key} = ? AND version = ?`;
  /** Columns a take writes: holder, node, term + 1, version + 1, bound to the session, info. */
  const take = `holder = ?, holder_node = ?, term = term + 1, version = version + 1, expires_at = ${SESSION_BOUND_EXPIRES_AT}, acquired_at = ${now}, renewed_at = ${now}, info = ?`;
  const leaseColumns = `${lease} (cluster, name, holder, holder_node, term, version, expires_at, acquired_at, renewed_at, info)`;
  const insert = `INSERT INTO ${leaseColumns} VALUES (?, ?, ?, ?, 1, 1, ${SESSION_BOUND_EXPIRES_AT}, ${now}, ${now}, ?)`;
  /** On an existing row, the take's columns from the row offered for insertion, if the row is free for its session. */
  const takeOnConflict = `ON CONFLICT (cluster, name) DO UPDATE SET holder = excluded.holder, holder_node = excluded.holder_node, term = ${lease}.term + 1, version = ${lease}.version + 1, expires_at = ${SESSION_BOUND_EXPIRES_AT}, acquired_at = ${now}, renewed_at = ${now}, info = excluded.info WHERE ${leaseFreeFor('excluded.holder')}`;
  return Object.freeze({
    // ---- leases (elections) ----
    /** The live holder, if any: a lease of an expired session is no leader. */
    leaderRead: `SELECT holder, holder_node, term, acquired_at, info FROM ${lease} WHERE cluster = ? AND name = ? AND ${leaseHeld(lease)}`,
    /**
     * The row as a watcher sees it: live or not, when it last changed hands, and when its
     * holder's session expires (null once that member row is gone), also as ms from now on the
     * DB clock with the row's own expiry (the watch's poll sleeps until the earlier one).
     */
    leaseState: `SELECT l.holder, l.term, l.info, l.acquired_at, l.expires_at, m.expires_at AS session_expires_at, CASE WHEN ${leaseHeld('l')} THEN 1 ELSE 0 END AS live, m.expires_at - ${now} AS session_expires_in_ms, l.expires_at - ${now} AS lease_expires_in_ms FROM ${lease} l LEFT JOIN ${member} m ON m.cluster = l.cluster AND m.session = l.holder WHERE l.cluster = ? AND l.name = ?`,
    dbNow: `SELECT ${now} AS now_ms`,
    /**
     * A waiting campaign's look at the row: whether it exists, who holds it, whether that
     * holder's member row has expired on the DB clock (then memberReap, and take again), and
     * in how many ms on the DB clock the holder's session and the row itself expire (null once
     * the member row is gone), for the waiter to sleep until then.
     */
    leaseHolderState: `SELECT l.holder, CASE WHEN m.expires_at <= ${now} THEN 1 ELSE 0 END AS holder_expired, m.expires_at - ${now} AS session_expires_in_ms, l.expires_at - ${now} AS lease_expires_in_ms FROM ${lease} l LEFT JOIN ${member} m ON m.cluster = l.cluster AND m.session = l.holder WHERE l.cluster = ? AND l.name = ?`,
    /** First acquisition ever of this election: term 1. A concurrent insert loses on the key. */
    leaseInsert: insert,
    /**
     * Take a free lease (see leaseFree; never one of a live session: a recovering node does not
     * pre-empt); term +1 is the new fencing token, version +1 marks the write. Parameters: the
     * take's columns, then cluster, name and the taking session again.
     */
    leaseTake: `UPDATE ${lease} SET ${take} WHERE cluster = ? AND name = ? AND ${leaseFree}`,
    /**
     * leaseInsert, or when the row exists leaseTake, in ONE statement (dialects with RETURNING,
     * which all have INSERT ... ON CONFLICT DO UPDATE ... WHERE): term 1 for a new row, term + 1
     * for a free one, no row for one held by a live session. The existing row is locked before
     * its WHERE is judged (PostgreSQL judges the latest version, as a plain UPDATE does after
     * a lock wait), so a take here decides exactly as leaseTake. It saves a cold start on an
     * empty store two round trips per item (take, look, insert). The row offered names the
     * taking session (excluded.holder). Parameters: cluster, name, session, node, info.
     */
    leaseTakeOrInsertReturning: `${insert} ${takeOnConflict} RETURNING term`,
    /**
     * leaseTakeOrInsertReturning for many elections in ONE statement (dialects with
     * electionRows): each row offered is decided on its own, by the same leaseFree condition on
     * the DB clock with its own taking session, exactly as that statement decides one: term 1
     * for a new row, term + 1 for a free one, nothing for one held by a live session. Each row
     * acquired gets its own term. Rows are locked in the order offered, so callers offer names
     * sorted: two nodes' statements over the same names then lock them in one order and never
     * deadlock. `WHERE true` tells SQLite's parser that ON CONFLICT is not a join's ON.
     * Parameters: cluster, the rows (dialect.electionRows). Returns name and term of each row
     * acquired. null where the dialect has no electionRows.
     */
    leaseTakeOrInsertMany:
      d.electionRows === undefined
        ? null
        : `INSERT INTO ${leaseColumns} SELECT ?, r.n, r.h, r.o, 1, 1, ${SESSION_BOUND_EXPIRES_AT}, ${now}, ${now}, r.i FROM ${d.electionRows} WHERE true ${takeOnConflict} RETURNING name, term`,
    /** leaseInsert reporting the new term (dialects with RETURNING). */
    leaseInsertReturning: `${insert} RETURNING term`,
    leaseMine: `SELECT term, acquired_at FROM ${lease} WHERE cluster = ? AND name = ? AND holder = ?`,
    /** Give the lease up now so a successor need not wait for expiry. By holder and term. */
    leaseRelease: `UPDATE ${lease} SET holder = NULL, holder_node = NULL, info = NULL, version = version + 1, expires_at = ${now} WHERE cluster = ? AND name = ? AND holder = ? AND term = ?${returning('term')}`,
    /**
     * leaseRelease that hands the lease over (engines with handsOver, PostgreSQL's syntax): in
     * the same statement, the longest-waiting waiter of the election whose session is alive on
     * the DB clock, other than the releasing session, becomes the holder at term + 1, bound to
     * its session as a take is; with no such waiter the row is released as by leaseRelease.
     *  - The waiter is chosen once (a sub-SELECT joined to the row), so holder, node, info and
     *    term all come from one choice, made with one reading of each row.
     *  - Its waiter row is locked (FOR UPDATE, SKIP LOCKED): a waiter deleting its row (its
     *    campaign ended) is either skipped, or waits until this statement committed and then
     *    finds the lease named after it (waiters.ts leaveQueue releases it again).
     *  - The releasing session is never chosen: a row of its own left behind (a delete that
     *    failed) would hand it back the lease it gives up.
     * Returns the term, the holder (null when released) and the chosen waiter's ticket.
     * Parameters: cluster, name, the releasing session; then cluster, name, holder and term as
     * leaseRelease's.
     */
    leaseHandOver:
      `UPDATE ${lease} SET holder = next.session, holder_node = next.node_id, info = next.info, ` +
      `term = ${lease}.term + CASE WHEN next.session IS NULL THEN 0 ELSE 1 END, version = ${lease}.version + 1, ` +
      `expires_at = CASE WHEN next.session IS NULL THEN ${now} ELSE ${SESSION_BOUND_EXPIRES_AT} END, ` +
      `acquired_at = CASE WHEN next.session IS NULL THEN ${lease}.acquired_at ELSE ${now} END, ` +
      `renewed_at = CASE WHEN next.session IS NULL THEN ${lease}.renewed_at ELSE ${now} END ` +
      `FROM (SELECT 1 AS one) AS one LEFT JOIN (SELECT w.session, w.node_id, w.info, w.ticket FROM ${waiter} w JOIN ${member} m ON m.cluster = w.cluster AND m.session = w.session ` +
      `WHERE w.cluster = ? AND w.name = ? AND w.session <> ? AND m.expires_at > ${now} ORDER BY w.since, w.session LIMIT 1 FOR UPDATE OF w SKIP LOCKED) AS next ON TRUE ` +
      `WHERE ${lease}.cluster = ? AND ${lease}.name = ? AND ${lease}.holder = ? AND ${lease}.term = ? RETURNING ${lease}.term, ${lease}.holder, next.ticket`,
    /**
     * leaseRelease for many elections in ONE statement (dialects with electionRows but no
     * handover: SQLite): each row is released only if it still names the releasing session
     * (`h`) at its term (`t`), exactly as leaseRelease decides one. The row-value IN finds
     * each row by primary key (cluster, name): a correlated EXISTS (or an UPDATE ... FROM,
     * which SQLite plans with the lease table outside) scanned every lease row of the cluster
     * per statement (seconds with 100,000 rows, holding SQLite's one write lock; 256 of 100,000
     * now take ~4 ms). Parameters: the rows
     * (dialect.electionRows: n, h, t), cluster. Returns name and term of each row released.
     * null where the dialect has no electionRows.
     */
    leaseReleaseMany:
      d.electionRows === undefined
        ? null
        : `WITH asked AS (SELECT r.n, r.h, r.t FROM ${d.electionRows}) ` +
          `UPDATE ${lease} SET holder = NULL, holder_node = NULL, info = NULL, version = version + 1, expires_at = ${now} ` +
          `WHERE cluster = ? AND (name, holder, term) IN (SELECT n, h, t FROM asked) RETURNING name, term`,
    /**
     * leaseHandOver for many elections in ONE statement (engines with handsOver and
     * electionRows: PostgreSQL). Each election is decided exactly as leaseHandOver decides one:
     *  - `mine`: the rows that still name their releasing session (`h`) at its term (`t`),
     *    locked in name order (callers offer names sorted, as takes do: a take and a release
     *    of the same names lock them in one order and never deadlock). Each offered row is
     *    looked up by primary key in a LATERAL sub-SELECT (its LIMIT keeps the planner from
     *    flattening it into a join) and checked for holder and term once locked; the update
     *    then finds it by primary key again. Written as a join, a table without statistics
     *    yet (a store filled within seconds by a cold start) was scanned whole per statement:
     *    ~250 ms at 100,000 rows on 2 busy cores, 12 s of a 33,333-item leave (issue 12);
     *  - `next`: per row, its own election's longest-waiting waiter whose session is alive on
     *    the DB clock, other than the releasing session, chosen once and locked (FOR UPDATE,
     *    SKIP LOCKED) as in leaseHandOver; LIMIT 1 per election, so each row joins one choice;
     *  - each row becomes that waiter's at term + 1, or is released when there is none.
     * Parameters: the rows (dialect.electionRows: n, h, t), cluster. Returns name, term, holder
     * (null when released) and the chosen waiter's ticket of each row changed.
     */
    leaseHandOverMany:
      d.electionRows === undefined || !d.handsOver
        ? null
        : `WITH mine AS (SELECT l.cluster, l.name, l.holder, l.term FROM ${d.electionRows} CROSS JOIN LATERAL (SELECT x.cluster, x.name, x.holder, x.term FROM ${lease} x ` +
          `WHERE x.cluster = ? AND x.name = r.n LIMIT 1 FOR UPDATE) AS l WHERE l.holder = r.h AND l.term = r.t) ` +
          `UPDATE ${lease} SET holder = next.session, holder_node = next.node_id, info = next.info, ` +
          `term = ${lease}.term + CASE WHEN next.session IS NULL THEN 0 ELSE 1 END, version = ${lease}.version + 1, ` +
          `expires_at = CASE WHEN next.session IS NULL THEN ${now} ELSE ${SESSION_BOUND_EXPIRES_AT} END, ` +
          `acquired_at = CASE WHEN next.session IS NULL THEN ${lease}.acquired_at ELSE ${now} END, ` +
          `renewed_at = CASE WHEN next.session IS NULL THEN ${lease}.renewed_at ELSE ${now} END ` +
          `FROM mine LEFT JOIN LATERAL (SELECT w.session, w.node_id, w.info, w.ticket FROM ${waiter} w JOIN ${member} m ON m.cluster = w.cluster AND m.session = w.session ` +
          `WHERE w.cluster = mine.cluster AND w.name = mine.name AND w.session <> mine.holder AND m.expires_at > ${now} ORDER BY w.since, w.session LIMIT 1 FOR UPDATE OF w SKIP LOCKED) AS next ON TRUE ` +
          `WHERE ${lease}.cluster = mine.cluster AND ${lease}.name = mine.name ` +
          `RETURNING ${lease}.name, ${lease}.term, ${lease}.holder, next.ticket`,
    /**
     * Whether a fence's term is still held (a plain read: it tells a fenced write that matched
     * nothing whether it was fenced off or lost a race on the key).
     */
    fenceCheck: `SELECT term FROM ${lease} WHERE ${fenceHeld}`,
    /**
     * What the store holds for one session, in one cheap read per retry period (an index range
     * of (cluster, holder)): how many leases and the sum of their terms. The session compares
     * it with the terms it knows and reads sessionLeases only when they differ.
     */
    sessionLeasesDigest: `SELECT COUNT(*) AS leases, COALESCE(SUM(term), 0) AS terms, ${now} AS now_ms FROM ${lease} WHERE cluster = ? AND holder = ?`,
    /** Every lease row naming the session (cluster, session). */
    sessionLeases: `SELECT name, term FROM ${lease} WHERE cluster = ? AND holder = ?`,

    // ---- members (sessions) ----
    /** An expired row of this node id is dead: clear it so the node id can be reused. */
    /** The row holding a node id, seen from the DB clock (why a session could not open). */
    memberHolder: `SELECT info, ${now} - renewed_at AS renewed_ms_ago, expires_at - ${now} AS expires_in_ms FROM ${member} WHERE cluster = ? AND node_id = ?`,
    memberPurge: `DELETE FROM ${member} WHERE cluster = ? AND node_id = ? AND expires_at <= ${now}`,
    memberInsert: `INSERT INTO ${member} (cluster, node_id, session, info, expires_at, joined_at, renewed_at) VALUES (?, ?, ?, ?, ${now} + ?, ${now}, ${now})`,
    /**
     * Renew only my own, unexpired row: once expired, the session is lost for good. Reports the
     * database clock where the dialect can (RETURNING), for the clock check (db-clock-check.ts);
     * elsewhere dbNow follows.
     */
    memberRenew: `UPDATE ${member} SET expires_at = ${now} + ?, renewed_at = ${now} WHERE cluster = ? AND node_id = ? AND session = ? AND expires_at > ${now}${returning(`${now} AS now_ms`)}`,
    memberInfo: `UPDATE ${member} SET info = ? WHERE cluster = ? AND node_id = ? AND session = ? AND expires_at > ${now}`,
    memberDelete: `DELETE FROM ${member} WHERE cluster = ? AND node_id = ? AND session = ?${returning('node_id')}`,
    /** Live members, each with when it joined and in how many ms on the DB clock it expires. */
    memberList: `SELECT node_id, session, info, joined_at, expires_at - ${now} AS expires_in_ms FROM ${member} WHERE cluster = ? AND expires_at > ${now}`,
    /**
     * Deletes a session's member row once it has expired on the DB clock (cluster, session), so
     * that the leases it names become free (leaseFree). Why a delete and not just "expired" in
     * the take: PostgreSQL evaluates an UPDATE's WHERE before it locks the row and does not
     * evaluate it again after waiting for a lock that only LOCKED the row (it does after an
     * update or delete). A renewal that found its row live just before expiry, then waited for
     * a take that share-locked the row and saw it expired, would commit its extension after the
     * take: the holder would count a fresh deadline while its leases were being taken. A
     * delete is a write: a renewal waiting behind it re-reads the row, finds none, and its
     * session is lost at once; one that got the row first makes this delete re-check the
     * extended expiry and skip. A gone row never comes back (session ids are never reused), so
     * the take may read its absence without a lock. MySQL re-reads a row after any lock wait
     * and SQLite runs one writer at a time, so there the delete is belt and braces.
     */
    memberReap: `DELETE FROM ${member} WHERE cluster = ? AND session = ? AND expires_at <= ${now}`,

    // ---- waiters (engines with handsOver; see leaseHandOver) ----
    /**
     * A campaign starts waiting (cluster, name, session, node, ticket, info): at the back of
     * the queue, by the DB clock. A row of an earlier campaign of the session is replaced.
     */
    waiterJoin: `INSERT INTO ${waiter} (cluster, name, session, node_id, ticket, info, since) VALUES (?, ?, ?, ?, ?, ?, ${now}) ON CONFLICT (cluster, name, session) DO UPDATE SET node_id = excluded.node_id, ticket = excluded.ticket, info = excluded.info, since = excluded.since`,
    /** A campaign stops waiting (cluster, name, session, its ticket). */
    waiterLeave: `DELETE FROM ${waiter} WHERE cluster = ? AND name = ? AND session = ? AND ticket = ?`,
    /** Whatever campaign of the session waits for the election (cluster, name, session). */
    waiterLeaveElection: `DELETE FROM ${waiter} WHERE cluster = ? AND name = ? AND session = ?`,
    /** Every row of a session that closed or was reaped (cluster, session). */
    waiterLeaveSession: `DELETE FROM ${waiter} WHERE cluster = ? AND session = ?`,
    /**
     * Rows of a node id's earlier sessions (cluster, node, the new session): a node id has one
     * live session at a time, so they are dead; keeps lost sessions' rows from piling up.
     */
    waiterPurgeNode: `DELETE FROM ${waiter} WHERE cluster = ? AND node_id = ? AND session <> ?`,

    // ---- the store as a whole ----
    /** Every cluster with any stored row, expired or deleted ones too (readers name them). */
    clusterList: `SELECT cluster FROM ${member} UNION SELECT cluster FROM ${lease} UNION SELECT cluster FROM ${kv}`,

    // ---- kv ----
    // Every write is ONE statement, conditional on the version the writer read (compare and
    // set); a fenced one also on the fence (docs/safety.md rule 7: no lock is held across a client
    // round trip, so a frozen writer never delays a takeover). The `...Fenced` forms take the
    // fence's (cluster, election, sessionId, term) after the other parameters.
    // A delete leaves a tombstone (deleted = 1) holding the key's last version, so a key created
    // again continues above it: versions of a key never repeat (docs/safety.md rule 6). Reads and
    // lists skip tombstones; watches see them (a delete is a change like any other).
    kvGet: `SELECT value, version FROM ${kv} WHERE cluster = ? AND ${key} = ? AND deleted = 0`,
    /** The key's row for a write: its version, and whether it is a tombstone. */
    kvVersion: `SELECT version, deleted FROM ${kv} WHERE cluster = ? AND ${key} = ?`,
    kvList: `SELECT ${key} AS k, value, version FROM ${kv} WHERE cluster = ? AND SUBSTR(${key}, 1, ?) = ? AND deleted = 0`,
    /**
     * The version rows of every key under any of `prefixes` prefixes (tombstones too: a delete
     * is a change): what the KV watches of a backend poll, all in one statement. Parameters:
     * cluster, then each prefix's length and the prefix.
     */
    kvVersionsUnder: (prefixes: number) =>
      `SELECT ${key} AS k, version, updated_at FROM ${kv} WHERE cluster = ? AND (${Array.from({ length: prefixes }, () => `SUBSTR(${key}, 1, ?) = ?`).join(' OR ')})`,
    /** Creates a never-seen key at version 1; a concurrent create loses on the primary key. */
    kvInsert: `INSERT INTO ${kv} (cluster, ${key}, value, version, deleted, updated_at) VALUES (?, ?, ?, 1, 0, ${now})${returning('version')}`,
    /** kvInsert whose row comes from the held lease row: no held lease, no row inserted. */
    kvInsertFenced: `INSERT INTO ${kv} (cluster, ${key}, value, version, deleted, updated_at) SELECT ?, ?, ?, 1, 0, ${now} FROM ${lease} WHERE ${fenceHeld}${d.lockLease}${returning('version')}`,
    /** Writes version + 1 over exactly the version read (cluster, key, version): a live key or a tombstone. */
    kvUpdate: `UPDATE ${kv} SET value = ?, version = version + 1, deleted = 0, updated_at = ${now} WHERE ${kvAt}${returning('version')}`,
    kvUpdateFenced: `UPDATE ${kv} SET value = ?, version = version + 1, deleted = 0, updated_at = ${now} WHERE ${kvAt} AND ${fenceHolds}${returning('version')}`,
    /** Turns exactly the version read into a tombstone at version + 1 (its value dropped). */
    kvDelete: `UPDATE ${kv} SET value = 'null', version = version + 1, deleted = 1, updated_at = ${now} WHERE ${kvAt}${returning('version')}`,
    kvDeleteFenced: `UPDATE ${kv} SET value = 'null', version = version + 1, deleted = 1, updated_at = ${now} WHERE ${kvAt} AND ${fenceHolds}${returning('version')}`,
  });
}
