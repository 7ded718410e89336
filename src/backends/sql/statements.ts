/**
 * Every statement the SQL backend runs, written once over a dialect's `now` expression and
 * quoting. `NOW` below is always the database server's clock (epoch ms); local clocks never
 * appear in SQL. Placeholders are `?`.
 */
import type { SqlDialect } from './dialect.js';
import type { TableNames } from './table-prefix.js';

export type Statements = ReturnType<typeof buildStatements>;

export function buildStatements(d: SqlDialect, t: TableNames) {
  const lease = d.quote(t.lease);
  const member = d.quote(t.member);
  const kv = d.quote(t.kv);
  const key = d.quote('key');
  const now = d.nowMs;
  const returning = (columns: string) => (d.returning ? ` RETURNING ${columns}` : '');
  /** The fence's term is held and unexpired on the DB clock (cluster, election, sessionId, term). */
  const fenceHeld = `cluster = ? AND name = ? AND holder = ? AND term = ? AND expires_at > ${now}`;
  /**
   * Inside a KV write: the fence holds, and the lease row stays share-locked until that one
   * statement commits, so no takeover can commit between the check and the write (PostgreSQL
   * and MySQL would otherwise check a snapshot taken when the statement began). The lock never
   * outlives the statement, which the server bounds (see each connection's timeouts).
   */
  const fenceHolds = `EXISTS (SELECT 1 FROM ${lease} WHERE ${fenceHeld}${d.lockLease})`;
  /** The key at exactly the version the writer read (cluster, key, version). */
  const kvAt = `cluster = ? AND ${key} = ? AND version = ?`;
  return Object.freeze({
    // ---- leases (elections) ----
    /** The live holder, if any: an expired lease is no leader. */
    leaderRead: `SELECT holder, holder_node, term, acquired_at, info FROM ${lease} WHERE cluster = ? AND name = ? AND holder IS NOT NULL AND expires_at > ${now}`,
    /** The row as a watcher sees it: live or not, and when it last changed hands. */
    leaseState: `SELECT holder, term, info, acquired_at, expires_at, CASE WHEN holder IS NOT NULL AND expires_at > ${now} THEN 1 ELSE 0 END AS live FROM ${lease} WHERE cluster = ? AND name = ?`,
    dbNow: `SELECT ${now} AS now_ms`,
    leaseExists: `SELECT term FROM ${lease} WHERE cluster = ? AND name = ?`,
    /** First acquisition ever of this election: term 1. A concurrent insert loses on the key. */
    leaseInsert: `INSERT INTO ${lease} (cluster, name, holder, holder_node, term, version, expires_at, acquired_at, renewed_at, info) VALUES (?, ?, ?, ?, 1, 1, ${now} + ?, ${now}, ${now}, ?)`,
    /**
     * Take a free or expired lease (never a live one: a recovering node does not pre-empt);
     * term +1 is the new fencing token, version +1 marks the write.
     */
    leaseTake: `UPDATE ${lease} SET holder = ?, holder_node = ?, term = term + 1, version = version + 1, expires_at = ${now} + ?, acquired_at = ${now}, renewed_at = ${now}, info = ? WHERE cluster = ? AND name = ? AND (holder IS NULL OR expires_at <= ${now})`,
    /** leaseTake / leaseInsert reporting the new term and version (dialects with RETURNING). */
    leaseTakeReturning: `UPDATE ${lease} SET holder = ?, holder_node = ?, term = term + 1, version = version + 1, expires_at = ${now} + ?, acquired_at = ${now}, renewed_at = ${now}, info = ? WHERE cluster = ? AND name = ? AND (holder IS NULL OR expires_at <= ${now}) RETURNING term`,
    leaseInsertReturning: `INSERT INTO ${lease} (cluster, name, holder, holder_node, term, version, expires_at, acquired_at, renewed_at, info) VALUES (?, ?, ?, ?, 1, 1, ${now} + ?, ${now}, ${now}, ?) RETURNING term`,
    leaseMine: `SELECT term, acquired_at FROM ${lease} WHERE cluster = ? AND name = ? AND holder = ?`,
    /**
     * Renew my term while it is unexpired. Holder and term identify it (a takeover always
     * writes a new term, and a term is never handed out twice); any other write leaves my
     * term mine. Deliberately not conditional on the version: a renewal that committed but
     * whose answer was lost has bumped it, and the next renewal must still match. The version
     * is still bumped so that every renewal changes the row (MySQL counts changed rows).
     */
    leaseRenew: `UPDATE ${lease} SET version = version + 1, expires_at = ${now} + ?, renewed_at = ${now} WHERE cluster = ? AND name = ? AND holder = ? AND term = ? AND expires_at > ${now}`,
    /** Give the lease up now so a successor need not wait for expiry. */
    leaseRelease: `UPDATE ${lease} SET holder = NULL, holder_node = NULL, info = NULL, version = version + 1, expires_at = ${now} WHERE cluster = ? AND name = ? AND holder = ? AND term = ?${returning('term')}`,
    /**
     * Whether a fence's term is still held and unexpired (a plain read: it tells a fenced write
     * that matched nothing whether it was fenced off or lost a race on the key).
     */
    fenceCheck: `SELECT term FROM ${lease} WHERE ${fenceHeld}`,

    // ---- members (sessions) ----
    /** An expired row of this node id is dead: clear it so the node id can be reused. */
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
    memberList: `SELECT node_id, session, info, joined_at FROM ${member} WHERE cluster = ? AND expires_at > ${now}`,

    // ---- the store as a whole ----
    /** Every cluster with any stored row, expired or deleted ones too (readers name them). */
    clusterList: `SELECT cluster FROM ${member} UNION SELECT cluster FROM ${lease} UNION SELECT cluster FROM ${kv}`,

    // ---- kv ----
    // Every write is ONE statement, conditional on the version the writer read (compare and
    // set); a fenced one also on the fence (safety model 5: no lock is held across a client
    // round trip, so a frozen writer never delays a takeover). The `...Fenced` forms take the
    // fence's (cluster, election, sessionId, term) after the other parameters.
    // A delete leaves a tombstone (deleted = 1) holding the key's last version, so a key created
    // again continues above it: versions of a key never repeat (safety model 4). Reads and
    // lists skip tombstones; watches see them (a delete is a change like any other).
    kvGet: `SELECT value, version FROM ${kv} WHERE cluster = ? AND ${key} = ? AND deleted = 0`,
    /** The key's row for a write: its version, and whether it is a tombstone. */
    kvVersion: `SELECT version, deleted FROM ${kv} WHERE cluster = ? AND ${key} = ?`,
    kvList: `SELECT ${key} AS k, value, version FROM ${kv} WHERE cluster = ? AND SUBSTR(${key}, 1, ?) = ? AND deleted = 0`,
    kvVersions: `SELECT ${key} AS k, version, updated_at FROM ${kv} WHERE cluster = ? AND SUBSTR(${key}, 1, ?) = ?`,
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
