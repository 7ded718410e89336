/**
 * How much a store is written to, read from the store itself where it can say (counters diffed
 * over a window by the scale benchmark):
 * - PostgreSQL: rows inserted + updated + deleted in baton's tables (pg_stat_user_tables) and
 *   transactions committed in the benchmark's own database (pg_stat_database.xact_commit, reads
 *   included: every autocommitted SELECT is a transaction);
 * - MariaDB: rows changed in baton's tables (information_schema.TABLE_STATISTICS, kept while the
 *   server's `userstat` is on) and write statements (global Com_insert + Com_update + Com_delete:
 *   the whole server, so other clients' writes count too);
 * - ZooKeeper: write transactions (the server's zxid counter, from `srvr`) and packets received
 *   (`mntr` zk_packets_received: every request and ping);
 * - etcd: raft proposals committed (every write: put, delete, transaction, lease grant or revoke)
 *   and gRPC messages received (every request and lease keep-alive), from its /metrics;
 * - SQLite: rows changed and write statements, counted in the node processes (scale-sqlite-count.ts).
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { fourLetterWord } from '../test/support/zookeeper-fixture.js';

/** One reading: rows (or ZooKeeper transactions) written so far, and the second counter. */
export interface LoadReading {
  readonly rows: number;
  readonly other: number;
}

export interface LoadCounter {
  /** What `rows` and `other` count on this store, for the report. */
  readonly rowsMean: string;
  readonly otherMeans: string;
  /**
   * How late, ms, the store may report writes already made (its counters lag): the idle window's
   * readings are taken that much later, so the placement's last writes are not counted as idle.
   */
  readonly reportLagMs?: number;
  read(): Promise<LoadReading>;
  close(): Promise<void>;
}

export async function postgresCounter(url: string): Promise<LoadCounter> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined); // reported by the query that fails
  await client.connect();
  await client.query("SET stats_fetch_consistency = 'none'");
  const query = `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
    (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables WHERE relname LIKE 'baton%') AS rows`;
  return {
    rowsMean: 'rows inserted, updated or deleted in baton tables (pg_stat_user_tables)',
    otherMeans: 'transactions committed in the database, reads included (pg_stat_database.xact_commit)',
    // A backend flushes its counts at most once a second, and one that went idle with counts
    // pending flushes them 10 s later (PostgreSQL 15's PGSTAT_IDLE_INTERVAL): the pool's
    // connections idle after placing reported its last writes inside the idle window (33-98
    // rows/s at 10,000 buckets after a 3 s placement, where 1.4 is the steady rate). 11 s: that
    // interval and a margin.
    reportLagMs: 11_000,
    async read() {
      const { rows } = await client.query<{ commits: string; rows: string }>(query);
      return { rows: Number(rows[0]?.rows), other: Number(rows[0]?.commits) };
    },
    close: () => client.end(),
  };
}

export async function mysqlCounter(url: string): Promise<LoadCounter> {
  const connection = await mysql.createConnection(url);
  const [[setting]] = (await connection.query("SELECT @@GLOBAL.userstat AS on_")) as unknown as [{ on_: number }[]];
  // Table statistics are kept only while userstat is on; it is put back as it was at close.
  if (setting?.on_ !== 1) await connection.query('SET GLOBAL userstat = 1');
  return {
    rowsMean: 'rows changed in baton tables (information_schema.TABLE_STATISTICS)',
    otherMeans: 'INSERT, UPDATE and DELETE statements on the whole server (global Com_*)',
    async read() {
      const [tables] = (await connection.query(
        "SELECT coalesce(sum(ROWS_CHANGED), 0) AS n FROM information_schema.TABLE_STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'baton%'",
      )) as unknown as [{ n: string }[]];
      const [status] = (await connection.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_insert', 'Com_update', 'Com_delete')")) as unknown as [{ Value: string }[]];
      return { rows: Number(tables[0]?.n ?? 0), other: status.reduce((sum, row) => sum + Number(row.Value), 0) };
    },
    async close() {
      if (setting?.on_ !== 1) await connection.query('SET GLOBAL userstat = 0');
      await connection.end();
    },
  };
}

export function zookeeperCounter(port: number): LoadCounter {
  return {
    rowsMean: 'write transactions (zxid counter, `srvr`)',
    otherMeans: 'packets received, pings included (`mntr` zk_packets_received)',
    async read() {
      const srvr = await fourLetterWord(port, 'srvr');
      const mntr = await fourLetterWord(port, 'mntr');
      const zxid = /Zxid: 0x([0-9a-f]+)/i.exec(srvr)?.[1];
      const packets = /zk_packets_received\s+(\d+)/.exec(mntr)?.[1];
      if (zxid === undefined || packets === undefined) throw new Error(`ZooKeeper on port ${port} gave no zxid or packet count`);
      // The low 32 bits count transactions within the leader's epoch (one epoch on a standalone server).
      return { rows: Number(BigInt(`0x${zxid}`) & 0xffffffffn), other: Number(packets) };
    },
    close: async () => undefined,
  };
}

export function etcdCounter(endpoint: string): LoadCounter {
  const total = (text: string, metric: string) =>
    text.split('\n').filter((line) => line.startsWith(metric)).reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    rowsMean: 'raft proposals committed, every write (`etcd_server_proposals_committed_total`)',
    otherMeans: 'gRPC messages received, keep-alives included (`grpc_server_msg_received_total`)',
    async read() {
      const response = await fetch(`http://${endpoint}/metrics`);
      const text = await response.text();
      return { rows: total(text, 'etcd_server_proposals_committed_total'), other: total(text, 'grpc_server_msg_received_total') };
    },
    close: async () => undefined,
  };
}

/** SQLite: the node processes' own counts, summed (see scale-sqlite-count.ts). */
export function sqliteCounter(read: () => Promise<{ rowsChanged: number; writes: number }[]>): LoadCounter {
  return {
    rowsMean: 'rows changed by the node processes\' statements (better-sqlite3 `changes`, counted in each node process)',
    otherMeans: 'statements that wrote (UPDATE / INSERT / DELETE), counted in each node process',
    async read() {
      const all = await read();
      return { rows: all.reduce((s, c) => s + c.rowsChanged, 0), other: all.reduce((s, c) => s + c.writes, 0) };
    },
    close: async () => undefined,
  };
}
